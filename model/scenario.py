"""A scenario: everything the checker needs besides the program text.

Built by the spec loader (specs/) from a TOML file, or directly by tests and the
litmus front end.  All addresses are physical unless named `va`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..grammar.program import Program
from .vmsa.regime import Features, Regime


@dataclass
class CpuSetup:
    cpu: int
    entry: str
    regs: dict[int, Any] = field(default_factory=dict)     # initial X0..X30
    sp: Any = None
    sysregs: dict[str, Any] = field(default_factory=dict)  # ttbr0_el1, ttbr1_el1, sctlr_el1, ...
    role: str = ""                                         # e.g. "boot", "secondary"
    el0: bool = False     # runs at EL0 (unprivileged, EL1&0 regime): a leaf with AP[1] = 0
                          # gives its accesses a Permission fault (litmus EL0=; only with
                          # Features.write_permission, which models permission faults)
    faults: str = "fatal"  # 'fatal': a fault ends the CPU's run (herd7 `fatal`);
                           # 'handled': the CPU takes the exception and executes the
                           # faulting instruction again, once; an execution in which
                           # the retry or a later access of the CPU faults does not
                           # count (herd7 `handled`, litmus `Variant=imprecise`);
                           # 'handler': the CPU takes the exception and runs `handler`
                           # (litmus `P<n>.F` column), whose end ends its run; an
                           # execution in which the handler faults does not count
    handler: tuple | None = None  # 'handler': (first label, label just past its code)


@dataclass
class TableInfo:
    """A translation table the scenario declares (for naming and BBM checks)."""
    name: str
    base: int
    level: int


@dataclass
class Postcondition:
    """A named condition on the final state; `build(enc, final)` returns a Z3 Bool.
    `concrete(state)` checks it on a replayed final state (cli/replay.py: FinalState)
    and returns what fails in words, or "" when it holds.  `explain(enc, model)`, when
    given, says which part fails in a violating execution: (words, fix, key events)
    or None.  `params`: the spec's keys of this kind, evaluated (data for other
    readers, such as the tests' SC oracle)."""
    name: str
    text: str
    build: Callable
    kind: str = ""
    concrete: Callable | None = None
    explain: Callable | None = None
    params: dict = field(default_factory=dict)


@dataclass
class Scenario:
    program: Program
    cpus: list[CpuSetup]
    regime: Regime = field(default_factory=Regime)
    features: Features = field(default_factory=Features)
    # initial memory: 8-byte-aligned physical address -> 64-bit value (int or term)
    memory: dict[int, Any] = field(default_factory=dict)
    # value sets of the scenario's symbolic variables (for the value-set analysis)
    domains: dict[str, frozenset] = field(default_factory=dict)
    assumptions: list = field(default_factory=list)         # Z3 Bools
    symbols: dict[str, int] = field(default_factory=dict)   # bindings of external symbols
    tables: list[TableInfo] = field(default_factory=list)
    tracked_vas: list[int] = field(default_factory=list)    # candidate VAs for the tracked VA
    initial_tlb: str = "any"                                # 'any' | 'empty' | 'stale'
    bound: int = 200                                        # instructions per CPU
    properties: tuple = ("bbm", "conflict", "fault", "stale", "postconditions")
    stale_vas: list[int] = field(default_factory=list)      # VAs whose accesses must not be stale
    postconditions: list[Postcondition] = field(default_factory=list)
    name: str = ""
    description: str = ""
    omits: list[str] = field(default_factory=list)          # what this scenario does not model
    geometry: str = ""                                      # for the verdict
    fetch: bool = False                                     # model instruction fetch (rule fetch-translation)
    end_before: tuple = ()                                  # instruction patterns where a CPU's routine ends

    def table_at(self, pa: int) -> tuple[TableInfo, int] | None:
        """The declared table holding descriptor address `pa`, and the index."""
        for t in self.tables:
            if t.base <= pa < t.base + 4096:
                return t, (pa - t.base) // 8
        return None

    def symbol_address(self, name: str) -> int:
        if name in self.symbols:
            return self.symbols[name]
        a = self.program.address_of(name)
        if a is None:
            from ..errors import ModelError
            raise ModelError(f"symbol '{name}' is neither defined in the program nor bound by "
                             f"the scenario")
        return a

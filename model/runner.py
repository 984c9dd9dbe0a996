"""A single-CPU concrete interpreter over a flat memory.

Runs a routine from an entry symbol with given registers and memory, executing the
instruction semantics (model/isa) against a concrete Context, until the routine returns
from its entry frame (`ret` at call depth 0, or a branch to the return sentinel left in
X30), a step limit, or an instruction the model cannot run (Unsupported, an exception
instruction, no instruction at the PC).  It reports registers, flags, memory, and the
ordered list of system effects and system-register writes.

There is no translation: addresses are used as they are (a flat physical memory), and
system effects (barriers, TLBI, DC/IC, events) are recorded, not executed.  This is
the interpreter behind `bbmcheck run` and the QEMU differential test; the VMSA machine
(model/machine*.py) implements the same Context with translation and N CPUs.

    from bbmcheck.model.runner import run
    res = run(program, "my_routine", regs={0: 0x1000}, memory={0x1000: (8, 42)})
    res.stop, res.x(0), res.nzcv, res.read(0x1000, 8), res.effects
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..errors import ModelError
from ..grammar.program import Data, Instruction, Program, SymRef
from . import values as V
from .effects import Exception_, Unsupported
from .isa import decode
from .values import Bits, _mk

#: X30 at entry: a branch here is a return from the entry frame
RETURN_SENTINEL = 0x0000_FFFF_DEAD_0000
#: SP at entry unless given: a 1 MiB stack below this address
STACK_TOP = 0x7FFF_0000
#: base of the addresses given to undefined (external) symbols, 1 MiB apart
EXTERN_BASE = 0x6000_0000
EXTERN_STRIDE = 0x10_0000

#: system registers that read as non-zero before any write
SYSREG_DEFAULTS = {
    "currentel": 0b01 << 2,          # EL1
    "dczid_el0": 4,                  # DC ZVA block = 2**4 words = 64 bytes
    "daif": 0x3C0,                   # D, A, I, F masked (as at reset)
}

_M64 = (1 << 64) - 1


@dataclass(frozen=True)
class SysregWrite:
    """An MSR: `name` written with `value`."""
    name: str
    value: Any

    def __str__(self):
        return f"msr {self.name}, {_fmt(self.value)}"


@dataclass(frozen=True)
class Step:
    """One recorded system event: the step number, the PC and instruction text, and
    the effect (model/effects.py) or SysregWrite."""
    step: int
    pc: int
    text: str
    effect: Any

    def __str__(self):
        return f"[{self.step:>5}] {self.pc:#x}: {describe_effect(self.effect)}"


def _fmt(v) -> str:
    if v is None:
        return "-"
    if type(v) is Bits:
        return f"{v.value:#x}"
    if isinstance(v, int):
        return f"{v:#x}"
    return str(v)


def describe_effect(e) -> str:
    """A one-line human description of an effect or sysreg write."""
    from .effects import DC, IC, ISB, TLBI, Barrier, Event
    if isinstance(e, SysregWrite):
        return str(e)
    if isinstance(e, Barrier):
        if e.domain == "sy":
            opt = "sy" if e.types == "all" else e.types
        else:
            opt = e.domain + ("" if e.types == "all" else e.types)
        return f"{e.kind} {opt}"
    if isinstance(e, ISB):
        return "isb"
    if isinstance(e, TLBI):
        parts = [f"tlbi {e.op} ({e.regime}, {e.scope}, {e.match}"
                 + (", last level)" if e.last_level else ")")]
        if e.va is not None:
            parts.append(f"va={_fmt(e.va)}")
        if e.asid is not None:
            parts.append(f"asid={_fmt(e.asid)}")
        if e.ttl is not None:
            parts.append(f"ttl={_fmt(e.ttl)}")
        return " ".join(parts)
    if isinstance(e, (DC, IC)):
        k = "dc" if isinstance(e, DC) else "ic"
        return f"{k} {e.op}" + (f" addr={_fmt(e.addr)}" if e.addr is not None else "")
    if isinstance(e, Event):
        return e.kind
    if isinstance(e, Exception_):
        return f"{e.kind} #{e.imm:#x}" if e.kind != "eret" else "eret"
    if isinstance(e, Unsupported):
        return f"UNSUPPORTED {e.reason}"
    return repr(e)


# --------------------------------------------------------------------------- memory

class FlatMemory:
    """Byte-addressed memory (a dict), little-endian.  Bytes never written read as 0
    and are remembered in `uninit_reads`."""

    def __init__(self, init: dict[int, int] | None = None):
        self.bytes: dict[int, int] = dict(init or {})
        self.written: set[int] = set()
        self.uninit_reads: set[int] = set()

    def read(self, addr: int, size: int) -> int:
        b = self.bytes
        v = 0
        for i in range(size - 1, -1, -1):
            a = (addr + i) & _M64
            x = b.get(a)
            if x is None:
                self.uninit_reads.add(a)
                x = 0
            v = (v << 8) | x
        return v

    def write(self, addr: int, size: int, value: int) -> None:
        b = self.bytes
        for i in range(size):
            a = (addr + i) & _M64
            b[a] = (value >> (8 * i)) & 0xFF
            self.written.add(a)

    def write_init(self, addr: int, size: int, value: int) -> None:
        for i in range(size):
            self.bytes[(addr + i) & _M64] = (value >> (8 * i)) & 0xFF


# --------------------------------------------------------------------------- context

class _Stop(Exception):
    pass


class ConcreteContext:
    """The Context (model/isa/context.py) of one CPU over Python ints and FlatMemory."""

    def __init__(self, memory: FlatMemory, symbol: Callable[[str], int]):
        z = _mk(0, 64)
        self.regs: list[Bits] = [z] * 31
        self.sp: Bits = z
        self.nzcv: Bits = _mk(0, 4)
        self.pc = 0
        self.next_pc = 0
        self.memory = memory
        self._symbol = symbol
        self.sysregs: dict[str, Bits] = {}
        self.events: list[Step] = []
        self.monitor: tuple[int, int] | None = None
        self.depth = 0
        self.stop: str | None = None
        self.stop_detail = ""
        self.step = 0
        self.text = ""
        self.accesses: list | None = None

    # ---- registers
    def read_gpr(self, n: int) -> Bits:
        return self.regs[n]

    def write_gpr(self, n: int, value) -> None:
        if type(value) is not Bits or value.width != 64:
            value = self._check(value, 64)
        self.regs[n] = value

    def read_sp(self) -> Bits:
        return self.sp

    def write_sp(self, value) -> None:
        if type(value) is not Bits or value.width != 64:
            value = self._check(value, 64)
        self.sp = value

    def read_nzcv(self) -> Bits:
        return self.nzcv

    def write_nzcv(self, value) -> None:
        if type(value) is not Bits or value.width != 4:
            value = self._check(value, 4)
        self.nzcv = value

    @staticmethod
    def _check(value, w):
        v = V.lift(V.simplify(value)) if not isinstance(value, Bits) else value
        if type(v) is not Bits:
            raise ModelError(f"symbolic value in the concrete runner: {value}")
        if v.width != w:
            raise AssertionError(f"internal error: {v.width}-bit value for a {w}-bit register")
        return v

    # ---- control flow
    def branch(self, cond, target, *, link: bool = False, kind: str = "b") -> None:
        c = V.concrete_bool(cond)
        if c is None:
            raise ModelError(f"symbolic branch condition at {self.pc:#x}")
        if not c:
            return
        t = target if type(target) is int else V.as_int(target)
        self.next_pc = t
        if link:
            self.depth += 1
        elif kind == "ret":
            if self.depth == 0:
                self.stop = "ret"
            else:
                self.depth -= 1

    def symbol(self, name: str) -> int:
        return self._symbol(name)

    # ---- memory
    def load(self, addr, size: int, *, acquire: bool = False, exclusive: bool = False):
        a = addr.value if type(addr) is Bits else V.as_int(addr)
        v = self.memory.read(a, size)
        if exclusive:
            self.monitor = (a, size)
        if self.accesses is not None:
            self.accesses.append(("load", a, size, v))
        return _mk(v, size * 8)

    def store(self, addr, size: int, value, *, release: bool = False) -> None:
        a = addr.value if type(addr) is Bits else V.as_int(addr)
        v = value.value if type(value) is Bits else V.as_int(value)
        self.memory.write(a, size, v)
        if self.accesses is not None:
            self.accesses.append(("store", a, size, v))

    def store_exclusive(self, addr, size: int, value, *, release: bool = False):
        """Passes iff the local monitor holds exactly this address and size (the
        monitor is then cleared either way)."""
        a = addr.value if type(addr) is Bits else V.as_int(addr)
        ok = self.monitor == (a, size)
        self.monitor = None
        if ok:
            self.store(addr, size, value, release=release)
        return _mk(0 if ok else 1, 32)

    def clear_exclusive(self) -> None:
        self.monitor = None

    def atomic(self, addr, size: int, new_of, *, acquire: bool = False,
               release: bool = False, ret: bool = True):
        """An LSE atomic read-modify-write (model/isa/atomics.py): read, then write
        new_of(old) unless it says no write (a failed CAS).  Returns the value read."""
        old = self.load(addr, size, acquire=acquire and ret)
        new, w = new_of(old)
        c = V.concrete_bool(w)
        if c is None:
            raise ModelError(f"symbolic atomic condition at {self.pc:#x}")
        if c:
            self.store(addr, size, new, release=release)
        return old

    # ---- system registers
    def read_sysreg(self, name: str):
        v = self.sysregs.get(name)
        if v is None:
            v = _mk(SYSREG_DEFAULTS.get(name, 0), 64)
        return v

    def write_sysreg(self, name: str, value) -> None:
        v = self._check(value, 64)
        self.sysregs[name] = v
        self.events.append(Step(self.step, self.pc, self.text, SysregWrite(name, v)))

    # ---- effects
    def effect(self, effect) -> None:
        self.events.append(Step(self.step, self.pc, self.text, effect))
        if isinstance(effect, Unsupported):
            self.stop = "unsupported"
            self.stop_detail = effect.reason
        elif isinstance(effect, Exception_):
            self.stop = "exception"
            self.stop_detail = effect.kind


# --------------------------------------------------------------------------- results

@dataclass
class RunResult:
    stop: str                  # 'ret' | 'end' | 'max-steps' | 'unsupported' | 'exception' | 'no-instruction'
    stop_detail: str
    steps: int
    pc: int                    # the PC after the last instruction (the return address on 'ret')
    regs: list[int]            # X0..X30
    sp: int
    nzcv: int                  # N:Z:C:V as 4 bits
    memory: FlatMemory
    effects: list[Step]        # system effects and sysreg writes, in order
    sysregs: dict[str, int]
    bound_symbols: dict[str, int] = field(default_factory=dict)
    trace: list[tuple[int, str]] | None = None

    def x(self, n: int) -> int:
        return self.regs[n]

    def w(self, n: int) -> int:
        return self.regs[n] & 0xFFFFFFFF

    def read(self, addr: int, size: int = 8) -> int:
        return self.memory.read(addr, size)

    @property
    def flags(self) -> str:
        return "".join(c if (self.nzcv >> (3 - i)) & 1 else "-" for i, c in enumerate("NZCV"))


# --------------------------------------------------------------------------- running

class Runner:
    """Run code given by `fetch(address) -> Instruction | None` with `symbol(name)`.

    The lower-level entry point (the QEMU differential test uses it directly with
    instructions it built itself); `run()` wraps it for a Program."""

    def __init__(self, fetch: Callable[[int], Instruction | None],
                 symbol: Callable[[str], int], memory: FlatMemory | None = None):
        self.fetch = fetch
        self.memory = memory if memory is not None else FlatMemory()
        self.ctx = ConcreteContext(self.memory, symbol)

    def set_regs(self, regs: dict[int, int] | None = None, *, sp: int | None = None,
                 nzcv: int | None = None) -> None:
        for n, v in (regs or {}).items():
            if not 0 <= n <= 30:
                raise ValueError(f"no register x{n}")
            self.ctx.regs[n] = V.const(v, 64)
        if sp is not None:
            self.ctx.sp = V.const(sp, 64)
        if nzcv is not None:
            self.ctx.nzcv = V.const(nzcv, 4)

    def run(self, entry: int, *, max_steps: int = 100_000, stop_at: Iterable[int] = (),
            trace: bool = False) -> RunResult:
        ctx = self.ctx
        fetch = self.fetch
        stops = set(stop_at)
        stops.add(RETURN_SENTINEL)
        pc = entry
        steps = 0
        tr: list | None = [] if trace else None
        stop = "max-steps"
        while steps < max_steps:
            if pc in stops:
                stop = "ret" if pc == RETURN_SENTINEL else "end"
                break
            instr = fetch(pc)
            if instr is None:
                stop = "no-instruction"
                ctx.stop_detail = f"no instruction at {pc:#x}"
                break
            ctx.pc = pc
            ctx.next_pc = pc + 4
            ctx.step = steps
            ctx.text = instr.text or str(instr)
            op = instr.__dict__.get("_bbm_op") or decode(instr)
            if tr is not None:
                tr.append((pc, ctx.text))
            op.run(ctx)
            steps += 1
            if ctx.stop is not None:
                stop = ctx.stop
                pc = ctx.next_pc if stop == "ret" else pc
                break
            pc = ctx.next_pc
        return RunResult(
            stop=stop, stop_detail=ctx.stop_detail, steps=steps, pc=pc,
            regs=[r.value for r in ctx.regs], sp=ctx.sp.value, nzcv=ctx.nzcv.value,
            memory=self.memory, effects=list(ctx.events),
            sysregs={k: v.value for k, v in ctx.sysregs.items()}, trace=tr)


def program_memory(program: Program, symbol: Callable[[str], int], *,
                   skip_unresolved: bool = False) -> dict[int, int]:
    """The initial bytes of a program's data items (.quad, .long, .byte, .space ...).
    `skip_unresolved`: leave out a value naming a symbol neither the program nor the
    scenario defines (e.g. a linker symbol in data the routine never reads)."""
    out: dict[int, int] = {}
    for sec in program.sections.values():
        for it in sec.items:
            if not isinstance(it, Data):
                continue
            a = it.address
            for size, val in it.values:
                if isinstance(val, SymRef):
                    try:
                        v = symbol(val.name) + val.addend
                    except ModelError:
                        if not skip_unresolved:
                            raise
                        a += size
                        continue
                else:
                    v = int(val)
                for i in range(size):
                    out[(a + i) & _M64] = (v >> (8 * i)) & 0xFF
                a += size
    return out


def _laid_out(program: Program) -> bool:
    return any(sec.base for sec in program.sections.values())


def parse_value(text: str, symbol: Callable[[str], int]) -> int:
    """`0x10`, `-1`, `sym`, `sym+0x10`, `sym-8` -> int (for --reg/--mem/--sym)."""
    s = text.strip()
    try:
        return int(s, 0)
    except ValueError:
        pass
    for op in ("+", "-"):
        i = s.rfind(op)
        if i > 0:
            return parse_value(s[:i], symbol) + (1 if op == "+" else -1) * int(s[i + 1:], 0)
    return symbol(s)


def run(program: Program, entry: str, *, regs: dict[int, int] | None = None,
        sp: int | None = None, nzcv: int = 0,
        memory: dict[int, tuple[int, int]] | None = None,
        symbols: dict[str, int] | None = None, sysregs: dict[str, int] | None = None,
        max_steps: int = 100_000, trace: bool = False) -> RunResult:
    """Run `entry` of a Program.

    regs: {n: value} for X0..X30 (X30 defaults to RETURN_SENTINEL, SP to STACK_TOP);
    memory: {address: (size, value)} little-endian initial contents, on top of the
    program's own data; symbols: addresses of symbols the program does not define
    (others undefined get distinct addresses from EXTERN_BASE, reported in
    `bound_symbols`); sysregs: initial system register values."""
    if not _laid_out(program):
        program.layout()
    bound: dict[str, int] = {}
    given = dict(symbols or {})

    def symbol(name: str) -> int:
        if name in given:
            return given[name]
        a = program.address_of(name)
        if a is not None:
            return a
        if name not in bound:
            bound[name] = EXTERN_BASE + EXTERN_STRIDE * len(bound)
        return bound[name]

    start = program.address_of(entry)
    if start is None:
        if entry in program.routines:
            r = program.routines[entry]
            start = program.sections[r.section].base + r.start
        else:
            raise ModelError(f"no symbol '{entry}' in {program.file}")
    mem = FlatMemory(program_memory(program, symbol))
    for addr, (size, value) in (memory or {}).items():
        mem.write_init(addr, size, value)
    runner = Runner(program.instruction_at, symbol, mem)
    init = {30: RETURN_SENTINEL}
    init.update(regs or {})
    runner.set_regs(init, sp=STACK_TOP if sp is None else sp, nzcv=nzcv)
    for name, v in (sysregs or {}).items():
        runner.ctx.sysregs[name.lower()] = V.const(v, 64)
    res = runner.run(start, max_steps=max_steps, trace=trace)
    res.bound_symbols = bound
    return res

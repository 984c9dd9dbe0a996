"""Events: what one CPU's symbolic execution produces for the VMSA machine.

Symbolic execution (model/symex.py) runs a CPU's routine over every path at once
(paths merge again after a data-dependent branch) and records, in program order, a
list of events.  Each event carries the path condition under which it happens
(`guard`) and a time variable `t` (its position in the global order of the
execution; Z3 Int).  Events of one CPU appear in the list in an order compatible
with program order on every path, so "e comes before f in the list, and both
happen" means "e is program-order before f".

The encoder (model/encode.py) adds the rest of an execution: when each store
becomes visible (to its own CPU's walker, `q`, and to everything else, `p`), when
each load is satisfied (`pi`), when each TLBI is performed on each CPU, and the
translation table walks behind every access.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from ..grammar.program import Instruction

_serials = itertools.count()


class Serial:
    """Hashed by creation order, not by address.  Sets of events (the stores a DSB
    completes, the TLBIs it waits for, ...) then iterate in the same order on every
    run, so the same input gives the same formula, the same solver time and the same
    trace; an identity hash follows the memory layout, which differs from run to run
    (measured: the kpti formula's constraints came out in another order under another
    PYTHONHASHSEED, and a mutant's check took 24-56 s)."""
    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        object.__setattr__(obj, "_serial", next(_serials))
        return obj

    def __hash__(self):
        return self._serial


Term = Any   # a value of bbmcheck.model.values (Bits or Z3 term), or a Z3 Bool/Int


@dataclass(eq=False)
class Step(Serial):
    """One executed instruction instance (visible or not), for traces."""
    cpu: int
    order: int                     # position among this CPU's steps (list order)
    instr: Instruction
    guard: Term
    writes: dict = field(default_factory=dict)   # 'x5' / 'sp' / 'nzcv' / sysreg -> value
    events: list = field(default_factory=list)   # the visible events it produced
    prev_event: int = -1           # index of the last visible event before it (-1: none)

    def __repr__(self):
        return f"Step(cpu{self.cpu} #{self.order} {self.instr})"


@dataclass(eq=False)
class Event(Serial):
    cpu: int
    index: int                     # position in the CPU's event list
    guard: Term                    # path condition (Z3 Bool or True)
    step: Step | None
    t: Term = None                 # Z3 Int: when it happens

    kind = "event"

    @property
    def instr(self) -> Instruction | None:
        return self.step.instr if self.step else None

    def __repr__(self):
        return f"{type(self).__name__}(cpu{self.cpu}#{self.index} {self.instr})"


@dataclass(eq=False, repr=False)
class Access(Event):
    """An explicit data access: a load or a store (incl. exclusives/acquire/release).

    va: the 64-bit virtual address (physical when the CPU's MMU is off).
    value: for a store the value written; for a load a fresh variable the encoder
           constrains to the value read.
    For the encoder's use (filled by symex from the path's history):
      addr_deps / data_deps: loads whose values the address / stored value uses
      ctrl: loads that po-earlier branch conditions on this path depend on
      last_isb / last_dsb: the most recent ISB / DSB before it on each path
      acq_before: acquire loads before it; dmb_before: the most recent DMBs before it
    """
    is_store: bool = False
    va: Term = None
    size: int = 8
    value: Term = None
    acquire: bool = False
    release: bool = False
    exclusive: bool = False
    status: Term = None            # store-exclusive: 32-bit status, 0 = success
    pair: "Access | None" = None   # store-exclusive / atomic write: the read it pairs with
    atomic: bool = False           # the read or the write of an LSE atomic (rule atomic-rmw)
    noret: bool = False            # atomic read whose value no register receives (herd
                                   # NoRet: no acquire, not ordered by DMB LD / DSB LD)
    rmw_w: "Access | None" = None  # atomic read: its write
    writeback: Term = False        # atomic write: when it is a failed CAS writing back
                                   # the value it read (no hardware AF update follows it)
    addr_deps: frozenset = frozenset()
    pick_deps: frozenset = frozenset()   # address "pick" dependencies only (herd7 pob):
                                         # they order stores, not loads nor walks
    data_deps: frozenset = frozenset()
    ctrl: frozenset = frozenset()
    last_isb: frozenset = frozenset()
    last_dsb: frozenset = frozenset()
    dmb_before: frozenset = frozenset()
    acq_before: frozenset = frozenset()
    rel_cover: frozenset = frozenset()   # release store: accesses before it on its path
    regs_before: tuple = ()              # X0..X30 when the access executes (for outcomes)
    handler_code: bool = False           # made by a fault handler's code (litmus P<n>.F)
    fetch: bool = False                  # an instruction fetch (rule fetch-translation), not
                                         # an explicit load: translated, reads no value
    # Faults handled by executing the instruction again (CpuSetup.faults = 'handled',
    # herd's `handled`/`imprecise`): attempt 1 is the first execution of the
    # instruction, attempt 2 the retry after its fault (0: fatal mode, no retry).
    attempt: int = 0
    refault: Any = None                  # attempt 1: Z3 Bool "this attempt faulted and the
                                         # instruction is executed again" (the retry's guard)
    retry_of: "Access | None" = None     # attempt 2: the same access of attempt 1

    @property
    def kind(self):
        if self.fetch:
            return "fetch"
        return "store" if self.is_store else "load"


@dataclass(eq=False, repr=False)
class Barrier(Event):
    """DMB or DSB.

    covers_local:  stores since the previous DSB of any domain (a DSB makes them
                   visible to this CPU's own walker)
    covers_global: stores since the previous DSB ISH/OSH/SY (made visible to all)
    completes_local / completes_global: TLBIs this DSB completes on this CPU /
                   on every CPU in the broadcast's scope
    dmb_cover:     for a DMB, the accesses since the previous DMB it orders
    """
    op: str = "dsb"                # 'dmb' | 'dsb'
    domain: str = "sy"
    types: str = "all"             # 'all' | 'st' | 'ld'
    covers_local: frozenset = frozenset()
    covers_global: frozenset = frozenset()
    completes_local: frozenset = frozenset()
    completes_global: frozenset = frozenset()
    dmb_cover: frozenset = frozenset()
    dmb_prev: frozenset = frozenset()
    load_cover: frozenset = frozenset()   # DSB (all/ld): loads since the previous such DSB

    kind = "barrier"

    @property
    def is_dsb(self):
        return self.op == "dsb"

    @property
    def global_domain(self):
        return self.domain in ("ish", "osh", "sy")


@dataclass(eq=False, repr=False)
class ISBEvent(Event):
    """A context synchronization event (ISB).  `ctrl` are loads that po-earlier
    branches depend on (ctrl+ISB orders them before everything after); `addr_src`
    the loads that the address of a po-earlier access depends on (by address or pick
    dependency: addr;[M];po;ISB orders them too); `syncs` the system register writes
    it makes take effect."""
    ctrl: frozenset = frozenset()
    addr_src: frozenset = frozenset()
    syncs: frozenset = frozenset()

    kind = "isb"


@dataclass(eq=False, repr=False)
class ExceptionReturn(ISBEvent):
    """ERET at the end of a fault handler (litmus P<n>.F): a context synchronization
    event (herd7: EXC-RET is in IFB), ordered by the ISB rules; execution goes on at
    ELR_EL1."""
    kind = "exception-return"


@dataclass(eq=False, repr=False)
class FaultEntry(ISBEvent):
    """The exception entry of a fault that is handled by executing the faulting
    instruction again (CpuSetup.faults = 'handled'): a context synchronization event
    between the faulting attempt (`of`, attempt 1) and the retry (herd7: the Fault
    event is in EXC-ENTRY, hence IFB).  Its guard includes `of.refault`.  Ordered by
    rule `exception-entry-syncs`, not by the ISB rules."""
    of: "Access | None" = None

    kind = "exception-entry"


@dataclass(eq=False, repr=False)
class TLBIEvent(Event):
    effect: Any = None             # model.effects.TLBI
    ctrl: frozenset = frozenset()
    last_isb: frozenset = frozenset()
    deps: frozenset = frozenset()  # loads its register operand depends on

    kind = "tlbi"


@dataclass(eq=False, repr=False)
class SysRegWrite(Event):
    """`msr` of a register translation depends on (TTBRx, TCR, SCTLR, MAIR)."""
    name: str = ""
    value: Term = None
    prev: frozenset = frozenset()  # the previous writes of this register on each path
    ctrl: frozenset = frozenset()

    kind = "msr"


@dataclass(eq=False, repr=False)
class Other(Event):
    """Recorded but without effect on the model (DC, IC, WFE, SEV, ...)."""
    what: str = ""

    kind = "other"


@dataclass(eq=False, repr=False)
class Return(Event):
    """The routine returned from its entry frame."""
    kind = "return"


@dataclass(eq=False, repr=False)
class Stop(Event):
    """A path that ends without returning: reason 'unsupported' (an instruction the
    model cannot execute), 'bound' (the step bound cut it), 'blocked' (an await loop
    that has not yet seen its exit condition: the CPU waits there), 'unexplored' (the
    side of a branch symbolic execution did not follow: see Executor._hinted)."""
    reason: str = ""
    detail: str = ""

    kind = "stop"


TRANSLATION_REGS = ("ttbr0_el1", "ttbr1_el1", "tcr_el1", "sctlr_el1", "mair_el1",
                    "ttbr0_el2", "ttbr1_el2", "tcr_el2", "sctlr_el2", "mair_el2",
                    "ttbr0_el3", "tcr_el3", "sctlr_el3", "mair_el3", "vttbr_el2",
                    "hcr_el2")


@dataclass
class CpuTrace:
    """Everything symbolic execution learnt about one CPU."""
    cpu: int
    entry: str
    events: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    final_states: list = field(default_factory=list)   # states that returned
    stats: dict = field(default_factory=dict)
    # initial values the scenario leaves open ('x19', 'daif', ...) -> their variables
    open_inputs: dict = field(default_factory=dict)

    def of(self, cls):
        return [e for e in self.events if isinstance(e, cls)]

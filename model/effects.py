"""System effects: what an instruction asks of the machine beyond registers and memory.

The instruction semantics (model/isa) decode barriers, TLB and cache maintenance,
events and exception-generating instructions into these values and hand them to
the context (`ctx.effect(e)`); the concrete runner records them, the VMSA machine
executes them.  Value fields (addresses, ASIDs) are values of the context's domain
(Python ints in the concrete runner, possibly Z3 terms in the verifier).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Barrier:
    """DMB or DSB.  domain: 'sy' | 'osh' | 'ish' | 'nsh'; types: 'all' | 'st' | 'ld'.
    (`dsb ishst` -> Barrier('dsb', 'ish', 'st'); `dmb oshld` -> ('dmb', 'osh', 'ld').)"""
    kind: str
    domain: str
    types: str = "all"


@dataclass(frozen=True)
class ISB:
    """Instruction synchronization barrier: a context synchronization event."""


@dataclass(frozen=True)
class TLBI:
    """A TLB invalidation, decoded from `tlbi <op>{, Xt}`.

    op:         the operation as written, e.g. 'vaae1is'.
    regime:     'el1' (EL1&0 stage 1), 'el2', 'el3', 'el1s12' (stage 1+2, vmalls12e1),
                'ipas2' (stage 2 by IPA).
    scope:      'local' | 'is' | 'os'  (Inner/Outer Shareable broadcast).
    match:      'all'          every entry of the regime (vmalle1, alle2, alle3)
                'asid'         entries with that ASID, non-global only (aside1)
                'va'           by VA, entries global or with that ASID (vae1, vale1)
                'va-any-asid'  by VA, any ASID (vaae1, vaale1)
                'va-noasid'    by VA in a regime without ASIDs (vae2, vae3)
    last_level: True for the 'l' variants (vale1, vaale1): only last-level (leaf)
                entries need be invalidated, walk-cache entries may stay.
    va:         the VA page address (Xt[43:0] << 12) or None.
    asid:       Xt[63:48] (ASID) or None.
    ttl:        Xt[47:44] (the FEAT_TTL hint) or None.
    xt:         the whole register value, or None for ops without one.
    """
    op: str
    regime: str
    scope: str
    match: str
    last_level: bool = False
    va: Any = None
    asid: Any = None
    ttl: Any = None
    xt: Any = None


@dataclass(frozen=True)
class DC:
    """Data cache maintenance by VA (or set/way): op e.g. 'civac', 'cvac', 'ivac', 'zva', 'cisw'."""
    op: str
    addr: Any = None


@dataclass(frozen=True)
class IC:
    """Instruction cache maintenance: 'iallu', 'ialluis', 'ivau' (with addr)."""
    op: str
    addr: Any = None


@dataclass(frozen=True)
class Event:
    """WFE / WFI / SEV / SEVL (`kind` lower case)."""
    kind: str


@dataclass(frozen=True)
class Exception_:
    """Exception-generating or -returning instruction: 'hvc', 'smc', 'svc', 'eret', 'brk'."""
    kind: str
    imm: int = 0


@dataclass(frozen=True)
class Unsupported:
    """An instruction whose semantics the model does not have.  Never a no-op: the
    machine stops that CPU there, and any verdict whose search can reach it is UNKNOWN."""
    reason: str


Effect = Barrier | ISB | TLBI | DC | IC | Event | Exception_ | Unsupported

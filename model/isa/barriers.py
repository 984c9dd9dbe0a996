"""Barriers (Arm ARM C6: DMB, DSB, ISB, SSBB, PSSBB, SB, CSDB; C5.x barrier options).

    DMB/DSB <option>: CRm<3:2> is the domain (11 SY/full system, 10 ISH, 01 NSH,
    00 OSH), CRm<1:0> the access types (11 all, 10 stores, 01 loads); CRm<1:0> == 00 is
    reserved and executes as the full-system barrier, except DSB #0 (SSBB) and
    DSB #4 (PSSBB).
    ISB {SY}: a context synchronization event; other options are reserved and behave
    as SY.

Each becomes an effect (model/effects.py): Barrier(kind, domain, types) or ISB().
The speculation barriers SSBB, PSSBB, SB and CSDB order nothing the model can observe
(it has no speculative data flow), so they are no-ops here (kind 'nop', documented in
docs/semantics.md).  DSB with the nXS qualifier (FEAT_XS) is Unsupported.
"""
from __future__ import annotations

from ..effects import ISB, Barrier
from .operands import DecodeError, Imm, Name, Op, handles

#: option name -> CRm
BARRIER_OPTIONS = {"sy": 0b1111, "st": 0b1110, "ld": 0b1101,
                   "ish": 0b1011, "ishst": 0b1010, "ishld": 0b1001,
                   "nsh": 0b0111, "nshst": 0b0110, "nshld": 0b0101,
                   "osh": 0b0011, "oshst": 0b0010, "oshld": 0b0001}
_DOMAIN = {0b11: "sy", 0b10: "ish", 0b01: "nsh", 0b00: "osh"}
_TYPES = {0b11: "all", 0b10: "st", 0b01: "ld"}


def barrier_of(kind: str, crm: int) -> Barrier:
    """The Barrier effect of DMB/DSB with option CRm (reserved -> full system)."""
    types = crm & 0b11
    if types == 0:
        return Barrier(kind, "sy", "all")
    return Barrier(kind, _DOMAIN[crm >> 2], _TYPES[types])


def _option(instr, default: int | None):
    o = instr.operands
    if not o:
        if default is None:
            raise DecodeError("missing barrier option")
        return default
    if len(o) != 1:
        raise DecodeError("expected one barrier option")
    x = o[0]
    if isinstance(x, Name):
        n = x.name.lower()
        if n.endswith("nxs"):
            raise DecodeError(f"{n}: DSB nXS (FEAT_XS) not modelled")
        if n not in BARRIER_OPTIONS:
            raise DecodeError(f"unknown barrier option {n}")
        return BARRIER_OPTIONS[n]
    if isinstance(x, Imm) and 0 <= x.value <= 15 and not x.shift:
        return x.value
    raise DecodeError(f"bad barrier option {x}")


def _effect_op(instr, eff) -> Op:
    def run(ctx):
        ctx.effect(eff)
    return Op(run, "effect", instr)


def _nop(instr) -> Op:
    return Op(lambda ctx: None, "nop", instr)


@handles("dmb", "dsb")
def dec_dmb_dsb(instr) -> Op:
    crm = _option(instr, None)
    if instr.mnemonic == "dsb" and crm in (0, 4):
        return _nop(instr)            # SSBB / PSSBB
    return _effect_op(instr, barrier_of(instr.mnemonic, crm))


@handles("isb")
def dec_isb(instr) -> Op:
    _option(instr, 15)                # any option behaves as SY
    return _effect_op(instr, ISB())


@handles("ssbb", "pssbb", "sb", "csdb")
def dec_spec_barrier(instr) -> Op:
    if instr.operands:
        raise DecodeError("no operands expected")
    return _nop(instr)

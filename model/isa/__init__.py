"""AArch64 instruction semantics, written once over bbmcheck.model.values.

    from bbmcheck.model.isa import execute, decode
    execute(instr, ctx)          # run one Instruction against a Context (context.py)
    op = decode(instr)           # the decoded Op (cached on the Instruction)
    op.kind                      # 'alu' | 'branch' | 'load' | 'store' | 'exclusive' |
                                 # 'atomic' |
                                 # 'sysreg' | 'effect' | 'nop' | 'unsupported'

Organised as the Arm ARM's instruction classes, one module each:

    arith       add/sub (immediate, shifted, extended), with carry, cmp/cmn/neg/ngc
    logical     and/orr/eor/bic/orn/eon (immediate, shifted), tst, mvn
    movewide    movz/movn/movk, every mov alias
    bitfield    bfm/sbfm/ubfm and aliases, extr, immediate shifts
    shifts      lsl/lsr/asr/ror (register) = lslv/...
    condsel     csel/csinc/csinv/csneg and aliases, ccmp/ccmn
    dp_reg      clz/cls/rbit/rev*, udiv/sdiv, madd/msub/mul/*mull/*mulh
    pcrel       adr, adrp
    branch      b, b.cond, bl, br, blr, ret, cbz/cbnz, tbz/tbnz
    ldst        ldr/str and byte/half/signed forms, ldur/stur, literal, prfm
    ldst_pair   ldp/stp/ldpsw/ldnp/stnp
    ldst_excl   exclusives, acquire/release, clrex
    atomics     LSE atomics: cas, swp, ld<op>, st<op> (acquire/release forms)
    barriers    dmb, dsb, isb, speculation barriers
    system      msr/mrs, tlbi, dc, ic, at, sys, hints, events, exceptions
    inst        `.inst` words, decoded into the instructions above

An instruction without semantics (unknown mnemonic, operands we do not model) decodes
to an op that emits `Unsupported(reason)`: never a silent no-op.
"""
from __future__ import annotations

from ...grammar.program import Instruction
from .operands import DECODERS, DecodeError, Op, unsupported

# importing the class modules fills DECODERS
from . import (arith, atomics, barriers, bitfield, branch, condsel, dp_reg,  # noqa: F401
               ldst, ldst_excl, ldst_pair, logical, movewide, pcrel, shifts, system)
from . import inst  # noqa: F401,E402

_CACHE_ATTR = "_bbm_op"

__all__ = ["execute", "decode", "decode_uncached", "Op", "DecodeError", "mnemonics",
           "is_supported"]


def decode_uncached(instr: Instruction) -> Op:
    """Decode an instruction into an Op (no caching)."""
    m = instr.mnemonic.lower()
    dec = DECODERS.get(m)
    if dec is None:
        return unsupported(instr, f"no semantics for '{m}'")
    try:
        return dec(instr)
    except DecodeError as e:
        return unsupported(instr, str(e))


def decode(instr: Instruction) -> Op:
    """The Op of an instruction, decoded once and cached on the Instruction object
    (its operands must not change afterwards)."""
    op = instr.__dict__.get(_CACHE_ATTR)
    if op is None:
        op = decode_uncached(instr)
        instr.__dict__[_CACHE_ATTR] = op
    return op


def execute(instr: Instruction, ctx) -> None:
    """Run one instruction against a context."""
    op = instr.__dict__.get(_CACHE_ATTR)
    if op is None:
        op = decode(instr)
    op.run(ctx)


def mnemonics() -> list[str]:
    """Every mnemonic with semantics."""
    return sorted(DECODERS)


def is_supported(instr: Instruction) -> bool:
    return decode(instr).kind != "unsupported"

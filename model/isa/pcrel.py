"""PC-relative addressing (Arm ARM C6: ADR, ADRP).

    ADR:  X[d] = PC[] + imm          = the label's address
    ADRP: X[d] = (PC[] AND NOT 0xFFF) + (imm << 12)
                                     = the 4 KiB page of the symbol (+ addend)

The assembler/linker picks imm from the label, so the semantics take the label's
address from ctx.symbol() (the scenario binds external symbols).
"""
from __future__ import annotations

from .. import values as V
from .operands import DecodeError, Op, Reg, address_operand, handles, writer

_PAGE_MASK = ~0xFFF & (2 ** 64 - 1)


@handles("adr", "adrp")
def dec_adr(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg) or o[0].width != 64:
        raise DecodeError("expected Xd, label")
    target = address_operand(o[1])
    wr = writer(o[0])
    if instr.mnemonic == "adr":
        def run(ctx):
            wr(ctx, target(ctx))
    else:
        def run(ctx):
            wr(ctx, V.and_(target(ctx), _PAGE_MASK))
    return Op(run, "alu", instr)

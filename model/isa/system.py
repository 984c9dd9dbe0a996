"""System instructions (Arm ARM C5/C6): MSR/MRS (register and immediate), SYS/SYSL and
their aliases TLBI, DC, IC, AT; hints (NOP, YIELD, WFE, WFI, SEV, SEVL, BTI, PAC hints,
ESB, ...); exception generation and return (SVC, HVC, SMC, BRK, HLT, UDF, ERET).

Everything that is not a register move becomes an explicit effect (model/effects.py)
through ctx.effect(); system registers go through ctx.read_sysreg/write_sysreg by
canonical lower-case name (sysregs.py).  PSTATE.NZCV is the flags (ctx.read_nzcv),
not a system register.
"""
from __future__ import annotations

from .. import values as V
from ..effects import DC, IC, TLBI, Event, Exception_, Unsupported
from .operands import DecodeError, Imm, Name, Op, Reg, handles, reader, unsupported, writer
from . import sysregs as SR

# --------------------------------------------------------------------------- MRS / MSR

_NZCV_SHIFT = 28
_DAIF_MASK = 0x3C0


@handles("mrs")
def dec_mrs(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg) or not isinstance(o[1], Name):
        raise DecodeError("expected Xt, <sysreg>")
    rt, sr = o
    if rt.width != 64:
        raise DecodeError("mrs takes an X register")
    wr = writer(rt)
    name = SR.canonical(sr.name)
    if name in SR.WRITE_ONLY:
        raise DecodeError(f"{name} is write-only")
    if name in SR.PSTATE_FIELDS and name not in SR.SYSREGS:
        raise DecodeError(f"{name} is not readable")
    if name == "nzcv":
        def run_nzcv(ctx):
            wr(ctx, V.shl(V.zext(ctx.read_nzcv(), 64), _NZCV_SHIFT))
        return Op(run_nzcv, "alu", instr)

    def run(ctx):
        wr(ctx, ctx.read_sysreg(name))
    return Op(run, "sysreg", instr)


def _pstate_imm(instr, field: str, imm: int) -> Op:
    """MSR <pstatefield>, #imm."""
    if field in ("daifset", "daifclr"):
        if not 0 <= imm <= 15:
            raise DecodeError(f"#{imm} out of range 0..15")
        bits = imm << 6                # D:A:I:F are DAIF<9:6>
        if field == "daifset":
            def run_set(ctx):
                ctx.write_sysreg("daif", V.or_(ctx.read_sysreg("daif"), bits))
            return Op(run_set, "sysreg", instr)

        def run_clr(ctx):
            ctx.write_sysreg("daif", V.and_(ctx.read_sysreg("daif"), ~bits & (2**64 - 1)))
        return Op(run_clr, "sysreg", instr)
    if not 0 <= imm <= 1:
        raise DecodeError(f"#{imm} out of range 0..1 for {field}")
    val = V.const(imm, 64)

    def run(ctx):
        ctx.write_sysreg(field, val)
    return Op(run, "sysreg", instr)


@handles("msr")
def dec_msr(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Name):
        raise DecodeError("expected <sysreg>, Xt | <pstatefield>, #imm")
    field, src = o
    fname = field.name.lower()
    if isinstance(src, Imm):
        if fname not in SR.PSTATE_FIELDS:
            raise DecodeError(f"{fname} is not a PSTATE field for msr #imm")
        return _pstate_imm(instr, fname, src.value)
    if not isinstance(src, Reg) or src.width != 64:
        raise DecodeError("msr takes an X register")
    if fname in ("daifset", "daifclr"):
        raise DecodeError(f"{fname} takes an immediate")
    name = SR.canonical(fname)
    if name in SR.READ_ONLY:
        raise DecodeError(f"{name} is read-only")
    rt = reader(src)
    if name == "nzcv":
        def run_nzcv(ctx):
            ctx.write_nzcv(V.extract(rt(ctx), 31, 28))
        return Op(run_nzcv, "alu", instr)
    if name == "daif":
        def run_daif(ctx):
            ctx.write_sysreg("daif", V.and_(rt(ctx), _DAIF_MASK))
        return Op(run_daif, "sysreg", instr)

    def run(ctx):
        ctx.write_sysreg(name, rt(ctx))
    return Op(run, "sysreg", instr)


# --------------------------------------------------------------------------- TLBI

class TlbiOp:
    __slots__ = ("name", "op1", "crm", "op2", "regime", "scope", "match", "last", "xt")

    def __init__(self, name, op1, crm, op2, regime, scope, match, last, xt):
        self.name, self.op1, self.crm, self.op2 = name, op1, crm, op2
        self.regime, self.scope, self.match, self.last, self.xt = regime, scope, match, last, xt


def _tlbi_table():
    t = {}
    scopes = {"": ("local", 7), "is": ("is", 3), "os": ("os", 1)}
    # (base, op1, op2, regime, match, last_level, has Xt)
    base = [
        ("vmalle1", 0, 0, "el1", "all", False, False),
        ("vae1", 0, 1, "el1", "va", False, True),
        ("aside1", 0, 2, "el1", "asid", False, True),
        ("vaae1", 0, 3, "el1", "va-any-asid", False, True),
        ("vale1", 0, 5, "el1", "va", True, True),
        ("vaale1", 0, 7, "el1", "va-any-asid", True, True),
        ("alle2", 4, 0, "el2", "all", False, False),
        ("vae2", 4, 1, "el2", "va-noasid", False, True),
        ("alle1", 4, 4, "el1s12", "all", False, False),
        ("vale2", 4, 5, "el2", "va-noasid", True, True),
        ("vmalls12e1", 4, 6, "el1s12", "all", False, False),
        ("alle3", 6, 0, "el3", "all", False, False),
        ("vae3", 6, 1, "el3", "va-noasid", False, True),
        ("vale3", 6, 5, "el3", "va-noasid", True, True),
    ]
    for b, op1, op2, regime, match, last, xt in base:
        for suffix, (scope, crm) in scopes.items():
            n = b + suffix
            t[n] = TlbiOp(n, op1, crm, op2, regime, scope, match, last, xt)
    # stage 2 by IPA: CRm/op2 do not follow the pattern above
    for n, crm, op2, scope, last in [("ipas2e1", 4, 1, "local", False),
                                     ("ipas2le1", 4, 5, "local", True),
                                     ("ipas2e1is", 0, 1, "is", False),
                                     ("ipas2le1is", 0, 5, "is", True),
                                     ("ipas2e1os", 4, 0, "os", False),
                                     ("ipas2le1os", 4, 4, "os", True)]:
        t[n] = TlbiOp(n, 4, crm, op2, "ipas2", scope, "va-noasid", last, True)
    return t


TLBI_OPS = _tlbi_table()
TLBI_BY_ENCODING = {(o.op1, o.crm, o.op2): o for o in TLBI_OPS.values()}


def tlbi_effect(op: TlbiOp, xt) -> TLBI:
    """The TLBI effect for operation `op` with register value xt (64-bit, or None).

    VA = Xt[43:0] << 12 (VA[55:12]); ASID = Xt[63:48]; TTL = Xt[47:44];
    for IPAS2*: IPA = Xt[39:0] << 12 (IPA[51:12])."""
    if not op.xt:
        return TLBI(op.name, op.regime, op.scope, op.match, op.last)
    ttl = V.extract(xt, 47, 44)
    asid = V.extract(xt, 63, 48) if op.match in ("va", "asid") else None
    if op.match == "asid":
        return TLBI(op.name, op.regime, op.scope, op.match, op.last, None, asid, None, xt)
    hi = 39 if op.regime == "ipas2" else 43
    va = V.shl(V.zext(V.extract(xt, hi, 0), 64), 12)
    return TLBI(op.name, op.regime, op.scope, op.match, op.last, va, asid, ttl, xt)


def build_tlbi(instr, op: TlbiOp, rt: Reg | None) -> Op:
    if op.xt:
        if rt is None:
            raise DecodeError(f"tlbi {op.name} needs Xt")
        rd = reader(rt)

        def run(ctx):
            ctx.effect(tlbi_effect(op, rd(ctx)))
        return Op(run, "effect", instr)
    if rt is not None and not rt.is_zr:
        raise DecodeError(f"tlbi {op.name} takes no register")
    eff = tlbi_effect(op, None)

    def run_all(ctx):
        ctx.effect(eff)
    return Op(run_all, "effect", instr)


def _xt(o, i):
    if len(o) <= i:
        return None
    r = o[i]
    if not isinstance(r, Reg) or r.width != 64 or r.is_sp:
        raise DecodeError(f"{r} is not an X register")
    return r


@handles("tlbi")
def dec_tlbi(instr) -> Op:
    o = instr.operands
    if not 1 <= len(o) <= 2 or not isinstance(o[0], Name):
        raise DecodeError("expected <tlbi_op>{, Xt}")
    name = o[0].name.lower()
    op = TLBI_OPS.get(name)
    if op is None:
        raise DecodeError(f"TLBI {name} not modelled")
    return build_tlbi(instr, op, _xt(o, 1))


# --------------------------------------------------------------------------- DC / IC / AT

#: DC op -> (op1, CRm, op2, by address?)
DC_OPS = {"ivac": (0, 6, 1, True), "isw": (0, 6, 2, False), "csw": (0, 10, 2, False),
          "cisw": (0, 14, 2, False), "zva": (3, 4, 1, True), "cvac": (3, 10, 1, True),
          "cvau": (3, 11, 1, True), "civac": (3, 14, 1, True), "cvap": (3, 12, 1, True),
          "cvadp": (3, 13, 1, True)}
DC_BY_ENCODING = {(v[0], v[1], v[2]): k for k, v in DC_OPS.items()}
#: IC op -> (op1, CRm, op2, has Xt)
IC_OPS = {"ialluis": (0, 1, 0, False), "iallu": (0, 5, 0, False), "ivau": (3, 5, 1, True)}
IC_BY_ENCODING = {(v[0], v[1], v[2]): k for k, v in IC_OPS.items()}
#: AT op -> (op1, CRm, op2)
AT_OPS = {"s1e1r": (0, 8, 0), "s1e1w": (0, 8, 1), "s1e0r": (0, 8, 2), "s1e0w": (0, 8, 3),
          "s1e1rp": (0, 9, 0), "s1e1wp": (0, 9, 1), "s1e2r": (4, 8, 0), "s1e2w": (4, 8, 1),
          "s12e1r": (4, 8, 4), "s12e1w": (4, 8, 5), "s12e0r": (4, 8, 6), "s12e0w": (4, 8, 7),
          "s1e3r": (6, 8, 0), "s1e3w": (6, 8, 1)}
AT_BY_ENCODING = {v: k for k, v in AT_OPS.items()}



def build_dc(instr, name: str, rt: Reg) -> Op:
    rd = reader(rt)
    if name == "zva":
        def run_zva(ctx):
            # DC ZVA: the effect, then the architectural zeroing of the aligned block
            # of 4 << DCZID_EL0.BS bytes (UNDEFINED when DCZID_EL0.DZP is set)
            addr = rd(ctx)
            dczid = V.lift(ctx.read_sysreg("dczid_el0"))
            if not V.is_concrete(dczid):
                ctx.effect(Unsupported(f"{instr}: DCZID_EL0 is symbolic"))
                return
            d = V.as_int(dczid)
            if d & 0x10:
                ctx.effect(Unsupported(f"{instr}: DC ZVA prohibited (DCZID_EL0.DZP = 1)"))
                return
            block = 4 << (d & 0xF)
            ctx.effect(DC("zva", addr))
            base = V.and_(addr, ~(block - 1) & (2**64 - 1))
            zero = V.const(0, 64)
            for off in range(0, block, 8):
                ctx.store(V.add(base, off), 8, zero)
        return Op(run_zva, "store", instr)

    def run(ctx):
        ctx.effect(DC(name, rd(ctx)))
    return Op(run, "effect", instr)


@handles("dc")
def dec_dc(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Name):
        raise DecodeError("expected <dc_op>, Xt")
    name = o[0].name.lower()
    if name not in DC_OPS:
        raise DecodeError(f"DC {name} not modelled")
    return build_dc(instr, name, _xt(o, 1))


def build_ic(instr, name: str, rt: Reg | None) -> Op:
    if IC_OPS[name][3]:
        if rt is None:
            raise DecodeError(f"ic {name} needs Xt")
        rd = reader(rt)

        def run(ctx):
            ctx.effect(IC(name, rd(ctx)))
        return Op(run, "effect", instr)
    if rt is not None and not rt.is_zr:
        raise DecodeError(f"ic {name} takes no register")
    eff = IC(name)

    def run_all(ctx):
        ctx.effect(eff)
    return Op(run_all, "effect", instr)


@handles("ic")
def dec_ic(instr) -> Op:
    o = instr.operands
    if not 1 <= len(o) <= 2 or not isinstance(o[0], Name):
        raise DecodeError("expected <ic_op>{, Xt}")
    name = o[0].name.lower()
    if name not in IC_OPS:
        raise DecodeError(f"IC {name} not modelled")
    return build_ic(instr, name, _xt(o, 1))


@handles("at")
def dec_at(instr) -> Op:
    o = instr.operands
    name = o[0].name.lower() if o and isinstance(o[0], Name) else "?"
    return unsupported(instr, f"address translation instruction AT {name} is not modelled")


def _crn(x) -> int:
    if isinstance(x, Name) and x.name.lower()[:1] == "c" and x.name[1:].isdigit():
        v = int(x.name[1:])
    elif isinstance(x, Imm):
        v = x.value
    else:
        raise DecodeError(f"{x} is not a Cn operand")
    if not 0 <= v <= 15:
        raise DecodeError(f"{x} out of range")
    return v


def decode_sys(instr, op1: int, crn: int, crm: int, op2: int, rt: Reg | None) -> Op:
    """SYS #op1, Cn, Cm, #op2{, Xt}: the alias it is (TLBI, DC, IC, AT) or Unsupported."""
    if crn == 8 and (op1, crm, op2) in TLBI_BY_ENCODING:
        return build_tlbi(instr, TLBI_BY_ENCODING[(op1, crm, op2)], rt)
    if crn == 7:
        if (op1, crm, op2) in DC_BY_ENCODING:
            if rt is None:
                raise DecodeError("dc needs Xt")
            return build_dc(instr, DC_BY_ENCODING[(op1, crm, op2)], rt)
        if (op1, crm, op2) in IC_BY_ENCODING:
            return build_ic(instr, IC_BY_ENCODING[(op1, crm, op2)], rt)
        if (op1, crm, op2) in AT_BY_ENCODING:
            return unsupported(instr, f"address translation instruction AT "
                                      f"{AT_BY_ENCODING[(op1, crm, op2)]} is not modelled")
    return unsupported(instr, f"SYS #{op1}, C{crn}, C{crm}, #{op2} is not modelled")


@handles("sys")
def dec_sys(instr) -> Op:
    o = instr.operands
    if not 4 <= len(o) <= 5:
        raise DecodeError("expected #op1, Cn, Cm, #op2{, Xt}")
    op1 = o[0].value if isinstance(o[0], Imm) else None
    op2 = o[3].value if isinstance(o[3], Imm) else None
    if op1 is None or op2 is None or not 0 <= op1 <= 7 or not 0 <= op2 <= 7:
        raise DecodeError("bad op1/op2")
    return decode_sys(instr, op1, _crn(o[1]), _crn(o[2]), op2, _xt(o, 4))


@handles("sysl")
def dec_sysl(instr) -> Op:
    return unsupported(instr, "SYSL is not modelled")


# --------------------------------------------------------------------------- hints

_EVENTS = {"wfe": 2, "wfi": 3, "sev": 4, "sevl": 5}
#: HINT #imm that have an effect in the model
_HINT_EVENTS = {v: k for k, v in _EVENTS.items()}
#: hint aliases that are NOPs in the model: NOP, YIELD, DGH, ESB, PSB CSYNC, TSB CSYNC,
#: GCSB DSYNC, CLRBHB, CHKFEAT and BTI (no guarded pages), and the pointer
#: authentication hints (as on a PE without FEAT_PAuth, where they execute as NOP)
NOP_HINTS = {"nop": 0, "yield": 1, "dgh": 6, "xpaclri": 7, "pacia1716": 8,
             "pacib1716": 10, "autia1716": 12, "autib1716": 14, "esb": 16, "psb": 17,
             "tsb": 18, "gcsb": 19, "clrbhb": 22, "clearbhb": 22, "paciaz": 24, "paciasp": 25,
             "pacibz": 26, "pacibsp": 27, "autiaz": 28, "autiasp": 29, "autibz": 30,
             "autibsp": 31, "bti": 32, "chkfeat": 40}


def _event_op(instr, kind) -> Op:
    eff = Event(kind)

    def run(ctx):
        ctx.effect(eff)
    return Op(run, "effect", instr)


def hint_op(instr, n: int) -> Op:
    """HINT #n: an event for WFE/WFI/SEV/SEVL, else a NOP (unallocated hints execute
    as NOP; see NOP_HINTS for the allocated ones treated as NOP)."""
    if not 0 <= n <= 127:
        raise DecodeError(f"hint #{n} out of range")
    if n in _HINT_EVENTS:
        return _event_op(instr, _HINT_EVENTS[n])
    return Op(lambda ctx: None, "nop", instr)


@handles(*_EVENTS)
def dec_event(instr) -> Op:
    if instr.operands:
        raise DecodeError("no operands expected")
    return _event_op(instr, instr.mnemonic)


@handles("hint")
def dec_hint(instr) -> Op:
    o = instr.operands
    if len(o) != 1 or not isinstance(o[0], Imm):
        raise DecodeError("expected #imm")
    return hint_op(instr, o[0].value)


@handles(*NOP_HINTS)
def dec_nop_hint(instr) -> Op:
    o = instr.operands
    m = instr.mnemonic
    if m == "bti":
        if len(o) > 1 or (o and not (isinstance(o[0], Name) and o[0].name.lower() in ("c", "j", "jc"))):
            raise DecodeError("expected bti {c|j|jc}")
    elif m in ("psb", "tsb", "gcsb"):
        if len(o) != 1 or not isinstance(o[0], Name):
            raise DecodeError(f"expected {m} <option>")
    elif m == "chkfeat":
        if len(o) != 1 or not isinstance(o[0], Reg) or o[0].num != 16:
            raise DecodeError("expected chkfeat x16")
    elif o:
        raise DecodeError("no operands expected")
    return Op(lambda ctx: None, "nop", instr)


# --------------------------------------------------------------------------- exceptions

@handles("svc", "hvc", "smc", "brk", "hlt", "udf")
def dec_exception(instr) -> Op:
    o = instr.operands
    if len(o) != 1 or not isinstance(o[0], Imm) or not 0 <= o[0].value <= 0xFFFF:
        raise DecodeError("expected #imm16")
    eff = Exception_(instr.mnemonic, o[0].value)

    def run(ctx):
        ctx.effect(eff)
    return Op(run, "effect", instr)


@handles("eret")
def dec_eret(instr) -> Op:
    if instr.operands:
        raise DecodeError("no operands expected")
    eff = Exception_("eret")

    def run(ctx):
        ctx.effect(eff)
    return Op(run, "effect", instr)

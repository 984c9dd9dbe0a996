"""Seeded generator of random A64 test programs over the unprivileged subset.

A program is a list of *units* (one or a few lines that must stay together: an index
register set-up and the load using it, an exclusive pair, a loop).  Branching programs
add forward branches to labels placed between units, calls to subroutines placed after
the body, indirect branches and counted loops.  Everything a program does stays inside
its own state: registers, flags, and a 1 KiB scratch buffer addressed from x28 (which
points to its middle and is never written); x27 is the write-back / exclusive address
register and x26 the index register, both set inside the unit that uses them.

Every line is canonical GNU syntax that both `aarch64-linux-gnu-as -march=armv8.5-a`
and miniasm read.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..pseudocode import COND_NAME, decode_bit_masks

SCRATCH = 1024          # bytes of scratch per program
MID = 512               # x28 = scratch + MID
NREGS = 31

# destinations: never x26/x27/x28 (harness roles) nor x30 (link register)
DST = [n for n in range(30) if n not in (26, 27, 28)]
SRC = list(range(31)) + [31]          # 31 = zero register here


def _bitmask_values():
    vals = {32: [], 64: []}
    for M in (32, 64):
        seen = set()
        for N in ((0, 1) if M == 64 else (0,)):
            for imms in range(64):
                for immr in range(64):
                    try:
                        w, _ = decode_bit_masks(N, imms, immr, True, M)
                    except ValueError:
                        continue
                    if w not in seen:
                        seen.add(w)
                        vals[M].append(w)
    return vals


_BITMASKS = None


def bitmask_values(M):
    global _BITMASKS
    if _BITMASKS is None:
        _BITMASKS = _bitmask_values()
    return _BITMASKS[M]


@dataclass
class TestProgram:
    __test__ = False        # not a pytest test class
    name: str
    lines: list[str]                    # body, with `label:` lines
    init_regs: list[int]                # x0..x30 (x28 is replaced by scratch+MID)
    init_nzcv: int                      # 4 bits
    scratch: bytes
    literals: list[tuple[str, int, int]] = field(default_factory=list)  # (label, size, value)
    #: sizes of the consecutive chunks of `lines` that belong together (for shrinking)
    groups: list[int] = field(default_factory=list)

    def chunks(self) -> list[list[str]]:
        out, i = [], 0
        for g in self.groups or [1] * len(self.lines):
            out.append(self.lines[i:i + g])
            i += g
        if i < len(self.lines):
            out += [[x] for x in self.lines[i:]]
        return out

    def to_json(self):
        return {"name": self.name, "lines": self.lines, "init_regs": [hex(v) for v in self.init_regs],
                "init_nzcv": self.init_nzcv, "scratch": self.scratch.hex(),
                "literals": [[a, b, hex(c)] for a, b, c in self.literals],
                "groups": self.groups}

    @classmethod
    def from_json(cls, d):
        return cls(d["name"], list(d["lines"]), [int(v, 16) for v in d["init_regs"]],
                   d["init_nzcv"], bytes.fromhex(d["scratch"]),
                   [(a, b, int(c, 16)) for a, b, c in d.get("literals", [])],
                   list(d.get("groups", [])))

    def renamed(self, name: str) -> "TestProgram":
        """The same program under another name (labels are prefixed by the name)."""
        old = self.name + "_"
        new = name + "_"

        def fix(s):
            return s.replace(old, new)
        return TestProgram(name, [fix(line) for line in self.lines], list(self.init_regs),
                           self.init_nzcv, self.scratch,
                           [(fix(a), b, c) for a, b, c in self.literals], list(self.groups))


class Gen:
    """gen = Gen(seed); prog = gen.program("p0", branching=True)"""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    # ------------------------------------------------------------------ values
    def value(self) -> int:
        r = self.r
        k = r.random()
        if k < 0.15:
            return r.choice([0, 1, 2, 3, 0xFF, 0x7F, 0x80, 0xFFFF, 0x8000])
        if k < 0.3:
            return r.choice([2**64 - 1, 2**63, 2**63 - 1, 2**32 - 1, 2**31, 2**31 - 1,
                             2**32, 2**64 - 2, 0xFFFF_FFFF_0000_0000])
        if k < 0.45:
            return r.getrandbits(32)
        if k < 0.55:
            return (r.getrandbits(16) - 2**15) % 2**64
        if k < 0.6:
            return r.getrandbits(32) | 0xFFFF_FFFF_0000_0000
        return r.getrandbits(64)

    # ------------------------------------------------------------------ registers
    def rd(self, w=64, avoid=()):
        n = self.r.choice([d for d in DST if d not in avoid])
        return ("x" if w == 64 else "w") + str(n)

    def rs(self, w=64, zr=True):
        n = self.r.choice(SRC if zr else SRC[:-1])
        if n == 31:
            return "xzr" if w == 64 else "wzr"
        return ("x" if w == 64 else "w") + str(n)

    def rn_sp(self, w=64):
        if self.r.random() < 0.15:
            return "sp" if w == 64 else "wsp"
        return self.rs(w, zr=False)

    def w(self):
        return self.r.choice([32, 64])

    def cond(self, alias=False):
        c = self.r.choice(COND_NAME[:14] if alias else COND_NAME)
        return c

    # ------------------------------------------------------------------ ALU units
    def alu(self, avoid=()):
        r = self.r
        f = r.choice(self._ALU)
        return f(self, avoid)

    def u_mov(self, avoid):
        r, w = self.r, self.w()
        d = self.rd(w, avoid)
        k = r.random()
        if k < 0.25:
            return [f"mov {d}, {self.rs(w)}"]
        if k < 0.3:
            return [f"mov {d}, {'sp' if w == 64 else 'wsp'}"]
        if k < 0.5:
            v = r.getrandbits(16) << (16 * r.randrange(w // 16))
            return [f"mov {d}, #{v:#x}"]
        if k < 0.65:
            v = ~(r.getrandbits(16) << (16 * r.randrange(w // 16))) & (2**w - 1)
            return [f"mov {d}, #{v:#x}"]
        if k < 0.8:
            v = r.choice(bitmask_values(w))
            return [f"mov {d}, #{v:#x}"]
        op = r.choice(["movz", "movn", "movk"])
        return [f"{op} {d}, #{r.getrandbits(16):#x}, lsl #{16 * r.randrange(w // 16)}"]

    def u_addsub_imm(self, avoid):
        r, w = self.r, self.w()
        op = r.choice(["add", "adds", "sub", "subs"])
        d = self.rd(w, avoid)
        if op.endswith("s") and r.random() < 0.1:
            d = "xzr" if w == 64 else "wzr"
        n = self.rn_sp(w)
        imm = r.getrandbits(12)
        k = r.random()
        if k < 0.3:
            return [f"{op} {d}, {n}, #{imm:#x}, lsl #12"]
        if k < 0.4 and imm:
            return [f"{op} {d}, {n}, #-{imm:#x}"]
        return [f"{op} {d}, {n}, #{imm:#x}"]

    def u_addsub_shift(self, avoid):
        r, w = self.r, self.w()
        op = r.choice(["add", "adds", "sub", "subs"])
        sh = r.choice(["lsl", "lsr", "asr"])
        tail = f", {sh} #{r.randrange(w)}" if r.random() < 0.7 else ""
        return [f"{op} {self.rd(w, avoid)}, {self.rs(w)}, {self.rs(w)}{tail}"]

    def _ext_operand(self, w, n_is_sp):
        r = self.r
        exts = ["uxtb", "uxth", "uxtw", "sxtb", "sxth", "sxtw"] + (
            ["uxtx", "sxtx"] if w == 64 else [])
        e = r.choice(exts + (["lsl"] if n_is_sp else []))
        amt = r.randrange(5)
        if e in ("uxtx", "sxtx", "lsl") and w == 64:
            m = self.rs(64)
        else:
            m = self.rs(32)
        if e == "lsl":
            return f"{m}, lsl #{amt}"
        return f"{m}, {e}" + (f" #{amt}" if r.random() < 0.7 else "")

    def u_addsub_ext(self, avoid):
        r, w = self.r, self.w()
        op = r.choice(["add", "adds", "sub", "subs"])
        n = self.rn_sp(w)
        return [f"{op} {self.rd(w, avoid)}, {n}, {self._ext_operand(w, n in ('sp', 'wsp'))}"]

    def u_cmp(self, avoid):
        r, w = self.r, self.w()
        op = r.choice(["cmp", "cmn"])
        k = r.random()
        if k < 0.4:
            return [f"{op} {self.rn_sp(w)}, #{r.getrandbits(12):#x}"
                    + (", lsl #12" if r.random() < 0.2 else "")]
        if k < 0.8:
            sh = r.choice(["lsl", "lsr", "asr"])
            tail = f", {sh} #{r.randrange(w)}" if r.random() < 0.5 else ""
            return [f"{op} {self.rs(w)}, {self.rs(w)}{tail}"]
        n = self.rn_sp(w)
        return [f"{op} {n}, {self._ext_operand(w, n in ('sp', 'wsp'))}"]

    def u_neg_adc(self, avoid):
        r, w = self.r, self.w()
        k = r.random()
        d = self.rd(w, avoid)
        if k < 0.3:
            op = r.choice(["neg", "negs"])
            sh = r.choice(["lsl", "lsr", "asr"])
            tail = f", {sh} #{r.randrange(w)}" if r.random() < 0.5 else ""
            return [f"{op} {d}, {self.rs(w)}{tail}"]
        if k < 0.45:
            return [f"{r.choice(['ngc', 'ngcs'])} {d}, {self.rs(w)}"]
        return [f"{r.choice(['adc', 'adcs', 'sbc', 'sbcs'])} {d}, {self.rs(w)}, {self.rs(w)}"]

    def u_logical(self, avoid):
        r, w = self.r, self.w()
        k = r.random()
        if k < 0.35:
            op = r.choice(["and", "orr", "eor", "ands"])
            return [f"{op} {self.rd(w, avoid)}, {self.rs(w)}, #{r.choice(bitmask_values(w)):#x}"]
        if k < 0.45:
            return [f"tst {self.rs(w)}, #{r.choice(bitmask_values(w)):#x}"]
        sh = r.choice(["lsl", "lsr", "asr", "ror"])
        tail = f", {sh} #{r.randrange(w)}" if r.random() < 0.6 else ""
        if k < 0.55:
            return [f"tst {self.rs(w)}, {self.rs(w)}{tail}"]
        if k < 0.65:
            return [f"mvn {self.rd(w, avoid)}, {self.rs(w)}{tail}"]
        op = r.choice(["and", "orr", "eor", "ands", "bic", "bics", "orn", "eon"])
        return [f"{op} {self.rd(w, avoid)}, {self.rs(w)}, {self.rs(w)}{tail}"]

    def u_shift(self, avoid):
        r, w = self.r, self.w()
        op = r.choice(["lsl", "lsr", "asr", "ror"])
        if r.random() < 0.55:
            return [f"{op} {self.rd(w, avoid)}, {self.rs(w)}, #{r.randrange(w)}"]
        if r.random() < 0.7:
            return [f"{op} {self.rd(w, avoid)}, {self.rs(w)}, {self.rs(w)}"]
        return [f"{op}v {self.rd(w, avoid)}, {self.rs(w)}, {self.rs(w)}"]

    def u_bitfield(self, avoid):
        r, w = self.r, self.w()
        d = self.rd(w, avoid)
        k = r.random()
        if k < 0.55:
            op = r.choice(["ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi", "bfc"])
            lsb = r.randrange(w)
            width = r.randint(1, w - lsb)
            if op == "bfc":
                return [f"bfc {d}, #{lsb}, #{width}"]
            return [f"{op} {d}, {self.rs(w)}, #{lsb}, #{width}"]
        if k < 0.75:
            op = r.choice(["ubfm", "sbfm", "bfm"])
            return [f"{op} {d}, {self.rs(w)}, #{r.randrange(w)}, #{r.randrange(w)}"]
        op = r.choice(["uxtb", "uxth", "sxtb", "sxth", "sxtw"])
        if op.startswith("u"):
            return [f"{op} {self.rd(32, avoid)}, {self.rs(32)}"]
        if op == "sxtw":
            return [f"sxtw {self.rd(64, avoid)}, {self.rs(32)}"]
        return [f"{op} {d}, {self.rs(32)}"]

    def u_extr(self, avoid):
        r, w = self.r, self.w()
        return [f"extr {self.rd(w, avoid)}, {self.rs(w)}, {self.rs(w)}, #{r.randrange(w)}"]

    def u_onesrc(self, avoid):
        r, w = self.r, self.w()
        ops = ["clz", "cls", "rbit", "rev", "rev16"] + (["rev32"] if w == 64 else [])
        return [f"{r.choice(ops)} {self.rd(w, avoid)}, {self.rs(w)}"]

    def u_csel(self, avoid):
        r, w = self.r, self.w()
        k = r.random()
        d = self.rd(w, avoid)
        if k < 0.5:
            op = r.choice(["csel", "csinc", "csinv", "csneg"])
            return [f"{op} {d}, {self.rs(w)}, {self.rs(w)}, {self.cond()}"]
        if k < 0.7:
            return [f"{r.choice(['cset', 'csetm'])} {d}, {self.cond(True)}"]
        return [f"{r.choice(['cinc', 'cinv', 'cneg'])} {d}, {self.rs(w)}, {self.cond(True)}"]

    def u_ccmp(self, avoid):
        r, w = self.r, self.w()
        op = r.choice(["ccmp", "ccmn"])
        y = f"#{r.randrange(32)}" if r.random() < 0.5 else self.rs(w)
        return [f"{op} {self.rs(w)}, {y}, #{r.randrange(16)}, {self.cond()}"]

    def u_mul(self, avoid):
        r = self.r
        k = r.random()
        if k < 0.35:
            w = self.w()
            op = r.choice(["madd", "msub"])
            return [f"{op} {self.rd(w, avoid)}, {self.rs(w)}, {self.rs(w)}, {self.rs(w)}"]
        if k < 0.5:
            w = self.w()
            return [f"{r.choice(['mul', 'mneg'])} {self.rd(w, avoid)}, {self.rs(w)}, {self.rs(w)}"]
        if k < 0.7:
            op = r.choice(["smaddl", "smsubl", "umaddl", "umsubl"])
            return [f"{op} {self.rd(64, avoid)}, {self.rs(32)}, {self.rs(32)}, {self.rs(64)}"]
        if k < 0.85:
            op = r.choice(["smull", "umull", "smnegl", "umnegl"])
            return [f"{op} {self.rd(64, avoid)}, {self.rs(32)}, {self.rs(32)}"]
        return [f"{r.choice(['smulh', 'umulh'])} {self.rd(64, avoid)}, {self.rs(64)}, {self.rs(64)}"]

    def u_div(self, avoid):
        r, w = self.r, self.w()
        return [f"{r.choice(['udiv', 'sdiv'])} {self.rd(w, avoid)}, {self.rs(w)}, {self.rs(w)}"]

    def u_nzcv(self, avoid):
        if self.r.random() < 0.5:
            return [f"mrs {self.rd(64, avoid)}, nzcv"]
        return [f"msr nzcv, {self.rs(64)}"]

    def u_misc(self, avoid):
        r = self.r
        return [r.choice(["nop", "yield", "isb", "csdb", "ssbb", "pssbb", "sb", "sevl", "sev",
                          "clrex",
                          f"hint #{r.choice([0, 1, 6, 16, 20, 22, 32, 34, 36, 38])}",
                          f"dmb {r.choice(['sy', 'st', 'ld', 'ish', 'ishst', 'ishld', 'nsh', 'osh', 'oshld'])}",
                          f"dsb {r.choice(['sy', 'st', 'ld', 'ish', 'ishst', 'nshst', 'nsh', 'osh'])}"])]

    def u_sp(self, avoid):
        """Write SP (64- and 32-bit forms), read it back, restore it from x24."""
        r = self.r
        d = self.rd(64, set(avoid) | {24})
        k = r.random()
        if k < 0.3:
            w = f"{r.choice(['add', 'sub'])} sp, {r.choice(['sp', self.rs(64, zr=False)])}, #{r.getrandbits(12):#x}"
        elif k < 0.5:
            w = f"{r.choice(['add', 'sub'])} sp, sp, {self._ext_operand(64, True)}"
        elif k < 0.65:
            w = f"add wsp, {r.choice(['wsp', self.rs(32, zr=False)])}, #{r.getrandbits(12):#x}"
        elif k < 0.8:
            w = f"and sp, {self.rs(64)}, #{r.choice(bitmask_values(64)):#x}"
        else:
            w = f"mov sp, {self.rs(64, zr=False)}"
        return ["mov x24, sp", w, f"mov {d}, sp", "mov sp, x24"]

    def u_inst(self, avoid):
        """Raw `.inst` words of system instructions (model/isa/inst.py)."""
        r = self.r
        t = int(self.rd(64, avoid)[1:])
        s = r.choice(SRC[:-1])
        return [r.choice([f".inst {0xd53b4200 | t:#010x}",        # mrs xt, nzcv
                          f".inst {0xd51b4200 | s:#010x}",        # msr nzcv, xs
                          ".inst 0xd503305f",                     # clrex
                          ".inst 0xd5033bbf",                     # dmb ish
                          ".inst 0xd5033f9f",                     # dsb sy
                          ".inst 0xd5033fdf",                     # isb
                          ".inst 0xd503201f"])]                   # nop

    def u_prfm(self, avoid):
        r = self.r
        op = r.choice(["pldl1keep", "pldl2strm", "pstl1keep", "plil1keep"])
        return [f"prfm {op}, [x28, #{r.randrange(0, 64) * 8}]"]

    _ALU = [u_sp, u_inst, u_prfm, u_mov, u_mov, u_addsub_imm, u_addsub_imm, u_addsub_shift, u_addsub_ext, u_cmp,
            u_cmp, u_neg_adc, u_logical, u_logical, u_shift, u_bitfield, u_bitfield, u_extr,
            u_onesrc, u_csel, u_csel, u_ccmp, u_mul, u_div, u_nzcv, u_misc]

    # ------------------------------------------------------------------ memory units
    _SINGLE = [  # (mnemonic, size, reg width choices)
        ("ldr", 8, (64,)), ("ldr", 4, (32,)), ("str", 8, (64,)), ("str", 4, (32,)),
        ("ldrb", 1, (32,)), ("ldrh", 2, (32,)), ("strb", 1, (32,)), ("strh", 2, (32,)),
        ("ldrsb", 1, (32, 64)), ("ldrsh", 2, (32, 64)), ("ldrsw", 4, (64,)),
    ]

    def _treg(self, w, avoid, load):
        return self.rd(w, avoid) if load else self.rs(w)

    def u_mem(self, avoid):
        r = self.r
        m, size, ws = r.choice(self._SINGLE)
        w = r.choice(ws)
        load = m.startswith("ldr")
        t = self._treg(w, avoid, load)
        k = r.random()
        if k < 0.3:             # scaled unsigned offset
            off = r.randrange(0, (MID - size) // size + 1) * size
            return [f"{m} {t}, [x28, #{off}]"]
        if k < 0.45:            # unscaled (ldur/stur or gas's choice)
            off = r.randint(-256, 255)
            um = m.replace("ldr", "ldur").replace("str", "stur") if r.random() < 0.5 else m
            return [f"{um} {t}, [x28, #{off}]"]
        if k < 0.5:
            return [f"{m} {t}, [x28]"]
        if k < 0.7:             # register offset
            sh = {1: 0, 2: 1, 4: 2, 8: 3}[size]
            shift = r.random() < 0.5
            eff = sh if shift else 0
            lo, hi = -(MID >> eff), (MID - size) >> eff
            form = r.choice(["x", "sxtw", "uxtw", "sxtx"])
            if form == "uxtw":
                lo = 0
            idx = r.randint(lo, hi)
            if form in ("sxtw", "uxtw"):
                setup = f"mov w26, #{idx}"
                amt = f" #{sh}" if shift else (" #0" if r.random() < 0.3 else "")
                acc = f"{m} {t}, [x28, w26, {form}{amt}]"
            elif form == "sxtx":
                setup = f"mov x26, #{idx}"
                amt = f" #{sh}" if shift else ""
                acc = f"{m} {t}, [x28, x26, sxtx{amt}]"
            else:
                setup = f"mov x26, #{idx}"
                acc = f"{m} {t}, [x28, x26" + (f", lsl #{sh}]" if shift else "]")
            return [setup, acc]
        # pre/post-index through x27 (a stored register other than x27: t == n with
        # write-back is CONSTRAINED UNPREDICTABLE)
        while not load and t[1:] == "27":
            t = self._treg(w, avoid, load)
        pre = r.random() < 0.5
        off = r.randint(-256, 255)
        if pre:
            lo, hi = max(-MID, -MID - off), min(MID - size, MID - size - off)
        else:
            lo, hi = -MID, MID - size
        base = r.randint(lo, hi)
        setup = f"add x27, x28, #{base}" if base >= 0 else f"sub x27, x28, #{-base}"
        acc = f"{m} {t}, [x27, #{off}]!" if pre else f"{m} {t}, [x27], #{off}"
        return [setup, acc]

    def u_pair(self, avoid):
        r = self.r
        m, size, w = r.choice([("ldp", 8, 64), ("ldp", 4, 32), ("stp", 8, 64), ("stp", 4, 32),
                               ("ldpsw", 4, 64), ("ldnp", 8, 64), ("stnp", 4, 32)])
        load = m.startswith("ld")
        if load:
            t1 = self.rd(w, avoid)
            t2 = self.rd(w, set(avoid) | {int(t1[1:])})
        else:
            t1, t2 = self.rs(w), self.rs(w)
        k = r.random()
        span = 2 * size
        if k < 0.5 or m.endswith("np"):
            lo = max(-64, -MID // size)
            hi = min(63, (MID - span) // size)
            off = r.randint(lo, hi) * size
            return [f"{m} {t1}, {t2}, [x28, #{off}]"]
        while not load and "27" in (t1[1:], t2[1:]):
            t1, t2 = self.rs(w), self.rs(w)
        pre = r.random() < 0.5
        off = r.randint(max(-64, -MID // size), min(63, (MID - span) // size)) * size
        if pre:
            lo, hi = max(-MID, -MID - off), min(MID - span, MID - span - off)
        else:
            lo, hi = -MID, MID - span
        base = r.randint(lo, hi)
        setup = f"add x27, x28, #{base}" if base >= 0 else f"sub x27, x28, #{-base}"
        acc = f"{m} {t1}, {t2}, [x27, #{off}]!" if pre else f"{m} {t1}, {t2}, [x27], #{off}"
        return [setup, acc]

    def u_literal(self, avoid, prog):
        r = self.r
        k = r.random()
        if k < 0.3:
            w = self.w()
            v = r.getrandbits(w)
            return [f"ldr {self.rd(w, avoid)}, ={v:#x}"]
        label = f"{prog.name}_lit{len(prog.literals)}"
        if k < 0.6:
            prog.literals.append((label, 8, self.value()))
            return [f"ldr {self.rd(64, avoid)}, {label}"]
        if k < 0.8:
            prog.literals.append((label, 8, self.value()))
            return [f"ldr {self.rd(32, avoid)}, {label}"]
        prog.literals.append((label, 8, self.value()))
        return [f"ldrsw {self.rd(64, avoid)}, {label}"]

    def _aligned_x27(self, size, span=None):
        span = span or size
        base = self.r.randrange(-MID // size, (MID - span) // size + 1) * size
        return f"add x27, x28, #{base}" if base >= 0 else f"sub x27, x28, #{-base}"

    def u_exclusive(self, avoid):
        r = self.r
        size, w, suf = r.choice([(8, 64, ""), (4, 32, ""), (1, 32, "b"), (2, 32, "h")])
        acq = r.random() < 0.4
        ld = ("ldaxr" if acq else "ldxr") + suf
        st = ("stlxr" if r.random() < 0.5 else "stxr") + suf
        t = self.rd(w, avoid)
        s = self.rd(32, set(avoid))
        v = self.rs(w)
        while int(s[1:]) == (int(v[1:]) if v[1:].isdigit() else -1):
            s = self.rd(32, set(avoid))
        lines = [self._aligned_x27(size), f"{ld} {t}, [x27]"]
        k = r.random()
        if k < 0.7:
            for _ in range(r.randrange(3)):
                # QEMU's user-mode loop clears the monitor on YIELD (it returns through
                # its exception path); a store-exclusive may fail spuriously on real
                # hardware too, so keep YIELD out of the exclusive sequence
                u = self.alu(avoid)
                while any(x in ("yield", "hint #1") for x in u):
                    u = self.alu(avoid)
                lines += u
        elif k < 0.85:
            lines.append("clrex")
        else:
            lines = [self._aligned_x27(size), "clrex"]
        lines.append(f"{st} {s}, {v}, [x27]")
        return lines

    def u_acqrel(self, avoid):
        r = self.r
        size, w, suf = r.choice([(8, 64, ""), (4, 32, ""), (1, 32, "b"), (2, 32, "h")])
        k = r.random()
        setup = self._aligned_x27(size)
        if k < 0.3:
            return [setup, f"ldar{suf} {self.rd(w, avoid)}, [x27]"]
        if k < 0.5:
            return [setup, f"ldapr{suf} {self.rd(w, avoid)}, [x27]"]
        if k < 0.75:
            return [setup, f"stlr{suf} {self.rs(w)}, [x27]"]
        off = r.randint(-16, 16) * size
        if not -MID <= off + int(setup.split("#")[1]) * (1 if setup.startswith("add") else -1) <= MID - size:
            off = 0
        if r.random() < 0.5:
            return [setup, f"ldapur{suf} {self.rd(w, avoid)}, [x27, #{off}]"]
        return [setup, f"stlur{suf} {self.rs(w)}, [x27, #{off}]"]

    def u_sp_load(self, avoid):
        """Loads relative to SP, which points at the harness's record of the initial
        registers (x0..x30, NZCV << 28: 256 bytes, read-only for the program)."""
        r = self.r
        k = r.random()
        if k < 0.4:
            m, size, w = r.choice([("ldr", 8, 64), ("ldr", 4, 32), ("ldrb", 1, 32),
                                   ("ldrsh", 2, 64), ("ldrsw", 4, 64)])
            off = r.randrange(0, 256 // size) * size
            return [f"{m} {self.rd(w, avoid)}, [sp, #{off}]"]
        if k < 0.6:
            off = r.randint(0, 255 - 8) if r.random() < 0.5 else r.randrange(0, 31) * 8
            return [f"ldur {self.rd(64, avoid)}, [sp, #{off}]"]
        t1 = self.rd(64, avoid)
        t2 = self.rd(64, set(avoid) | {int(t1[1:])})
        return [f"ldp {t1}, {t2}, [sp, #{r.randrange(0, 30) * 8}]"]

    def u_dczva(self, avoid):
        base = self.r.randint(-MID, MID - 1)
        setup = f"add x27, x28, #{base}" if base >= 0 else f"sub x27, x28, #{-base}"
        return [setup, "dc zva, x27"]

    def mem(self, avoid, prog):
        r = self.r.random()
        if r < 0.45:
            return self.u_mem(avoid)
        if r < 0.65:
            return self.u_pair(avoid)
        if r < 0.75:
            return self.u_literal(avoid, prog)
        if r < 0.87:
            return self.u_exclusive(avoid)
        if r < 0.94:
            return self.u_acqrel(avoid)
        if r < 0.98:
            return self.u_sp_load(avoid)
        return self.u_dczva(avoid)

    def unit(self, prog, avoid=()):
        if self.r.random() < 0.3:
            return self.mem(avoid, prog)
        return self.alu(avoid)

    # ------------------------------------------------------------------ programs
    def program(self, name: str, *, branching: bool | None = None, n_units: int | None = None
                ) -> TestProgram:
        r = self.r
        if branching is None:
            branching = r.random() < 0.5
        regs = [self.value() for _ in range(NREGS)]
        prog = TestProgram(name, [], regs, r.getrandbits(4),
                           bytes(r.getrandbits(8) for _ in range(SCRATCH)))
        n = n_units or r.randint(8, 40)
        body: list[list[str]] = []
        subs: list[list[str]] = []
        pending: list[tuple[int, str]] = []       # (position, label) for forward targets
        nlabel = 0
        for i in range(n):
            if branching and r.random() < 0.25:
                kind = r.random()
                label = f"{name}_L{nlabel}"
                nlabel += 1
                if kind < 0.55:
                    target = r.randint(i + 1, n)
                    pending.append((target, label))
                    body.append([self._cond_branch(label)])
                elif kind < 0.7:
                    sub = f"{name}_S{len(subs)}"
                    code = [f"{sub}:"]
                    for _ in range(r.randint(1, 4)):
                        code += self.unit(prog)
                    code.append("ret")
                    subs.append(code)
                    if r.random() < 0.6:
                        body.append([f"bl {sub}"])
                    else:
                        body.append([f"adr x29, {sub}", "blr x29"])
                elif kind < 0.8:
                    target = r.randint(i + 1, n)
                    pending.append((target, label))
                    body.append([f"adr x29, {label}", "br x29"] if r.random() < 0.5
                                else [f"adrp x29, {label}", f"add x29, x29, :lo12:{label}",
                                      "br x29"])
                elif kind < 0.9:
                    cnt = r.randint(1, 4)
                    loop = [f"mov x25, #{cnt}", f"{label}:"]
                    for _ in range(r.randint(1, 4)):
                        loop += self.unit(prog, avoid={25})
                    loop += ["subs x25, x25, #1", f"b.ne {label}"]
                    body.append(loop)
                else:
                    target = r.randint(0, n)
                    pending.append((target, label))
                    d = self.rd(64)
                    body.append(r.choice([
                        [f"{r.choice(['adr', 'adrp'])} {d}, {label}"],
                        [f"adr {d}, {label}+{r.randrange(0, 64)}"],
                        [f"ldr {d}, ={label}"],
                        [f"movz {d}, #:abs_g1:{label}", f"movk {d}, #:abs_g0_nc:{label}"],
                        [f"add {d}, {self.rs(64, zr=False)}, #:lo12:{label}"]]))
            else:
                body.append(self.unit(prog))
        lines: list[str] = []
        groups: list[int] = []

        def add(chunk):
            lines.extend(chunk)
            groups.append(len(chunk))
        for i in range(n + 1):
            for pos, label in pending:
                if pos == i:
                    add([f"{label}:"])
            if i < n:
                add(body[i])
        if subs:
            add([f"b {name}_end"])
            for s in subs:
                add(s[:1])
                for line in s[1:-1]:
                    add([line])
                add(s[-1:])
        prog.lines = lines
        prog.groups = groups
        return prog

    def _cond_branch(self, label):
        r = self.r
        k = r.random()
        if k < 0.4:
            return f"b.{self.cond()} {label}"
        if k < 0.6:
            return f"{r.choice(['cbz', 'cbnz'])} {self.rs(self.w())}, {label}"
        if k < 0.85:
            w = self.w()
            return f"{r.choice(['tbz', 'tbnz'])} {self.rs(w)}, #{r.randrange(w)}, {label}"
        return f"b {label}"


def generate(seed: int, n: int, *, prefix: str = "p") -> list[TestProgram]:
    """n programs from one seed (program i is reproducible from (seed, n) alone)."""
    g = Gen(seed)
    return [g.program(f"{prefix}{i}") for i in range(n)]

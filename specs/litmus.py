"""A herd7 litmus test (grammar/litmus.py) on bbmcheck's machine.

    lit = build(test)                 # LitmusScenario, or raises LitmusUnsupported
    res = run(test, timeout_s=10)     # LitmusResult: herd's Observation, our verdict

The mapping
-----------
* One CPU per thread (P0 -> CPU0, ...), its code assembled as a routine `P<n>` that
  ends in `ret` (appended), labels renamed per thread, every line tagged with its
  litmus file:line.  Registers are initialised as the init block says (others 0).
* Memory layout, the same for every test (4 KiB granule, 4 levels, 48-bit VA, all in
  the TTBR0 range, MMU on, ASID 0):

      L0 0x8000_0000 -> L1 0x8000_1000 -> L2 0x8000_2000 -> L3 0x8000_3000
      variable i:  VA  0x20_0000 + i*4K   (L0[0] L1[0] L2[1] L3[i])
                   PA  0x1_0000_0000 + i*4K        (herd's PA(x))
                   PTE 0x8000_3000 + 8*i           (herd's PTE(x): L3[i])
      L1[2]: a 1 GiB identity block over 0x8000_0000, so that a thread can load and
             store herd's PTE(x) with the MMU on.  No test can change it.
      TTBR1: an empty table (no upper-range VA is used).

* herd's page-table-entry values are AArch64 page descriptors with herd's bits:
  valid = bit 0, el0 = AP[1] (bit 6), db = NOT AP[2] (bit 7), af = bit 10, dbm = bit 51,
  OA = bits [47:12]; bit 1 (page) is always set, SH and AttrIndx are 0.  The bit
  operations of a thread (AND/ORR on bit 10, STCLR of bit 51, ...) act on these bits as
  in herd.  Two values are equal exactly when herd's are.
* herd's `x` (in init and final conditions) is the memory at PA(x); `[PTE(x)]`/`pte_x`
  is the descriptor.  A PTE value without `oa` at PTE(x) means `oa:PA(x)`.
* Faults: herd's `fatal` (a faulting access stops its thread, registers as before it)
  is how the machine works; with `Variant=imprecise` or `handled` (herd's `handled`,
  no handler column) every CPU has CpuSetup.faults = 'handled': the faulting
  instruction is executed again after an exception entry, and executions in which it
  or a later access of its thread faults again are discarded, as herd drops them.  `fault(P0:L0,x,MMU:Translation)` is an access of CPU0 at
  label L0 to VA x that faulted on an invalid descriptor; `MMU:AccessFlag` on AF = 0.
* Verdict: every CPU must have ended (returned, or stopped by a fault), as in herd.
  `P` reachable and `~P` reachable: Sometimes; only `P`: Always; only `~P`: Never.
  herd's kind: exists / ~exists -> Allowed unless Never (Forbidden); forall -> Required
  when Always, Forbidden when Never, else Allowed.

A thread with a fault handler column (`P1.F`) has CpuSetup.faults = 'handler': its
code follows the thread's at `P<n>__F`, a faulting access of the thread enters it
after an exception entry, and its end ends the thread -- or its ERET returns to
ELR_EL1.  `label:"P1:L0"` is the address of P1's label L0.

What is reported as unsupported, never guessed: the `skip` variant; under
`imprecise`, a retried exclusive or pair access,
privileged instructions in EL0 threads (EL0 threads themselves are modelled: AP[1] = 0
gives them a Permission fault), MTE, `ifetch`, stage 2,
instructions the machine has no semantics for (CASP, ERET outside a handler, ...), memory
attributes, mixed-size accesses.  A store through a db:0 page takes a Permission fault
(Features.write_permission), as in herd, unless its CPU has TTHM=HD and the page dbm:1.
TTHM=HA / HD are Features.hw_af / hw_db: the walker sets AF (and the dirty state) with
an atomic update of the descriptor instead of faulting (model/vmsa/rules.py,
hw-af-*).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from ..errors import BbmError, FrontEndError
from ..grammar import litmus as L

# ------------------------------------------------------------------ the layout
TABLE_BASE = 0x8000_0000
L0_BASE, L1_BASE, L2_BASE, L3_BASE = (TABLE_BASE + i * 0x1000 for i in range(4))
TTBR1_TABLE = TABLE_BASE + 0x4000
VA_BASE = 0x20_0000
PA_BASE = 0x1_0000_0000
CODE_BASE = 0x4000_0000
MAX_VARS = 512
PAGE = 0x1000

MASK_VALID, MASK_PAGE, MASK_EL0, MASK_RO, MASK_AF, MASK_DBM = (
    1, 2, 1 << 6, 1 << 7, 1 << 10, 1 << 51)

TYPE_SIZES = {"char": 1, "int8_t": 1, "uint8_t": 1, "short": 2, "int16_t": 2,
              "uint16_t": 2, "int": 4, "int32_t": 4, "uint32_t": 4, "unsigned": 4,
              "unsigned int": 4, "signed": 4, "int64_t": 8, "uint64_t": 8, "long": 8,
              "intptr_t": 8, "uintptr_t": 8, "pteval_t": 8}

# `precise` is herd's `fatal`; `imprecise` is herd's `handled` (lib/fault.ml): a faulting
# instruction without a handler is executed again once, and an execution in which it
# (or a later instruction of its thread) faults again is discarded -- CpuSetup.faults =
# 'handled' (rules retry-must-not-fault, exception-entry-syncs).  A thread with a
# handler column (`P1.F`) runs the handler instead, under any of them ('handler').
KNOWN_VARIANTS_OK = {"vmsa", "kvm", "fatal", "ets2", "precise", "imprecise", "handled",
                     "sync", "async", "asymmetric", "asym"}
HANDLED_VARIANTS = {"imprecise", "handled"}
VARIANTS_UNSUPPORTED = {
    "skip": "faults that skip the instruction (variant `skip`)",
    "memtag": "MTE (variant `memtag`)", "mte": "MTE (variant `mte`)",
    "tagmem": "MTE (variant `tagmem`)",
    "ifetch": "instruction fetch (variant `ifetch`)", "self": "instruction fetch (variant `self`)",
    "pte2": "page tables mapped through page tables (variant `pte2`)",
    "pte-squared": "page tables mapped through page tables (variant `pte-squared`)",
    "ets": "FEAT_ETS (deprecated variant `ets`)",
    "exs": "FEAT_ExS", "eis": "FEAT_ExS (EIS)", "eos": "FEAT_ExS (EOS)",
    "mixed": "mixed-size accesses (variant `mixed`)",
    "nv2": "FEAT_NV2",
}


class LitmusUnsupported(Exception):
    """The test uses a feature bbmcheck's machine does not model (never guessed)."""

    def __init__(self, feature: str, line: int | None = None, *, all_features=None):
        super().__init__(feature)
        self.feature = feature
        self.line = line
        self.all_features = list(all_features) if all_features else [(feature, line)]


@dataclass
class LitmusScenario:
    test: L.LitmusTest
    scenario: object                     # model.scenario.Scenario
    va: dict
    pa: dict
    pte: dict
    sizes: dict                          # variable -> declared element size
    features: object
    tthm: dict                           # cpu -> set('HA', 'HD')
    label_addr: dict                     # (cpu, label) -> address
    faults_handled: bool = False         # variant `imprecise` (herd: handled, re-executed)


@dataclass
class LitmusResult:
    name: str
    file: str
    status: str                          # 'ok' | 'unsupported' | 'unknown' | 'timeout' | 'error'
    observation: str | None = None       # 'Always' | 'Sometimes' | 'Never'
    kind: str | None = None              # herd kind of our result: Allowed/Forbidden/Required
    quantifier: str = ""
    reason: str = ""                     # unsupported feature / solver reason / error
    seconds: float = 0.0
    pos: bool | None = None              # P reachable
    neg: bool | None = None              # ~P reachable
    pos_trace: object = None
    neg_trace: object = None
    states: tuple | None = None          # (positive, negative) counts when enumerated
    bound_cut: bool = False
    line: int | None = None
    features: list = field(default_factory=list)   # every unsupported feature found
    condition: str = ""                  # the final condition, herd's syntax
    discarded: bool = False              # handled faults: every execution was discarded


# ------------------------------------------------------------------ helpers

def _tthm(test: L.LitmusTest) -> dict:
    """TTHM=HA HD / P0:HA ...: cpu -> {'HA','HD'}."""
    v = test.info_value("TTHM")
    out: dict[int, set] = {}
    if not v:
        return out
    n = len(test.procs)
    for tok in v.replace(",", " ").split():
        m = re.fullmatch(r"(?:P(\d+):)?(HA|HD)", tok.strip())
        if not m:
            line = next(l for k, (vv, l) in test.info.items() if k.upper() == "TTHM")
            raise FrontEndError(f"bad TTHM entry `{tok}` (expected HA, HD, P<n>:HA ...)",
                                file=test.file, line=line)
        cpus = [int(m.group(1))] if m.group(1) else list(range(n))
        for c in cpus:
            out.setdefault(c, set()).add(m.group(2))
            if m.group(2) == "HD":
                out[c].add("HA")        # hardware dirty-state management implies AF
    return out


def _el0_procs(v: str, nprocs: int) -> set:
    """`EL0=P0,P2` -> {0, 2}: the threads that run at EL0.  ValueError otherwise."""
    out = set()
    for tok in v.replace(",", " ").replace(";", " ").split():
        m = re.fullmatch(r"P?(\d+)", tok.strip())
        if not m or int(m.group(1)) >= nprocs:
            raise ValueError(tok)
        out.add(int(m.group(1)))
    if not out:
        raise ValueError(v)
    return out


# What a thread at EL0 may execute here: no system instruction but the barriers (TLBI,
# DC, MSR to EL1 registers ... would be UNDEFINED or trapped at EL0; not modelled).
EL0_EFFECTS_OK = {"dmb", "dsb", "isb", "nop"}


def _info_line(test, key):
    for k, (_, l) in test.info.items():
        if k.lower() == key.lower():
            return l
    return None


def static_features(test: L.LitmusTest, extra_variants=()) -> list[tuple[str, int | None]]:
    """Every unsupported feature the text shows (before assembling): [(feature, line)]."""
    found: list[tuple[str, int | None]] = []

    def note(feature, line):
        if all(f != feature for f, _ in found):
            found.append((feature, line))
    for k, (v, line) in test.info.items():
        if k.upper() == "EL0":
            try:
                _el0_procs(v, len(test.procs))
            except ValueError:
                note(f"EL0 threads (EL0={v})", line)
    own = list(test.variants)
    for var in own + [v.lower() for v in extra_variants]:
        line = _info_line(test, "variant") if var in own else None
        if var in VARIANTS_UNSUPPORTED:
            note(VARIANTS_UNSUPPORTED[var], line)
        elif var not in KNOWN_VARIANTS_OK:
            note(f"variant `{var}`", line)

    def val(v, line):
        if isinstance(v, L.PteVal):
            if v.attrs:
                note("memory attributes (attrs:...)", line)
            if isinstance(v.oa, L.PteAddr):
                note("output addresses in the page tables (oa:PTE(...))", line)
        if isinstance(v, L.PteAddr) and not isinstance(v.of, L.Sym):
            note("descriptors of the page tables (PTE(PTE(...)))", line)
        if isinstance(v, L.MemLoc):
            val(v.target, line)

    for it in test.init:
        val(it.value, it.line)
        val(it.loc, it.line)

    def prop(p):
        if isinstance(p, (L.And, L.Or)):
            for q in p.parts:
                prop(q)
        elif isinstance(p, L.Not):
            prop(p.p)
        elif isinstance(p, L.Eq):
            val(p.loc, p.line)
            val(p.value, p.line)
        elif isinstance(p, L.Fault):
            if p.kind is not None and p.kind not in FAULT_KINDS:
                note(f"fault type {p.kind}", p.line)
    prop(test.condition.prop)
    if test.filter is not None:
        prop(test.filter)
    return found


def check_supported(test: L.LitmusTest):
    """Raise LitmusUnsupported naming the first unsupported feature the text shows."""
    found = static_features(test)
    if found:
        raise LitmusUnsupported(found[0][0], found[0][1], all_features=found)


FAULT_KINDS = {"MMU:Translation": "translation", "MMU:AccessFlag": "access-flag",
               "MMU:Permission": "permission"}


def _routine_text(test: L.LitmusTest, th: L.Thread, handler: L.Thread | None = None) -> str:
    """GNU as source of one thread: labels renamed `P<n>__L`, linemarkers giving the
    litmus file:line of each row, a `ret` at the end.  Its fault handler's code (the
    `P<n>.F` column), if any, follows at `P<n>__F` (its own labels `P<n>F__L`), with a
    `ret` that ends the thread, and `P<n>__F_end` just past it."""
    fn = test.file.replace('"', "")
    ren = {lab: f"P{th.proc}__{lab}" for lab in th.labels}

    def rows(code, ren):
        pat = re.compile(r"(?<![\w.])(" + "|".join(re.escape(l) for l in
                                                  sorted(ren, key=len, reverse=True))
                         + r")(?![\w])") if ren else None
        out = []
        for line, text in code:
            out.append(f'# {line} "{fn}"')
            if text.endswith(":") and text[:-1] in ren:
                out.append(ren[text[:-1]] + ":")
                continue
            if pat is not None:
                text = pat.sub(lambda m: ren[m.group(1)], text)
            out.append("\t" + text)
        return out
    out = [".text", f".globl P{th.proc}", f".type P{th.proc}, %function", f"P{th.proc}:"]
    out += rows(th.code, ren)
    out.append(f'# {th.code[-1][0] if th.code else test.header_line} "{fn}"')
    out.append("\tret")
    if handler is not None:
        hren = dict(ren, **{lab: f"P{th.proc}F__{lab}" for lab in handler.labels})
        out.append(f"P{th.proc}__F:")
        out += rows(handler.code, hren)
        out.append(f'# {handler.code[-1][0] if handler.code else test.header_line} "{fn}"')
        out.append("\tret")
        out.append(f"P{th.proc}__F_end:")
    out.append(f".size P{th.proc}, .-P{th.proc}")
    return "\n".join(out) + "\n"


def _label_value(label_addr: dict, v: L.LabelVal, line) -> int:
    """herd's `label:"P1:L0"`: the address of label L0 of P1's code."""
    a = label_addr.get((v.proc, v.label))
    if a is None:
        raise FrontEndError(f"no label {v.label} in P{v.proc}'s code ({v})", line=line)
    return a


def encode_pte(pv: L.PteVal, pa_of, default_name: str | None, line=None) -> int:
    if pv.oa is None:
        if default_name is None:
            raise LitmusUnsupported("a page-table-entry value without `oa` outside a "
                                    "descriptor location", line)
        oa = pa_of(default_name)
    else:
        oa = pa_of(pv.oa.name)
    d = oa | MASK_PAGE
    if pv.get("valid"):
        d |= MASK_VALID
    if pv.get("el0"):
        d |= MASK_EL0
    if not pv.get("db"):
        d |= MASK_RO
    if pv.get("af"):
        d |= MASK_AF
    if pv.get("dbm"):
        d |= MASK_DBM
    return d


# ------------------------------------------------------------------ build

def build(test: L.LitmusTest, *, bound: int | None = None, variants=()) -> LitmusScenario:
    """The scenario of a test; `variants` are added to the test's own `Variant=` (herd's
    `-variant`, e.g. ets2)."""
    from ..grammar.frontend import assemble_string
    from ..model.isa import decode
    from ..model.scenario import CpuSetup, Scenario, TableInfo
    from ..model.vmsa import descriptor as D
    from ..model.vmsa.regime import Features, Regime

    found = static_features(test, variants)
    names = test.symbols()
    if len(names) > MAX_VARS:
        found.append((f"more than {MAX_VARS} variables", None))
    va = {n: VA_BASE + i * PAGE for i, n in enumerate(names)}
    pa = {n: PA_BASE + i * PAGE for i, n in enumerate(names)}
    pte = {n: L3_BASE + 8 * i for i, n in enumerate(names)}

    def pa_of(n):
        return pa[n]

    procs = test.procs
    ncpu = len(procs)
    # ---- code
    handlers = {t.proc: t for t in test.threads if t.handler}
    src = "\n".join(_routine_text(test, th, handlers.get(th.proc)) for th in procs)
    prog = assemble_string(src, test.file)
    prog.layout(default_base=CODE_BASE)
    for ins in prog.instructions():
        op = decode(ins)
        if op.kind == "unsupported":
            reason = getattr(op, "reason", "") or ""
            feat = f"instruction `{ins}` ({_why(ins, reason)})"
            if all(f != feat for f, _ in found):
                found.append((feat, ins.loc.line if ins.loc else None))
    el0 = set()
    if test.info_value("EL0"):
        try:
            el0 = _el0_procs(test.info_value("EL0"), ncpu)
        except ValueError:
            pass                        # named by static_features
        starts = sorted((prog.address_of(f"P{th.proc}"), th.proc) for th in procs)
        for ins in prog.instructions():
            op = decode(ins)
            cpu = max((sp for sp in starts if sp[0] <= ins.address), default=(0, None))[1]
            if cpu in el0 and op.kind in ("effect", "sysreg") and \
                    ins.mnemonic.lower() not in EL0_EFFECTS_OK:
                feat = f"instruction `{ins}` at EL0 (privileged: not modelled at EL0)"
                found.append((feat, ins.loc.line if ins.loc else None))
    if found:
        raise LitmusUnsupported(found[0][0], found[0][1], all_features=found)
    label_addr = {}
    for th in procs:
        for lab in th.labels:
            a = prog.address_of(f"P{th.proc}__{lab}")
            if a is None:
                raise FrontEndError(f"label {lab} of P{th.proc} has no address", file=test.file,
                                    line=th.labels[lab])
            label_addr[(th.proc, lab)] = a

    # ---- memory: tables
    mem: dict[int, int] = {}
    mem[L0_BASE] = D.make_table(L1_BASE)
    mem[L1_BASE] = D.make_table(L2_BASE)
    mem[L1_BASE + 8 * 2] = D.make_block(TABLE_BASE, 1)       # identity: the tables
    mem[L2_BASE + 8 * 1] = D.make_table(L3_BASE)
    for n in names:
        mem[pte[n]] = encode_pte(L.PteVal(), pa_of, n)
    sizes: dict[str, int] = {}
    data: dict[int, tuple[int, int]] = {}    # byte address -> (value, size)

    def value_of(v, line, default_pte=None):
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, int):
            return v & ((1 << 64) - 1)
        if isinstance(v, L.Sym):
            return va[v.name]
        if isinstance(v, L.PteAddr):
            return pte[v.of.name]
        if isinstance(v, L.PhysAddr):
            return pa[v.name]
        if isinstance(v, L.PteVal):
            return encode_pte(v, pa_of, default_pte, line)
        if isinstance(v, L.LabelVal):
            return _label_value(label_addr, v, line)
        raise LitmusUnsupported(f"value {v}", line)

    # herd: a register the init block does not set holds 0
    regs: dict[int, dict[int, int]] = {c: {i: 0 for i in range(31)} for c in range(ncpu)}
    for it in test.init:
        elt = None
        if it.ctype:
            base = it.ctype.split("[")[0]
            if base.endswith("*"):
                elt = 8
            else:
                elt = TYPE_SIZES.get(base)
                if elt is None:
                    raise LitmusUnsupported(f"type `{base}`", it.line)
        if isinstance(it.loc, L.RegLoc):
            r = it.loc.reg
            if not re.fullmatch(r"X\d+", r):
                raise LitmusUnsupported(f"initial value of {r}", it.line)
            if it.value is not None:
                regs[it.loc.proc][int(r[1:])] = value_of(it.value, it.line)
            continue
        tgt = it.loc.target
        if isinstance(tgt, L.PteAddr):
            if it.value is None:
                continue
            if not isinstance(it.value, L.PteVal):
                if isinstance(it.value, int):
                    mem[pte[tgt.of.name]] = it.value & ((1 << 64) - 1)
                    continue
                raise LitmusUnsupported(f"descriptor value {it.value}", it.line)
            mem[pte[tgt.of.name]] = encode_pte(it.value, pa_of, tgt.of.name, it.line)
            continue
        if isinstance(tgt, L.PhysAddr):
            n = tgt.name
        else:
            n = tgt.name
        if elt is not None:
            sizes[n] = elt
        if it.value is None:
            continue
        size = sizes.get(n, 8 if isinstance(it.value, (L.Sym, L.PteAddr, L.PhysAddr,
                                                       L.PteVal)) else 4)
        if isinstance(it.value, L.ArrayVal):
            for k, x in enumerate(it.value.items):
                data[pa[n] + k * size] = (value_of(x, it.line), size)
        else:
            if isinstance(it.value, (L.Sym, L.PteAddr, L.PhysAddr, L.PteVal)) and size < 8:
                size = 8
                sizes[n] = 8
            data[pa[n]] = (value_of(it.value, it.line, n), size)
    for addr, (v, size) in data.items():
        word = addr & ~7
        off = (addr - word) * 8
        mask = ((1 << (size * 8)) - 1)
        old = mem.get(word, 0)
        mem[word] = (old & ~(mask << off)) | ((v & mask) << off)

    # ---- features
    tthm = _tthm(test)
    feats = Features(ets2="ets2" in list(test.variants) + [v.lower() for v in variants],
                     write_permission=True,
                     hw_af=frozenset(c for c, v in tthm.items() if "HA" in v and c < ncpu),
                     hw_db=frozenset(c for c, v in tthm.items() if "HD" in v and c < ncpu))
    own = [v.lower() for v in test.variants]
    handled = bool(HANDLED_VARIANTS & set(own)) and "precise" not in own and "fatal" not in own
    cpus = []
    for c in range(ncpu):
        cpus.append(CpuSetup(c, f"P{c}", regs=regs[c],
                             sysregs={"ttbr0_el1": L0_BASE, "ttbr1_el1": TTBR1_TABLE,
                                      "sctlr_el1": 1}, el0=c in el0,
                             faults="handler" if c in handlers else
                             "handled" if handled else "fatal",
                             handler=(f"P{c}__F", f"P{c}__F_end") if c in handlers else None))
    ninstr = max((sum(1 for _, t in th.code if not t.endswith(":"))
                  + (sum(1 for _, t in handlers[th.proc].code if not t.endswith(":")) + 1
                     if th.proc in handlers else 0) for th in procs), default=1)
    has_back = any(_has_branch(th) for th in procs)
    if bound is None:
        bound = ninstr + 2 if not has_back else 3 * ninstr + 10
    scen = Scenario(prog, cpus, Regime(), feats, memory=mem,
                    tables=[TableInfo("L0", L0_BASE, 0), TableInfo("L1", L1_BASE, 1),
                            TableInfo("L2", L2_BASE, 2), TableInfo("L3", L3_BASE, 3),
                            TableInfo("TTBR1", TTBR1_TABLE, 0)],
                    tracked_vas=[va[n] for n in names], bound=bound, properties=(),
                    name=test.name, description=test.doc,
                    geometry="litmus layout: one L3 table, one page per variable")
    return LitmusScenario(test, scen, va, pa, pte, sizes, feats, tthm, label_addr,
                          faults_handled=handled)


def _has_branch(th) -> bool:
    return any(re.match(r"\s*(B|B\.\w+|CBZ|CBNZ|TBZ|TBNZ)\s", t, re.I) for _, t in th.code)


def _why(ins, reason: str) -> str:
    m = ins.mnemonic.lower()
    if re.fullmatch(r"casp[a-z]*", m):
        return "LSE compare-and-swap of a register pair (CASP) is not modelled"
    if re.fullmatch(r"(cas|swp|ld(add|clr|eor|set|smax|smin|umax|umin)|"
                    r"st(add|clr|eor|set|smax|smin|umax|umin))[a-z]*", m):
        return "LSE atomic with operands the machine does not model"
    return reason or "no semantics"


# ------------------------------------------------------------------ the condition

class _CondBuilder:
    """Z3 terms of herd propositions over one encoding's final state."""

    def __init__(self, lit: LitmusScenario, enc, fin):
        self.lit = lit
        self.enc = enc
        self.fin = fin
        self.test = lit.test

    def prop(self, p):
        from ..model.encode import And, Or
        import z3
        if isinstance(p, L.Const):
            return z3.BoolVal(p.value)
        if isinstance(p, L.And):
            return And(*[self.prop(q) for q in p.parts])
        if isinstance(p, L.Or):
            return Or(*[self.prop(q) for q in p.parts])
        if isinstance(p, L.Not):
            return z3.Not(self._z(self.prop(p.p)))
        if isinstance(p, L.Eq):
            return self.eq(p)
        if isinstance(p, L.Fault):
            return self.fault(p)
        raise TypeError(p)

    def _z(self, c):
        from ..model.encode import zb
        return zb(c)

    def value(self, v, line, default_pte=None):
        lit = self.lit
        if isinstance(v, int):
            return v & ((1 << 64) - 1)
        if isinstance(v, L.Sym):
            if v.name not in lit.va:
                raise LitmusUnsupported(f"unknown name {v.name}", line)
            return lit.va[v.name]
        if isinstance(v, L.PteAddr):
            return lit.pte[v.of.name]
        if isinstance(v, L.PhysAddr):
            return lit.pa[v.name]
        if isinstance(v, L.PteVal):
            return encode_pte(v, lambda n: lit.pa[n], default_pte, line)
        if isinstance(v, L.LabelVal):
            return _label_value(lit.label_addr, v, line)
        raise LitmusUnsupported(f"value {v}", line)

    def eq(self, p: L.Eq):
        from ..model import values as V
        lit = self.lit
        if isinstance(p.loc, L.RegLoc):
            r = p.loc.reg
            if not re.fullmatch(r"X\d+", r):
                raise LitmusUnsupported(f"final value of {r}", p.line)
            term = self.fin.reg(p.loc.proc, int(r[1:]))
            return V.to_z3(V.eq(term, V.const(self.value(p.value, p.line), 64)))
        tgt = p.loc.target
        if isinstance(tgt, L.PteAddr):
            addr, size = lit.pte[tgt.of.name], 8
            want = self.value(p.value, p.line, tgt.of.name)
        else:
            n = tgt.name
            addr = lit.pa[n]
            want = self.value(p.value, p.line)
            size = self._size_at(addr, lit.sizes.get(n), p.line)
        term = self.fin.mem(addr, size)
        want &= (1 << (8 * size)) - 1
        return V.to_z3(V.eq(term, V.const(want, 8 * size)))

    def _size_at(self, addr, declared, line):
        from ..model.vsa import may_equal
        enc = self.enc
        sizes = {s.size for s in enc.stores
                 if may_equal(enc.vsa.values(enc.pa[s]), frozenset([addr]))}
        if len(sizes) > 1:
            raise LitmusUnsupported("mixed-size stores to one location", line)
        if sizes:
            return sizes.pop()
        return declared or 4

    def fault(self, p: L.Fault):
        import z3
        lit = self.lit
        kind = FAULT_KINDS.get(p.kind) if p.kind else None
        addr = lit.label_addr[(p.proc, p.label)] if p.label else None
        va = None
        if p.target is not None:
            if not isinstance(p.target, L.Sym):
                raise LitmusUnsupported(f"fault on {p.target}", p.line)
            va = lit.va[p.target.name]
        return self._z(self.fin.fault(p.proc, address=addr, va=va, kind=kind))


# ------------------------------------------------------------------ run

def _quant_kind(q: str, obs: str) -> str:
    if q == "forall":
        return {"Always": "Required", "Sometimes": "Allowed", "Never": "Forbidden"}[obs]
    return "Forbidden" if obs == "Never" else "Allowed"


def run(test: L.LitmusTest, *, timeout_s: float = 0, bound: int | None = None,
        count_states: bool = False, want_traces: bool = True, variants=()) -> LitmusResult:
    """Decide the test on our machine.  Never raises for unsupported features: the
    result says so.  Raises FrontEndError for malformed input."""
    t0 = time.perf_counter()
    res = LitmusResult(test.name, test.file, "ok", quantifier=test.condition.quantifier)
    res.features = []
    res.condition = L.condition_text(test)
    try:
        lit = build(test, bound=bound, variants=variants)
        deadline = t0 + timeout_s if timeout_s else None
        _decide(lit, res, deadline=deadline, count_states=count_states,
                want_traces=want_traces)
    except LitmusUnsupported as e:
        res.status = "unsupported"
        res.reason = e.feature
        res.line = e.line
        res.features = e.all_features
    except _OutOfTime:
        res.status, res.reason = "timeout", f"no answer in {timeout_s:g} s"
    except FrontEndError:
        raise
    except BbmError as e:
        res.status = "unsupported"
        res.reason = f"model: {e.message}"
    res.seconds = round(time.perf_counter() - t0, 3)
    return res


class _OutOfTime(Exception):
    pass


def _decide(lit: LitmusScenario, res: LitmusResult, *, deadline, count_states, want_traces):
    import z3
    from ..model.solving import check as solver_check

    from ..model import properties as P
    from ..model.checker import Options, Outcome, _cpu_traces
    from ..model.encode import And, Encoding, Or, zb
    from ..model.trace import extract

    scen = lit.scenario
    test = lit.test
    traces = _cpu_traces(scen, Options())
    enc = Encoding(scen, traces)
    enc.build(())
    for st in enc.stores:
        addrs = enc.vsa.values(enc.pa[st])
        if addrs is None or any(L0_BASE <= a < L3_BASE or TTBR1_TABLE <= a < TTBR1_TABLE + PAGE
                                for a in addrs):
            raise LitmusUnsupported("a store that may hit the fixed upper-level tables "
                                    "(or an address the value sets cannot bound)",
                                    st.instr.loc.line if st.instr and st.instr.loc else None)
    fin = Outcome(enc)
    cb = _CondBuilder(lit, enc, fin)
    prop = zb(cb.prop(test.condition.prop))
    filt = zb(cb.prop(test.filter)) if test.filter is not None else z3.BoolVal(True)
    s = z3.Solver()
    for _, c in enc.constraints:
        s.add(c)
    for a in scen.assumptions:
        s.add(zb(a))

    def check(*conds):
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise _OutOfTime()
            s.set("timeout", max(1, int(left * 1000)))
        s.push()
        for c in conds:
            s.add(zb(c))
        r = solver_check(s)
        m = s.model() if r == z3.sat else None
        why = s.reason_unknown() if r == z3.unknown else ""
        s.pop()
        return r, m, why

    # 1. out-of-model behaviour must be unreachable -- in any execution, not only in
    #    those where every thread ends (a thread that stops on such an instruction
    #    never ends: requiring it would hide the instruction and drop executions)
    ucond, parts = P.unsupported(enc)
    r, m, why = check(ucond)
    if r == z3.sat:
        stop = next(d["stop"] for c, d in parts if z3.is_true(m.eval(zb(c), True)))
        raise LitmusUnsupported(f"reachable instruction the machine cannot execute: "
                                f"{stop.detail}")
    if r == z3.unknown:
        res.status, res.reason = _unknown(why)
        return
    #    ... and so must a store that overlaps a read only in part (mixed-size)
    mcond, parts = P.mixed_size(enc)
    r, m, why = check(mcond)
    if r == z3.sat:
        st = next(d["store"] for c, d in parts if z3.is_true(m.eval(zb(c), True)))
        raise LitmusUnsupported("mixed-size accesses to one location",
                                st.instr.loc.line if st.instr and st.instr.loc else None)
    if r == z3.unknown:
        res.status, res.reason = _unknown(why)
        return
    s.add(zb(fin.all_ended()))
    s.add(filt)
    # 2. P and ~P
    r1, m1, why1 = check(prop)
    if r1 == z3.unknown:
        res.status, res.reason = _unknown(why1)
        return
    r2, m2, why2 = check(z3.Not(prop))
    if r2 == z3.unknown:
        res.status, res.reason = _unknown(why2)
        return
    res.pos, res.neg = r1 == z3.sat, r2 == z3.sat
    if want_traces:
        res.pos_trace = extract(enc, m1) if m1 is not None else None
        res.neg_trace = extract(enc, m2) if m2 is not None else None
    if not res.pos and not res.neg:
        if lit.faults_handled and _all_discarded(enc, scen, fin, filt, deadline):
            # herd7 drops every candidate in which a retried instruction (or a later
            # one) faults again; when that is all of them it counts 0 positive and 0
            # negative states and says Never (top_herd.ml: pos = 0)
            res.observation, res.discarded = "Never", True
            res.kind = _quant_kind(test.condition.quantifier, res.observation)
            res.states = (0, 0) if count_states else None
            return
        res.status = "unknown"
        res.reason = "no execution in which every thread ends (within the step bound)"
        return
    res.observation = ("Always" if not res.neg else "Never" if not res.pos else "Sometimes")
    res.kind = _quant_kind(test.condition.quantifier, res.observation)
    # 3. does the step bound cut a path? (herd unrolls loops a bounded number of times too)
    cut, _ = P.cut_by_bound(enc)
    if not (isinstance(cut, z3.BoolRef) and z3.is_false(cut)):
        res.bound_cut = True
    if count_states:
        res.states = _count_states(lit, enc, fin, cb, s, prop)


def _all_discarded(enc, scen, fin, filt, deadline) -> bool:
    """Handled faults: do executions in which every thread ends exist once those that
    herd7 discards (rule retry-must-not-fault) are counted too?"""
    import z3
    from ..model.solving import check as solver_check

    from ..model.encode import zb
    s0 = z3.Solver()
    for rule, c in enc.constraints:
        if rule != "retry-must-not-fault":
            s0.add(c)
    for a in scen.assumptions:
        s0.add(zb(a))
    s0.add(zb(fin.all_ended()), filt)
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise _OutOfTime()
        s0.set("timeout", max(1, int(left * 1000)))
    return solver_check(s0) == z3.sat


def _unknown(why):
    if "timeout" in why or "canceled" in why:
        return "timeout", f"solver: {why}"
    return "unknown", f"solver gave up: {why}"


def _count_states(lit, enc, fin, cb, s, prop, cap: int = 64):
    """herd's positive/negative final-state counts, over the locations the condition
    and `locations [...]` name.  None beyond `cap` states."""
    import z3
    from ..model.solving import check as solver_check

    from ..model import values as V
    from ..model.encode import zb
    terms = []
    seen = set()

    def add_loc(loc, line=0):
        key = str(loc)
        if key in seen:
            return
        seen.add(key)
        if isinstance(loc, L.RegLoc):
            terms.append(V.to_z3(lit_reg(loc)))
        elif isinstance(loc, L.MemLoc):
            tgt = loc.target
            if isinstance(tgt, L.PteAddr):
                terms.append(V.to_z3(fin.mem(lit.pte[tgt.of.name], 8)))
            else:
                a = lit.pa[tgt.name]
                terms.append(V.to_z3(fin.mem(a, cb._size_at(a, lit.sizes.get(tgt.name), line))))
        elif isinstance(loc, L.Fault):
            terms.append(zb(cb.fault(loc)))

    def lit_reg(loc):
        return fin.reg(loc.proc, int(loc.reg[1:]))

    def walk(p):
        if isinstance(p, (L.And, L.Or)):
            for q in p.parts:
                walk(q)
        elif isinstance(p, L.Not):
            walk(p.p)
        elif isinstance(p, L.Eq):
            add_loc(p.loc, p.line)
        elif isinstance(p, L.Fault):
            add_loc(p)
    for loc in lit.test.locations:
        add_loc(loc)
    walk(lit.test.condition.prop)
    pos = neg = 0
    s.push()
    try:
        for _ in range(cap):
            r = solver_check(s)
            if r == z3.unknown:
                return None
            if r != z3.sat:
                return pos, neg
            m = s.model()
            vals = [m.eval(t, model_completion=True) for t in terms]
            if z3.is_true(m.eval(prop, model_completion=True)):
                pos += 1
            else:
                neg += 1
            if not terms:
                return pos, neg
            s.add(z3.Or([t != v for t, v in zip(terms, vals)]))
        return None
    finally:
        s.pop()


# ------------------------------------------------------------------ comparison with Arm

def compare(res: LitmusResult, arm_kind: str | None) -> str | None:
    """'agree', 'we-forbid' (we forbid an outcome Arm allows: our model is too strong),
    'we-allow' (we allow an outcome Arm forbids: too weak), or None (no verdict)."""
    if res.status != "ok" or arm_kind is None or res.kind is None:
        return None
    if res.kind == arm_kind:
        return "agree"
    q = res.quantifier
    # which of P / ~P can happen, according to Arm
    if q == "forall":
        arm = {"Required": (True, False), "Allowed": (True, True),
               "Forbidden": (False, True)}[arm_kind]
        ours = (res.pos, res.neg)
    else:
        arm = {"Allowed": (True, None), "Required": (True, None),
               "Forbidden": (False, None)}[arm_kind]
        ours = (res.pos, None)
    strong = any(a is True and o is False for a, o in zip(arm, ours))
    if strong:
        return "we-forbid"
    return "we-allow"


__all__ = ["build", "run", "run_file", "run_files", "format_trace", "compare", "Tally", "tally_table", "herd_lines", "validation", "LitmusScenario", "LitmusResult", "LitmusUnsupported",
           "encode_pte", "check_supported"]


# ------------------------------------------------------------------ files, processes

def format_trace(trace) -> list[str]:
    """A trace as numbered lines (time, CPU, what happened, litmus file:line)."""
    if trace is None:
        return []
    out = []
    for st in trace.steps:
        if st.kind == "fill" and ("walk-cache" in st.text or
                                  f"VA {TABLE_BASE:#x}" in st.text or "L1[2]" in st.text):
            continue        # table-level fills and the identity map of the tables: noise
        loc = f"  [{st.loc}]" if st.loc else ""
        out.append(f"{st.time:>4}  CPU{st.cpu}  {st.text}{loc}")
    return out


def run_file(path: str, *, timeout_s: float = 0, bound: int | None = None,
             count_states: bool = False, traces: bool = False, variants=()) -> LitmusResult:
    """Load and run one file; a malformed file gives status 'error' with file:line."""
    t0 = time.perf_counter()
    try:
        test = L.load_litmus(path)
    except FrontEndError as e:
        return LitmusResult(_name_guess(path), path, "error", reason=e.render(),
                            seconds=round(time.perf_counter() - t0, 3), line=e.line)
    try:
        res = run(test, timeout_s=timeout_s, bound=bound, count_states=count_states,
                  want_traces=traces, variants=variants)
    except FrontEndError as e:
        return LitmusResult(test.name, path, "error", reason=e.render(),
                            seconds=round(time.perf_counter() - t0, 3), line=e.line)
    if traces:
        res.pos_trace = format_trace(res.pos_trace)
        res.neg_trace = format_trace(res.neg_trace)
    else:
        res.pos_trace = res.neg_trace = None
    return res


def _name_guess(path):
    import os
    if not os.path.isfile(path):        # never block on a FIFO or a device
        return os.path.basename(path).rsplit(".", 1)[0]
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            head = f.readline().split()
        if len(head) >= 2:
            return head[1]
    except OSError:
        pass
    return os.path.basename(path).rsplit(".", 1)[0]


def _safe_run_file(path, timeout_s, bound, count_states, traces, variants=()):
    try:
        return run_file(path, timeout_s=timeout_s, bound=bound, count_states=count_states,
                        traces=traces, variants=variants)
    except Exception as e:                      # a bug of ours: report it, go on
        import traceback
        return LitmusResult(_name_guess(path), path, "error",
                            reason=f"internal error: {type(e).__name__}: {e}\n"
                                   + traceback.format_exc(limit=4))


def _worker(conn, timeout_s, bound, count_states, traces, variants=()):
    """A long-lived checking process: paths in, results out, until None."""
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        if path is None:
            return
        conn.send(_safe_run_file(path, timeout_s, bound, count_states, traces, variants))


def run_files(paths, *, timeout_s: float = 10, jobs: int = 1, bound: int | None = None,
              count_states: bool = False, traces: bool = False, on_result=None,
              variants=()):
    """Run many files.  With a timeout, in `jobs` worker processes; a test that takes
    longer than `timeout_s` (the solver's own limit, then a hard one a little later)
    is a timeout and its worker is replaced.  Results come back in the order of
    `paths`, and `on_result` sees them in that order too."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    paths = list(paths)
    if timeout_s <= 0:
        out = []
        for p in paths:
            r = _safe_run_file(p, 0, bound, count_states, traces, variants)
            if on_result:
                on_result(r)
            out.append(r)
        return out
    # load the heavy modules once, before forking, so that no worker pays for them
    import z3  # noqa: F401

    from ..grammar import frontend  # noqa: F401
    from ..model import checker, encode, isa, properties, trace  # noqa: F401
    from ..model.vmsa import rules  # noqa: F401
    ctx = mp.get_context("fork")
    results: list[LitmusResult | None] = [None] * len(paths)
    shown = 0

    def done(i, res):
        nonlocal shown
        results[i] = res
        while shown < len(results) and results[shown] is not None:
            if on_result:
                on_result(results[shown])
            shown += 1

    def spawn():
        a, b = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(b, timeout_s, bound, count_states, traces,
                                                 tuple(variants)), daemon=True)
        proc.start()
        b.close()
        return [a, proc, None, 0.0]              # conn, process, task index, start time

    hard = timeout_s + 2          # the solver stops itself at timeout_s; this is for the rest
    todo = list(range(len(paths)))
    workers = [spawn() for _ in range(max(1, min(jobs, len(paths))))]
    try:
        while todo or any(w[2] is not None for w in workers):
            for w in workers:
                if w[2] is None and todo:
                    i = todo.pop(0)
                    w[0].send(paths[i])
                    w[2], w[3] = i, time.perf_counter()
            busy = [w for w in workers if w[2] is not None]
            now = time.perf_counter()
            left = max(0.0, min(w[3] + hard for w in busy) - now)
            ready = wait([w[0] for w in busy], timeout=left)
            for w in busy:
                if w[0] in ready:
                    i = w[2]
                    try:
                        res = w[0].recv()
                        w[2] = None
                    except EOFError:
                        res = LitmusResult(_name_guess(paths[i]), paths[i], "error",
                                           reason="the checking process died (exit code "
                                                  f"{w[1].exitcode})")
                        w[1].join(timeout=5)
                        w[0].close()
                        w[:] = spawn()
                    done(i, res)
                elif time.perf_counter() - w[3] >= hard:
                    i = w[2]
                    w[1].kill()
                    w[1].join(timeout=5)
                    w[0].close()
                    w[:] = spawn()
                    done(i, LitmusResult(_name_guess(paths[i]), paths[i], "timeout",
                                         reason=f"no answer in {timeout_s:g} s",
                                         seconds=round(hard, 3)))
    finally:
        for w in workers:
            try:
                w[0].send(None)
            except (OSError, BrokenPipeError):
                pass
        for w in workers:
            w[1].join(timeout=2)
            if w[1].is_alive():
                w[1].kill()
    return results


# ------------------------------------------------------------------ summaries

def validation(res: LitmusResult) -> str | None:
    """herd's Ok / No: does the test's condition hold as its quantifier says?"""
    if res.status != "ok":
        return None
    if res.quantifier == "exists":
        return "Ok" if res.pos else "No"
    if res.quantifier == "~exists":
        return "Ok" if not res.pos else "No"
    return "Ok" if not res.neg else "No"


QUANT_KIND = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}


def herd_lines(res: LitmusResult) -> list[str]:
    """Our result in herd's summary shape."""
    out = []
    test_cond = res.condition
    if res.status == "error":
        return [res.reason]
    out.append(f"Test {res.name} {QUANT_KIND.get(res.quantifier, '')}".rstrip())
    if res.status == "unsupported":
        where = f" ({res.file}:{res.line})" if res.line else ""
        out.append(f"Unsupported {res.name}: {res.reason}{where}")
        return out
    if res.status in ("timeout", "unknown"):
        out.append(f"{res.status.capitalize()} {res.name}: {res.reason}")
        out.append(f"Time {res.name} {res.seconds:.2f}")
        return out
    if res.states is not None:
        out.append(f"States {res.states[0] + res.states[1]}")
    out.append(validation(res))
    if res.states is not None:
        out.append("Witnesses")
        out.append(f"Positive: {res.states[0]} Negative: {res.states[1]}")
    if test_cond:
        out.append(f"Condition {test_cond}")
    counts = f" {res.states[0]} {res.states[1]}" if res.states is not None else ""
    out.append(f"Observation {res.name} {res.observation}{counts}")
    if res.bound_cut:
        out.append(f"Bound {res.name}: the step bound cuts some executions (loops)")
    out.append(f"Time {res.name} {res.seconds:.2f}")
    return out


CMP_WORDS = {"agree": "agree", "we-forbid": "we forbid, Arm allows",
             "we-allow": "we allow, Arm forbids"}


@dataclass
class Tally:
    read: int = 0
    modelled: int = 0
    with_kind: int = 0
    agree: int = 0
    we_forbid: int = 0
    we_allow: int = 0
    unsupported: int = 0
    timeouts: int = 0
    unknown: int = 0
    errors: int = 0
    seconds: float = 0.0
    forbid_names: list = field(default_factory=list)
    allow_names: list = field(default_factory=list)

    def add(self, res: LitmusResult, arm_kind: str | None):
        self.read += 1
        self.seconds += res.seconds
        if res.status == "ok":
            self.modelled += 1
            c = compare(res, arm_kind)
            if c is not None:
                self.with_kind += 1
            if c == "agree":
                self.agree += 1
            elif c == "we-forbid":
                self.we_forbid += 1
                self.forbid_names.append(res.name)
            elif c == "we-allow":
                self.we_allow += 1
                self.allow_names.append(res.name)
        elif res.status == "unsupported":
            self.unsupported += 1
        elif res.status == "timeout":
            self.timeouts += 1
        elif res.status == "unknown":
            self.unknown += 1
        else:
            self.errors += 1

    @property
    def agreement(self) -> str:
        return f"{100.0 * self.agree / self.with_kind:.1f}%" if self.with_kind else "-"


TALLY_COLUMNS = [("read", "read"), ("modelled", "modelled"), ("with_kind", "w/ kind"),
                 ("agree", "agree"), ("agreement", "agree%"),
                 ("we_forbid", "we-forbid-arm-allows"), ("we_allow", "we-allow-arm-forbids"),
                 ("unsupported", "unsupported"), ("timeouts", "timeouts"),
                 ("unknown", "unknown"), ("errors", "errors"), ("seconds", "seconds")]


def tally_table(rows: list[tuple[str, Tally]]) -> list[str]:
    """A text table, one row per (label, Tally)."""
    heads = ["folder"] + [h for _, h in TALLY_COLUMNS]
    body = []
    for label, t in rows:
        cells = [label]
        for attr, _ in TALLY_COLUMNS:
            v = getattr(t, attr)
            cells.append(f"{v:.1f}" if isinstance(v, float) else str(v))
        body.append(cells)
    widths = [max(len(r[i]) for r in [heads] + body) for i in range(len(heads))]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths)))
    out = [fmt(heads), "  ".join("-" * w for w in widths)]
    out += [fmt(r) for r in body]
    return out

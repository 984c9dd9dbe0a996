"""The scenario spec: a TOML file saying which CPUs run which routine, from which
state, under which architecture features, within which bounds, and what must hold.

See docs/spec.md for the format.  `load_spec(path)` returns a Scenario; every error
names the spec file and line.
"""
from __future__ import annotations

import ast
import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import z3

from ..errors import SpecError
from ..grammar.program import Program
from ..model import values as V
from ..model.scenario import CpuSetup, Postcondition, Scenario, TableInfo
from ..model.vmsa import descriptor as D
from ..model.vmsa.regime import Features, Regime

PAGE = 4096
DEFAULT_CODE_BASE = 0x4000_0000
DEFAULT_DATA_BASE = 0x8000_0000

SECTION_KEYS = {"memory": {"code_base", "data_base"},
                "regime": {"levels", "va_bits", "entries", "el", "a1"},
                "idmap": {"enable", "extra", "attr"},
                "stale": {"vas"}}
KNOWN_TOP = {"check", "regime", "memory", "tables", "tree", "pages", "idmap", "cpu", "symbols",
             "stale", "post", "words"}
CHECK_KEYS = {"name", "description", "file", "extra_files", "end_before", "routines", "match", "profile",
              "defines", "capabilities", "entry", "cpus", "bound", "properties", "features",
              "ng_policy", "bbm_level", "initial_tlb", "omits", "fetch",
              "expect", "expect_property"}           # the last two: the pytest plugin's
CPU_KEYS = {"role", "entry", "regs", "ttbr0", "ttbr1", "mmu", "sctlr", "tcr", "sysregs", "sp"}
INITIAL_TLB = ("any", "empty", "stale")


# --------------------------------------------------------------------------- locating errors

class Locator:
    """Finds the line of a key in a TOML file, for error messages (tomllib keeps
    no positions)."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, *keys) -> int | None:
        """The line of the last of `keys` found in order: ("check", "bound"), or, for an
        array of tables, ("cpu", 1, "regs"): the regs key of the second [[cpu]].  A key
        not found within its table gives the table's header line."""
        start, end = 0, len(self.lines)
        found = None
        prev = None
        for key in keys:
            if isinstance(key, int):
                if prev is None:
                    continue
                hdr = re.compile(r"^\s*\[\[\s*" + re.escape(prev) + r"\s*\]\]")
                hits = [i for i, ln in enumerate(self.lines) if hdr.search(ln)]
                if key < len(hits):
                    i = hits[key]
                    found, start = i + 1, i + 1
                    end = next((j for j in range(i + 1, len(self.lines))
                                if self.lines[j].lstrip().startswith("[")), len(self.lines))
                continue
            prev = str(key)
            pat = re.compile(r"^\s*(\[\[?\s*)?[\w.\"']*\b" + re.escape(str(key)) + r"\b")
            for i in range(start, end):
                if pat.search(self.lines[i]):
                    found, start = i + 1, i
                    break
        return found

    def error(self, msg: str, *keys) -> SpecError:
        return SpecError(msg, file=self.path, line=self.line_of(*keys) if keys else None)


# --------------------------------------------------------------------------- layout

@dataclass
class Table:
    name: str
    level: int
    pa: int
    entries: dict = field(default_factory=dict)      # index -> value (int or z3 term)


@dataclass
class Layout:
    """Physical memory of a scenario: named tables and pages, words."""
    next_pa: int = DEFAULT_DATA_BASE
    tables: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)          # 8-aligned PA -> value
    domains: dict = field(default_factory=dict)
    assumptions: list = field(default_factory=list)
    trees: dict = field(default_factory=dict)          # tree name -> list of Table

    def alloc(self, size: int = PAGE, align: int = PAGE) -> int:
        pa = (self.next_pa + align - 1) // align * align
        self.next_pa = pa + size
        return pa

    def table(self, name: str, level: int) -> Table:
        t = Table(name, level, self.alloc())
        self.tables[name] = t
        return t

    def page(self, name: str) -> int:
        if name not in self.pages:
            self.pages[name] = self.alloc()
        return self.pages[name]


# --------------------------------------------------------------------------- expressions

class Env:
    """Evaluates the small expression language of spec values (a Python-syntax subset:
    integers, + - * | & ^ << >> ~, names, calls of the functions below)."""

    def __init__(self, layout: Layout, program: Program | None, regime: Regime,
                 loc: Locator):
        self.layout = layout
        self.program = program
        self.regime = regime
        self.loc = loc
        self.symbols: dict[str, int] = {}
        self._n = 0

    # functions available in expressions
    def _pa_of(self, x):
        if isinstance(x, int):
            return x
        if isinstance(x, Table):
            return x.pa
        if isinstance(x, str):
            if x in self.layout.tables:
                return self.layout.tables[x].pa
            if x in self.layout.pages:
                return self.layout.pages[x]
            if self.program is not None and self.program.address_of(x) is not None:
                return self.program.address_of(x)
            if x in self.symbols:
                return self.symbols[x]
        raise ValueError(f"unknown table, page or symbol {x!r}")

    def functions(self):
        R = self.regime

        def table(t, **kw):
            return D.make_table(self._pa_of(t)) | _table_attrs(**kw)

        def page(p, **kw):
            return D.make_page(self._pa_of(p), **_leaf_kw(kw))

        def block(p, level, **kw):
            return D.make_block(self._pa_of(p), level, **_leaf_kw(kw))

        def pa(x, off=0):
            return self._pa_of(x) + off

        def slot(t, idx):
            return self._pa_of(t) + 8 * idx

        def va(*idx, off=0, upper=True):
            return make_va(R, list(idx), off, upper)

        def kva(*idx, off=0):
            return make_va(R, list(idx), off, True)

        def uva(*idx, off=0):
            return make_va(R, list(idx), off, False)

        def symbol(name):
            return self._pa_of(name)

        def ttbr(t, asid=0):
            return self._pa_of(t) | (asid << 48)

        return {"table": table, "page": page, "block": block, "pa": pa, "slot": slot,
                "va": va, "kva": kva, "uva": uva, "symbol": symbol, "ttbr": ttbr,
                "invalid": 0, "True": 1, "False": 0}

    def eval(self, value, *where):
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if not isinstance(value, str):
            raise self.loc.error(f"expected a number or an expression, not {value!r}", *where)
        try:
            tree = ast.parse(value, mode="eval")
            return self._num(self._ev(tree.body))
        except SpecError:
            raise
        except (ValueError, TypeError, SyntaxError, KeyError) as e:
            raise self.loc.error(f"bad value {value!r}: {e}", *where)

    def _ev(self, n):
        fns = self.functions()
        if isinstance(n, ast.Constant) and isinstance(n.value, (int, str)):
            return n.value
        if isinstance(n, ast.Name):
            if n.id in fns:
                return fns[n.id]
            if n.id in self.layout.tables:
                return self.layout.tables[n.id]
            return n.id
        if isinstance(n, ast.BinOp):
            a, b = self._ev(n.left), self._ev(n.right)
            a, b = self._num(a), self._num(b)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.BitOr: lambda: a | b, ast.BitAnd: lambda: a & b,
                   ast.BitXor: lambda: a ^ b, ast.LShift: lambda: a << b,
                   ast.RShift: lambda: a >> b, ast.FloorDiv: lambda: a // b,
                   ast.Mod: lambda: a % b}
            f = ops.get(type(n.op))
            if f is None:
                raise ValueError(f"operator {type(n.op).__name__} not allowed")
            return f()
        if isinstance(n, ast.UnaryOp):
            a = self._num(self._ev(n.operand))
            if isinstance(n.op, ast.Invert):
                return ~a & ((1 << 64) - 1)
            if isinstance(n.op, ast.USub):
                return -a
            raise ValueError("operator not allowed")
        if isinstance(n, ast.Call):
            f = self._ev(n.func)
            if not callable(f):
                raise ValueError(f"{ast.unparse(n.func)} is not a function")
            args = [self._ev(a) for a in n.args]
            kw = {k.arg: self._num(self._ev(k.value)) for k in n.keywords}
            return f(*args, **kw)
        raise ValueError(f"{ast.unparse(n)} is not allowed in a spec value")

    def _num(self, x):
        if isinstance(x, (int,)):
            return x
        if isinstance(x, (str, Table)):
            return self._pa_of(x)
        raise ValueError(f"{x!r} is not a number")


def _leaf_kw(kw):
    names = {"attr": "attr_index", "attr_index": "attr_index", "sh": "sh", "ap": "ap",
             "af": "af", "ng": "ng", "cont": "contiguous", "contiguous": "contiguous",
             "pxn": "pxn", "uxn": "uxn"}
    out = {}
    for k, v in kw.items():
        if k not in names:
            raise ValueError(f"unknown descriptor field {k}= (known: {', '.join(sorted(names))})")
        out[names[k]] = bool(v) if names[k] in ("af", "ng", "contiguous", "pxn", "uxn") else v
    return out


def _table_attrs(**kw):
    v = 0
    for k, x in kw.items():
        if k == "ignored":          # bits a table descriptor ignores, e.g. ignored=1<<11
            v |= x
        elif k == "pxntable":
            v |= int(bool(x)) << 59
        elif k == "uxntable":
            v |= int(bool(x)) << 60
        elif k == "aptable":
            v |= (x & 3) << 61
        else:
            raise ValueError(f"unknown table descriptor field {k}=")
    return v


def make_va(R: Regime, idx: list[int], off: int, upper: bool) -> int:
    levels = list(range(R.start_level, 4))
    if len(idx) > len(levels):
        raise ValueError(f"{len(idx)} indices for {len(levels)} levels")
    va = off
    for lvl, i in zip(levels, idx):
        hi, lo = R.index_bits(lvl)
        if not 0 <= i < (1 << (hi - lo + 1)):
            raise ValueError(f"index {i} out of range at level {lvl}")
        va |= i << lo
    if upper:
        va |= ((1 << 64) - 1) ^ ((1 << R.va_bits) - 1)
    return va


# --------------------------------------------------------------------------- loading

# The kernel's per-level table sizes, root first (a 4-level table has no P4D level).
_PTRS_PER = {5: ["PGD", "P4D", "PUD", "PMD", "PTE"], 4: ["PGD", "PUD", "PMD", "PTE"],
             3: ["PGD", "PMD", "PTE"], 2: ["PGD", "PTE"]}


def parse_entries(text: str) -> int | list[int]:
    """`--entries 2` or `--entries 1,1,2,2` (per level, root first)."""
    try:
        parts = [int(x) for x in str(text).split(",")]
    except ValueError:
        raise SpecError(f"--entries takes a number or numbers per level (1,1,2,2), not {text!r}")
    if not all(1 <= x <= 512 for x in parts):
        raise SpecError("--entries: each number must be 1..512")
    return parts[0] if len(parts) == 1 else parts


def apply_entries(data: dict, entries) -> dict:
    """The spec with its reduced geometry replaced: every [[tree]]'s entries per table,
    the regime's, and the PTRS_PER_* defines the spec sets for the routine's loops."""
    import copy
    data = copy.deepcopy(data)
    per = entries if isinstance(entries, list) else None
    data.setdefault("regime", {})["entries"] = max(per) if per else entries
    for tr in data.get("tree", []):
        tr["entries"] = entries
    chk = data.setdefault("check", {})
    defs = chk.get("defines")
    if defs:
        levels = int(data["regime"].get("levels", 4))
        names = _PTRS_PER.get(levels, [])
        for k in list(defs):
            if k.startswith("PTRS_PER_"):
                lvl = k[len("PTRS_PER_"):]
                if per and lvl in names:
                    defs[k] = per[min(names.index(lvl), len(per) - 1)]
                elif per:
                    defs[k] = per[0]
                else:
                    defs[k] = entries
    return data


def load_spec(path: str, *, program: Program | None = None, features: list[str] = (),
              cpus: int | None = None, bound: int | None = None, profile: str | None = None,
              include_dirs=(), defines: dict | None = None, capabilities=(),
              asm_file: str | None = None, entries=None) -> Scenario:
    """Read a spec file into a Scenario.  `program` (or the spec's `file`) is the
    assembly; command-line options override the spec's (`entries`: the reduced
    geometry, see apply_entries)."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        raise SpecError(f"cannot read spec: {e.strerror}", file=path)
    loc = Locator(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise SpecError(f"not valid TOML: {e}", file=path, line=int(m.group(1)) if m else None)
    if entries is not None:
        data = apply_entries(data, entries)
    return build_scenario(data, loc, os.path.dirname(os.path.abspath(path)), program=program,
                          features=features, cpus=cpus, bound=bound, profile=profile,
                          include_dirs=include_dirs, defines=defines,
                          capabilities=capabilities, asm_file=asm_file)


def resolve_extra_files(check: dict, asm_file: str, base_dir: str | None, loc: Locator) -> list:
    """`[check] extra_files`: more assembly files the routine needs (e.g. the file of a
    routine it calls), assembled with it as one program.  Each entry is a path or a glob
    pattern, looked up next to the assembly file, then next to the spec; the first
    file that matches is taken."""
    import glob
    pats = check.get("extra_files", [])
    if isinstance(pats, str) or not all(isinstance(p, str) for p in pats):
        raise loc.error("extra_files is a list of file names or glob patterns", "extra_files")
    out = []
    here = os.path.dirname(os.path.abspath(asm_file))
    for pat in pats:
        found = None
        for d in ([here] + ([base_dir] if base_dir else [])):
            hits = sorted(h for h in glob.glob(os.path.join(d, pat))
                          if os.path.isfile(h)
                          and os.path.abspath(h) != os.path.abspath(asm_file))
            if hits:
                found = hits[0]
                break
        if found is None:
            raise loc.error(f"extra_files: no file matching {pat!r} next to {asm_file}"
                            + (f" or {base_dir}" if base_dir else ""), "extra_files")
        out.append(found)
    return out


def _int_key(table: dict, key: str, default, loc, *where, lo=None, hi=None) -> int:
    v = table.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int):
        raise loc.error(f"{key} must be a whole number, not {v!r}", *where)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"{lo}..{hi}" if hi is not None else f">= {lo}"
        raise loc.error(f"{key} must be {rng}, not {v}", *where)
    return v


def _flag(v, loc, *where) -> bool:
    if not isinstance(v, bool):
        raise loc.error(f"{where[-1]} must be true or false, not {v!r}", *where)
    return v


def _validate_check(check: dict, data: dict, loc) -> None:
    if not isinstance(check, dict):
        raise loc.error("[check] must be a table", "check")
    for k in check:
        if k not in CHECK_KEYS:
            raise loc.error(f"unknown key {k!r} in [check] (known: {', '.join(sorted(CHECK_KEYS))})",
                            "check", k)
    if "cpus" in check:
        _int_key(check, "cpus", 1, loc, "check", "cpus", lo=1, hi=8)
    if "bound" in check:
        _int_key(check, "bound", 200, loc, "check", "bound", lo=1)
    if "bbm_level" in check:
        _int_key(check, "bbm_level", 0, loc, "check", "bbm_level", lo=0, hi=2)
    if check.get("initial_tlb", "any") not in INITIAL_TLB:
        raise loc.error(f"initial_tlb is one of {', '.join(INITIAL_TLB)}, not "
                        f"{check.get('initial_tlb')!r}", "check", "initial_tlb")
    if check.get("ng_policy", "strict") not in ("strict", "arm-arm"):
        raise loc.error(f"ng_policy is 'strict' or 'arm-arm', not {check.get('ng_policy')!r}",
                        "check", "ng_policy")
    # sections with a fixed set of keys: a misspelt or misplaced one is an error, not
    # a setting silently ignored
    for sec, known in SECTION_KEYS.items():
        tbl = data.get(sec, {})
        if not isinstance(tbl, dict):
            raise loc.error(f"[{sec}] must be a table", sec)
        for k in tbl:
            if k not in known:
                raise loc.error(f"unknown key {k!r} in [{sec}] (known: "
                                f"{', '.join(sorted(known))})", sec, k)
    for name, pg in data.get("pages", {}).items():
        for k in (pg if isinstance(pg, dict) else {}):
            if k != "words":
                raise loc.error(f"unknown key {k!r} in [pages.{name}] (known: words)",
                                "pages", name, k)
    st = data.get("stale", {})
    if not isinstance(st, dict) or not isinstance(st.get("vas", []), list):
        raise loc.error("[stale] vas must be a list of VA expressions", "stale", "vas")
    for i, c in enumerate(data.get("cpu", [])):
        if not isinstance(c, dict):
            raise loc.error("[[cpu]] entries must be tables", "cpu")
        for k in c:
            if k not in CPU_KEYS:
                raise loc.error(f"cpu {i}: unknown key {k!r} (known: {', '.join(sorted(CPU_KEYS))})",
                                "cpu", i, k)
        if "regs" in c and not isinstance(c["regs"], dict):
            raise loc.error(f"cpu {i}: regs must be a table, e.g. regs = {{ x0 = \"1\" }}",
                            "cpu", i, "regs")
        if "sysregs" in c and not isinstance(c["sysregs"], dict):
            raise loc.error(f"cpu {i}: sysregs must be a table", "cpu", i, "sysregs")


def build_scenario(data: dict, loc: Locator, base_dir: str, *, program=None, features=(),
                   cpus=None, bound=None, profile=None, include_dirs=(), defines=None,
                   capabilities=(), asm_file=None) -> Scenario:
    for k in data:
        if k not in KNOWN_TOP:
            raise loc.error(f"unknown section [{k}] (known: {', '.join(sorted(KNOWN_TOP))})", k)
    check = data.get("check", {})
    _validate_check(check, data, loc)
    # ---------------------------------------------------------------- program
    if program is None:
        # A file named on the command line is relative to the working directory; the
        # spec's own `file` is relative to the spec.
        if asm_file:
            f = os.path.abspath(asm_file)
        else:
            f = check.get("file")
            if not f:
                raise loc.error("no assembly file: give [check] file = \"...\" or pass one",
                                "check")
            f = f if os.path.isabs(f) else os.path.join(base_dir, f)
        from ..grammar.frontend import load_program
        prof = profile or check.get("profile", "linux-arm64-4k-48")
        defs = dict(check.get("defines", {}))
        defs.update(defines or {})
        caps = list(check.get("capabilities", [])) + list(capabilities)
        program = load_program(f, profile=None if prof == "none" else prof,
                               include_dirs=include_dirs,
                               defines={k: (None if v is None else str(v)) for k, v in defs.items()},
                               capabilities=caps,
                               extra_files=resolve_extra_files(check, f, base_dir, loc))
    mem = data.get("memory", {})
    program.layout(default_base=int(mem.get("code_base", DEFAULT_CODE_BASE)))
    # ---------------------------------------------------------------- regime / features
    rg = data.get("regime", {})
    try:
        regime = Regime(levels=int(rg.get("levels", 4)), va_bits=int(rg.get("va_bits", 48)),
                        entries=int(rg.get("entries", 512)), el=int(rg.get("el", 1)),
                        a1=_flag(rg.get("a1", False), loc, "regime", "a1"))
    except ValueError as e:
        raise loc.error(str(e), "regime")
    feats = list(check.get("features", [])) + list(features)
    try:
        fe = Features.from_names(feats, ng_policy=check.get("ng_policy", "strict"),
                                 bbm_level=int(check.get("bbm_level", 0)))
    except ValueError as e:
        raise loc.error(str(e), "features")
    layout = Layout(next_pa=int(mem.get("data_base", DEFAULT_DATA_BASE)))
    env = Env(layout, program, regime, loc)
    # ---------------------------------------------------------------- tables, trees, pages
    tables = data.get("tables", {})
    for name, t in tables.items():
        if "level" not in t:
            raise loc.error(f"table {name} needs a level", "tables", name)
        layout.table(name, _int_key(t, "level", 0, loc, "tables", name, "level", lo=0, hi=3))
    for name in data.get("pages", {}):
        layout.page(name)
    for i, tr in enumerate(data.get("tree", [])):
        _make_tree(tr, layout, regime, loc, i)
    for name, spec in data.get("pages", {}).items():
        pa = layout.pages[name]
        for off, val in (spec.get("words", {}) if isinstance(spec, dict) else {}).items():
            layout.words[pa + int(off, 0) if isinstance(off, str) else pa + int(off)] = \
                env.eval(val, "pages", name)
    for name, t in tables.items():
        tab = layout.tables[name]
        for k, v in t.items():
            if k == "level":
                continue
            try:
                idx = int(k, 0)
            except ValueError:
                raise loc.error(f"table {name}: entry keys are indices, not {k!r}", "tables", name)
            tab.entries[idx] = _entry_value(env, layout, v, f"{name}_{idx}", tab.level,
                                            ("tables", name))
    for addr, val in data.get("words", {}).items():
        a = env.eval(addr, "words") if not addr.isdigit() else int(addr)
        layout.words[a] = env.eval(val, "words", addr)
    # ---------------------------------------------------------------- identity map (before symbols: a symbol may name it)
    idm = data.get("idmap", {})
    idmap_root = None
    if idm.get("enable", bool(idm)):
        idmap_root = _make_idmap(layout, program, regime, idm)
    # ---------------------------------------------------------------- symbols
    syms = {}
    for name, val in data.get("symbols", {}).items():
        syms[name] = env.eval(val, "symbols", name)
    env.symbols = syms
    # ---------------------------------------------------------------- memory image
    memory: dict[int, Any] = {}
    for sec in program.sections.values():
        for it in sec.items:
            from ..grammar.program import Data
            if isinstance(it, Data):
                a = it.address
                for size, v in it.values:
                    if isinstance(v, int):
                        _put(memory, a, size, v)
                    a += size
    for t in layout.tables.values():
        for i, v in t.entries.items():
            memory[t.pa + 8 * i] = v
    for a, v in layout.words.items():
        if a % 8:
            raise loc.error(f"word address {a:#x} is not 8-byte aligned", "words")
        memory[a] = v
    # ---------------------------------------------------------------- CPUs
    cpu_specs = data.get("cpu", [])
    if not cpu_specs:
        raise loc.error("no [[cpu]] given", "check")
    n = cpus or int(check.get("cpus", len(cpu_specs)))
    setups = []
    for c in range(n):
        si = min(c, len(cpu_specs) - 1)
        setups.append(_cpu_setup(c, cpu_specs[si], env, layout, idmap_root, check, loc, n, si))
    # ---------------------------------------------------------------- scenario
    tracked = _tracked_vas(layout, regime, setups, memory)
    props = tuple(check.get("properties", ["bbm", "conflict", "fault", "stale", "post"]))
    for p in props:
        if p not in ("bbm", "conflict", "fault", "stale", "post"):
            raise loc.error(f"unknown property {p!r}", "properties")
    scen = Scenario(
        program=program, cpus=setups, regime=regime, features=fe, memory=memory,
        domains=layout.domains, assumptions=layout.assumptions, symbols=syms,
        tables=[TableInfo(t.name, t.pa, t.level) for t in layout.tables.values()],
        tracked_vas=tracked, initial_tlb=check.get("initial_tlb", "any"),
        bound=bound or int(check.get("bound", 200)), properties=props,
        stale_vas=[env.eval(v, "stale") for v in data.get("stale", {}).get("vas", [])],
        name=check.get("name", ""), description=check.get("description", ""),
        omits=[str(o).replace("{entries}", _entries_text(data.get("tree", []), regime))
               for o in check.get("omits", [])],
        geometry=_geometry(regime, layout, data.get("tree", [])))
    scen.fetch = bool(check.get("fetch", False))
    eb = check.get("end_before", [])
    if isinstance(eb, str) or not all(isinstance(x, str) for x in eb):
        raise loc.error("end_before is a list of instruction patterns", "end_before")
    scen.end_before = tuple(eb)
    scen.layout = layout
    for i, p in enumerate(data.get("post", [])):
        scen.postconditions.append(_postcondition(p, env, layout, scen, loc, i))
    return scen


def _put(memory, a, size, v):
    word = a & ~7
    off = (a - word) * 8
    cur = memory.get(word, 0)
    if not isinstance(cur, int):
        return
    mask = ((1 << (size * 8)) - 1) << off
    memory[word] = (cur & ~mask) | ((v << off) & mask)


def _entry_value(env: Env, layout: Layout, v, name: str, level: int, where):
    """A descriptor value: an expression, or a list of alternatives (symbolic)."""
    if isinstance(v, list):
        alts = [env.eval(x, *where) for x in v]
        return _symbolic(layout, f"desc_{name}", alts)
    return env.eval(v, *where)


def _symbolic(layout: Layout, name: str, alts: list[int]):
    alts = sorted(set(alts))
    if len(alts) == 1:
        return alts[0]
    x = V.var(name, 64)
    layout.domains[name] = frozenset(alts)
    layout.assumptions.append(z3.Or([x == a for a in alts]))
    return x


def _make_tree(tr: dict, layout: Layout, regime: Regime, loc: Locator, i: int = 0):
    for k in tr:
        if k not in TREE_KEYS:
            raise loc.error(f"[[tree]] {tr.get('name', '')}: unknown key {k!r} (known: "
                            f"{', '.join(sorted(TREE_KEYS))})", "tree", i, k)
    """Generate a tree of tables with symbolic descriptors (see docs/spec.md)."""
    name = tr.get("name")
    if not name:
        raise loc.error("[[tree]] needs a name", "tree")
    ent = tr.get("entries", regime.entries)
    if isinstance(ent, list):
        if not ent or not all(isinstance(x, int) and 1 <= x <= 512 for x in ent):
            raise loc.error(f"tree {name}: entries is a number or a list of numbers (1..512), "
                            f"one per level from the root", "tree", "entries")
    elif not isinstance(ent, int) or not 1 <= ent <= 512:
        raise loc.error(f"tree {name}: entries must be 1..512", "tree", "entries")
    kinds = set(tr.get("kinds", ["invalid", "table", "leaf"]))
    glob = tr.get("global", "any")
    start = int(tr.get("root_level", regime.start_level))
    attrs = dict(tr.get("attrs", {"attr": 0, "sh": 3}))
    bad = kinds - {"invalid", "table", "leaf"}
    if bad:
        raise loc.error(f"tree {name}: unknown kinds {sorted(bad)}", "tree", "kinds")
    made: list[Table] = []

    def entries_at(level: int) -> int:
        if isinstance(ent, int):
            return ent
        return ent[min(level - start, len(ent) - 1)]

    def build(level: int, path: str) -> Table:
        t = layout.table(f"{name}{path}", level)
        made.append(t)
        for i in range(entries_at(level)):
            alts = []
            if "invalid" in kinds:
                alts.append(0)
            if "table" in kinds and level < 3 and (level < 3):
                child = build(level + 1, f"{path}.{i}") if level < 3 else None
                alts.append(D.make_table(child.pa))
            if "leaf" in kinds and level in (1, 2, 3):
                if level == 3:
                    pa = layout.alloc()
                    mk = lambda ng: D.make_page(pa, ng=ng, **_leaf_kw(attrs))
                else:
                    size = 1 << D.leaf_shift(level)
                    pa = layout.alloc(size=PAGE, align=size)
                    layout.next_pa = max(layout.next_pa, pa + PAGE)
                    mk = lambda ng, pa=pa: D.make_block(pa, level, ng=ng, **_leaf_kw(attrs))
                if glob in ("any", "global"):
                    alts.append(mk(False))
                if glob in ("any", "non-global"):
                    alts.append(mk(True))
            t.entries[i] = _symbolic(layout, f"desc_{t.name}_{i}".replace(".", "_"), alts)
        return t
    root = build(start, "")
    layout.trees[name] = made
    layout.tables.setdefault(name, root)
    return root


def _make_idmap(layout: Layout, program: Program, regime: Regime, idm: dict) -> Table:
    """An identity map (VA = PA) in its own table tree, built from 1 GiB (level 1) or
    2 MiB (level 2) blocks covering the code, data and every table and page."""
    lo = min([s.base for s in program.sections.values()] + [DEFAULT_DATA_BASE])
    hi = max([s.base + s.size for s in program.sections.values()] + [layout.next_pa])
    extra = int(idm.get("extra", 0))
    hi += extra
    root = layout.table("idmap", regime.start_level)
    level = regime.start_level
    cur = root
    while level < 1:
        nxt = layout.table(f"idmap_l{level + 1}", level + 1)
        cur.entries[0] = D.make_table(nxt.pa)
        cur, level = nxt, level + 1
    gb = 1 << 30
    for base in range(lo // gb * gb, hi, gb):
        idx = base >> 30
        if level == 1:
            cur.entries[idx] = D.make_block(base, 1, attr_index=int(idm.get("attr", 0)))
        else:
            raise ValueError("idmap needs a regime with a level-1 table")
    return root


def _cpu_setup(c: int, spec: dict, env: Env, layout: Layout, idmap_root, check, loc, n,
               si: int = 0) -> CpuSetup:
    """CPU c's setup from [[cpu]] number si of the spec (the last one repeats)."""
    entry = spec.get("entry") or check.get("entry")
    if not entry:
        raise loc.error(f"cpu {c}: no entry", "cpu", si, "entry")
    if env.program is not None and env.program.address_of(entry) is None:
        raise loc.error(f"cpu {c}: entry {entry!r} is not a routine or label of the program",
                        "cpu", si, "entry")
    regs = {}
    for r, v in spec.get("regs", {}).items():
        m = re.fullmatch(r"[xw](\d+)", r)
        if not m or int(m.group(1)) > 30:
            raise loc.error(f"cpu {c}: {r} is not a general register", "cpu", si, r)
        env.symbols["CPU"] = c
        val = v.replace("{cpu}", str(c)).replace("{ncpus}", str(n)) if isinstance(v, str) else v
        regs[int(m.group(1))] = V.const(env.eval(val, "cpu", si, r), 64)
    sysregs = {}
    # the translation regime's own registers: EL1&0 (TTBR0/TTBR1_EL1), or EL2/EL3 (one
    # TTBR0_ELx, no ASIDs); CurrentEL is the regime's EL, so code that branches on it
    # (switch_el, EL1_OR_EL2) takes the one path the scenario runs
    el = env.regime.el
    sfx = f"el{el}"
    ttbr0 = spec.get("ttbr0", "idmap" if idmap_root is not None else None)
    if ttbr0 is not None:
        sysregs[f"ttbr0_{sfx}"] = (env.eval(ttbr0, "cpu", si, "ttbr0") if ttbr0 != "idmap"
                                   else idmap_root.pa)
    if el == 1:
        if "ttbr1" in spec:
            sysregs["ttbr1_el1"] = env.eval(spec["ttbr1"], "cpu", si, "ttbr1")
        else:
            sysregs["ttbr1_el1"] = 0
    elif "ttbr1" in spec:
        raise loc.error(f"cpu {c}: the EL{el} regime has one TTBR (ttbr0); ttbr1 is EL1 only",
                        "cpu", si, "ttbr1")
    mmu = spec.get("mmu", True)
    sysregs[f"sctlr_{sfx}"] = env.eval(spec.get("sctlr", 0x30d0198d if mmu else 0x30d00980),
                                       "cpu", si, "sctlr")
    if not mmu:
        sysregs[f"sctlr_{sfx}"] &= ~1
    tcr = env.eval(spec.get("tcr", 0), "cpu", si, "tcr")
    if el == 1 and "tcr" in spec and bool(tcr >> 22 & 1) != env.regime.a1:
        raise loc.error(f"cpu {c}: tcr has A1 (bit 22) = {tcr >> 22 & 1}, but [regime] a1 is "
                        f"{str(env.regime.a1).lower()}: set the regime's a1, which every walk "
                        f"uses", "cpu", si, "tcr")
    sysregs[f"tcr_{sfx}"] = tcr | (1 << 22 if env.regime.a1 else 0)
    sysregs["currentel"] = el << 2
    for k, v in spec.get("sysregs", {}).items():
        sysregs[k.lower()] = env.eval(v, "cpu", si, k)
    sp = spec.get("sp")
    if sp is None:
        sp_pa = layout.alloc()
        sp = sp_pa + PAGE
    else:
        sp = env.eval(sp, "cpu", si, "sp")
    return CpuSetup(cpu=c, entry=entry, regs=regs, sp=V.const(sp, 64),
                    sysregs={k: V.const(v, 64) for k, v in sysregs.items()},
                    role=spec.get("role", ""))


def _tracked_vas(layout: Layout, regime: Regime, setups, memory) -> list[int]:
    """Representative VAs for every modelled descriptor slot reachable from a TTBR:
    for each path of indices through declared tables, the VA with those indices."""
    by_pa = {t.pa: t for t in layout.tables.values()}
    out: set[int] = set()

    def children(v):
        alts = [v] if isinstance(v, int) else sorted(layout.domains.get(
            V.to_z3(v).decl().name(), []))
        return alts

    def walk(t: Table, idx: list, upper: bool, depth=0):
        if depth > 4:
            return
        for i in sorted(t.entries):
            path = idx + [i]
            out.add(make_va(regime, path, 0, upper))
            for alt in children(t.entries[i]):
                if t.level < 3 and alt & 3 == 3:
                    child = by_pa.get(alt & ((1 << 48) - 1) & ~0xfff)
                    if child is not None:
                        walk(child, path, upper, depth + 1)
    roots = set()
    regs = ((("ttbr0_el1", False), ("ttbr1_el1", True)) if regime.el == 1
            else ((f"ttbr0_el{regime.el}", False),))
    for c in setups:
        for reg, upper in regs:
            v = c.sysregs.get(reg)
            if v is not None and V.is_concrete(v):
                pa = V.as_int(v) & ((1 << 48) - 1) & ~0xfff
                if pa in by_pa:
                    roots.add((pa, upper))
    for t in layout.tables.values():
        if t.level == regime.start_level:
            if regime.el == 1:
                roots.add((t.pa, True))
            roots.add((t.pa, False))
    for pa, upper in roots:
        walk(by_pa[pa], [], upper)
    return sorted(out)


def _entries_text(trees, regime) -> str:
    for tr in trees:
        if isinstance(tr.get("entries"), list):
            return "/".join(map(str, tr["entries"])) + " (per level)"
    return str(regime.entries)


def _geometry(regime: Regime, layout: Layout, trees=()) -> str:
    n = len(layout.tables)
    sym = len(layout.domains)
    lists = [tr["entries"] for tr in trees if isinstance(tr.get("entries"), list)]
    if lists:
        per = (f"{'/'.join(map(str, lists[0]))} of 512 entries modelled per table at "
               f"each level from the root (the others invalid)")
    else:
        per = (f"{regime.entries} of 512 entries modelled per table (the others invalid)"
               if regime.entries < 512 else "512 entries per table")
    return f"{per}, {n} tables, {sym} symbolic descriptors"


POST_KEYS = {"expr": {"expr"}, "tree_ng": {"tree"}, "sysreg": {"reg", "value", "in_effect"},
             "unchanged": {"except", "except_tables", "except_trees"},
             "no_global_entries": {"tree"}, "no_entries_from": {"tables", "asid"}}
TREE_KEYS = {"name", "entries", "kinds", "global", "root_level", "attrs"}


def _postcondition(p: dict, env: Env, layout: Layout, scen: Scenario, loc, i) -> Postcondition:
    from . import post as POST
    kind = p.get("check", "expr")
    name = p.get("name", kind)
    try:
        pc = POST.make(kind, p, env, layout, scen, name)
    except SpecError:
        raise
    except SyntaxError as e:
        raise loc.error(f"postcondition {name}: not an expression: {e.msg}", "post", i, "expr")
    except (ValueError, KeyError, TypeError) as e:
        raise loc.error(f"postcondition {name}: {e}", "post", i, "check" if kind != "expr"
                        else "expr")
    # (after the kind's own errors: a key of another kind left behind is reported once
    # the kind itself is right)
    known = POST_KEYS.get(kind, set()) | {"name", "check"}
    for k in p:
        if k not in known:
            raise loc.error(f"postcondition {name}: unknown key {k!r} for check = {kind!r} "
                            f"(known: {', '.join(sorted(known))})", "post", i, k)
    for t in p.get("except_tables", []) if kind == "unchanged" else []:
        if t not in layout.tables:
            raise loc.error(f"postcondition {name}: no table named {t!r}", "post", i,
                            "except_tables")
    return pc

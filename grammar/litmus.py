"""herd7's AArch64 litmus format, as Arm's VMSA catalogue writes it.

    test = parse_litmus(text, filename)      # -> LitmusTest (or FrontEndError file:line)
    test = load_litmus(path)

A litmus file is

    AArch64 NAME
    "optional doc string"          (* comments, possibly nested, anywhere *)
    Variant=vmsa,ets2              key=value lines: Variant, TTHM, EL0, Hash, ...
    { init: items separated by ';' }
     P0          | P1          ;  thread header (a column `P1.F` is P1's fault handler)
     STR X1,[X0] | LDR W2,[X3] ;  rows, ';'-terminated, columns separated by '|'
    L0:          |             ;  labels, alone or before an instruction
    locations [0:X2; x;]           optional
    filter (...)                   optional
    exists (...)                   or ~exists, forall

Init items: `0:X1=x` (a VA), `0:X0=PTE(x)` / `pte_x` / `TTD(x)` (the address of x's
last-level descriptor), `PA(x)` / `phy_x` (x's physical page), page-table-entry
values `(oa:PA(y), valid:0, af:0, db:1, dbm:0, el0:1, attrs:(...))`, typed items
(`int x=1`, `pteval_t 0:X1=(...)`, `int *p=&z`, `int x[3]={0,0,0}`), memory
`[x]=1` / `x=1`, descriptors `[PTE(x)]=(...)` / `pte_x=(...)` / `TTD(x)=(...)`.

Conditions: `/\\`, `\\/`, `~` / `not`, parentheses, `true`/`false`, register atoms
`0:X3=2` (also `P0:X3`), memory atoms `[x]=1` / `x=1` / `pte_x=(...)` /
`[PTE(x)]=(...)`, fault atoms `fault(P0:L0,x,MMU:Translation)`, `fault(P0,x)`,
`Fault(P1:L0)`.

This module only reads the format: it knows nothing of our machine.  The mapping
onto a Scenario is specs/litmus.py.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import FrontEndError

# ============================================================== values and locations


@dataclass(frozen=True)
class Sym:
    """The virtual address of variable `name` (herd: `x`)."""
    name: str

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class PteAddr:
    """The address of the last-level descriptor mapping `of` (herd: `PTE(x)`, `pte_x`,
    `TTD(x)`); `of` is a Sym or, for `PTE(PTE(x))`, another PteAddr."""
    of: object

    def __str__(self):
        return f"PTE({self.of})"


@dataclass(frozen=True)
class PhysAddr:
    """The physical page of variable `name` (herd: `PA(x)`, `phy_x`)."""
    name: str

    def __str__(self):
        return f"PA({self.name})"


@dataclass(frozen=True)
class LabelVal:
    """The address of a code label (herd: `label:"P1:L0"`)."""
    proc: int
    label: str

    def __str__(self):
        return f'label:"P{self.proc}:{self.label}"'


PTE_FIELDS = ("valid", "af", "db", "dbm", "el0")
PTE_DEFAULTS = {"valid": 1, "af": 1, "db": 1, "dbm": 0, "el0": 1}


@dataclass(frozen=True)
class PteVal:
    """A page-table-entry value: output address and the fields herd names.  A field
    absent here has herd's default (valid 1, af 1, db 1, dbm 0, el0 1)."""
    oa: object = None                      # PhysAddr | PteAddr | None (the default)
    fields: tuple = ()                     # ((name, int), ...) as written
    attrs: tuple = ()

    def get(self, name: str) -> int:
        return dict(self.fields).get(name, PTE_DEFAULTS[name])

    def __str__(self):
        parts = [f"oa:{self.oa}"] if self.oa is not None else []
        parts += [f"{k}:{v}" for k, v in self.fields]
        if self.attrs:
            parts.append("attrs:(" + ",".join(self.attrs) + ")")
        return "(" + ", ".join(parts) + ")"


@dataclass(frozen=True)
class ArrayVal:
    items: tuple

    def __str__(self):
        return "{" + ",".join(str(i) for i in self.items) + "}"


@dataclass(frozen=True)
class RegLoc:
    proc: int
    reg: str          # canonical upper case: 'X3'

    def __str__(self):
        return f"{self.proc}:{self.reg}"


@dataclass(frozen=True)
class MemLoc:
    """A memory location: the data of a variable (`x`, `[x]`: herd means its
    physical page) or a descriptor (`PTE(x)`, `[PTE(x)]`, `pte_x`, `TTD(x)`)."""
    target: object    # Sym | PteAddr | PhysAddr

    def __str__(self):
        return f"[{self.target}]"


# ============================================================== the test


@dataclass
class InitItem:
    loc: object                 # RegLoc | MemLoc | None (a bare declaration `int x`)
    value: object               # int | Sym | PteAddr | PhysAddr | PteVal | LabelVal | ArrayVal | None
    ctype: str | None
    line: int
    decl: str | None = None     # declared variable of a bare declaration


@dataclass
class Thread:
    proc: int
    name: str                   # 'P0', or 'P1.F' for a fault handler
    handler: bool
    code: list = field(default_factory=list)   # [(line, text)] instructions and labels
    labels: dict = field(default_factory=dict) # label -> line


# propositions
@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


@dataclass(frozen=True)
class Not:
    p: object


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Eq:
    loc: object       # RegLoc | MemLoc
    value: object
    line: int = 0


@dataclass(frozen=True)
class Fault:
    proc: int
    label: str | None
    target: object     # Sym | None
    kind: str | None   # 'MMU:Translation', 'MMU:AccessFlag', 'MMU:Permission', ...
    line: int = 0

    def __str__(self):
        s = f"P{self.proc}" + (f":{self.label}" if self.label else "")
        if self.target is not None:
            s += f",{self.target}"
        if self.kind:
            s += f",{self.kind}"
        return f"fault({s})"


@dataclass
class Condition:
    quantifier: str              # 'exists' | '~exists' | 'forall'
    prop: object
    line: int
    text: str = ""


@dataclass
class LitmusTest:
    file: str
    arch: str
    name: str
    doc: str = ""
    info: dict = field(default_factory=dict)          # key -> (value, line)
    init: list = field(default_factory=list)
    threads: list = field(default_factory=list)       # list[Thread], handlers included
    locations: list = field(default_factory=list)
    filter: object = None
    condition: Condition | None = None
    header_line: int = 1

    @property
    def variants(self) -> list[str]:
        out = []
        for k, (v, _) in self.info.items():
            if k.lower() == "variant":
                out += [x.strip().lower() for x in re.split(r"[,\s]+", v) if x.strip()]
        return out

    def info_value(self, key: str):
        for k, (v, _) in self.info.items():
            if k.lower() == key.lower():
                return v
        return None

    @property
    def procs(self) -> list[Thread]:
        return [t for t in self.threads if not t.handler]

    def symbols(self) -> list[str]:
        """Every variable the test names, in order of first appearance."""
        seen: list[str] = []

        def add(n):
            if n not in seen:
                seen.append(n)

        def walk(v):
            if isinstance(v, Sym) or isinstance(v, PhysAddr):
                add(v.name)
            elif isinstance(v, PteAddr):
                walk(v.of)
            elif isinstance(v, PteVal):
                walk(v.oa)
            elif isinstance(v, MemLoc):
                walk(v.target)
            elif isinstance(v, ArrayVal):
                for i in v.items:
                    walk(i)
            elif isinstance(v, (And, Or)):
                for p in v.parts:
                    walk(p)
            elif isinstance(v, Not):
                walk(v.p)
            elif isinstance(v, Eq):
                walk(v.loc)
                walk(v.value)
            elif isinstance(v, Fault):
                walk(v.target)
        for it in self.init:
            if it.decl:
                add(it.decl)
            walk(it.loc)
            walk(it.value)
        for loc in self.locations:
            walk(loc)
        if self.filter is not None:
            walk(self.filter)
        if self.condition is not None:
            walk(self.condition.prop)
        return seen


# ============================================================== lexical helpers

def strip_comments(text: str, filename: str) -> str:
    """Replace `(* ... *)` comments (nested) by spaces, keeping newlines."""
    out = []
    depth = 0
    i, n = 0, len(text)
    line = 1
    start_line = 0
    while i < n:
        c = text[i]
        if text.startswith("(*", i):
            if depth == 0:
                start_line = line
            depth += 1
            out.append("  ")
            i += 2
            continue
        if depth and text.startswith("*)", i):
            depth -= 1
            out.append("  ")
            i += 2
            continue
        if c == "\n":
            line += 1
            out.append(c)
        elif depth:
            out.append(" " if c != "\t" else "\t")
        else:
            out.append(c)
        i += 1
    if depth:
        raise FrontEndError("unterminated comment `(*`", file=filename, line=start_line)
    return "".join(out)


_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<and>/\\)
  | (?P<or>\\/)
  | (?P<str>"[^"\n]*")
  | (?P<num>-?(?:0x[0-9a-fA-F]+|\d+)(?![A-Za-z_]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<punct>[{}\[\]();,:=~&*|<>+-])
""", re.X)


@dataclass
class Tok:
    kind: str
    text: str
    line: int


def tokenize(text: str, filename: str, line0: int) -> list[Tok]:
    toks = []
    i, line = 0, line0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            raise FrontEndError(f"unexpected character {text[i]!r}", file=filename, line=line)
        kind = m.lastgroup
        s = m.group()
        if kind != "ws":
            toks.append(Tok(kind, s, line))
        line += s.count("\n")
        i = m.end()
    return toks


class _Stream:
    def __init__(self, toks, filename, end_line):
        self.toks = toks
        self.i = 0
        self.file = filename
        self.end_line = end_line

    def peek(self, k=0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def at(self, text, k=0) -> bool:
        t = self.peek(k)
        return t is not None and t.text == text

    def at_ci(self, text, k=0) -> bool:
        t = self.peek(k)
        return t is not None and t.text.lower() == text.lower()

    def next(self) -> Tok:
        t = self.peek()
        if t is None:
            self.error("unexpected end of input")
        self.i += 1
        return t

    def expect(self, text) -> Tok:
        t = self.peek()
        if t is None or t.text != text:
            self.error(f"expected `{text}`" + (f", found `{t.text}`" if t else " at the end"))
        self.i += 1
        return t

    def line(self) -> int:
        t = self.peek()
        return t.line if t else self.end_line

    def error(self, msg):
        raise FrontEndError(msg, file=self.file, line=self.line())

    def done(self) -> bool:
        return self.i >= len(self.toks)


_REG = re.compile(r"^[XxWw](\d{1,2})$|^(?:SP|sp|XZR|xzr|WZR|wzr)$")
_CTYPES = {"int", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t",
           "uint32_t", "uint64_t", "intptr_t", "uintptr_t", "pteval_t", "char", "short",
           "long", "unsigned", "signed", "int128_t", "uint128_t"}
_PTE_FUNCS = {"PTE": "pte", "TTD": "pte", "PA": "pa"}


def _canon_reg(name: str, s: _Stream) -> str:
    m = _REG.match(name)
    if not m:
        s.error(f"`{name}` is not a register")
    if m.group(1) is not None:
        n = int(m.group(1))
        if n > 30:
            s.error(f"no register {name}")
        return f"X{n}"            # herd: W<n> and X<n> name one register
    return name.upper()


# ============================================================== values

def _parse_addr_name(s: _Stream):
    """A name in an address position: x, pte_x, phy_x, PTE(x), PA(x), TTD(x)."""
    t = s.next()
    if t.kind != "name":
        s.i -= 1
        s.error(f"expected a location, found `{t.text}`")
    name = t.text
    if name in _PTE_FUNCS and s.at("("):
        s.next()
        inner = _parse_addr_name(s)
        s.expect(")")
        if _PTE_FUNCS[name] == "pte":
            if isinstance(inner, PhysAddr):
                s.error(f"{name}(PA(...)) is not a location")
            return PteAddr(inner)
        if not isinstance(inner, Sym):
            s.error("PA(...) takes a variable name")
        return PhysAddr(inner.name)
    if name.startswith("pte_") and len(name) > 4:
        return PteAddr(Sym(name[4:]))
    if name.startswith("phy_") and len(name) > 4:
        return PhysAddr(name[4:])
    return Sym(name)


def _parse_pteval(s: _Stream) -> PteVal:
    s.expect("(")
    oa = None
    fields = []
    attrs = []
    seen = set()
    while True:
        if s.at(")"):
            s.next()
            break
        t = s.next()
        key = t.text.lower()
        if t.kind != "name":
            s.i -= 1
            s.error(f"expected a page-table-entry field, found `{t.text}`")
        s.expect(":")
        if key in seen:
            s.i -= 2
            s.error(f"field `{key}` given twice")
        seen.add(key)
        if key == "oa":
            oa = _parse_addr_name(s)
            if isinstance(oa, Sym):
                s.error(f"oa:{oa.name}: an output address is PA(x) or phy_x")
        elif key in PTE_FIELDS:
            v = s.next()
            if v.kind != "num" or int(v.text, 0) not in (0, 1):
                s.i -= 1
                s.error(f"page-table-entry field `{key}` takes 0 or 1")
            fields.append((key, int(v.text, 0)))
        elif key == "attrs":
            s.expect("(")
            while not s.at(")"):
                a = s.next()
                if a.kind not in ("name", "num"):
                    s.i -= 1
                    s.error(f"bad attribute `{a.text}`")
                attrs.append(a.text)
                if s.at(","):
                    s.next()
            s.expect(")")
        else:
            s.i -= 2
            s.error(f"unknown page-table-entry field `{t.text}` (herd knows oa, valid, af, "
                    f"db, dbm, el0, attrs)")
        if s.at(","):
            s.next()
        elif not s.at(")"):
            s.error("expected `,` or `)` in a page-table-entry value")
    return PteVal(oa, tuple(fields), tuple(attrs))


def _parse_value(s: _Stream):
    t = s.peek()
    if t is None:
        s.error("expected a value")
    if t.kind == "num":
        s.next()
        return int(t.text, 0)
    if t.text == "-" and s.peek(1) is not None and s.peek(1).kind == "num":
        s.next()
        return -int(s.next().text, 0)
    if t.text == "(":
        return _parse_pteval(s)
    if t.text == "&":
        s.next()
        v = _parse_addr_name(s)
        if not isinstance(v, Sym):
            s.error("`&` takes a variable name")
        return v
    if t.text == "{":
        s.next()
        items = []
        while not s.at("}"):
            items.append(_parse_value(s))
            if s.at(","):
                s.next()
            elif not s.at("}"):
                s.error("expected `,` or `}` in an array value")
        s.next()
        return ArrayVal(tuple(items))
    if t.kind == "name" and t.text == "label" and s.at(":", 1):
        s.next()
        s.next()
        st = s.next()
        if st.kind != "str":
            s.i -= 1
            s.error('expected label:"P<n>:<label>"')
        m = re.fullmatch(r'"P(\d+):(\w+)"', st.text)
        if not m:
            s.i -= 1
            s.error(f"bad label value {st.text}")
        return LabelVal(int(m.group(1)), m.group(2))
    if t.kind == "name":
        return _parse_addr_name(s)
    s.error(f"expected a value, found `{t.text}`")


def _parse_location(s: _Stream):
    """A register `0:X1` / `P0:X1`, or a memory location `x`, `[x]`, `pte_x`,
    `PTE(x)`, `[PTE(x)]`, `TTD(x)`."""
    t = s.peek()
    if t is None:
        s.error("expected a location")
    if t.kind == "num" and s.at(":", 1):
        proc = int(s.next().text, 0)
        s.next()
        r = s.next()
        return RegLoc(proc, _canon_reg(r.text, s))
    if t.kind == "name" and re.fullmatch(r"P\d+", t.text) and s.at(":", 1):
        p = s.peek(2)
        if p is not None and _REG.match(p.text):
            proc = int(s.next().text[1:])
            s.next()
            return RegLoc(proc, _canon_reg(s.next().text, s))
    if t.text == "[":
        s.next()
        v = _parse_addr_name(s)
        s.expect("]")
        return MemLoc(v)
    if t.text == "*":
        s.error("`*p` locations are not supported")
    if t.kind == "name":
        return MemLoc(_parse_addr_name(s))
    s.error(f"expected a location, found `{t.text}`")


# ============================================================== init block

def _parse_init(s: _Stream) -> list[InitItem]:
    items = []
    while not s.done():
        if s.at(";"):
            s.next()
            continue
        line = s.line()
        ctype = None
        # C-like types: `int`, `uint64_t`, `pteval_t`, `unsigned int` ...
        while s.peek() is not None and s.peek().kind == "name" and s.peek().text in _CTYPES \
                and not s.at(":", 1) and not s.at("=", 1):
            ctype = (ctype + " " if ctype else "") + s.next().text
        pointer = False
        if ctype and s.at("*"):
            s.next()
            pointer = True
            ctype += "*"
        loc = _parse_location(s)
        if pointer and not (isinstance(loc, MemLoc) and isinstance(loc.target, Sym)):
            s.error("a pointer declaration names a variable")
        if ctype and s.at("["):
            # array: int x[3]
            s.next()
            n = s.next()
            if n.kind != "num":
                s.i -= 1
                s.error("expected an array size")
            s.expect("]")
            ctype += f"[{int(n.text, 0)}]"
        if s.at("="):
            s.next()
            value = _parse_value(s)
        else:
            # a typed declaration, or (herd accepts it) a bare variable name
            if ctype is None and not (isinstance(loc, MemLoc) and isinstance(loc.target, Sym)):
                s.error("an init item is `location=value` or a declaration")
            value = None
        decl = None
        if isinstance(loc, MemLoc) and isinstance(loc.target, Sym) and value is None:
            decl = loc.target.name
        items.append(InitItem(loc, value, ctype, line, decl))
        if not s.done() and not s.at(";"):
            s.error("expected `;` between init items")
    return items


# ============================================================== propositions

def _parse_fault(s: _Stream, line: int) -> Fault:
    s.next()                       # fault / Fault
    s.expect("(")
    t = s.next()
    m = re.fullmatch(r"P(\d+)", t.text)
    if not m:
        s.i -= 1
        s.error(f"fault(...) starts with a thread P<n>, found `{t.text}`")
    proc = int(m.group(1))
    label = None
    target = None
    kind = None
    if s.at(":"):
        s.next()
        lab = s.next()
        if lab.kind != "name":
            s.i -= 1
            s.error("expected a label after `P<n>:`")
        label = lab.text
    while s.at(","):
        s.next()
        t = s.peek()
        if t is not None and t.kind == "name" and s.at(":", 1):
            # a fault type: MMU:Translation, TagCheck, ...
            a = s.next().text
            s.next()
            b = s.next().text
            kind = f"{a}:{b}"
        elif t is not None and t.kind == "name" and t.text in ("TagCheck", "UndefinedInstruction",
                                                               "Exclusive", "MMU"):
            kind = s.next().text
        else:
            v = _parse_addr_name(s)
            target = v
    s.expect(")")
    return Fault(proc, label, target, kind, line)


def _parse_atom(s: _Stream):
    t = s.peek()
    if t is None:
        s.error("expected a condition")
    line = t.line
    if t.kind == "name" and t.text.lower() == "fault" and s.at("(", 1):
        return _parse_fault(s, line)
    if t.kind == "name" and t.text.lower() in ("true", "false") and not s.at("=", 1):
        s.next()
        return Const(t.text.lower() == "true")
    loc = _parse_location(s)
    if s.at("<") and s.at(">", 1):
        s.next()
        s.next()
        return Not(Eq(loc, _parse_value(s), line))
    s.expect("=")
    val = _parse_value(s)
    return Eq(loc, val, line)


def _parse_unary(s: _Stream):
    if s.at("~"):
        s.next()
        return Not(_parse_unary(s))
    if s.at("not") and s.at("(", 1):
        s.next()
        return Not(_parse_unary(s))
    if s.at("("):
        s.next()
        p = _parse_or(s)
        s.expect(")")
        return p
    return _parse_atom(s)


def _parse_and(s: _Stream):
    parts = [_parse_unary(s)]
    while s.peek() is not None and s.peek().kind == "and":
        s.next()
        parts.append(_parse_unary(s))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _parse_or(s: _Stream):
    parts = [_parse_and(s)]
    while s.peek() is not None and s.peek().kind == "or":
        s.next()
        parts.append(_parse_and(s))
    return parts[0] if len(parts) == 1 else Or(tuple(parts))


def _parse_tail(s: _Stream, test: LitmusTest):
    """locations [...], filter ..., then the quantified condition."""
    while not s.done():
        t = s.peek()
        if t.kind == "name" and t.text == "locations":
            s.next()
            s.expect("[")
            while not s.at("]"):
                if s.at(";"):
                    s.next()
                    continue
                t2 = s.peek()
                if t2 is not None and t2.kind == "name" and t2.text.lower() == "fault":
                    test.locations.append(_parse_fault(s, t2.line))
                else:
                    test.locations.append(_parse_location(s))
            s.next()
            continue
        if t.kind == "name" and t.text == "filter":
            s.next()
            test.filter = _parse_or(s)
            continue
        break
    if s.done():
        # herd: a test without a final condition observes its locations (`forall true`)
        test.condition = Condition("forall", Const(True), s.end_line, "forall true")
        return
    line = s.line()
    start = s.i
    if s.at("~") and s.at("exists", 1):
        s.next()
        s.next()
        q = "~exists"
    elif s.at("exists"):
        s.next()
        q = "exists"
    elif s.at("forall"):
        s.next()
        q = "forall"
    else:
        s.error(f"expected exists, ~exists or forall, found `{s.peek().text}`")
    prop = _parse_or(s)
    if not s.done():
        s.error(f"unexpected `{s.peek().text}` after the final condition")
    text = " ".join(t.text for t in s.toks[start:])
    test.condition = Condition(q, prop, line, text)


# ============================================================== the file

_LABEL = re.compile(r"^\s*([A-Za-z_.$][\w.$]*)\s*:\s*(.*)$")


def parse_litmus(text: str, filename: str = "<litmus>") -> LitmusTest:
    text = text.replace("\r\n", "\n")
    clean = strip_comments(text, filename)
    lines = clean.split("\n")
    # header: the first non-empty line
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        raise FrontEndError("empty litmus file", file=filename, line=1)
    head = lines[i].split()
    if len(head) < 2:
        raise FrontEndError("the first line is `<arch> <test name>`", file=filename, line=i + 1)
    arch = head[0]
    if arch != "AArch64":
        raise FrontEndError(f"architecture `{arch}` is not supported (only AArch64)",
                            file=filename, line=i + 1)
    test = LitmusTest(file=filename, arch=arch, name=head[1], header_line=i + 1)
    if len(head) > 2:
        raise FrontEndError(f"unexpected `{head[2]}` after the test name", file=filename,
                            line=i + 1)
    i += 1
    # doc strings and key=value lines up to `{`
    docs = []
    while i < len(lines):
        ln = lines[i].strip()
        if not ln:
            i += 1
            continue
        if ln.startswith("{"):
            break
        if ln.startswith('"'):
            if not ln.endswith('"') or len(ln) < 2:
                raise FrontEndError("unterminated doc string", file=filename, line=i + 1)
            docs.append(ln[1:-1])
            i += 1
            continue
        m = re.fullmatch(r"([A-Za-z][\w.-]*)\s*=\s*(.*)", ln)
        if m:
            test.info[m.group(1)] = (m.group(2).strip(), i + 1)
            i += 1
            continue
        raise FrontEndError(f"expected `key=value`, a doc string or `{{`, found `{ln}`",
                            file=filename, line=i + 1)
    test.doc = "\n".join(docs)
    if i == len(lines):
        raise FrontEndError("no init block `{ ... }`", file=filename, line=len(lines))
    # the init block: from `{` to the matching `}`
    start_line = i + 1
    rest = "\n".join(lines[i:])
    depth = 0
    end = None
    for j, c in enumerate(rest):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                end = j
                break
    if end is None:
        raise FrontEndError("the init block `{` is not closed", file=filename, line=start_line)
    body = rest[1:end]
    end_line = start_line + rest[:end].count("\n")
    s = _Stream(tokenize(body, filename, start_line), filename, end_line)
    test.init = _parse_init(s)
    after = rest[end + 1:]
    after_line = end_line
    # the code: header row, then rows, until the condition section
    code_lines = after.split("\n")
    k = 0
    if code_lines and not code_lines[0].strip():
        k = 1
    else:
        if code_lines[0].strip():
            raise FrontEndError("unexpected text after the init block's `}`", file=filename,
                                line=after_line)
        k = 1
    while k < len(code_lines) and not code_lines[k].strip():
        k += 1
    if k == len(code_lines):
        raise FrontEndError("no thread code after the init block", file=filename,
                            line=after_line)
    hline = after_line + k
    header = code_lines[k].strip()
    if not header.endswith(";"):
        raise FrontEndError("the thread header row `P0 | P1 ... ;` must end with `;`",
                            file=filename, line=hline)
    names = [c.strip() for c in header[:-1].split("|")]
    threads = []
    for col, nm in enumerate(names):
        m = re.fullmatch(r"P(\d+)(\.F)?", nm)
        if not m:
            raise FrontEndError(f"bad thread name `{nm}` (expected P<n> or P<n>.F)",
                                file=filename, line=hline)
        threads.append(Thread(int(m.group(1)), nm, bool(m.group(2))))
    procs = [t.proc for t in threads if not t.handler]
    if procs != list(range(len(procs))):
        raise FrontEndError("threads must be P0, P1, ... in order", file=filename, line=hline)
    k += 1
    cond_start = None
    while k < len(code_lines):
        raw = code_lines[k]
        ln = raw.strip()
        lno = after_line + k
        if not ln:
            k += 1
            continue
        if re.match(r"(~\s*)?(exists|forall|locations|filter)\b", ln) or ln.startswith("~"):
            cond_start = k
            break
        if not ln.endswith(";"):
            raise FrontEndError("a code row must end with `;` (or this is not a final "
                                "condition: exists / ~exists / forall)", file=filename,
                                line=lno)
        cells = ln[:-1].split("|")
        if len(cells) > len(threads):
            raise FrontEndError(f"{len(cells)} columns, but {len(threads)} threads",
                                file=filename, line=lno)
        for col, cell in enumerate(cells):
            c = cell.strip()
            if ";" in c:
                raise FrontEndError("`;` inside a code cell", file=filename, line=lno)
            th = threads[col]
            while c:
                m = _LABEL.match(c)
                if m:
                    lab = m.group(1)
                    if lab in th.labels:
                        raise FrontEndError(f"label `{lab}` defined twice in {th.name}",
                                            file=filename, line=lno)
                    th.labels[lab] = lno
                    th.code.append((lno, lab + ":"))
                    c = m.group(2).strip()
                    continue
                th.code.append((lno, c))
                break
        k += 1
    test.threads = threads
    if cond_start is None:
        cond_start = len(code_lines)
    tail = "\n".join(code_lines[cond_start:])
    s = _Stream(tokenize(tail, filename, after_line + cond_start), filename,
                after_line + len(code_lines) - 1)
    _parse_tail(s, test)
    _check(test)
    return test


def _check(test: LitmusTest):
    """Cross-references: registers name threads that exist, labels exist."""
    nprocs = len(test.procs)
    byproc = {t.proc: t for t in test.procs}

    def chk_reg(loc, line):
        if isinstance(loc, RegLoc) and loc.proc >= nprocs:
            raise FrontEndError(f"register {loc} of a thread the test does not have",
                                file=test.file, line=line)

    for it in test.init:
        chk_reg(it.loc, it.line)
        if isinstance(it.value, LabelVal) and it.value.label not in byproc.get(
                it.value.proc, Thread(0, "", False)).labels:
            raise FrontEndError(f"no label {it.value.label} in P{it.value.proc}",
                                file=test.file, line=it.line)

    def walk(p):
        if isinstance(p, (And, Or)):
            for q in p.parts:
                walk(q)
        elif isinstance(p, Not):
            walk(p.p)
        elif isinstance(p, Eq):
            chk_reg(p.loc, p.line)
        elif isinstance(p, Fault):
            if p.proc >= nprocs:
                raise FrontEndError(f"fault of P{p.proc}, a thread the test does not have",
                                    file=test.file, line=p.line)
            if p.label is not None and p.label not in byproc[p.proc].labels:
                raise FrontEndError(f"no label {p.label} in P{p.proc}", file=test.file,
                                    line=p.line)
    if test.filter is not None:
        walk(test.filter)
    walk(test.condition.prop)


def pretty(p, top: bool = True) -> str:
    """A proposition, value or location in herd's syntax."""
    if isinstance(p, And):
        s = " /\\ ".join(pretty(q, False) for q in p.parts)
        return s if top else f"({s})"
    if isinstance(p, Or):
        s = " \\/ ".join(pretty(q, False) for q in p.parts)
        return s if top else f"({s})"
    if isinstance(p, Not):
        return "~" + pretty(p.p, False)
    if isinstance(p, Const):
        return "true" if p.value else "false"
    if isinstance(p, Eq):
        return f"{pretty(p.loc)}={pretty(p.value)}"
    if isinstance(p, MemLoc):
        return f"[{pretty(p.target)}]"
    return str(p)


def condition_text(test: LitmusTest) -> str:
    c = test.condition
    return f"{c.quantifier} ({pretty(c.prop)})"


def load_litmus(path) -> LitmusTest:
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise FrontEndError(f"cannot read {path}: {e.strerror}", file=path) from None
    return parse_litmus(text, path)


# ============================================================== kinds files

KIND_WORDS = {"allowed": "Allowed", "allow": "Allowed", "forbidden": "Forbidden",
              "forbid": "Forbidden", "required": "Required", "require": "Required"}


def read_kinds(path) -> tuple[dict[str, str], list[str]]:
    """A herd kinds file: `NAME KIND [# comment]` per line (KIND: Allowed / Forbidden /
    Required, or Allow / Forbid / Require); `#` starts a comment.  Names given twice
    keep their last kind.  Lines that are not `NAME KIND` are skipped and returned as
    `file:line: warning` messages (Arm's own file has one)."""
    path = os.fspath(path)
    out: dict[str, str] = {}
    warnings: list[str] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise FrontEndError(f"cannot read {path}: {e.strerror}", file=path) from None
    for n, ln in enumerate(lines, 1):
        ln = ln.split("#", 1)[0].strip()
        if not ln:
            continue
        parts = ln.split()
        k = KIND_WORDS.get(parts[1].lower()) if len(parts) >= 2 else None
        if k is None:
            warnings.append(f"{path}:{n}: warning: not `NAME KIND`, skipped: {ln}")
            continue
        out[parts[0]] = k
    return out, warnings


def load_kinds(path) -> dict[str, str]:
    return read_kinds(path)[0]


def expand_test_list(path) -> list[str]:
    """The litmus files a herd `@file` list names (lines: files or nested `@lists`,
    relative to the list's folder; `#` comments)."""
    path = os.fspath(path)
    out: list[str] = []
    seen = set()

    def rd(p, depth=0):
        if depth > 20 or p in seen:
            return
        seen.add(p)
        d = os.path.dirname(p)
        try:
            with open(p, encoding="utf-8", errors="replace") as f:
                lines = f.read().split("\n")
        except OSError as e:
            raise FrontEndError(f"cannot read {p}: {e.strerror}", file=p) from None
        for ln in lines:
            ln = ln.split("#", 1)[0].strip()
            if not ln:
                continue
            q = os.path.normpath(os.path.join(d, ln))
            if os.path.basename(ln).startswith("@"):
                rd(q, depth + 1)
            else:
                out.append(q)
    rd(path)
    return out


__all__ = ["parse_litmus", "load_litmus", "pretty", "condition_text", "load_kinds", "read_kinds", "expand_test_list", "LitmusTest",
           "Thread", "InitItem", "Condition", "Sym", "PteAddr", "PhysAddr", "PteVal",
           "LabelVal", "ArrayVal", "RegLoc", "MemLoc", "And", "Or", "Not", "Const", "Eq",
           "Fault", "PTE_DEFAULTS", "PTE_FIELDS"]

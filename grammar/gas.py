"""The GNU as macro language and assembler state: from statements to a Program.

This is the stage between the scrubbed statements (grammar/scrub.py) and the
Program IR (grammar/program.py).  It does what gas does with a source file, in the
same order, so that offsets and addresses agree with `aarch64-linux-gnu-as`:

* statements: labels (`foo:`, `.Lfoo:`, numeric `1:`), `sym = expr`, `name .req reg`,
  directives, macro invocations, instructions;
* macros: `.macro/.endm` with positional and `name=value` arguments, defaults,
  `:req`, `:vararg`, `\\arg`, `\\()`, `\\@`, `.exitm`, `.purgem`; `.rept`, `.irp`,
  `.irpc`; macro names are case-insensitive, parameters are not;
* `.req/.unreq` aliases (chains resolve at definition, like gas);
* conditionals `.if/.elseif/.else/.endif` and the `.ifc/.ifnc/.ifeqs/.ifnes/.ifb/
  .ifnb/.ifdef/.ifndef/.ifeq/.ifne/.iflt/.ifle/.ifgt/.ifge` family;
* symbols: `.set/.equ/=/.equiv/.eqv` (also aliases of labels defined later),
  `.globl/.weak/.local/.hidden`, `.type`, `.size`;
* sections: `.section/.pushsection/.popsection/.previous/.text/.data/.bss`;
* layout: instructions are 4 bytes, 4-byte aligned; `.align/.balign/.p2align` pad
  code sections with zeros up to a multiple of 4 and then `nop`s, other sections with
  zeros (or the given fill); data directives; `.org`; literal pools for
  `ldr xN, =value` at `.ltorg` or the end of the section, one pool per entry size
  (4, then 8, then 16 bytes), each aligned to its size, duplicates shared.

Anything wrong in the input raises FrontEndError with file:line and the chain of
macro expansions.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..errors import FrontEndError
from .expr import Env, ExprError, Undefined, Val, evaluate, freeze, show
from .operands import (Deferred, Later, OperandError, Resolver, builtin_register,
                       split_mnemonic)
from .mnemonics import is_mnemonic
from .program import (Data, Imm, Instruction, Literal, MacroFrame, Program, Reg, Routine,
                      Section, SourceLoc, Symbol, SymRef, VReg)
from .scrub import Stmt, read_statements
from .syntax import SyntaxProblem, parse_expr, parse_exprs, parse_instruction

NOP = "nop"
_NAME = r"[A-Za-z_.$][A-Za-z0-9_.$]*"
_LABEL_RE = re.compile(rf"({_NAME}|[0-9]+): ?")
_ASSIGN_RE = re.compile(rf"({_NAME}) ?(==?)(?!=) ?(.*)$")
_REQ_RE = re.compile(rf"({_NAME}) \.req\b ?(.*)$", re.I)
_OPCODE_RE = re.compile(r"([A-Za-z0-9_.$]+) ?(.*)$")
_SUBST_RE = re.compile(r"\\(\(\)|@|[A-Za-z_.$0-9][A-Za-z0-9_.$]*)")
_PARAM_RE = re.compile(rf"\s*({_NAME})\s*(?::\s*(req|vararg))?\s*(?:=\s*)?")

MAX_DEPTH = 200          # nested macro expansions
MAX_STATEMENTS = 2_000_000


def _is_code_by_name(name: str) -> bool:
    return name == ".text" or name.startswith(".text.") or name in (".init", ".fini")


@dataclass
class Param:
    name: str
    default: str = ""
    required: bool = False
    vararg: bool = False


@dataclass
class Macro:
    name: str
    params: list[Param]
    body: list[Stmt]
    loc: SourceLoc


@dataclass
class SecState:
    name: str
    flags: str
    code: bool
    items: list = field(default_factory=list)
    offset: int = 0
    pools: dict = field(default_factory=dict)     # size -> list[PoolEntry]


@dataclass
class PoolEntry:
    size: int
    key: object
    value: object          # Val or frozen expr (deferred)
    loc: SourceLoc
    offset: int | None = None
    data: Data | None = None


@dataclass
class SymDef:
    kind: str              # 'label', 'abs', 'equ' (lazy expression), 'eqv'
    section: str | None = None
    offset: int = 0
    value: int = 0
    expr: tuple | None = None
    loc: SourceLoc | None = None


@dataclass
class CondFrame:
    parent_active: bool
    active: bool
    done: bool
    seen_else: bool
    loc: SourceLoc


@dataclass
class Frame:
    stmts: list
    pos: int
    chain: tuple
    kind: str              # 'file', 'macro', 'rept', 'include'
    cond_depth: int
    name: str = ""


class _Stop(Exception):
    """`.end`"""


class Assembler(Env):
    """One assembly: feed statements with run(), then finish() -> Program."""

    def __init__(self, filename: str, *, include_dirs=(), base_dir: str | None = None):
        self.filename = filename
        self.include_dirs = tuple(include_dirs)
        self.base_dir = base_dir
        self.macros: dict[str, Macro] = {}
        self.aliases: dict[str, object] = {}          # .req name -> Reg/VReg
        self.syms: dict[str, SymDef] = {}
        self.sym_attrs: dict[str, dict] = {}          # globl/weak/type/size
        self.referenced: set[str] = set()
        self.sections: dict[str, SecState] = {}
        self.cur: SecState | None = None
        self.prev: SecState | None = None
        self.sec_stack: list[tuple] = []
        self.local_counts: dict[int, int] = {}
        self.macro_count = 0
        self.conds: list[CondFrame] = []
        self.frames: list[Frame] = []
        self.pending: list[tuple] = []                # (kind, obj, ...)
        self.warnings: list[str] = []
        self.resolver = Resolver(self)
        self.loc: SourceLoc | None = None
        self.raw = ""
        self.op = ""
        self.n_statements = 0
        self._equ_stack: list[str] = []
        self._section(".text", None)

    # ================================================================ Env interface
    def symbol(self, name: str) -> Val | None:
        d = self.syms.get(name)
        if d is None:
            s = self.sections.get(name)
            if s is not None:
                return Val(0, name)
            return None
        if d.kind == "abs":
            return Val(d.value)
        if d.kind == "label":
            return Val(0, name)
        # lazy expression (.set/.equ to something defined later, .eqv)
        if name in self._equ_stack:
            raise ExprError(f"symbol `{name}` is defined in terms of itself")
        self._equ_stack.append(name)
        try:
            return evaluate(d.expr, self)
        except Undefined:
            return None
        finally:
            self._equ_stack.pop()

    def position(self, name: str):
        d = self.syms.get(name)
        if d is None:
            if name in self.sections:
                return (name, 0)
            return None
        if d.kind == "label":
            return (d.section, d.offset)
        if d.kind in ("equ", "eqv"):
            v = self.symbol(name)
            if v is not None and v.sym is not None:
                p = self.position(v.sym)
                if p is not None:
                    return (p[0], p[1] + v.const)
        return None

    def dot(self) -> Val:
        return Val(self.cur.offset, self.cur.name)

    def local(self, n: int, direction: str) -> str:
        k = self.local_counts.get(n, 0)
        if direction == "b":
            if k == 0:
                raise ExprError(f"`{n}b`: no local label `{n}:` before this")
            return f"{n}${k}"
        return f"{n}${k + 1}"

    # ================================================================ resolver interface
    def register(self, name: str):
        r = self.aliases.get(name)
        if r is not None:
            return r
        return builtin_register(name)

    def is_defined(self, name: str) -> bool:
        return name in self.syms

    def value(self, e) -> Val:
        """Evaluate now; raises Deferred(frozen) if it needs later symbols."""
        try:
            return evaluate(e, self)
        except Undefined:
            frozen = freeze(e, self)
            raise Deferred(frozen) from None
        except ExprError as x:
            raise OperandError(str(x)) from None

    def literal(self, e, size: int):
        """`=expr`: an entry in the current section's literal pool."""
        sec = self.cur
        try:
            v = evaluate(e, self)
            if v.minus is not None:
                raise OperandError("a PC-relative value cannot go in a literal pool")
            key = ("v", v.const, v.sym)
            value = v
        except Undefined:
            value = freeze(e, self)
            key = ("e", value)
        except ExprError as x:
            raise OperandError(str(x)) from None
        pool = sec.pools.setdefault(size, [])
        for ent in pool:
            if ent.key == key:
                break
        else:
            ent = PoolEntry(size, key, value, self.loc)
            pool.append(ent)
        return _PoolRef(ent)

    # ================================================================ driver
    def run_text(self, text: str, filename: str) -> None:
        try:
            stmts = read_statements(text, filename)
        except RecursionError:  # pragma: no cover
            raise FrontEndError("input too deeply nested", file=filename)
        self.run(stmts, filename)

    def run(self, stmts: list[Stmt], filename: str) -> None:
        self.frames = [Frame(stmts, 0, (), "file", 0, filename)]
        try:
            self._loop()
        except _Stop:
            self.frames = []
        if self.conds:
            c = self.conds[-1]
            raise FrontEndError("`.if` without `.endif` before the end of the file", c.loc)

    def _loop(self) -> None:
        frames = self.frames
        while frames:
            f = frames[-1]
            if f.pos >= len(f.stmts):
                self._pop_frame()
                continue
            st = f.stmts[f.pos]
            f.pos += 1
            self.n_statements += 1
            if self.n_statements > MAX_STATEMENTS:
                raise FrontEndError("too many statements (runaway .rept or macro recursion?)",
                                    SourceLoc(st.file, st.line, f.chain))
            self._statement(st, f)

    def _pop_frame(self) -> None:
        f = self.frames.pop()
        if len(self.conds) > f.cond_depth:
            c = self.conds[-1]
            if f.kind == "macro":
                msg = f"end of macro `{f.name}` inside a conditional (`.if` without `.endif`)"
            elif f.kind == "rept":
                msg = f"end of `{f.name}` body inside a conditional (`.if` without `.endif`)"
            else:
                msg = "`.if` without `.endif` before the end of the file"
            raise FrontEndError(msg, c.loc)

    @property
    def skipping(self) -> bool:
        return bool(self.conds) and not self.conds[-1].active

    # ================================================================ statements
    def _statement(self, st: Stmt, frame: Frame) -> None:
        text = st.text
        loc = self.loc = SourceLoc(st.file, st.line, frame.chain)
        self.raw = st.raw
        if self.skipping:
            self._skip_statement(text, loc)
            return
        try:
            # labels
            while True:
                m = _LABEL_RE.match(text)
                if not m:
                    break
                self._define_label(m.group(1), loc)
                text = text[m.end():]
            if not text:
                return
            m = _ASSIGN_RE.match(text)
            if m:
                self._assign(m.group(1), m.group(3), loc, equiv=m.group(2) == "==")
                return
            m = _REQ_RE.match(text)
            if m:
                self._req(m.group(1), m.group(2).strip(), loc)
                return
            m = _OPCODE_RE.match(text)
            if m is None:
                if text.startswith("\\"):
                    bad = re.match(r"\\[A-Za-z_.$0-9()@]*", text).group(0)
                    raise FrontEndError(f"`{bad}` is not a macro parameter here: `{st.raw}`",
                                        loc)
                raise FrontEndError(f"syntax error: `{st.raw}`", loc)
            op, args = m.group(1), m.group(2)
            low = op.lower()
            if low[0] == "." and low in DIRECTIVES:
                self.op = low
                DIRECTIVES[low](self, args, st, frame, loc)
                return
            mac = self.macros.get(low)
            if mac is not None:
                self._expand_macro(mac, args, st, frame, loc)
                return
            if low[0] == ".":
                raise FrontEndError(f"unknown directive `{op}`", loc)
            self._instruction(text, st, loc)
        except OperandError as e:
            raise FrontEndError(str(e), loc) from None
        except SyntaxProblem as e:
            raise FrontEndError(f"syntax error: {e}: `{st.raw}`", loc) from None
        except ExprError as e:
            raise FrontEndError(str(e), loc) from None
        except Undefined as e:
            raise FrontEndError(f"`{e.name}` is not defined here (a constant is needed)",
                                loc) from None
        except RecursionError:
            raise FrontEndError("expression or statement nested too deeply", loc) from None

    def _skip_statement(self, text: str, loc: SourceLoc) -> None:
        while True:
            m = _LABEL_RE.match(text)
            if not m:
                break
            text = text[m.end():]
        op = text.split(" ", 1)[0].lower()
        if op.startswith(".if"):
            if op in _COND_DIRECTIVES:
                self.conds.append(CondFrame(False, False, True, False, loc))
        elif op in (".else", ".elseif", ".endif"):
            args = text[len(op):].strip()
            _COND_CONTROL[op](self, args, loc)

    # ================================================================ labels and symbols
    def _define_label(self, name: str, loc: SourceLoc) -> None:
        if name.isdigit():
            n = int(name)
            k = self.local_counts.get(n, 0) + 1
            self.local_counts[n] = k
            name = f"{n}${k}"
        d = self.syms.get(name)
        if d is not None and (d.kind == "label" or name in self.sections):
            raise FrontEndError(f"symbol `{name}` is already defined"
                                + (f" (at {d.loc})" if d.loc else ""), loc)
        if d is not None and d.kind != "label":
            raise FrontEndError(f"symbol `{name}` is already defined (by .set/.equ)", loc)
        self.syms[name] = SymDef("label", self.cur.name, self.cur.offset, loc=loc)

    def _assign(self, name: str, rhs: str, loc: SourceLoc, *, equiv=False, eqv=False) -> None:
        if name == ".":
            e = parse_expr(rhs)
            v = self._const_or_here(e, loc, "`. =`")
            self._org(v, 0, loc)
            return
        e = parse_expr(rhs)
        old = self.syms.get(name)
        if old is not None and old.kind == "label":
            raise FrontEndError(f"symbol `{name}` is already defined as a label", loc)
        if equiv and old is not None:
            raise FrontEndError(f"symbol `{name}` is already defined (.equiv)", loc)
        if eqv:
            self.syms[name] = SymDef("eqv", expr=e, loc=loc)
            return
        try:
            v = evaluate(e, self)
        except Undefined:
            self.syms[name] = SymDef("equ", expr=freeze(e, self), loc=loc)
            return
        if v.is_abs:
            self.syms[name] = SymDef("abs", value=v.const, loc=loc)
            return
        pos = self.position(v.sym)
        if pos is not None:
            self.syms[name] = SymDef("label", pos[0], pos[1] + v.const, loc=loc)
        else:
            self.syms[name] = SymDef("equ", expr=("bin", "+", ("sym", v.sym), ("num", v.const)),
                                     loc=loc)

    def _req(self, name: str, target: str, loc: SourceLoc) -> None:
        r = self.register(target)
        if r is None:
            raise FrontEndError(f"`{name} .req {target}`: `{target}` is not a register "
                                "or register alias", loc)
        if builtin_register(name) is not None:
            self.warnings.append(f"{loc}: ignoring attempt to redefine built-in register `{name}`")
            return
        old = self.aliases.get(name)
        if old is not None:
            if old != r:
                self.warnings.append(f"{loc}: ignoring redefinition of register alias `{name}`")
            return
        for n in {name, name.lower(), name.upper()}:
            if n not in self.aliases and builtin_register(n) is None:
                self.aliases[n] = r

    def _unreq(self, name: str, loc: SourceLoc) -> None:
        if name not in self.aliases:
            if builtin_register(name) is not None:
                raise FrontEndError(f"`.unreq {name}`: `{name}` is a built-in register", loc)
            raise FrontEndError(f"`.unreq {name}`: unknown register alias", loc)
        r = self.aliases.pop(name)
        for n in (name.lower(), name.upper()):
            if self.aliases.get(n) == r:
                del self.aliases[n]

    def _attr(self, name: str) -> dict:
        a = self.sym_attrs.get(name)
        if a is None:
            a = self.sym_attrs[name] = {}
        return a

    # ================================================================ sections
    def _section(self, name: str, flags: str | None, sub: int = 0) -> None:
        if sub:
            raise FrontEndError("subsections are not supported", self.loc)
        s = self.sections.get(name)
        if s is None:
            if flags is None:
                code = _is_code_by_name(name)
                fl = "ax" if code else ("aw" if name.startswith((".data", ".bss")) else "")
            else:
                code = "x" in flags
                fl = flags
            s = self.sections[name] = SecState(name, fl, code)
            if name in self.syms:
                raise FrontEndError(f"section name `{name}` is also a symbol", self.loc)
        if s is not self.cur:
            self.prev = self.cur
            self.cur = s

    def _emit(self, item, size: int) -> None:
        sec = self.cur
        item.offset = sec.offset
        item.section = sec.name
        sec.items.append(item)
        sec.offset += size

    def _emit_data(self, values: list, loc: SourceLoc) -> Data:
        d = Data(values, loc)
        self._emit(d, sum(n for n, _ in values))
        return d

    def _pad(self, n: int, loc: SourceLoc, fill: int | None = None) -> None:
        """n bytes of padding: nops in code (after zeros to a multiple of 4)."""
        if n <= 0:
            return
        sec = self.cur
        if fill is None and sec.code:
            z = (-sec.offset) % 4
            if z > n:
                z = n
            if z:
                self._emit_data([(z, 0)], loc)
                n -= z
            while n >= 4:
                self._emit(Instruction(NOP, (), loc, text=NOP, source=self.raw), 4)
                n -= 4
            if n:
                self._emit_data([(n, 0)], loc)
            return
        if fill is None or fill == 0:
            self._emit_data([(n, 0)], loc)
        else:
            self._emit_data([(1, fill & 0xFF)] * n, loc)

    def _align(self, align: int, fill: int | None, maxskip: int | None, loc) -> None:
        if align <= 0 or align & (align - 1):
            raise FrontEndError(f"alignment {align} is not a power of 2", loc)
        n = (-self.cur.offset) % align
        if maxskip is not None and maxskip > 0 and n > maxskip:
            return
        self._pad(n, loc, fill)

    def _org(self, v: int, fill: int, loc) -> None:
        if v < self.cur.offset:
            raise FrontEndError(f"`.org {v:#x}` moves the location counter backwards "
                                f"(now {self.cur.offset:#x})", loc)
        n = v - self.cur.offset
        if n:
            if fill:
                self._emit_data([(1, fill & 0xFF)] * n, loc)
            else:
                self._emit_data([(n, 0)], loc)

    def _flush_pool(self, sec: SecState, loc) -> None:
        saved = self.cur
        self.cur = sec
        try:
            for size in (4, 8, 16):
                pool = sec.pools.get(size)
                if not pool:
                    continue
                n = (-sec.offset) % size
                if n:
                    self._emit_data([(n, 0)], loc)
                for ent in pool:
                    ent.offset = sec.offset
                    ent.data = self._emit_data([(size, 0)], ent.loc)
                    self.pending.append(("pool", ent, sec.name))
                sec.pools[size] = []
        finally:
            self.cur = saved

    # ================================================================ instructions
    def _instruction(self, text: str, st: Stmt, loc: SourceLoc) -> None:
        if "\\" in text and not ('"' in text):
            m = re.search(r"\\[A-Za-z_.$0-9()@]*", text)
            bad = m.group(0) if m else "\\"
            raise FrontEndError(f"`{bad}` is not a macro parameter here: `{st.raw}`", loc)
        mn_text, nodes = parse_instruction(text)
        mn, cond = split_mnemonic(mn_text)
        if not is_mnemonic(mn):
            raise FrontEndError(f"unknown instruction `{mn_text}`: not an A64 mnemonic and "
                                "no macro of that name is defined (missing include, or a "
                                "macro of another project?)", loc)
        sec = self.cur
        if sec.offset % 4:
            self._emit_data([(4 - sec.offset % 4, 0)], loc)
        ins = Instruction(mn, (), loc, text="", source=st.raw, cond=cond)
        ops = self.resolver.resolve(mn, nodes, ins)
        self._emit(ins, 4)
        if any(isinstance(o, (Later, _PoolRef)) for o in ops):
            self.pending.append(("ins", ins, ops))
        else:
            ins.operands = tuple(ops)
            ins.text = render(ins)

    # ================================================================ macros
    def _collect(self, frame: Frame, opens: tuple, close: str, loc: SourceLoc,
                 what: str) -> list[Stmt]:
        """The statements up to the matching `close` in this frame (eagerly)."""
        depth = 1
        body: list[Stmt] = []
        stmts = frame.stmts
        i = frame.pos
        while i < len(stmts):
            st = stmts[i]
            i += 1
            t = st.text
            while True:
                m = _LABEL_RE.match(t)
                if not m:
                    break
                t = t[m.end():]
            op = t.split(" ", 1)[0].lower()
            if op in opens:
                depth += 1
            elif op == close:
                depth -= 1
                if depth == 0:
                    frame.pos = i
                    return body
            body.append(st)
        if close == ".endm" and frame.kind == "macro":
            raise FrontEndError(f"{what} without `{close}` before the end of macro "
                                f"`{frame.name}`", loc)
        raise FrontEndError(f"{what} without `{close}`", loc)

    def _define_macro(self, args: str, st: Stmt, frame: Frame, loc: SourceLoc) -> None:
        m = re.match(rf"\s*({_NAME})\s*,?\s*(.*)$", args)
        if not m:
            raise FrontEndError("`.macro` needs a name", loc)
        name, rest = m.group(1), m.group(2)
        params: list[Param] = []
        pos = 0
        rest = rest.strip()
        while pos < len(rest):
            pm = _PARAM_RE.match(rest, pos)
            if not pm or pm.end() == pos:
                raise FrontEndError(f"bad parameter list in `.macro {name}`: `{rest}`", loc)
            p = Param(pm.group(1))
            if pm.group(2) == "req":
                p.required = True
            elif pm.group(2) == "vararg":
                p.vararg = True
            pos = pm.end()
            if rest[pm.start():pm.end()].rstrip().endswith("="):
                val, pos = _get_arg(rest, pos)
                p.default = val
            while pos < len(rest) and rest[pos] in " \t":
                pos += 1
            if pos < len(rest) and rest[pos] == ",":
                pos += 1
            if any(q.name == p.name for q in params):
                raise FrontEndError(f"`.macro {name}`: parameter `{p.name}` given twice", loc)
            params.append(p)
        for p in params[:-1]:
            if p.vararg:
                raise FrontEndError(f"`.macro {name}`: only the last parameter can be "
                                    ":vararg", loc)
        body = self._collect(frame, (".macro",), ".endm", loc, f"`.macro {name}`")
        low = name.lower()
        if low in self.macros:
            raise FrontEndError(f"macro `{name}` is already defined "
                                f"(at {self.macros[low].loc})", loc)
        self.macros[low] = Macro(name, params, body, loc)

    def _expand_macro(self, mac: Macro, args: str, st: Stmt, frame: Frame,
                      loc: SourceLoc) -> None:
        if len(self.frames) > MAX_DEPTH:
            raise FrontEndError(f"macros nested more than {MAX_DEPTH} deep "
                                f"(recursive `{mac.name}`?)", loc)
        values = self._bind_args(mac, args, loc)
        self.macro_count += 1
        count = str(self.macro_count - 1)
        # gas numbers expansions from 0
        values_sub = values

        def sub(m):
            k = m.group(1)
            if k == "()":
                return ""
            if k == "@":
                return count
            v = values_sub.get(k)
            return m.group(0) if v is None else v

        body = [Stmt(_SUBST_RE.sub(sub, s.text) if "\\" in s.text else s.text,
                     s.raw, s.file, s.line) for s in mac.body]
        chain = (MacroFrame(mac.name, loc.file, loc.line),) + frame.chain
        self.frames.append(Frame(body, 0, chain, "macro", len(self.conds), mac.name))

    def _bind_args(self, mac: Macro, args: str, loc: SourceLoc) -> dict[str, str]:
        params = mac.params
        by_name = {p.name: p for p in params}
        values: dict[str, str] = {}
        pos = 0
        idx = 0
        seen_kw = False
        n = len(args)
        while pos < n:
            while pos < n and args[pos] in " \t":
                pos += 1
            if pos >= n:
                break
            km = re.match(rf"({_NAME})\s*=(?!=)", args[pos:])
            if km and km.group(1) in by_name:
                p = by_name[km.group(1)]
                pos += km.end()
                while pos < n and args[pos] in " \t":
                    pos += 1
                if p.vararg:
                    val, pos = args[pos:], n
                else:
                    val, pos = _get_arg(args, pos)
                values[p.name] = val
                seen_kw = True
            elif km and params and not any(p.vararg for p in params[idx:idx + 1]):
                raise FrontEndError(f"macro `{mac.name}` has no parameter "
                                    f"`{km.group(1)}`", loc)
            else:
                if seen_kw:
                    raise FrontEndError(f"macro `{mac.name}`: positional argument after "
                                        "a keyword argument", loc)
                if idx >= len(params):
                    raise FrontEndError(f"too many arguments for macro `{mac.name}` "
                                        f"(it takes {len(params)}): `{args}`", loc)
                p = params[idx]
                if p.vararg:
                    val, pos = args[pos:], n
                else:
                    val, pos = _get_arg(args, pos)
                values[p.name] = val
                idx += 1
            while pos < n and args[pos] in " \t":
                pos += 1
            if pos < n and args[pos] == ",":
                pos += 1
                if idx < len(params) and not seen_kw:
                    # `m a,` : the next positional argument is present but empty
                    rest = args[pos:].strip()
                    if not rest:
                        values.setdefault(params[idx].name, "")
                        idx += 1
        for p in params:
            v = values.get(p.name, "")
            if v == "":
                if p.required:
                    raise FrontEndError(f"missing value for required parameter `{p.name}` "
                                        f"of macro `{mac.name}`", loc)
                values[p.name] = p.default
        return values

    def _rept_frame(self, body: list[Stmt], times: list[dict], name: str, frame: Frame,
                    loc: SourceLoc) -> None:
        out: list[Stmt] = []
        for values in times:
            if values:
                def sub(m, values=values):
                    v = values.get(m.group(1))
                    return m.group(0) if v is None else v
                out.extend(Stmt(_SUBST_RE.sub(sub, s.text) if "\\" in s.text else s.text,
                                s.raw, s.file, s.line) for s in body)
            else:
                out.extend(body)
        chain = (MacroFrame(name, loc.file, loc.line),) + frame.chain
        self.frames.append(Frame(out, 0, chain, "rept", len(self.conds), name))

    # ================================================================ helpers
    def _const(self, e, loc, what: str) -> int:
        try:
            v = evaluate(e, self)
        except Undefined as u:
            raise FrontEndError(f"{what}: `{u.name}` is not defined here "
                                "(a constant is needed)", loc) from None
        if not v.is_abs:
            raise FrontEndError(f"{what}: `{show(e)}` is not a constant", loc)
        return v.const

    def _const_or_here(self, e, loc, what: str) -> int:
        """A constant, or a location in the current section (for .org)."""
        try:
            v = evaluate(e, self)
        except Undefined as u:
            raise FrontEndError(f"{what}: `{u.name}` is not defined here", loc) from None
        if v.is_abs:
            return v.const
        p = self.position(v.sym)
        if p is None or p[0] != self.cur.name:
            raise FrontEndError(f"{what}: `{show(e)}` is not in the current section", loc)
        return p[1] + v.const

    def _data(self, size: int, args: str, loc: SourceLoc) -> None:
        exprs = parse_exprs(args)
        if not exprs:
            return
        mask = (1 << (8 * size)) - 1
        d = self._emit_data([(size, 0)] * len(exprs), loc)
        end = self.cur.offset
        try:
            for i, e in enumerate(exprs):
                # `.` is the address of the value being emitted, as in gas
                self.cur.offset = d.offset + i * size
                try:
                    v = evaluate(e, self)
                except Undefined:
                    self.pending.append(("data", d, i, freeze(e, self), size, loc))
                    continue
                d.values[i] = (size, self._data_value(v, size, mask, loc, i, d))
        finally:
            self.cur.offset = end

    def _data_value(self, v: Val, size: int, mask: int, loc, index: int, item=None):
        if v.is_abs:
            c = v.const
            if size < 8 and not (-(1 << (8 * size)) < c <= mask):
                self.warnings.append(f"{loc}: value {c:#x} truncated to {c & mask:#x}")
            return c & mask
        if v.minus is not None:
            # sym + const - base(minus): PC-relative to this item's own address
            if item is None or item.section != v.minus:
                raise FrontEndError(f"`{v.sym} - ...`: can only subtract a location in "
                                    "the same section as the data", loc)
            off = item.offset + sum(n for n, _ in item.values[:index])
            self.referenced.add(v.sym)
            return SymRef(v.sym, v.const + off, "prel")
        self.referenced.add(v.sym)
        return SymRef(v.sym, v.const)

    # ================================================================ finish
    def finish(self) -> Program:
        loc = self.loc
        for sec in list(self.sections.values()):
            self._flush_pool(sec, loc)
        for p in self.pending:
            try:
                self._resolve_pending(p)
            except RecursionError:
                where = {"ins": lambda: p[1].loc, "pool": lambda: p[1].loc}.get(
                    p[0], lambda: p[-1])()
                raise FrontEndError("expression nested too deeply", where) from None
        return self._program()

    def _final_eval(self, e, loc) -> Val:
        try:
            v = evaluate(e, self, allow_undefined=True)
        except ExprError as x:
            raise FrontEndError(str(x), loc) from None
        if v.sym is not None and self.position(v.sym) is None \
                and v.sym not in self.sections:
            self.referenced.add(v.sym)
        return v

    def _resolve_pending(self, p) -> None:
        kind = p[0]
        if kind == "ins":
            ins, ops = p[1], p[2]
            out = []
            for o in ops:
                if isinstance(o, _PoolRef):
                    o = o.operand(self)
                elif isinstance(o, Later):
                    v = self._final_eval(o.expr, ins.loc)
                    try:
                        o = o.make(v, ins)
                    except OperandError as e:
                        raise FrontEndError(str(e), ins.loc) from None
                out.append(o)
            ins.operands = tuple(out)
            ins.text = render(ins)
            for o in out:
                _note_refs(o, self.referenced)
        elif kind == "data":
            d, i, fe, size, loc = p[1:]
            v = self._final_eval(fe, loc)
            d.values[i] = (size, self._data_value(v, size, (1 << (8 * size)) - 1, loc, i, d))
        elif kind == "pool":
            ent, secname = p[1], p[2]
            if isinstance(ent.value, Val):
                v = ent.value
            else:
                v = self._final_eval(ent.value, ent.loc)
            ent.data.values[0] = (ent.size, self._data_value(
                v, ent.size, (1 << (8 * ent.size)) - 1, ent.loc, 0))
        elif kind == "size":
            name, e, loc = p[1:]
            v = self._final_eval(e, loc)
            if not v.is_abs:
                raise FrontEndError(f"`.size {name}`: not a constant", loc)
            self._attr(name)["size"] = v.const

    def _program(self) -> Program:
        prog = Program(file=self.filename)
        for s in self.sections.values():
            if not s.items and s.offset == 0 and not any(
                    d.kind == "label" and d.section == s.name for d in self.syms.values()):
                continue
            prog.sections[s.name] = Section(s.name, s.flags, s.items, s.offset)
        for name, d in self.syms.items():
            a = self.sym_attrs.get(name, {})
            if d.kind == "label":
                sym = Symbol(name, d.section, d.offset, d.loc)
            elif d.kind == "abs":
                sym = Symbol(name, None, d.value, d.loc)
            else:
                try:
                    v = evaluate(d.expr, self)
                except Undefined:
                    continue        # an alias of an external symbol
                except ExprError as x:
                    raise FrontEndError(str(x), d.loc) from None
                if v.is_abs:
                    sym = Symbol(name, None, v.const, d.loc)
                else:
                    p = self.position(v.sym)
                    if p is None:
                        continue
                    sym = Symbol(name, p[0], p[1] + v.const, d.loc)
            sym.is_global = bool(a.get("global") or a.get("weak"))
            sym.kind = a.get("type", "")
            sym.size = a.get("size")
            if sym.section is not None and sym.section not in prog.sections:
                prog.sections[sym.section] = Section(sym.section, self.sections[sym.section].flags)
            prog.symbols[name] = sym
        for name in prog.sections:
            if name not in prog.symbols:
                prog.symbols[name] = Symbol(name, name, 0, None, kind="section")
        defined = set(prog.symbols)
        ext = {n for n in self.referenced if n not in defined}
        for name, a in self.sym_attrs.items():
            if (a.get("global") or a.get("weak")) and name not in defined and \
                    name in self.referenced:
                ext.add(name)
        prog.externals = ext
        prog.warnings = list(self.warnings)
        build_routines(prog)
        prog.layout()
        return prog


class _PoolRef:
    """A literal-pool operand waiting for its pool to be placed."""
    __slots__ = ("ent",)

    def __init__(self, ent: PoolEntry):
        self.ent = ent

    def operand(self, asm: Assembler) -> Literal:
        ent = self.ent
        v = ent.value if isinstance(ent.value, Val) else asm._final_eval(ent.value, ent.loc)
        if v.is_abs:
            return Literal(v.const, ent.offset)
        asm.referenced.add(v.sym)
        return Literal(SymRef(v.sym, v.const), ent.offset)


def _note_refs(o, acc: set) -> None:
    if isinstance(o, SymRef):
        acc.add(o.name)
    elif isinstance(o, Literal) and isinstance(o.value, SymRef):
        acc.add(o.value.name)
    elif hasattr(o, "offset") and isinstance(getattr(o, "offset"), SymRef):
        acc.add(o.offset.name)


# ==================================================================== argument scanning

def _get_arg(s: str, pos: int) -> tuple[str, int]:
    """One macro argument from pos (gas rules): a quoted string (quotes removed), or
    text up to a comma, or up to a space outside ( ) and [ ]."""
    n = len(s)
    if pos < n and s[pos] == '"':
        j = pos + 1
        out = []
        while j < n:
            c = s[j]
            if c == "\\" and j + 1 < n:
                out.append(s[j:j + 2])
                j += 2
                continue
            if c == '"':
                if j + 1 < n and s[j + 1] == '"':
                    out.append('"')
                    j += 2
                    continue
                j += 1
                break
            out.append(c)
            j += 1
        return "".join(out), j
    depth: list[str] = []
    j = pos
    while j < n:
        c = s[j]
        if c == "," or (c in " \t" and not depth):
            break
        if c in "\"'":
            k = s.find(c, j + 1)
            j = n if k < 0 else k + 1
            continue
        if c in "([":
            depth.append(c)
        elif c == ")" and depth and depth[-1] == "(":
            depth.pop()
        elif c == "]" and depth and depth[-1] == "[":
            depth.pop()
        j += 1
    return s[pos:j], j


def _split_args(s: str) -> list[str]:
    """Arguments as for .irp: comma or space separated."""
    out = []
    pos = 0
    n = len(s)
    while pos < n:
        while pos < n and s[pos] in " \t":
            pos += 1
        if pos >= n:
            break
        v, pos = _get_arg(s, pos)
        out.append(v)
        while pos < n and s[pos] in " \t":
            pos += 1
        if pos < n and s[pos] == ",":
            pos += 1
    return out


def _ifc_operands(args: str) -> tuple[str, str]:
    """The two strings of .ifc/.ifnc, as gas reads them: the first up to the first comma,
    the second to the end of the line; either may be quoted with single quotes (`''`
    inside is a quote).  Double quotes are ordinary characters here."""
    def quoted(s: str, pos: int) -> tuple[str, int]:
        out = []
        j = pos + 1
        while j < len(s):
            if s[j] == "'":
                if j + 1 < len(s) and s[j + 1] == "'":
                    out.append("'")
                    j += 2
                    continue
                return "".join(out), j + 1
            out.append(s[j])
            j += 1
        raise ExprError("missing closing quote")

    a = args.strip()
    if a.startswith("'"):
        s1, pos = quoted(a, 0)
        rest = a[pos:].lstrip()
        if not rest.startswith(","):
            raise ExprError(f"bad operands for .ifc: `{args}` (expected `a, b`)")
        rest = rest[1:]
    else:
        if "," not in a:
            raise ExprError(f"bad operands for .ifc: `{args}` (expected `a, b`)")
        s1, rest = a.split(",", 1)
        s1 = s1.rstrip()
    rest = rest.strip()
    if rest.startswith("'"):
        s2, pos = quoted(rest, 0)
        if rest[pos:].strip():
            raise ExprError(f"junk after the second string: `{rest[pos:].strip()}`")
    else:
        s2 = rest
    return s1, s2


_STR_ESC = {"b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "\\": 92, '"': 34, "'": 39,
            "v": 11, "a": 7, "e": 27}


def parse_strings(args: str) -> list[bytes]:
    """The string operands of .ascii/.asciz/.string (comma or space separated)."""
    out = []
    i, n = 0, len(args)
    while i < n:
        while i < n and args[i] in " \t,":
            i += 1
        if i >= n:
            break
        if args[i] != '"':
            raise ExprError(f"expected a string, found `{args[i:]}`")
        i += 1
        buf = bytearray()
        while True:
            if i >= n:
                raise ExprError("missing closing quote")
            c = args[i]
            if c == '"':
                i += 1
                break
            if c == "\\" and i + 1 < n:
                d = args[i + 1]
                if d in "01234567":
                    j = i + 1
                    while j < n and j < i + 4 and args[j] in "01234567":
                        j += 1
                    buf.append(int(args[i + 1:j], 8) & 0xFF)
                    i = j
                elif d in "xX":
                    j = i + 2
                    while j < n and args[j] in "0123456789abcdefABCDEF":
                        j += 1
                    buf.append(int(args[i + 2:j] or "0", 16) & 0xFF)
                    i = j
                else:
                    buf.append(_STR_ESC.get(d, ord(d) & 0xFF))
                    i += 2
                continue
            buf.extend(c.encode("utf-8"))
            i += 1
        out.append(bytes(buf))
    return out


# ==================================================================== rendering

def _imm_text(v: int) -> str:
    return str(v) if -4096 < v < 4096 else (f"{v:#x}" if v >= 0 else f"-{-v:#x}")


def operand_text(o) -> str:
    from .program import (Cond, ExtendedReg, FloatImm, Literal as Lit, Mem, Name, RegList,
                          ShiftedReg)
    if isinstance(o, (Reg, VReg)):
        return o.name
    if isinstance(o, Imm):
        s = "#" + _imm_text(o.value)
        return s + (f", lsl #{o.shift}" if o.shift else "")
    if isinstance(o, SymRef):
        base = o.text or o.name
        if not o.text and o.addend:
            base += f"{o.addend:+#x}".replace("+-", "-")
        if o.reloc:
            return f"#:{o.reloc}:{base}" if o.reloc in ("lo12",) or o.reloc.startswith("abs_g") \
                else f":{o.reloc}:{base}"
        return base
    if isinstance(o, ShiftedReg):
        return f"{o.reg.name}, {o.op} #{o.amount}"
    if isinstance(o, ExtendedReg):
        return f"{o.reg.name}, {o.op}" + (f" #{o.amount}" if o.amount is not None else "")
    if isinstance(o, Mem):
        off = "" if o.offset is None else ", " + operand_text(o.offset)
        if o.mode == "pre":
            return f"[{o.base.name}{off}]!"
        if o.mode == "post":
            return f"[{o.base.name}]{off}"
        return f"[{o.base.name}{off}]"
    if isinstance(o, Lit):
        v = o.value
        return "=" + (operand_text(v) if isinstance(v, SymRef) else _imm_text(v))
    if isinstance(o, Cond):
        return o.code
    if isinstance(o, Name):
        return o.name
    if isinstance(o, RegList):
        return str(o)
    if isinstance(o, FloatImm):
        return f"#{o.text}"
    return str(o)


def render(ins: Instruction) -> str:
    """The expanded instruction as gas source text: `str xzr, [x0, #16]`."""
    m = ins.mnemonic + (f".{ins.cond}" if ins.cond else "")
    if not ins.operands:
        return m
    return m + " " + ", ".join(operand_text(o) for o in ins.operands)


# ==================================================================== routines

def build_routines(prog: Program) -> None:
    """Routines: function symbols (`.type sym, %function`) and sized symbols in code
    sections, each up to its `.size`, else the next such symbol or the section end."""
    code = {s.name for s in prog.sections.values() if s.is_code}
    starts: dict[str, list[tuple[int, str]]] = {}
    for sym in prog.symbols.values():
        if sym.section is None or sym.kind in ("section", "object"):
            continue
        if sym.kind == "function" or (sym.size is not None and sym.section in code):
            starts.setdefault(sym.section, []).append((sym.offset, sym.name))
    routines: list[Routine] = []
    for secname, lst in starts.items():
        lst.sort()
        sec = prog.sections[secname]
        for i, (off, name) in enumerate(lst):
            sym = prog.symbols[name]
            if sym.size is not None:
                end = off + sym.size
            else:
                end = sec.size
                for o2, _ in lst[i + 1:]:
                    if o2 > off:
                        end = o2
                        break
            routines.append(make_routine(prog, name, secname, off, end, sym.loc))
    # Global labels in code that no function covers (`.globl f; f:` with no `.type`
    # or `.size`, as Jailhouse and older Xen write them) start routines too, each up
    # to the next routine start or the end of its section.
    spans: dict[str, list[tuple[int, int]]] = {}
    for r in routines:
        spans.setdefault(r.section, []).append((r.start, r.end))
    extra: dict[str, list[tuple[int, str]]] = {}
    for sym in prog.symbols.values():
        if not sym.is_global or sym.section not in code or sym.kind in ("object", "section"):
            continue
        if any(a <= sym.offset < b for a, b in spans.get(sym.section, ())):
            continue
        extra.setdefault(sym.section, []).append((sym.offset, sym.name))
    for secname, lst in extra.items():
        sec = prog.sections[secname]
        bounds = sorted({a for a, _ in spans.get(secname, ())} | {o for o, _ in lst})
        for off, name in sorted(lst):
            end = next((b for b in bounds if b > off), sec.size)
            routines.append(make_routine(prog, name, secname, off, end,
                                         prog.symbols[name].loc))
    routines.sort(key=lambda r: (list(prog.sections).index(r.section), r.start))
    prog.routines = {r.name: r for r in routines}


def make_routine(prog: Program, name: str, secname: str, start: int, end: int,
                 loc) -> Routine:
    sec = prog.sections[secname]
    ins = [it for it in sec.items if isinstance(it, Instruction) and start <= it.offset < end]
    return Routine(name, secname, start, end, ins, loc)


# ==================================================================== directives

DIRECTIVES: dict = {}


def directive(*names):
    def deco(f):
        for n in names:
            DIRECTIVES[n] = f
        return f
    return deco


def _ignore(self, args, st, frame, loc):
    return None


for _n in (".cfi_startproc", ".cfi_endproc", ".cfi_sections", ".cfi_def_cfa",
           ".cfi_def_cfa_offset", ".cfi_def_cfa_register", ".cfi_offset", ".cfi_restore",
           ".cfi_rel_offset", ".cfi_adjust_cfa_offset", ".cfi_remember_state",
           ".cfi_restore_state", ".cfi_undefined", ".cfi_same_value", ".cfi_register",
           ".cfi_return_column", ".cfi_signal_frame", ".cfi_window_save",
           ".cfi_negate_ra_state", ".cfi_b_key_frame", ".cfi_personality", ".cfi_lsda",
           ".cfi_escape", ".cfi_val_offset", ".cfi_mte_tagged_frame",
           ".file", ".loc", ".ident", ".arch", ".arch_extension", ".cpu", ".variant_pcs",
           ".addrsig", ".addrsig_sym", ".symver", ".tlsdesccall", ".loc_mark_labels",
           ".gnu_attribute", ".noaltmacro", ".print", ".nops_placeholder", ".psize",
           ".eject", ".list", ".nolist", ".title", ".sbttl", ".aarch64_variant_pcs",
           ".aeabi_subsection", ".aeabi_attribute"):
    DIRECTIVES[_n] = _ignore
del _n


@directive(".macro")
def _d_macro(self, args, st, frame, loc):
    self._define_macro(args, st, frame, loc)


@directive(".endm")
def _d_endm(self, args, st, frame, loc):
    raise FrontEndError("`.endm` without `.macro`", loc)


@directive(".endr")
def _d_endr(self, args, st, frame, loc):
    raise FrontEndError("`.endr` without `.rept`/`.irp`", loc)


@directive(".exitm")
def _d_exitm(self, args, st, frame, loc):
    # leave the innermost macro expansion (and any .rept frames inside it)
    while self.frames:
        f = self.frames[-1]
        del self.conds[f.cond_depth:]
        self.frames.pop()
        if f.kind == "macro":
            return
        if f.kind in ("file", "include"):
            self.frames.append(f)
            raise FrontEndError("`.exitm` outside a macro", loc)


@directive(".purgem")
def _d_purgem(self, args, st, frame, loc):
    name = args.strip().lower()
    if name not in self.macros:
        raise FrontEndError(f"`.purgem {args.strip()}`: no such macro", loc)
    del self.macros[name]


@directive(".rept")
def _d_rept(self, args, st, frame, loc):
    n = self._const(parse_expr(args), loc, "`.rept` count")
    body = self._collect(frame, _REPT_OPENS, ".endr", loc, "`.rept`")
    if n > 100_000:
        raise FrontEndError(f"`.rept {n}`: count too large", loc)
    self._rept_frame(body, [{}] * max(n, 0), ".rept", frame, loc)


@directive(".irp")
def _d_irp(self, args, st, frame, loc):
    m = re.match(rf"\s*({_NAME})\s*,?\s*(.*)$", args)
    if not m:
        raise FrontEndError("`.irp` needs a parameter name", loc)
    name, rest = m.group(1), m.group(2)
    vals = _split_args(rest) if rest.strip() else [""]
    body = self._collect(frame, _REPT_OPENS, ".endr", loc, "`.irp`")
    self._rept_frame(body, [{name: v} for v in vals], ".irp", frame, loc)


@directive(".irpc")
def _d_irpc(self, args, st, frame, loc):
    m = re.match(rf"\s*({_NAME})\s*,?\s*(.*)$", args)
    if not m:
        raise FrontEndError("`.irpc` needs a parameter name", loc)
    name, rest = m.group(1), m.group(2).strip()
    if rest.startswith('"') and rest.endswith('"') and len(rest) >= 2:
        rest = rest[1:-1]
    vals = list(rest) if rest else [""]
    body = self._collect(frame, _REPT_OPENS, ".endr", loc, "`.irpc`")
    self._rept_frame(body, [{name: v} for v in vals], ".irpc", frame, loc)


_REPT_OPENS = (".rept", ".irp", ".irpc")


# ---------------------------------------------------------------- conditionals

def _push_cond(self, value: bool, loc) -> None:
    self.conds.append(CondFrame(True, bool(value), bool(value), False, loc))


def _expr_cond(test):
    def handler(self, args, st, frame, loc):
        v = self._const(parse_expr(args), loc, "conditional")
        _push_cond(self, test(v), loc)
    return handler


def _str_cond(negate: bool, quoted: bool):
    def handler(self, args, st, frame, loc):
        if quoted:
            strs = parse_strings(args)
            if len(strs) != 2 or args.count('"') < 4:
                raise FrontEndError(f"`.ifeqs`/`.ifnes` need two quoted strings: `{args}`",
                                    loc)
            s1, s2 = strs
        else:
            s1, s2 = _ifc_operands(args)
        _push_cond(self, (s1 == s2) != negate, loc)
    return handler


def _def_cond(negate: bool):
    def handler(self, args, st, frame, loc):
        name = args.strip()
        if not re.fullmatch(_NAME, name):
            raise FrontEndError(f"`.ifdef`: bad symbol name `{name}`", loc)
        _push_cond(self, (name in self.syms) != negate, loc)
    return handler


def _blank_cond(negate: bool):
    def handler(self, args, st, frame, loc):
        _push_cond(self, (args.strip() == "") != negate, loc)
    return handler


_COND_DIRECTIVES = {
    ".if": _expr_cond(lambda v: v != 0),
    ".ifne": _expr_cond(lambda v: v != 0),
    ".ifeq": _expr_cond(lambda v: v == 0),
    ".iflt": _expr_cond(lambda v: v < 0),
    ".ifle": _expr_cond(lambda v: v <= 0),
    ".ifgt": _expr_cond(lambda v: v > 0),
    ".ifge": _expr_cond(lambda v: v >= 0),
    ".ifc": _str_cond(False, False),
    ".ifnc": _str_cond(True, False),
    ".ifeqs": _str_cond(False, True),
    ".ifnes": _str_cond(True, True),
    ".ifdef": _def_cond(False),
    ".ifndef": _def_cond(True),
    ".ifnotdef": _def_cond(True),
    ".ifb": _blank_cond(False),
    ".ifnb": _blank_cond(True),
}
DIRECTIVES.update(_COND_DIRECTIVES)


def _d_else(self, args, loc):
    if not self.conds:
        raise FrontEndError("`.else` without `.if`", loc)
    c = self.conds[-1]
    if c.seen_else:
        raise FrontEndError(f"second `.else` for the `.if` at {c.loc}", loc)
    c.seen_else = True
    c.active = c.parent_active and not c.done
    c.done = True


def _d_elseif(self, args, loc):
    if not self.conds:
        raise FrontEndError("`.elseif` without `.if`", loc)
    c = self.conds[-1]
    if c.seen_else:
        raise FrontEndError(f"`.elseif` after `.else` (for the `.if` at {c.loc})", loc)
    if c.parent_active and not c.done:
        v = self._const(parse_expr(args), loc, "`.elseif`")
        c.active = v != 0
        c.done = c.active
    else:
        c.active = False


def _d_endif(self, args, loc):
    if not self.conds or len(self.conds) <= self.frames[-1].cond_depth:
        raise FrontEndError("`.endif` without `.if`", loc)
    self.conds.pop()


_COND_CONTROL = {".else": _d_else, ".elseif": _d_elseif, ".endif": _d_endif}
for _k, _f in _COND_CONTROL.items():
    DIRECTIVES[_k] = (lambda f: lambda self, args, st, frame, loc: f(self, args, loc))(_f)
del _k, _f


# ---------------------------------------------------------------- messages

def _message(args: str) -> str:
    a = args.strip()
    if a.startswith('"'):
        try:
            return b"".join(parse_strings(a)).decode("utf-8", "replace")
        except ExprError:
            pass
    return a


@directive(".error", ".err")
def _d_error(self, args, st, frame, loc):
    raise FrontEndError(f".error: {_message(args)}" if args.strip() else ".error", loc)


@directive(".abort")
def _d_abort(self, args, st, frame, loc):
    raise FrontEndError(".abort", loc)


@directive(".warning")
def _d_warning(self, args, st, frame, loc):
    self.warnings.append(f"{loc}: warning: {_message(args)}")


@directive(".fail")
def _d_fail(self, args, st, frame, loc):
    v = self._const(parse_expr(args), loc, "`.fail`")
    if v >= 500:
        self.warnings.append(f"{loc}: .fail {v}")
    else:
        raise FrontEndError(f".fail {v}", loc)


@directive(".end")
def _d_end(self, args, st, frame, loc):
    raise _Stop()


@directive(".include")
def _d_include(self, args, st, frame, loc):
    try:
        names = parse_strings(args.strip())
    except ExprError:
        names = []
    if len(names) != 1:
        raise FrontEndError(f"`.include` needs one file name in quotes: `{args}`", loc)
    name = names[0].decode()
    dirs = [os.path.dirname(loc.file) or ".", *self.include_dirs, "."]
    if self.base_dir:
        dirs.insert(1, self.base_dir)
    for d in dirs:
        p = os.path.join(d, name)
        if os.path.isfile(p):
            break
    else:
        raise FrontEndError(f"`.include \"{name}\"`: file not found", loc)
    if len(self.frames) > MAX_DEPTH:
        raise FrontEndError("`.include` nested too deeply", loc)
    with open(p, encoding="utf-8", errors="replace") as fh:
        stmts = read_statements(fh.read(), p)
    self.frames.append(Frame(stmts, 0, frame.chain, "include", len(self.conds), p))


# ---------------------------------------------------------------- symbols

@directive(".set", ".equ")
def _d_set(self, args, st, frame, loc):
    name, rhs = _sym_and_rest(args, loc, ".set")
    self._assign(name, rhs, loc)


@directive(".equiv")
def _d_equiv(self, args, st, frame, loc):
    name, rhs = _sym_and_rest(args, loc, ".equiv")
    self._assign(name, rhs, loc, equiv=True)


@directive(".eqv")
def _d_eqv(self, args, st, frame, loc):
    name, rhs = _sym_and_rest(args, loc, ".eqv")
    self._assign(name, rhs, loc, eqv=True)


def _sym_and_rest(args: str, loc, what: str):
    m = re.match(rf"\s*({_NAME})\s*,\s*(.*)$", args)
    if not m:
        raise FrontEndError(f"`{what}` needs `symbol, expression`: `{args}`", loc)
    return m.group(1), m.group(2)


@directive(".unreq")
def _d_unreq(self, args, st, frame, loc):
    self._unreq(args.strip(), loc)


@directive(".req")
def _d_req(self, args, st, frame, loc):
    raise FrontEndError("`.req` needs a name before it: `name .req register`", loc)


def _names(args: str, loc, what: str) -> list[str]:
    out = [a.strip() for a in args.split(",") if a.strip()]
    for a in out:
        if not re.fullmatch(_NAME, a):
            raise FrontEndError(f"`{what}`: bad symbol name `{a}`", loc)
    return out


@directive(".globl", ".global", ".extern")
def _d_globl(self, args, st, frame, loc):
    for n in _names(args, loc, ".globl"):
        self._attr(n)["global"] = True


@directive(".weak", ".weakref")
def _d_weak(self, args, st, frame, loc):
    for n in _names(args, loc, ".weak")[:1 if self.op == ".weakref" else None]:
        self._attr(n)["weak"] = True


@directive(".local", ".hidden", ".protected", ".internal")
def _d_local(self, args, st, frame, loc):
    for n in _names(args, loc, "visibility"):
        self._attr(n)
    return None


@directive(".type")
def _d_type(self, args, st, frame, loc):
    m = re.match(rf"\s*({_NAME})\s*,?\s*[%@#]?\"?(\w+)\"?\s*$", args)
    if not m:
        raise FrontEndError(f"bad `.type` operands: `{args}`", loc)
    t = m.group(2).lower()
    kind = {"function": "function", "stt_func": "function", "object": "object",
            "stt_object": "object", "notype": "", "stt_notype": "",
            "tls_object": "object", "common": "object", "gnu_unique_object": "object",
            "stt_tls": "object", "stt_common": "object",
            "gnu_indirect_function": "function"}.get(t)
    if kind is None:
        raise FrontEndError(f"unknown symbol type `{m.group(2)}` in `.type`", loc)
    self._attr(m.group(1))["type"] = kind


@directive(".size")
def _d_size(self, args, st, frame, loc):
    name, rhs = _sym_and_rest(args, loc, ".size")
    e = parse_expr(rhs)
    try:
        v = evaluate(e, self)
    except Undefined:
        self.pending.append(("size", name, freeze(e, self), loc))
        return
    if not v.is_abs:
        raise FrontEndError(f"`.size {name}`: `{rhs}` is not a constant", loc)
    self._attr(name)["size"] = v.const


# ---------------------------------------------------------------- sections

def _section_args(args: str, loc):
    """name[, "flags"[, %type...]] or name, subsection; returns (name, flags, sub)."""
    a = args.strip()
    if a.startswith('"'):
        j = a.find('"', 1)
        if j < 0:
            raise FrontEndError("missing closing quote in section name", loc)
        name, rest = a[1:j], a[j + 1:]
    else:
        m = re.match(r"([^\s,]+)(.*)$", a)
        if not m:
            raise FrontEndError("section name missing", loc)
        name, rest = m.group(1), m.group(2)
    flags = None
    sub = 0
    parts = [p.strip() for p in rest.split(",")][1:] if rest.strip() else []
    for p in parts:
        if p.startswith('"') and flags is None:
            flags = p.strip('"')
        elif re.fullmatch(r"[0-9]+", p) and flags is None:
            sub = int(p)
    return name, flags, sub


@directive(".section")
def _d_section(self, args, st, frame, loc):
    name, flags, sub = _section_args(args, loc)
    self._section(name, flags, sub)


@directive(".pushsection")
def _d_pushsection(self, args, st, frame, loc):
    name, flags, sub = _section_args(args, loc)
    self.sec_stack.append((self.cur, self.prev))
    self._section(name, flags, sub)


@directive(".popsection")
def _d_popsection(self, args, st, frame, loc):
    if not self.sec_stack:
        raise FrontEndError("`.popsection` without `.pushsection`", loc)
    self.cur, self.prev = self.sec_stack.pop()


@directive(".previous")
def _d_previous(self, args, st, frame, loc):
    if self.prev is None:
        raise FrontEndError("`.previous` with no previous section", loc)
    self.cur, self.prev = self.prev, self.cur


def _simple_section(name):
    def handler(self, args, st, frame, loc):
        sub = 0
        if args.strip():
            sub = self._const(parse_expr(args), loc, "subsection")
        self._section(name, None, sub)
    return handler


DIRECTIVES[".text"] = _simple_section(".text")
DIRECTIVES[".data"] = _simple_section(".data")
DIRECTIVES[".bss"] = _simple_section(".bss")
DIRECTIVES[".rodata"] = _simple_section(".rodata")


@directive(".subsection")
def _d_subsection(self, args, st, frame, loc):
    raise FrontEndError("subsections are not supported", loc)


# ---------------------------------------------------------------- alignment and layout

def _align_args(self, args, loc):
    parts = [p.strip() for p in args.split(",")]
    vals = []
    for p in parts[:3]:
        vals.append(None if p == "" else self._const(parse_expr(p), loc, "alignment"))
    while len(vals) < 3:
        vals.append(None)
    if vals[0] is None:
        raise FrontEndError("alignment missing", loc)
    return vals


@directive(".align", ".p2align")
def _d_p2align(self, args, st, frame, loc):
    n, fill, mx = _align_args(self, args, loc)
    if not 0 <= n <= 30:
        raise FrontEndError(f"alignment 2**{n} too large", loc)
    self._align(1 << n, fill, mx, loc)


@directive(".balign")
def _d_balign(self, args, st, frame, loc):
    n, fill, mx = _align_args(self, args, loc)
    self._align(n or 1, fill, mx, loc)


def _align_wide(p2: bool, width: int):
    def handler(self, args, st, frame, loc):
        n, fill, mx = _align_args(self, args, loc)
        a = (1 << n) if p2 else (n or 1)
        if fill is None:
            self._align(a, None, mx, loc)
            return
        if a <= 0 or a & (a - 1):
            raise FrontEndError(f"alignment {a} is not a power of 2", loc)
        pad = (-self.cur.offset) % a
        if mx is not None and mx > 0 and pad > mx:
            return
        if pad % width:
            raise FrontEndError(f"alignment padding ({pad} bytes) not a multiple of {width}",
                                loc)
        if pad:
            self._emit_data([(width, fill & ((1 << (8 * width)) - 1))] * (pad // width), loc)
    return handler


DIRECTIVES[".balignw"] = _align_wide(False, 2)
DIRECTIVES[".balignl"] = _align_wide(False, 4)
DIRECTIVES[".p2alignw"] = _align_wide(True, 2)
DIRECTIVES[".p2alignl"] = _align_wide(True, 4)


@directive(".org")
def _d_org(self, args, st, frame, loc):
    parts = args.split(",")
    v = self._const_or_here(parse_expr(parts[0]), loc, "`.org`")
    fill = self._const(parse_expr(parts[1]), loc, "`.org` fill") if len(parts) > 1 else 0
    self._org(v, fill, loc)


@directive(".ltorg", ".pool")
def _d_ltorg(self, args, st, frame, loc):
    self._flush_pool(self.cur, loc)


# ---------------------------------------------------------------- data

def _data_dir(size):
    def handler(self, args, st, frame, loc):
        self._data(size, args, loc)
    return handler


for _names_, _size in (((".byte",), 1), ((".hword", ".short", ".2byte", ".half"), 2),
                       ((".word", ".long", ".int", ".4byte"), 4),
                       ((".quad", ".xword", ".8byte", ".dword"), 8), ((".octa",), 16)):
    for _n in _names_:
        DIRECTIVES[_n] = _data_dir(_size)
del _n, _names_, _size


@directive(".inst")
def _d_inst(self, args, st, frame, loc):
    for e in parse_exprs(args):
        w = self._const(e, loc, "`.inst`")
        if self.cur.offset % 4:
            self._emit_data([(4 - self.cur.offset % 4, 0)], loc)
        ins = Instruction(".inst", (Imm(w & 0xFFFFFFFF),), loc, source=st.raw)
        ins.text = f".inst {w & 0xFFFFFFFF:#010x}"
        self._emit(ins, 4)


@directive(".ascii", ".asciz", ".string")
def _d_ascii(self, args, st, frame, loc):
    strs = parse_strings(args)
    z = self.op != ".ascii"
    for s in strs:
        b = s + (b"\0" if z else b"")
        if b:
            self._emit_data([(1, c) for c in b], loc)


@directive(".space", ".skip", ".zero")
def _d_space(self, args, st, frame, loc):
    parts = [p for p in (parse_exprs(args) or ())]
    if not parts:
        raise FrontEndError("`.space` needs a size", loc)
    n = self._const(parts[0], loc, "`.space` size")
    fill = self._const(parts[1], loc, "`.space` fill") if len(parts) > 1 else 0
    if n < 0:
        raise FrontEndError(f"`.space {n}`: negative size", loc)
    if n > 1 << 28:
        raise FrontEndError(f"`.space {n}`: too large", loc)
    if n:
        if fill & 0xFF:
            self._emit_data([(1, fill & 0xFF)] * n, loc)
        else:
            self._emit_data([(n, 0)], loc)


@directive(".fill")
def _d_fill(self, args, st, frame, loc):
    parts = parse_exprs(args)
    if not parts:
        raise FrontEndError("`.fill` needs a repeat count", loc)
    rep = self._const(parts[0], loc, "`.fill` count")
    size = self._const(parts[1], loc, "`.fill` size") if len(parts) > 1 else 1
    val = self._const(parts[2], loc, "`.fill` value") if len(parts) > 2 else 0
    if rep < 0 or size < 0:
        raise FrontEndError("`.fill`: negative count or size", loc)
    size = min(size, 8)
    if rep * size > 1 << 28:
        raise FrontEndError("`.fill`: too large", loc)
    if rep and size:
        v = val & (0xFFFFFFFF if size > 4 else (1 << (8 * size)) - 1)
        self._emit_data([(size, v)] * rep, loc)


@directive(".uleb128", ".sleb128")
def _d_leb(self, args, st, frame, loc):
    signed = self.op == ".sleb128"
    for e in parse_exprs(args):
        v = self._const(e, loc, "leb128 value")
        out = []
        while True:
            b = v & 0x7F
            v >>= 7
            done = (v == 0 and not (b & 0x40)) or (v == -1 and (b & 0x40)) if signed \
                else v == 0
            if v < 0 and not signed:
                v &= (1 << 64) - 1
            out.append(b if done else b | 0x80)
            if done:
                break
        self._emit_data([(1, b) for b in out], loc)


@directive(".comm", ".lcomm")
def _d_comm(self, args, st, frame, loc):
    raise FrontEndError("`.comm`/`.lcomm` are not supported", loc)


@directive(".altmacro")
def _d_altmacro(self, args, st, frame, loc):
    raise FrontEndError("`.altmacro` (alternate macro syntax) is not supported", loc)

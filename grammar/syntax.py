"""The lark parser for instruction statements and expressions (grammar/aarch64.lark).

`parse_instruction("ldr x0, [x1, #8]!")` gives the mnemonic and the operands as
syntax nodes; `parse_expr` / `parse_exprs` give expression tuples (grammar/expr.py).
What the names mean (register, `.req` alias, symbol, system register) is decided
later, by grammar/operands.py, against the assembler's state.

Parse errors raise SyntaxProblem (a message without location; the assembler adds
file:line and the macro chain).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from .expr import ExprError, char_value, parse_number


class SyntaxProblem(Exception):
    """Unparseable statement text."""


# --------------------------------------------------------------------------- nodes

class OpExpr(NamedTuple):
    """An expression operand: `x0`, `#8`, `label`, `#:lo12:sym`, `:abs_g1_s:val`."""
    expr: tuple
    hash: bool = False
    reloc: str | None = None


class OpLiteral(NamedTuple):
    """`=expr` (ldr literal pool)."""
    expr: tuple


class OpMem(NamedTuple):
    """`[a, b, c]` (pre=True for `[...]!`); items are operand nodes."""
    items: tuple
    pre: bool = False


class OpShift(NamedTuple):
    """`lsl #3`, `sxtw #2`, `lsl 3`, `mul vl`, `msl #8`: a shift/extend operator."""
    op: str
    amount: tuple | None
    reloc: str | None = None
    word: str | None = None      # `mul vl`: the second word


class OpRegList(NamedTuple):
    """`{v0.16b, v1.16b}` with an optional element index."""
    items: tuple
    index: tuple | None = None


class OpIndexed(NamedTuple):
    """`v0.s[1]`: an expression with an element index."""
    expr: tuple
    index: tuple


class OpFloat(NamedTuple):
    """A floating-point immediate `#1.0` (kept as text)."""
    text: str


# --------------------------------------------------------------------------- transformer

_BIN = {"lor": "||", "land": "&&", "eq": "==", "ne": "!=", "lt": "<", "le": "<=",
        "gt": ">", "ge": ">=", "plus": "+", "minus": "-", "bor": "|", "band": "&",
        "bxor": "^", "bornot": "!", "times": "*", "div": "/", "mod": "%", "shl": "<<",
        "shr": ">>"}
_UN = {"neg": "-", "inv": "~", "lnot": "!"}


class _ToAst(Transformer):
    def number(self, c):
        return parse_number(str(c[0]))

    def char(self, c):
        return ("num", char_value(str(c[0])))

    def name(self, c):
        s = str(c[0])
        return ("dot",) if s == "." else ("sym", s)

    def unary(self, c):          # unary plus
        return c[0]

    # expression operators
    def __default__(self, data, children, meta):
        if data in _BIN:
            return ("bin", _BIN[data], children[0], children[1])
        if data in _UN:
            return ("un", _UN[data], children[0])
        if data == "unary":
            return children[-1]
        return super().__default__(data, children, meta)

    # operands
    def hash_expr(self, c):
        return OpExpr(c[0], True)

    def reloc_expr(self, c):
        return OpExpr(c[1], True, str(c[0])[1:-1].lower())

    def bare_expr(self, c):
        return OpExpr(c[0])

    def literal(self, c):
        return OpLiteral(c[0])

    def mem(self, c):
        return OpMem(tuple(c))

    def mem_pre(self, c):
        return OpMem(tuple(c), True)

    def reglist(self, c):
        return OpRegList(tuple(x for x in c if x is not None))

    def reglist_indexed(self, c):
        return OpRegList(tuple(x for x in c[:-1] if x is not None), c[-1])

    def index(self, c):
        return c[0]

    def indexed(self, c):
        return OpIndexed(c[0].expr if isinstance(c[0], OpExpr) else c[0], c[1])

    def shift(self, c):
        op = str(c[0]).lower()
        a = c[1]
        if isinstance(a, Token):
            if a.type == "NUMBER":
                return OpShift(op, parse_number(str(a)))
            return OpShift(op, None, None, str(a).lower())
        return OpShift(op, a)

    def shift_reloc(self, c):
        return OpShift(str(c[0]).lower(), c[2], str(c[1])[1:-1].lower())

    def float(self, c):
        return OpFloat(str(c[-1]))

    def negfloat(self, c):
        return OpFloat("-" + str(c[-1]))

    def operands(self, c):
        return tuple(x for x in c if x is not None)

    def exprs(self, c):
        return tuple(x for x in c if x is not None)

    def instruction(self, c):
        return (str(c[0]), c[1])


_GRAMMAR = (Path(__file__).with_name("aarch64.lark")).read_text()


def _make(start: str) -> Lark:
    return Lark(_GRAMMAR, start=start, parser="lalr", lexer="contextual",
                transformer=_ToAst(), maybe_placeholders=True, cache=False)


_PARSERS: dict[str, Lark] = {}


def _parser(start: str) -> Lark:
    p = _PARSERS.get(start)
    if p is None:
        p = _PARSERS[start] = _make(start)
    return p


def _describe(e: LarkError, text: str) -> str:
    if isinstance(e, UnexpectedCharacters):
        return f"unexpected character `{text[e.pos_in_stream]}` at column {e.column}"
    if isinstance(e, UnexpectedEOF):
        return "unexpected end of statement"
    if isinstance(e, UnexpectedToken):
        if e.token.type == "$END":
            return "unexpected end of statement"
        return f"unexpected `{e.token}` at column {e.column}"
    return str(e).splitlines()[0]


def _parse(start: str, text: str):
    try:
        return _parser(start).parse(text)
    except ExprError as e:
        raise SyntaxProblem(str(e)) from None
    except LarkError as e:
        inner = getattr(e, "orig_exc", None)
        if isinstance(inner, ExprError):
            raise SyntaxProblem(str(inner)) from None
        raise SyntaxProblem(_describe(e, text)) from None
    except RecursionError:
        raise SyntaxProblem("expression nested too deeply") from None


@lru_cache(maxsize=8192)
def parse_instruction(text: str) -> tuple[str, tuple]:
    """`mnemonic operands` -> (mnemonic as written, operand nodes)."""
    return _parse("instruction", text)


@lru_cache(maxsize=8192)
def parse_expr(text: str) -> tuple:
    if not text.strip():
        raise SyntaxProblem("missing expression")
    r = _parse("exprs", text)
    if len(r) != 1:
        raise SyntaxProblem(f"expected one expression, got `{text}`")
    return r[0]


@lru_cache(maxsize=8192)
def parse_exprs(text: str) -> tuple:
    """Comma-separated expressions (data directives)."""
    if not text.strip():
        return ()
    return _parse("exprs", text)


@lru_cache(maxsize=8192)
def parse_operands(text: str) -> tuple:
    return _parse("operands", text)

"""GNU as constant expressions: the AST, number syntax, and evaluation.

Expressions are small tuples (cheap to build, hash and freeze):

    ('num', value)                 an integer
    ('sym', name)                  a symbol (label, `.set` symbol, or not yet defined)
    ('dot',)                       `.`, the location counter
    ('local', n, 'b'|'f')          numeric local label reference `1b` / `1f`
    ('pos', section, offset)       a frozen location (what `.` was when deferred)
    ('un', op, a)                  op in  - ~ !
    ('bin', op, a, b)              op in  * / % << >> | & ^ ! + - == != < <= > >= && ||

Values follow gas: 64-bit two's complement arithmetic, `>>` is a logical shift of
the 64-bit pattern, `/` and `%` truncate toward zero, comparisons give -1 (true) or
0, `&&`/`||` give 1 or 0, and a shift by 64 or more gives 0.

A value is either absolute (`Val(n)`) or relocatable: a symbol plus an addend
(`Val(addend, sym)`).  The difference of two labels of one section is absolute.
Anything else that gas would need a relocation for is an error, except where the
caller accepts a relocatable result (operands, data).
"""
from __future__ import annotations

from dataclasses import dataclass

MASK64 = (1 << 64) - 1


def wrap(v: int) -> int:
    """Reduce to a signed 64-bit integer, as gas's offsetT."""
    v &= MASK64
    return v - (1 << 64) if v >> 63 else v


class ExprError(Exception):
    """A bad expression; the caller adds the source location."""


class Undefined(Exception):
    """The expression refers to a symbol that is not (yet) defined."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Val:
    """An evaluated expression: `const` alone, or symbol `sym` plus `const`.

    `minus` (rare): the value also subtracts the base address of that section, as in
    `sym - .` where sym is in another section or external (`.long 661b - .`); only
    data directives accept it (as a PC-relative value)."""
    const: int
    sym: str | None = None
    minus: str | None = None

    @property
    def is_abs(self) -> bool:
        return self.sym is None and self.minus is None


# --------------------------------------------------------------------------- numbers

def parse_number(text: str):
    """A NUMBER token: ('num', v) or ('local', n, 'b'|'f'); raises ExprError."""
    t = text
    low = t.lower()
    try:
        if low.startswith("0x"):
            v = int(t[2:], 16)
        elif low.startswith("0b") and len(t) > 2 and all(c in "01" for c in t[2:]):
            v = int(t[2:], 2)
        elif low[-1] in "bf" and t[:-1].isdigit():
            return ("local", int(t[:-1]), low[-1])
        elif t.isdigit():
            v = int(t, 8) if len(t) > 1 and t[0] == "0" else int(t, 10)
        else:
            raise ValueError
    except ValueError:
        raise ExprError(f"bad number `{text}`") from None
    if v > MASK64:
        raise ExprError(f"number `{text}` does not fit in 64 bits")
    return ("num", wrap(v))


_ESCAPES = {"n": 10, "t": 9, "r": 13, "b": 8, "f": 12, "v": 11, "a": 7, "0": 0,
            "\\": 92, "'": 39, '"': 34, "e": 27}


def char_value(text: str) -> int:
    """A character constant `'a`, `'a'`, `'\\n`."""
    body = text[1:]
    if body.endswith("'") and len(body) > 1:
        body = body[:-1]
    if not body:
        raise ExprError("empty character constant")
    if body[0] == "\\" and len(body) > 1:
        c = body[1]
        if c in _ESCAPES:
            return _ESCAPES[c]
        if c.isdigit():
            return int(body[1:], 8) & 0xFF
        return ord(c)
    return ord(body[0])


# --------------------------------------------------------------------------- evaluation

def _cmp(op: str, a: int, b: int) -> int:
    r = {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b,
         ">": a > b, ">=": a >= b}[op]
    return -1 if r else 0


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ExprError("division by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _mod(a: int, b: int) -> int:
    if b == 0:
        raise ExprError("division by zero")
    return a - _div(a, b) * b


def apply_abs(op: str, a: int, b: int) -> int:
    """A binary operator on two absolute values."""
    if op == "+":
        return wrap(a + b)
    if op == "-":
        return wrap(a - b)
    if op == "*":
        return wrap(a * b)
    if op == "/":
        return wrap(_div(a, b))
    if op == "%":
        return wrap(_mod(a, b))
    if op == "<<":
        return 0 if not 0 <= b < 64 else wrap(a << b)
    if op == ">>":
        return 0 if not 0 <= b < 64 else wrap((a & MASK64) >> b)
    if op == "|":
        return a | b
    if op == "&":
        return a & b
    if op == "^":
        return a ^ b
    if op == "!":
        return wrap(a | ~b)
    if op == "&&":
        return 1 if (a and b) else 0
    if op == "||":
        return 1 if (a or b) else 0
    return _cmp(op, a, b)


class Env:
    """What evaluation needs from the assembler.  Subclassed by gas.Assembler's view.

    symbol(name)   -> Val | None   a defined symbol's value (labels: Val(0, name)),
                                   None when not defined
    position(name) -> (section, offset) | None   where a label is
    dot()          -> Val          the location counter
    local(n, d)    -> str          the internal name of numeric label n (backward/forward)
    """

    def symbol(self, name: str) -> Val | None:  # pragma: no cover - interface
        raise NotImplementedError

    def position(self, name: str):  # pragma: no cover - interface
        raise NotImplementedError

    def dot(self) -> Val:  # pragma: no cover - interface
        raise NotImplementedError

    def local(self, n: int, direction: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def evaluate(e, env: Env, *, allow_undefined: bool = False) -> Val:
    """Evaluate an expression tuple.

    An undefined symbol raises Undefined, unless allow_undefined: then it is taken as
    an external symbol (relocatable, addend 0)."""
    tag = e[0]
    if tag == "num":
        return Val(e[1])
    if tag == "sym":
        v = env.symbol(e[1])
        if v is None:
            if e[1][:1].isdigit() and allow_undefined:
                # an internal numeric-label name, `N$k`: the `Nf` had no later `N:`
                raise ExprError(f"no definition of local label `{e[1].split('$')[0]}:` "
                                "after this reference")
            if allow_undefined:
                return Val(0, e[1])
            raise Undefined(e[1])
        return v
    if tag == "local":
        name = env.local(e[1], e[2])
        v = env.symbol(name)
        if v is None:
            if allow_undefined:
                raise ExprError(f"undefined local label `{e[1]}{e[2]}`")
            raise Undefined(name)
        return v
    if tag == "dot":
        return env.dot()
    if tag == "pos":
        return Val(e[2], e[1])
    if tag == "un":
        a = evaluate(e[2], env, allow_undefined=allow_undefined)
        op = e[1]
        if not a.is_abs:
            if op == "+":
                return a
            raise ExprError(f"unary `{op}` of a relocatable value ({_show(a)})")
        if op == "-":
            return Val(wrap(-a.const))
        if op == "~":
            return Val(wrap(~a.const))
        if op == "!":
            return Val(0 if a.const else 1)
        return a
    if tag == "bin":
        op = e[1]
        a = evaluate(e[2], env, allow_undefined=allow_undefined)
        b = evaluate(e[3], env, allow_undefined=allow_undefined)
        if a.is_abs and b.is_abs:
            return Val(apply_abs(op, a.const, b.const))
        if a.minus is not None or b.minus is not None:
            if op == "+" and (a.is_abs or b.is_abs):
                x, y = (b, a) if a.is_abs else (a, b)
                return Val(wrap(x.const + y.const), x.sym, x.minus)
            if op == "-" and b.is_abs:
                return Val(wrap(a.const - b.const), a.sym, a.minus)
            raise ExprError(f"invalid operands for `{op}`: {_show(a)} and {_show(b)}")
        if op == "+":
            if a.is_abs:
                return Val(wrap(a.const + b.const), b.sym)
            if b.is_abs:
                return Val(wrap(a.const + b.const), a.sym)
        elif op == "-":
            if b.is_abs:
                return Val(wrap(a.const - b.const), a.sym)
            if not a.is_abs:
                pa, pb = env.position(a.sym), env.position(b.sym)
                if pa is not None and pb is not None and pa[0] == pb[0]:
                    return Val(wrap(pa[1] + a.const - pb[1] - b.const))
                if pa is None and not allow_undefined:
                    raise Undefined(a.sym)
                if pb is None and not allow_undefined:
                    raise Undefined(b.sym)
                if pb is not None:
                    # sym - label-or-. with sym elsewhere: PC-relative (data only)
                    return Val(wrap(a.const - pb[1] - b.const), a.sym, pb[0])
                raise ExprError(f"can't compute `{_show(a)} - {_show(b)}`: "
                                "not in the same section")
        elif op in ("==", "!=") and not a.is_abs and not b.is_abs:
            pa, pb = env.position(a.sym), env.position(b.sym)
            if pa is not None and pb is not None:
                same = pa[0] == pb[0] and pa[1] + a.const == pb[1] + b.const
                return Val(-1 if same == (op == "==") else 0)
        raise ExprError(f"invalid operands for `{op}`: {_show(a)} and {_show(b)}")
    raise ExprError(f"bad expression node {tag}")  # pragma: no cover


def _show(v: Val) -> str:
    if v.is_abs:
        return str(v.const)
    s = (v.sym or "") + (f"{v.const:+#x}" if v.const else "")
    return s + (f" - {v.minus}" if v.minus else "")


def freeze(e, env: Env):
    """Bind what is known now, so the expression can be evaluated later.

    Defined absolute symbols become numbers (gas uses an absolute symbol's value at
    the time it is used), `.` becomes a fixed position, `1b`/`1f` become the internal
    names of the labels they mean now.  Labels and undefined names stay symbolic."""
    tag = e[0]
    if tag == "sym":
        v = env.symbol(e[1])
        if v is not None and v.is_abs:
            return ("num", v.const)
        return e
    if tag == "dot":
        d = env.dot()
        return ("pos", d.sym, d.const)
    if tag == "local":
        return ("sym", env.local(e[1], e[2]))
    if tag == "un":
        return ("un", e[1], freeze(e[2], env))
    if tag == "bin":
        return ("bin", e[1], freeze(e[2], env), freeze(e[3], env))
    return e


def names(e):
    """The symbol names an expression mentions."""
    tag = e[0]
    if tag == "sym":
        yield e[1]
    elif tag == "un":
        yield from names(e[2])
    elif tag == "bin":
        yield from names(e[2])
        yield from names(e[3])


def is_plain_name(e) -> str | None:
    """The name if the expression is just a symbol, else None."""
    return e[1] if e[0] == "sym" else None


_OPTEXT = {"&&": "&&", "||": "||"}


def show(e) -> str:
    """An expression as gas source text (fully parenthesised where needed)."""
    tag = e[0]
    if tag == "num":
        return str(e[1])
    if tag == "sym":
        return e[1]
    if tag == "dot":
        return "."
    if tag == "local":
        return f"{e[1]}{e[2]}"
    if tag == "pos":
        return f"{e[1]}+{e[2]}"
    if tag == "un":
        return f"{e[1]}{_paren(e[2])}"
    return f"{_paren(e[2])} {e[1]} {_paren(e[3])}"


def _paren(e) -> str:
    s = show(e)
    return s if e[0] in ("num", "sym", "dot", "local") else f"({s})"

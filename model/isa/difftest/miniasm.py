"""A minimal parser for one A64 instruction in canonical GNU syntax -> Instruction.

For tests and the differential harness only: it reads what the generator writes and
what unit tests spell by hand (`add x0, x1, w2, uxtw #2`, `ldr x0, [x1, #8]!`,
`b.ne 1f`-free label names, `:lo12:sym`, `=value`).  It is not the front end: no
macros, no expressions beyond a single integer, no `.req`.
"""
from __future__ import annotations

import re

from ....grammar.program import (Cond, ExtendedReg, Imm, Instruction, Literal, Mem, Name,
                                 Reg, ShiftedReg, SourceLoc, SymRef)

_CONDS = {"eq", "ne", "hs", "cs", "lo", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge",
          "lt", "gt", "le", "al", "nv"}
_SHIFTS = {"lsl", "lsr", "asr", "ror"}
_EXTENDS = {"uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"}
_REG = re.compile(r"^([xw])([0-9]|[12][0-9]|30)$")
_LOC = SourceLoc("<miniasm>", 0)


def reg(name: str) -> Reg:
    n = name.lower()
    if n in ("sp", "wsp"):
        return Reg(n, 31, 64 if n == "sp" else 32, True)
    if n in ("xzr", "wzr"):
        return Reg(n, 31, 64 if n == "xzr" else 32)
    if n == "lr":
        return Reg("x30", 30, 64)
    if n == "fp":
        return Reg("x29", 29, 64)
    m = _REG.match(n)
    if not m:
        raise ValueError(f"not a register: {name}")
    return Reg(n, int(m.group(2)), 64 if m.group(1) == "x" else 32)


def is_reg(name: str) -> bool:
    try:
        reg(name)
        return True
    except ValueError:
        return False


def _int(s: str) -> int:
    s = s.strip()
    if s.startswith("#"):
        s = s[1:].strip()
    return int(s, 0)


def _split(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def _symref(s: str) -> SymRef:
    reloc = None
    m = re.match(r"^:([a-z0-9_]+):(.*)$", s)
    if m:
        reloc, s = m.group(1), m.group(2)
    m = re.match(r"^([A-Za-z_.$][\w.$]*)\s*([+-]\s*(?:0x[0-9a-fA-F]+|\d+))?$", s)
    if not m:
        raise ValueError(f"bad symbol reference: {s}")
    addend = int(m.group(2).replace(" ", ""), 0) if m.group(2) else 0
    return SymRef(m.group(1), addend, reloc)


def _atom(s: str):
    """One operand without trailing shift: register, immediate, symbol, name, cond."""
    t = s.strip()
    low = t.lower()
    if t.startswith("#"):
        body = t[1:].strip()
        if body.startswith(":"):
            return _symref(body)
        return Imm(int(body, 0))
    if t.startswith("="):
        body = t[1:].strip()
        try:
            return Literal(int(body, 0))
        except ValueError:
            return Literal(_symref(body))
    if is_reg(low):
        return reg(low)
    if low in _CONDS:
        return Cond({"cs": "hs", "cc": "lo"}.get(low, low))
    if re.match(r"^-?(0x[0-9a-f]+|\d+)$", low):
        return Imm(int(low, 0))
    if t.startswith(":"):
        return _symref(t)
    return Name(low) if re.match(r"^[a-z][a-z0-9_]*$", low) and _is_name_like(low) else _symref(t)


_NAME_WORDS = None


def _is_name_like(low: str) -> bool:
    """Barrier options, TLBI/DC/IC ops, system registers, prefetch ops, bti targets."""
    global _NAME_WORDS
    if _NAME_WORDS is None:
        from ..barriers import BARRIER_OPTIONS
        from ..system import AT_OPS, DC_OPS, IC_OPS, TLBI_OPS
        from ..sysregs import PSTATE_FIELDS, SYSREGS
        _NAME_WORDS = (set(BARRIER_OPTIONS) | set(TLBI_OPS) | set(DC_OPS) | set(IC_OPS)
                       | set(AT_OPS) | set(SYSREGS) | set(PSTATE_FIELDS)
                       | {"c", "j", "jc", "csync", "dsync"})
    if low in _NAME_WORDS:
        return True
    if re.match(r"^s[0-3]_[0-7]_c\d+_c\d+_[0-7]$", low):
        return True
    if re.match(r"^c\d+$", low):
        return True
    if re.match(r"^p(ld|li|st)l[123](keep|strm)$", low):
        return True
    return False


def _shift_op(s: str):
    parts = s.strip().split(None, 1)
    op = parts[0].lower()
    amt = _int(parts[1]) if len(parts) > 1 else None
    return op, amt


def _mem(s: str) -> Mem:
    pre = s.endswith("!")
    body = s[:-1] if pre else s
    body = body.strip()
    assert body[0] == "[" and body[-1] == "]", s
    items = _split(body[1:-1])
    base = reg(items[0])
    off = None
    if len(items) >= 2:
        a = _atom(items[1])
        if len(items) == 3:
            op, amt = _shift_op(items[2])
            if op in _EXTENDS:
                off = ExtendedReg(a, op, amt)
            elif op == "lsl" and isinstance(a, Reg) and a.width == 64:
                off = ShiftedReg(a, op, amt)
            elif op == "lsl":
                off = ExtendedReg(a, op, amt)
            else:
                raise ValueError(f"bad address: {s}")
        elif isinstance(a, Reg) and False:
            off = a
        else:
            off = a
    return Mem(base, off, "pre" if pre else "offset")


def parse(text: str, *, address: int = 0) -> Instruction:
    """Parse one instruction (no label, no comment)."""
    t = text.strip()
    parts = t.split(None, 1)
    mnem = parts[0].lower()
    cond = None
    if "." in mnem and mnem[0] != ".":
        mnem, cond = mnem.split(".", 1)
        cond = {"cs": "hs", "cc": "lo"}.get(cond, cond)
    raw = _split(parts[1]) if len(parts) > 1 else []
    ops: list = []
    i = 0
    while i < len(raw):
        s = raw[i]
        if s.startswith("["):
            m = _mem(s)
            if i + 1 < len(raw) and not m.offset and m.mode == "offset" and mnem not in (
                    "stxr", "stlxr", "stxrb", "stlxrb", "stxrh", "stlxrh"):
                # post-index: [base], #imm | xM
                nxt = _atom(raw[i + 1])
                m = Mem(m.base, nxt, "post")
                i += 1
            ops.append(m)
            i += 1
            continue
        a = _atom(s)
        # a trailing shift/extend operand attaches to the previous one
        if i + 1 < len(raw):
            op, amt = _shift_op(raw[i + 1]) if raw[i + 1].split()[0].lower() in (
                _SHIFTS | _EXTENDS) else (None, None)
            if op is not None:
                if isinstance(a, Imm):
                    a = Imm(a.value, amt or 0)
                elif op in _EXTENDS:
                    a = ExtendedReg(a, op, amt)
                elif op in _SHIFTS:
                    a = ShiftedReg(a, op, amt or 0)
                i += 1
        ops.append(a)
        i += 1
    ins = Instruction(mnem, tuple(ops), _LOC, text=t, source=t, cond=cond)
    ins.address = address
    return ins


def parse_lines(lines, base: int = 0x1000):
    """Parse a list of lines with `label:` lines into (instructions, labels)."""
    instrs, labels = [], {}
    addr = base
    for line in lines:
        line = line.split("//")[0].strip()
        if not line:
            continue
        while ":" in line and re.match(r"^[A-Za-z_.$][\w.$]*:", line):
            name, line = line.split(":", 1)
            labels[name.strip()] = addr
            line = line.strip()
        if not line:
            continue
        instrs.append(parse(line, address=addr))
        addr += 4
    return instrs, labels

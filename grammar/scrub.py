"""Reading assembler source into statements, the way GNU as's input scrubber does.

From the preprocessor's output (with linemarkers `# 12 "proc.S" 2`) each physical
line gets the file:line it came from.  Then, as gas does before anything else:

* `//` comments and `/* ... */` comments (which may span lines) are removed, as are
  lines starting with `#` (linemarkers, `#APP`, ...);
* `;` separates statements (outside strings);
* whitespace is collapsed: one space after the mnemonic; inside the operands a space
  is kept only between two symbol characters (letters, digits, `_ . $ \\`).  This is
  what makes gas split the macro arguments `1 2` in two but `1 + 2` not;
* character constants `'a` / `'a'` become their decimal value.

Each statement is kept twice: scrubbed (`text`, what the assembler parses) and as
written (`raw`, for listings and traces).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .expr import ExprError, char_value


@dataclass(slots=True)
class Stmt:
    text: str       # scrubbed statement
    raw: str        # the statement as written (comments removed, stripped)
    file: str
    line: int


_LINEMARKER = re.compile(r'#\s*(?:line\s+)?(\d+)(?:\s+"((?:[^"\\]|\\.)*)")?')
_SYMCHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$\\")
_LABEL = re.compile(r"\s*((?:[A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)):")


class ScrubError(Exception):
    """Unterminated string etc.; carries the line."""

    def __init__(self, msg: str, file: str, line: int):
        super().__init__(msg)
        self.msg, self.file, self.line = msg, file, line


def _unescape_cpp_name(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def split_line(line: str, in_comment: bool):
    """Remove comments and split at `;`.  Returns (segments, in_comment_after)."""
    segs: list[str] = []
    cur: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if in_comment:
            j = line.find("*/", i)
            if j < 0:
                i = n
                break
            in_comment = False
            cur.append(" ")
            i = j + 2
            continue
        c = line[i]
        if c == '"':
            j = i + 1
            while j < n and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            cur.append(line[i:j + 1])
            i = j + 1
        elif c == "'" and i + 1 < n:
            # a character constant: the quote, the (possibly escaped) character and
            # an optional closing quote
            j = i + (3 if line[i + 1] == "\\" and i + 2 < n else 2)
            if j < n and line[j] == "'":
                j += 1
            cur.append(line[i:j])
            i = j
        elif c == "/" and line.startswith("//", i):
            break
        elif c == "/" and line.startswith("/*", i):
            in_comment = True
            i += 2
        elif c == ";":
            segs.append("".join(cur))
            cur = []
            i += 1
        else:
            cur.append(c)
            i += 1
    segs.append("".join(cur))
    return segs, in_comment


def scrub(seg: str) -> str:
    """Collapse whitespace in one statement the way gas does (see module doc)."""
    s = seg.strip()
    if not s:
        return ""
    out: list[str] = []
    pos = 0
    # labels
    while True:
        m = _LABEL.match(s, pos)
        if not m:
            break
        out.append(m.group(1) + ": ")
        pos = m.end()
        while pos < len(s) and s[pos] in " \t":
            pos += 1
    # mnemonic / directive / macro name
    j = pos
    while j < len(s) and s[j] not in " \t":
        j += 1
    opcode = s[pos:j]
    rest = s[j:].strip()
    if not opcode:
        return "".join(out).rstrip()
    out.append(opcode)
    if rest:
        out.append(" ")
        out.append(_scrub_operands(rest))
    return "".join(out)


def _scrub_operands(s: str) -> str:
    out: list[str] = []
    i, n = 0, len(s)
    last = ""
    while i < n:
        c = s[i]
        if c == '"':
            j = i + 1
            while j < n and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            out.append(s[i:j + 1])
            last = '"'
            i = j + 1
        elif c == "'" and i + 1 < n:
            j = i + (3 if s[i + 1] == "\\" and i + 2 < n else 2)
            if j < n and s[j] == "'":
                j += 1
            try:
                out.append(str(char_value(s[i:j])))
            except ExprError:
                out.append(s[i:j])
            last = "0"
            i = j
        elif c in " \t":
            j = i
            while j < n and s[j] in " \t":
                j += 1
            if j < n and last in _SYMCHARS and last and s[j] in _SYMCHARS:
                out.append(" ")
            i = j
        else:
            out.append(c)
            last = c
            i += 1
    return "".join(out)


def read_statements(text: str, filename: str) -> list[Stmt]:
    """All statements of a source text (cpp output or plain assembler)."""
    out: list[Stmt] = []
    file = filename
    line = 1
    in_comment = False
    for phys in text.split("\n"):
        if phys.endswith("\r"):
            phys = phys[:-1]
        if not in_comment and phys.startswith("#"):
            m = _LINEMARKER.match(phys)
            if m and (m.group(2) is not None or phys[1:2] in " l"):
                line = int(m.group(1))
                if m.group(2) is not None:
                    file = _unescape_cpp_name(m.group(2))
                continue
            line += 1          # `#` at the start of a line: a comment
            continue
        if not phys.strip() and not in_comment:
            line += 1
            continue
        segs, in_comment = split_line(phys, in_comment)
        for seg in segs:
            raw = seg.strip()
            if not raw:
                continue
            t = scrub(raw)
            if t:
                out.append(Stmt(t, raw, file, line))
        line += 1
    return out

"""Differential check of the front end against GNU as.

The same source is assembled twice:

1. as written (the preprocessor's output) by `aarch64-linux-gnu-as`;
2. as *we* understood it: our Program rendered back to plain gas statements, one
   per item, with every operand taken from the IR (registers after `.req`, evaluated
   immediates, resolved local labels, literal-pool loads as PC-relative loads of our
   own pool slots, our own padding and data) -- see `render_program`.

Both objects are disassembled by `aarch64-linux-gnu-objdump -dr`, which normalises
the spelling (aliases, hex immediates, register names) identically on both sides.
Then, routine by routine and offset by offset, our instruction must disassemble to
the same text as gas's instruction at that offset (branch targets are printed as
section offsets, relocations with their symbol), our data must have the same bytes,
and every instruction gas produced must be covered by ours.  Any difference is a
front-end bug (or an unsupported construct) and is reported with the source
location of our instruction.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

from .gas import operand_text
from .program import (Data, ExtendedReg, Imm, Instruction, Literal, Mem, Program, Reg,
                      ShiftedReg, SymRef)

AS = os.environ.get("BBM_GNU_AS", "aarch64-linux-gnu-as")
OBJDUMP = os.environ.get("BBM_GNU_OBJDUMP", "aarch64-linux-gnu-objdump")


# Candidate `.arch` lines for re-assembling our rendering, most permissive first; the
# first one the installed GNU as accepts is used.
ARCHS = ("armv9.4-a+crypto+sve2+sme+memtag+rcpc3+the+d128+gcs",
         "armv9.3-a+crypto+sve2+sme+memtag+rng+ssbs+predres+ls64",
         "armv9-a+crypto+sve2", "armv8.5-a+crypto", "armv8-a")


class GnuAsError(Exception):
    """GNU as rejected the input (message is its stderr)."""


@functools.lru_cache(maxsize=None)
def _arch() -> str:
    for a in ARCHS:
        try:
            run_gnu_as(f"\t.arch {a}\n\tnop\n")
            return a
        except (GnuAsError, OSError, subprocess.CalledProcessError):
            continue
    return "armv8-a"


def tools_available() -> bool:
    return shutil.which(AS) is not None and shutil.which(OBJDUMP) is not None


# --------------------------------------------------------------------------- objects

@dataclass
class Line:
    offset: int
    word: str          # hex bytes as objdump prints them
    text: str          # normalised disassembly ('' for data)
    is_insn: bool


@dataclass
class ObjSection:
    name: str
    lines: dict[int, Line] = field(default_factory=dict)
    relocs: dict[int, list[str]] = field(default_factory=dict)
    data: bytearray = field(default_factory=bytearray)


_DATA_MNEMONICS = {".word", ".short", ".byte", ".inst", ".hword", ".dword"}
_SEC_RE = re.compile(r"^Disassembly of section (.+):$")
_LINE_RE = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$")
_RELOC_RE = re.compile(r"^\s*([0-9a-f]+): (R_AARCH64_\w+)\s+(.*)$")
_CONTENTS_RE = re.compile(r"^Contents of section (.+):$")


def normalise(text: str) -> str:
    """objdump text without symbol annotations and comments."""
    t = re.sub(r"\s*<[^>]*>", "", text)
    t = re.sub(r"\s*//.*$", "", t)
    t = re.sub(r"\s*;.*$", "", t)
    return re.sub(r"\s+", " ", t.replace("\t", " ")).strip()


def run_gnu_as(source: str, *, workdir: str | None = None) -> dict[str, ObjSection]:
    """Assemble source with GNU as; the disassembly and contents per section."""
    with tempfile.TemporaryDirectory(dir=workdir) as d:
        src = os.path.join(d, "in.s")
        obj = os.path.join(d, "out.o")
        with open(src, "w") as fh:
            fh.write(source)
        r = subprocess.run([AS, "-o", obj, src], capture_output=True, text=True)
        if r.returncode != 0:
            raise GnuAsError(r.stderr.strip())
        dis = subprocess.run([OBJDUMP, "-d", "-r", "-z", obj], capture_output=True,
                             text=True, check=True).stdout
        con = subprocess.run([OBJDUMP, "-s", obj], capture_output=True, text=True,
                             check=True).stdout
    secs: dict[str, ObjSection] = {}
    cur = None
    for ln in dis.splitlines():
        m = _SEC_RE.match(ln)
        if m:
            cur = secs.setdefault(m.group(1), ObjSection(m.group(1)))
            continue
        if cur is None:
            continue
        m = _RELOC_RE.match(ln)
        if m:
            cur.relocs.setdefault(int(m.group(1), 16), []).append(
                f"{m.group(2)} {m.group(3).strip()}")
            continue
        m = _LINE_RE.match(ln)
        if m:
            off = int(m.group(1), 16)
            text = m.group(3)
            mn = text.split("\t", 1)[0].strip()
            is_insn = mn not in _DATA_MNEMONICS and not text.startswith(".")
            cur.lines[off] = Line(off, m.group(2).replace(" ", ""), normalise(text)
                                  if is_insn else "", is_insn)
    cur = None
    for ln in con.splitlines():
        m = _CONTENTS_RE.match(ln)
        if m:
            cur = secs.setdefault(m.group(1), ObjSection(m.group(1)))
            continue
        if cur is None or not ln.startswith(" "):
            continue
        parts = ln[1:].split("  ")[0].split()
        if not parts:
            continue
        off = int(parts[0], 16)
        raw = bytes.fromhex("".join(parts[1:]))
        if len(cur.data) < off:
            cur.data.extend(b"\0" * (off - len(cur.data)))
        cur.data[off:off + len(raw)] = raw
    return secs


# --------------------------------------------------------------------------- rendering

def _label(name: str) -> str:
    if name[:1].isdigit():                   # our numeric-local internal name N$k
        return ".Lbbm_local_" + name.replace("$", "_")
    return name


def _sec_label(sec: str) -> str:
    return ".Lbbm_sec_" + re.sub(r"[^A-Za-z0-9_]", "_", sec)


def _ref(prog: Program, s: SymRef) -> str:
    name = s.name
    if name in prog.sections and prog.symbols.get(name, None) is not None \
            and prog.symbols[name].kind == "section":
        base = _sec_label(name)
    else:
        base = _label(name)
    if s.addend:
        base += f"{s.addend:+d}"
    return base


def _reg(r: Reg) -> str:
    """A register's name from its number/width/sp fields (not its `name`), so that the
    comparison checks the fields the model reads."""
    if r.num == 31:
        return ("sp" if r.width == 64 else "wsp") if r.is_sp else \
            ("xzr" if r.width == 64 else "wzr")
    return f"{'x' if r.width == 64 else 'w'}{r.num}"


def render_operand(prog: Program, ins: Instruction, o) -> str:
    if isinstance(o, Reg):
        return _reg(o)
    if isinstance(o, SymRef):
        b = _ref(prog, o)
        if o.reloc:
            return f"#:{o.reloc}:{b}"
        return b
    if isinstance(o, Literal):
        if o.pool_offset is None:
            raise ValueError("literal without a pool slot")
        return f".{o.pool_offset - ins.offset:+d}"
    if isinstance(o, Imm):
        return f"#{o.value}" + (f", lsl #{o.shift}" if o.shift else "")
    if isinstance(o, ShiftedReg):
        return f"{_reg(o.reg)}, {o.op} #{o.amount}"
    if isinstance(o, ExtendedReg):
        return f"{_reg(o.reg)}, {o.op}" + (f" #{o.amount}" if o.amount is not None else "")
    if isinstance(o, Mem):
        base = _reg(o.base)
        off = "" if o.offset is None else ", " + render_operand(prog, ins, o.offset)
        if o.mode == "pre":
            return f"[{base}{off}]!"
        if o.mode == "post":
            return f"[{base}]{off}"
        return f"[{base}{off}]"
    return operand_text(o)


def render_instruction(prog: Program, ins: Instruction) -> str:
    if ins.mnemonic == ".inst":
        return f".inst {ins.operands[0].value & 0xFFFFFFFF:#010x}"
    m = ins.mnemonic + (f".{ins.cond}" if ins.cond else "")
    if not ins.operands:
        return m
    return m + " " + ", ".join(render_operand(prog, ins, o) for o in ins.operands)


_DATA_DIRECTIVE = {1: ".byte", 2: ".hword", 4: ".word", 8: ".quad"}


def render_data(prog: Program, d: Data) -> list[str]:
    out = []
    for size, v in d.values:
        if isinstance(v, SymRef):
            ref = _ref(prog, SymRef(v.name, v.addend))
            if v.reloc == "prel":
                out.append(f"{_DATA_DIRECTIVE[size]} {ref} - .")
            else:
                out.append(f"{_DATA_DIRECTIVE[size]} {ref}")
        elif size in _DATA_DIRECTIVE:
            out.append(f"{_DATA_DIRECTIVE[size]} {v & ((1 << (8 * size)) - 1):#x}")
        elif v == 0:
            out.append(f".zero {size}")
        else:
            b = (v & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
            out.append(".byte " + ", ".join(str(x) for x in b))
    return out


def render_program(prog: Program) -> str:
    """Our Program as plain gas statements at the same offsets (see module doc)."""
    # the most permissive architecture, so that whatever the source enabled with
    # .arch/.arch_extension (which we do not track) assembles here too
    lines = [f"\t.arch {_arch()}"]
    labels: dict[str, dict[int, list[str]]] = {}
    for sym in prog.symbols.values():
        if sym.section is None or sym.kind == "section":
            continue
        labels.setdefault(sym.section, {}).setdefault(sym.offset, []).append(sym.name)
    for sym in prog.symbols.values():
        if sym.is_global and sym.section is not None:
            lines.append(f"\t.globl {sym.name}")
    for sec in prog.sections.values():
        flags = f', "{sec.flags}"' if sec.flags else ""
        lines.append(f'\t.section "{sec.name}"{flags}')
        lines.append(f"{_sec_label(sec.name)}:")
        here = 0
        lab = labels.get(sec.name, {})
        for it in sorted(sec.items, key=lambda i: i.offset):
            if it.offset != here:
                raise ValueError(f"gap in section {sec.name} at {here:#x}")
            for name in lab.get(it.offset, ()):
                lines.append(f"{_label(name)}:")
            if isinstance(it, Instruction):
                lines.append("\t" + render_instruction(prog, it))
                here += 4
            else:
                lines.extend("\t" + x for x in render_data(prog, it))
                here += it.size
        for off, names in lab.items():
            if off >= here:
                if off > here:
                    lines.append(f"\t.zero {off - here}")
                    here = off
                for name in names:
                    lines.append(f"{_label(name)}:")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- compare

@dataclass
class Mismatch:
    routine: str
    section: str
    offset: int
    ours: str
    gnu: str
    where: str = ""

    def __str__(self) -> str:
        return (f"{self.routine} {self.section}+{self.offset:#x} {self.where}: "
                f"ours `{self.ours}` vs GNU as `{self.gnu}`")


@dataclass
class Report:
    compared: dict[str, int] = field(default_factory=dict)   # routine -> instructions
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _owner(prog: Program, sec: str, off: int) -> str:
    names = [r.name for r in prog.routines.values()
             if r.section == sec and r.start <= off < r.end]
    return "/".join(names) if names else "(outside routines)"


def _owners(prog: Program, sec: str, off: int) -> list[str]:
    return [r.name for r in prog.routines.values()
            if r.section == sec and r.start <= off < r.end] or ["(outside routines)"]


def compare(prog: Program, source: str, *, routines=None) -> Report:
    """Compare our Program with GNU as on `source` (what our Program came from)."""
    gnu = run_gnu_as(source)
    mine = run_gnu_as(render_program(prog))
    rep = Report()
    want = set(routines) if routines is not None else None
    for sec in prog.sections.values():
        g = gnu.get(sec.name)
        o = mine.get(sec.name)
        if g is None or o is None:
            if sec.size:
                rep.mismatches.append(Mismatch("-", sec.name, 0, f"{sec.size} bytes",
                                               "section missing"))
            continue
        if bytes(g.data[:sec.size]) != bytes(o.data[:sec.size]) or len(g.data) != sec.size:
            pass  # reported below, item by item (relocated fields differ in bytes)
        covered: set[int] = set()
        for it in sec.items:
            owners = _owners(prog, sec.name, it.offset)
            name = "/".join(owners)
            if want is not None and not want.intersection(owners):
                continue
            if isinstance(it, Instruction):
                covered.add(it.offset)
                bad = _literal_problem(sec, it)
                if bad:
                    rep.mismatches.append(Mismatch(name, sec.name, it.offset, bad,
                                                   "(pool slot)", str(it.loc)))
                gl = g.lines.get(it.offset)
                ol = o.lines.get(it.offset)
                gt = (gl.text if gl and gl.is_insn else f"<data {gl.word if gl else '?'}>")
                ot = (ol.text if ol and ol.is_insn else f"<data {ol.word if ol else '?'}>")
                grel = g.relocs.get(it.offset, [])
                orel = o.relocs.get(it.offset, [])
                if gt != ot or _norm_rel(grel) != _norm_rel(orel):
                    rep.mismatches.append(Mismatch(name, sec.name, it.offset,
                                                   f"{ot} {orel}".strip(),
                                                   f"{gt} {grel}".strip(), str(it.loc)))
                for n in owners:
                    rep.compared[n] = rep.compared.get(n, 0) + 1
            else:
                lo, hi = it.offset, it.offset + it.size
                for k in range(lo, hi):
                    covered.add(k)
                gb, ob = bytes(g.data[lo:hi]), bytes(o.data[lo:hi])
                grel = {k: v for k, v in g.relocs.items() if lo <= k < hi}
                orel = {k: v for k, v in o.relocs.items() if lo <= k < hi}
                if gb != ob or {k: _norm_rel(v) for k, v in grel.items()} != \
                        {k: _norm_rel(v) for k, v in orel.items()}:
                    rep.mismatches.append(Mismatch(name, sec.name, lo, f"{ob.hex()} {orel}",
                                                   f"{gb.hex()} {grel}", str(it.loc)))
        for off, gl in sorted(g.lines.items()):
            if gl.is_insn and off not in covered:
                owners = _owners(prog, sec.name, off)
                name = "/".join(owners)
                if want is not None and not want.intersection(owners):
                    continue
                rep.mismatches.append(Mismatch(name, sec.name, off, "(nothing)", gl.text))
        if len(g.data) != sec.size and (want is None):
            rep.mismatches.append(Mismatch("-", sec.name, sec.size, f"size {sec.size:#x}",
                                           f"size {len(g.data):#x}"))
    if want is None:
        for name, g in gnu.items():
            # call frame information (.cfi_*, which we read and drop) is not code
            if name.startswith((".debug_frame", ".eh_frame")):
                continue
            if name not in prog.sections and (g.data.strip(b"\0") or
                                              any(l.is_insn for l in g.lines.values())):
                rep.mismatches.append(Mismatch("-", name, 0, "(no such section)",
                                               f"{len(g.data)} bytes"))
    for name in (want or ()):
        if name not in prog.routines:
            rep.mismatches.append(Mismatch(name, "-", 0, "(no such routine)", ""))
    return rep


def _literal_problem(sec, ins: Instruction) -> str:
    """A Literal operand must hold the value its pool slot holds."""
    for o in ins.operands:
        if isinstance(o, Literal):
            slot = [d for d in sec.items if isinstance(d, Data) and d.offset == o.pool_offset]
            if len(slot) != 1 or len(slot[0].values) != 1:
                return f"literal {o}: no pool slot at {o.pool_offset}"
            size, v = slot[0].values[0]
            want = o.value if not isinstance(o.value, int) else o.value & ((1 << 8 * size) - 1)
            if v != want:
                return f"literal {o} but the pool slot holds {v}"
    return ""


def _norm_rel(rels: list[str]) -> list[str]:
    out = []
    for r in rels:
        # our local labels are named differently; relocations against them print as
        # section+offset on both sides, so only global names appear here
        out.append(r.replace(".Lbbm_sec_", ""))
    return sorted(out)

"""The Program IR: what the front end produces and every later stage consumes.

A Program is the assembled form of one source file: sections of items (instructions
and data) laid out at addresses, a symbol table, and routines.  Every instruction
knows where it came from: file:line of the statement plus the chain of macro
expansions that produced it.

Operands are fully resolved by the front end (registers after `.req`, constant
expressions evaluated) except references to symbols, which stay symbolic
(`SymRef`) so that symbols the file does not define (e.g. `swapper_pg_dir`) can be
bound later by a scenario.  Data flows one way: nothing here imports the model.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union


# --------------------------------------------------------------------------- locations

@dataclass(frozen=True)
class MacroFrame:
    """One macro expansion: `name` was invoked at file:line."""
    name: str
    file: str
    line: int


@dataclass(frozen=True)
class SourceLoc:
    """Where an instruction came from.

    `file`/`line` is the statement's own line (inside a macro body when the statement
    came from a macro).  `expansion` is the chain of macro invocations that produced
    it, innermost first: for a `str` in the body of `kpti_map_pgtbl` invoked at
    proc.S:302, expansion == (MacroFrame("kpti_map_pgtbl", "proc.S", 302),).
    `.rept`/`.irp` bodies appear as frames named ".rept"/".irp".
    """
    file: str
    line: int
    expansion: tuple[MacroFrame, ...] = ()

    @property
    def outer(self) -> tuple[str, int]:
        """The location in the file the user wrote: the outermost invocation site."""
        if self.expansion:
            f = self.expansion[-1]
            return f.file, f.line
        return self.file, self.line

    def short(self) -> str:
        """`proc.S:302 kpti_map_pgtbl` — outermost site plus the macro names."""
        import os
        file, line = self.outer
        names = " ← ".join(f.name for f in reversed(self.expansion))
        base = f"{os.path.basename(file)}:{line}"
        return f"{base} {names}" if names else base

    def __str__(self) -> str:
        """Full chain: `proc.S:232 kpti_map_pgtbl ← proc.S:302`."""
        import os
        s = f"{os.path.basename(self.file)}:{self.line}"
        for f in self.expansion:
            s += f" {f.name} ← {os.path.basename(f.file)}:{f.line}"
        return s


# --------------------------------------------------------------------------- operands

@dataclass(frozen=True)
class Reg:
    """A general-purpose register operand.

    name: as resolved, lower case: 'x0'..'x30', 'w0'..'w30', 'xzr', 'wzr', 'sp', 'wsp'.
    num: 0..30, or 31 for zr/sp (which one is told by `is_sp`).
    width: 64 or 32.
    """
    name: str
    num: int
    width: int
    is_sp: bool = False

    @property
    def is_zr(self) -> bool:
        return self.num == 31 and not self.is_sp

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Imm:
    """An immediate after constant evaluation, with an optional `lsl #n` (movz/add)."""
    value: int
    shift: int = 0

    def __str__(self) -> str:
        return f"#{self.value:#x}" + (f", lsl #{self.shift}" if self.shift else "")


@dataclass(frozen=True)
class SymRef:
    """A reference to a symbol (label or external) plus a constant addend.

    reloc: None for a plain address (branch targets, adr/adrp, ldr literal),
    'lo12' for `:lo12:sym`, 'abs_g0'..'abs_g3' (and '_nc'/'_s' variants) for the
    `:abs_g*:` operators, 'page' never appears (adrp takes a plain SymRef).
    Other gas operators (`:got:`, `:got_lo12:`, `:tprel_lo12:`...) keep their name.
    In Data only: 'prel' for `sym - .` (the value is sym + addend minus the address
    of the data item itself, as in `.long 661b - .`).
    `name` for numeric local labels is the unique internal name the front end gave
    the definition (e.g. '1$3'); `text` is what the source said ('1b').
    """
    name: str
    addend: int = 0
    reloc: str | None = None
    text: str = ""

    def __str__(self) -> str:
        s = self.text or self.name
        if self.addend and not self.text:
            s += f"{self.addend:+#x}"
        return f":{self.reloc}:{s}" if self.reloc else s


@dataclass(frozen=True)
class ShiftedReg:
    """`x2, lsl #3` in data-processing operands (op in lsl/lsr/asr/ror)."""
    reg: Reg
    op: str
    amount: int

    def __str__(self) -> str:
        return f"{self.reg}, {self.op} #{self.amount}"


@dataclass(frozen=True)
class ExtendedReg:
    """`w2, uxtw #2` (op in uxtb/uxth/uxtw/uxtx/sxtb/sxth/sxtw/sxtx/lsl)."""
    reg: Reg
    op: str
    amount: int | None = None

    def __str__(self) -> str:
        return f"{self.reg}, {self.op}" + (f" #{self.amount}" if self.amount is not None else "")


@dataclass(frozen=True)
class Mem:
    """A memory operand.

    mode 'offset':  [base{, offset}]         offset: Imm | Reg | ShiftedReg | ExtendedReg | SymRef(lo12) | None
    mode 'pre':     [base, #imm]!            offset: Imm
    mode 'post':    [base], #imm  or  [base], xM   offset: Imm | Reg
    """
    base: Reg
    offset: Union["Imm", "Reg", "ShiftedReg", "ExtendedReg", "SymRef", None] = None
    mode: str = "offset"

    def __str__(self) -> str:
        off = f", {self.offset}" if self.offset is not None else ""
        if self.mode == "pre":
            return f"[{self.base}{off}]!"
        if self.mode == "post":
            return f"[{self.base}]{off}"
        return f"[{self.base}{off}]"


@dataclass(frozen=True)
class Literal:
    """`ldr x0, =value` — the value is a constant or a symbol reference.

    pool_offset: where GNU as placed the value in the literal pool (at the next
    `.ltorg` or the end of the section): a byte offset in the instruction's own
    section, which holds a Data item with the value there.  None only for a Literal
    built by hand."""
    value: Union[int, "SymRef"]
    pool_offset: int | None = None

    def __str__(self) -> str:
        return f"={self.value}"


@dataclass(frozen=True)
class Cond:
    """A condition code operand (csel, ccmp, cset): 'eq', 'ne', 'hs', ... lower case.
    Aliases are normalised: cs->hs, cc->lo."""
    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Name:
    """A bare name operand whose meaning the mnemonic gives: system registers
    ('ttbr1_el1', 'sctlr_el1', 's3_0_c2_c0_3', 'daifset'), TLBI/DC/IC/AT operations
    ('vaae1', 'civac', 'iallu'), barrier options ('nshst', 'sy'), prefetch ops,
    `hint` names.  Always lower case."""
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class VReg:
    """A SIMD/FP, SVE vector or predicate register, kept as written (lower case):
    'v0.16b', 'q1', 'd0', 's3', 'z2.d', 'p0', 'p0/z', 'v1.s[2]'.  The model does not
    execute these; they are parsed so that listings and the GNU as comparison see
    them.  kind: 'b'/'h'/'s'/'d'/'q'/'v'/'z'/'p'; num: the register number."""
    name: str
    kind: str
    num: int

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class RegList:
    """`{v0.16b, v1.16b}` (optionally `[index]`), for SIMD structure loads/stores."""
    regs: tuple
    index: int | None = None

    def __str__(self) -> str:
        s = "{" + ", ".join(map(str, self.regs)) + "}"
        return s + (f"[{self.index}]" if self.index is not None else "")


@dataclass(frozen=True)
class FloatImm:
    """A floating-point immediate (`fmov d0, #1.0`), kept as written."""
    text: str

    def __str__(self) -> str:
        return f"#{self.text}"


Operand = Union[Reg, Imm, SymRef, ShiftedReg, ExtendedReg, Mem, Literal, Cond, Name,
                VReg, RegList, FloatImm]


# --------------------------------------------------------------------------- items

@dataclass
class Instruction:
    """One machine instruction after macro expansion and `.req` resolution.

    mnemonic: lower case, condition split off for b.cond: ('b', cond='ne').
    text: the statement as expanded (registers after .req), e.g. 'str xzr, [x0, #16]'.
    source: the statement as written in the source line it came from, e.g.
            'str	xzr, [temp_pte, #8 * (\\level + 1)]' (for traces).
    """
    mnemonic: str
    operands: tuple[Operand, ...]
    loc: SourceLoc
    text: str = ""
    source: str = ""
    cond: str | None = None
    section: str = ".text"
    offset: int = 0          # byte offset within its section
    address: int = 0         # after layout (Program.layout)

    size: int = 4

    def __str__(self) -> str:
        return self.text or (self.mnemonic + (f".{self.cond}" if self.cond else "") + " " +
                             ", ".join(map(str, self.operands)))


@dataclass
class Data:
    """Bytes emitted by a data directive (.long, .quad, .byte, .space, ...).

    `values` are (size_in_bytes, value) pairs; a value may be a SymRef when the data
    holds an address (e.g. `.quad some_label`)."""
    values: list[tuple[int, Union[int, SymRef]]]
    loc: SourceLoc
    section: str = ".data"
    offset: int = 0
    address: int = 0

    @property
    def size(self) -> int:
        return sum(n for n, _ in self.values)


Item = Union[Instruction, Data]


@dataclass
class Symbol:
    """A label or `.set` symbol defined in the file."""
    name: str
    section: str | None          # None for an absolute (.set/.equ) symbol
    offset: int                  # offset in section, or the absolute value
    loc: SourceLoc | None = None
    is_global: bool = False
    kind: str = ""               # 'function' / 'object' from .type, '' otherwise
    size: int | None = None      # from .size
    address: int = 0             # after layout


@dataclass
class Section:
    name: str
    flags: str = ""              # ELF flags as in `.section name, "awx"` ('x': code)
    items: list[Item] = field(default_factory=list)
    size: int = 0
    base: int = 0                # after layout

    @property
    def is_code(self) -> bool:
        """An executable section (GNU as pads its alignment with nops)."""
        return "x" in self.flags


@dataclass
class Routine:
    """A routine: an entry symbol and the instructions that belong to it.

    `instructions` are in address order from the entry to the end of the routine
    (its `.size`, else the next function symbol or end of section).  Execution is
    by address over the whole Program, so code outside this list (a branch to
    another routine) is still reachable; `instructions` is for listing."""
    name: str
    section: str
    start: int                   # offset of the entry in its section
    end: int                     # offset one past the last byte
    instructions: list[Instruction] = field(default_factory=list)
    loc: SourceLoc | None = None


@dataclass
class Program:
    """An assembled file: sections, symbols and routines, with addresses."""
    file: str
    sections: dict[str, Section] = field(default_factory=dict)
    symbols: dict[str, Symbol] = field(default_factory=dict)
    routines: dict[str, Routine] = field(default_factory=dict)
    externals: set[str] = field(default_factory=set)   # referenced, not defined
    profile: str = ""
    defines: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # `.warning`, ignored .req, ...

    def instructions(self) -> Iterator[Instruction]:
        for sec in self.sections.values():
            for it in sec.items:
                if isinstance(it, Instruction):
                    yield it

    def layout(self, bases: dict[str, int] | None = None, default_base: int = 0x4000_0000,
               align: int = 0x1000) -> None:
        """Give every section a base address and every item/symbol its address.

        Sections not named in `bases` are placed one after another from
        `default_base`, each aligned to `align`, in the order they first appear."""
        bases = dict(bases or {})
        self.__dict__.pop("_by_addr", None)
        nxt = default_base
        for sec in self.sections.values():
            if sec.name in bases:
                sec.base = bases[sec.name]
            else:
                sec.base = nxt
            nxt = max(nxt, sec.base + max(sec.size, 1))
            nxt = (nxt + align - 1) // align * align
            for it in sec.items:
                it.address = sec.base + it.offset
        for sym in self.symbols.values():
            if sym.section is None:
                sym.address = sym.offset
            else:
                sym.address = self.sections[sym.section].base + sym.offset

    def address_of(self, name: str) -> int | None:
        sym = self.symbols.get(name)
        return None if sym is None else sym.address

    def instruction_at(self, address: int) -> Instruction | None:
        """The instruction at an address (after layout), or None."""
        idx = self.__dict__.get("_by_addr")
        if idx is None:
            idx = {i.address: i for i in self.instructions()}
            self.__dict__["_by_addr"] = idx
        return idx.get(address)

    def data_at(self, address: int) -> Data | None:
        for sec in self.sections.values():
            for it in sec.items:
                if isinstance(it, Data) and it.address <= address < it.address + it.size:
                    return it
        return None

    def initial_value(self, name: str, size: int | None = None) -> Union[int, SymRef]:
        """The initial contents of a data symbol as the file assembles them.

        `size` defaults to the symbol's `.size`, else 8.  Returns the little-endian
        integer of those bytes (gaps and padding read as zero), or the SymRef when the
        symbol holds exactly one address (`.quad label`).  Raises KeyError for an
        unknown or absolute symbol, ValueError when part of the range is an address."""
        sym = self.symbols.get(name)
        if sym is None or sym.section is None:
            raise KeyError(name)
        n = size if size is not None else (sym.size or 8)
        lo, hi = sym.offset, sym.offset + n
        out = bytearray(n)
        for it in self.sections[sym.section].items:
            if not isinstance(it, Data) or it.offset >= hi or it.offset + it.size <= lo:
                continue
            off = it.offset
            for vsize, v in it.values:
                if off < hi and off + vsize > lo:
                    if isinstance(v, SymRef):
                        if off == lo and vsize == n:
                            return v
                        raise ValueError(f"{name}: bytes {off - lo}..{off - lo + vsize} "
                                         f"hold the address {v}")
                    b = (v & ((1 << (8 * vsize)) - 1)).to_bytes(vsize, "little")
                    for k in range(vsize):
                        if lo <= off + k < hi:
                            out[off + k - lo] = b[k]
                off += vsize
        return int.from_bytes(out, "little")

"""The interface the instruction semantics run against.

Each instruction's semantics is written once, as a function of an Instruction and a
Context.  The concrete runner (model/runner.py) implements Context over Python ints
and a flat memory; the VMSA machine implements it over values that may be Z3 terms,
turning every load, store, system-register access and effect into an event of a
multi-CPU execution.  Semantics code only touches values through
`bbmcheck.model.values` and never imports z3.

Conventions:
- Values are those of `bbmcheck.model.values` (`BV` bit-vectors, `Bool` conditions).
- Register numbers are 0..30; register 31 is never passed here: the semantics read
  the zero register as the constant 0 and use read_sp/write_sp for SP.
- Addresses passed to load/store are 64-bit BVs: virtual addresses when the
  machine translates (the context decides).
- Sizes are in bytes (1, 2, 4, 8; 16 is split into two accesses by the semantics).
"""
from __future__ import annotations

from typing import Any, Protocol

from ...grammar.program import Instruction
from ..effects import Effect

BV = Any      # a bit-vector value of bbmcheck.model.values
Bool = Any    # a condition of bbmcheck.model.values


class Context(Protocol):
    # ---- the current instruction
    pc: int                       # address of the instruction being executed

    # ---- general-purpose registers, SP and flags
    def read_gpr(self, n: int) -> BV: ...            # 64-bit value of Xn
    def write_gpr(self, n: int, value: BV) -> None: ...  # value is 64-bit
    def read_sp(self) -> BV: ...
    def write_sp(self, value: BV) -> None: ...
    def read_nzcv(self) -> BV: ...                  # 4-bit value N:Z:C:V
    def write_nzcv(self, value: BV) -> None: ...

    # ---- control flow: called once per executed instruction that may branch.
    # cond is a Bool (True for unconditional); target an int or a 64-bit BV.
    # If never called, execution falls through to pc + 4.
    def branch(self, cond: Bool, target: BV | int, *, link: bool = False,
               kind: str = "b") -> None: ...
    # kind: 'b' (direct), 'br'/'blr' (register), 'ret'.  link=True writes X30 = pc + 4
    # (the semantics do that write themselves; `link` is for the machine's call depth).

    # ---- symbols: the address of a label or external symbol (after layout/binding)
    def symbol(self, name: str) -> int: ...

    # ---- memory
    def load(self, addr: BV, size: int, *, acquire: bool | str = False,
             exclusive: bool = False) -> BV: ...     # returns size*8 bits
    # acquire: True for a load-acquire (RCsc: LDAR, LDAXR), "pc" for the RCpc forms
    # (LDAPR, LDAPUR, LDLAR), both truthy
    def store(self, addr: BV, size: int, value: BV, *, release: bool = False) -> None: ...
    def store_exclusive(self, addr: BV, size: int, value: BV, *,
                        release: bool = False) -> BV: ...  # 32-bit status: 0 = stored
    def clear_exclusive(self) -> None: ...           # clrex

    # ---- system registers (names lower case: 'ttbr1_el1', 'sctlr_el1', 'daif', ...)
    def read_sysreg(self, name: str) -> BV: ...
    def write_sysreg(self, name: str, value: BV) -> None: ...

    # ---- everything else: barriers, TLBI, DC/IC, events, exceptions, unsupported
    def effect(self, effect: Effect) -> None: ...


def fallthrough(instr: Instruction) -> int:
    return instr.address + instr.size

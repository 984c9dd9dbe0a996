"""A minimal concrete Context for instruction-level tests (imported by test_isa_*.py),
and checks of the helper itself."""
from __future__ import annotations

from bbmcheck.model import values as V
from bbmcheck.model.values import Bits


class MiniCtx:
    """Registers, flags, a byte memory (unset bytes read as 0xA5), system registers;
    records effects, sysreg writes, stores and branches."""

    def __init__(self, regs=None, sp=0x8000, nzcv=0, sysregs=None, mem=None, pc=0x1000,
                 symbols=None):
        self.regs = [Bits(0, 64)] * 31
        for n, v in (regs or {}).items():
            self.regs[n] = Bits(v, 64)
        self.sp = Bits(sp, 64)
        self.nzcv = Bits(nzcv, 4)
        self.sysregs = dict(sysregs or {})
        self.mem = dict(mem or {})
        self.pc = pc
        self.symbols = dict(symbols or {})
        self.effects, self.sysreg_writes, self.stores, self.branches = [], [], [], []
        self.loads = []
        self.monitor = None

    def read_gpr(self, n): return self.regs[n]

    def write_gpr(self, n, v):
        assert type(v) is Bits and v.width == 64
        self.regs[n] = v

    def read_sp(self): return self.sp

    def write_sp(self, v):
        assert type(v) is Bits and v.width == 64
        self.sp = v

    def read_nzcv(self): return self.nzcv

    def write_nzcv(self, v):
        assert type(v) is Bits and v.width == 4
        self.nzcv = v

    def branch(self, cond, target, *, link=False, kind="b"):
        self.branches.append((cond, V.as_int(target) if not isinstance(target, int) else target,
                              link, kind))

    def symbol(self, name):
        return self.symbols[name]

    def load(self, addr, size, *, acquire=False, exclusive=False):
        a = V.as_int(addr)
        self.loads.append((a, size, acquire, exclusive))
        if exclusive:
            self.monitor = (a, size)
        return Bits(sum(self.mem.get(a + i, 0xA5) << (8 * i) for i in range(size)), 8 * size)

    def store(self, addr, size, value, *, release=False):
        a, v = V.as_int(addr), V.as_int(value)
        assert V.width(value) == 8 * size
        self.stores.append((a, size, v) if not release else (a, size, v, "rel"))
        for i in range(size):
            self.mem[a + i] = (v >> (8 * i)) & 0xFF

    def store_exclusive(self, addr, size, value, *, release=False):
        ok = self.monitor == (V.as_int(addr), size)
        self.monitor = None
        if ok:
            self.store(addr, size, value, release=release)
        return Bits(0 if ok else 1, 32)

    def clear_exclusive(self):
        self.monitor = None

    def read_sysreg(self, name):
        return Bits(self.sysregs.get(name, 0), 64)

    def write_sysreg(self, name, value):
        assert type(value) is Bits and value.width == 64
        self.sysregs[name] = value.value
        self.sysreg_writes.append((name, value))

    def effect(self, e):
        self.effects.append(e)


def test_minictx_memory_roundtrip():
    c = MiniCtx()
    c.store(Bits(0x10, 64), 4, Bits(0x11223344, 32))
    assert c.load(Bits(0x11, 64), 2) == Bits(0x2233, 16)
    assert c.load(Bits(0x20, 64), 1) == Bits(0xA5, 8)

"""Differential testing of the instruction semantics against QEMU.

A batch of generated programs (gen.py) is written into one assembly file with a tiny
harness of ours around each program:

    prologue:  sp = &rec; clrex; NZCV = rec.nzcv; x0..x30 = rec.x[0..30]
    <program>  (label P ... P_end)
    epilogue:  rec.x[0..30] = x0..x30; rec.nzcv = NZCV

and after the last program one write(2) of the whole data area (records and scratch
buffers) to stdout, then exit(2).  It is assembled with aarch64-linux-gnu-as, linked
with aarch64-linux-gnu-ld at fixed addresses, and run under qemu-aarch64.  The same
programs (parsed by miniasm at the addresses `nm` reports) run on our concrete runner
(model/runner.py) from the same registers, flags and memory; the results are compared
register by register, flag by flag and byte by byte.

Tools: Debian packages binutils-aarch64-linux-gnu and qemu-user.  `require_tools()`
raises ToolMissing when one is absent (tests fail rather than skip).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

from ...runner import FlatMemory, Runner
from .gen import MID, SCRATCH, TestProgram
from .miniasm import parse_lines

AS = "aarch64-linux-gnu-as"
LD = "aarch64-linux-gnu-ld"
NM = "aarch64-linux-gnu-nm"
QEMU = "qemu-aarch64"
MARCH = "armv8.5-a"
TEXT_BASE = 0x400000
DATA_BASE = 0x10000000
REC_SIZE = 256
#: DCZID_EL0 of qemu-aarch64's default ("max") CPU: BS = 7 -> 512-byte DC ZVA blocks
QEMU_DCZID = 7


class ToolMissing(RuntimeError):
    pass


class HarnessError(RuntimeError):
    """The batch did not assemble, link or run (a generator or harness bug, or a crash)."""


def require_tools():
    missing = [t for t in (AS, LD, NM, QEMU) if shutil.which(t) is None]
    if missing:
        raise ToolMissing("missing tools: " + ", ".join(missing) +
                          " (Debian: binutils-aarch64-linux-gnu qemu-user)")


@dataclass
class Outcome:
    regs: list[int]
    nzcv: int
    scratch: bytes
    stop: str = ""
    steps: int = 0
    #: our run stayed inside the program's own state (no read of memory nobody
    #: initialised, no write outside the scratch buffer); always True for QEMU's
    valid: bool = True
    why: str = ""


@dataclass
class Mismatch:
    program: TestProgram
    diffs: list[str]
    ours: Outcome | None = None
    qemu: Outcome | None = None


@dataclass
class BatchResult:
    programs: list[TestProgram]
    qemu: list[Outcome]
    ours: list[Outcome]
    mismatches: list[Mismatch] = field(default_factory=list)
    steps: int = 0

    @property
    def agree(self) -> int:
        return len(self.programs) - len(self.mismatches)


# --------------------------------------------------------------------------- assembly

def _prologue(p: TestProgram) -> list[str]:
    n = p.name
    out = [f"adrp x0, {n}_rec", f"add x0, x0, :lo12:{n}_rec", "mov sp, x0", "clrex",
           "ldr x1, [sp, #248]", "msr nzcv, x1"]
    for i in range(0, 30, 2):
        out.append(f"ldp x{i}, x{i + 1}, [sp, #{8 * i}]")
    out.append("ldr x30, [sp, #240]")
    return out


def _epilogue(p: TestProgram) -> list[str]:
    out = []
    for i in range(0, 30, 2):
        out.append(f"stp x{i}, x{i + 1}, [sp, #{8 * i}]")
    out += ["str x30, [sp, #240]", "mrs x0, nzcv", "str x0, [sp, #248]"]
    return out


def render(programs: list[TestProgram]) -> str:
    L = ["\t.text", "\t.global _start", "_start:"]
    for p in programs:
        L += ["\t" + s for s in _prologue(p)]
        L.append(f"{p.name}:")
        for line in p.lines:
            L.append(line if line.endswith(":") else "\t" + line)
        L.append(f"{p.name}_end:")
        L += ["\t" + s for s in _epilogue(p)]
        L.append(f"\tb {p.name}_next")
        L.append("\t.balign 8")
        for label, size, value in p.literals:
            L.append(f"{label}:\t.quad {value:#x}" if size == 8 else f"{label}:\t.word {value:#x}")
        L.append("\t.ltorg")
        L.append(f"{p.name}_next:")
    L += ["\tadrp x1, data_start", "\tadd x1, x1, :lo12:data_start",
          "\tadrp x2, data_end", "\tadd x2, x2, :lo12:data_end", "\tsub x2, x2, x1",
          "\tmov x0, #1", "\tmov x8, #64", "\tsvc #0",
          "\tmov x0, #0", "\tmov x8, #93", "\tsvc #0"]
    L += ["\t.data", "\t.balign 4096", "data_start:"]
    for p in programs:
        L.append("\t.balign 1024")
        L.append(f"{p.name}_scratch:")
        for i in range(0, SCRATCH, 8):
            L.append(f"\t.quad {int.from_bytes(p.scratch[i:i + 8], 'little'):#x}")
        L.append(f"{p.name}_rec:")
        for i in range(31):
            if i == 28:
                L.append(f"\t.quad {p.name}_scratch + {MID}")
            else:
                L.append(f"\t.quad {p.init_regs[i]:#x}")
        L.append(f"\t.quad {p.init_nzcv << 28:#x}")
    L += ["\t.balign 8", "data_end:", ""]
    return "\n".join(L)


def build(programs: list[TestProgram], workdir: str) -> tuple[str, dict[str, int]]:
    """Assemble and link; returns (path of the executable, symbol table)."""
    src = os.path.join(workdir, "t.s")
    obj = os.path.join(workdir, "t.o")
    exe = os.path.join(workdir, "t")
    with open(src, "w") as f:
        f.write(render(programs))
    r = subprocess.run([AS, f"-march={MARCH}", src, "-o", obj], capture_output=True, text=True)
    if r.returncode or "Warning" in r.stderr:
        # warnings too: gas warns about CONSTRAINED UNPREDICTABLE forms, which the
        # generator must not produce
        raise HarnessError("assembler failed:\n" + r.stderr[:4000])
    r = subprocess.run([LD, "-static", "-Ttext", hex(TEXT_BASE), "-Tdata", hex(DATA_BASE),
                        obj, "-o", exe], capture_output=True, text=True)
    if r.returncode:
        raise HarnessError("linker failed:\n" + r.stderr[:4000])
    r = subprocess.run([NM, exe], capture_output=True, text=True, check=True)
    syms = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return exe, syms


def run_qemu(exe: str, programs: list[TestProgram], syms: dict[str, int],
             timeout: float = 120) -> list[Outcome]:
    try:
        r = subprocess.run([QEMU, exe], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise HarnessError("qemu timed out") from None
    if r.returncode:
        raise HarnessError(f"qemu exited with {r.returncode}: {r.stderr.decode()[:2000]}")
    data = r.stdout
    start = syms["data_start"]
    if len(data) != syms["data_end"] - start:
        raise HarnessError(f"short output from qemu: {len(data)} bytes")
    out = []
    for p in programs:
        rec = syms[f"{p.name}_rec"] - start
        sc = syms[f"{p.name}_scratch"] - start
        regs = [int.from_bytes(data[rec + 8 * i: rec + 8 * i + 8], "little") for i in range(31)]
        nz = int.from_bytes(data[rec + 248: rec + 256], "little") >> 28
        out.append(Outcome(regs, nz & 0xF, data[sc: sc + SCRATCH]))
    return out


# --------------------------------------------------------------------------- ours

def _code_miniasm(p: TestProgram, syms: dict[str, int]):
    instrs, labels = parse_lines(p.lines, base=syms[p.name])
    for name, addr in labels.items():
        if syms.get(name, addr) != addr:
            raise HarnessError(f"{name}: assembler put it at {syms[name]:#x}, we at {addr:#x}")
    return {i.address: i for i in instrs}.get


def _code_frontend(p: TestProgram, syms: dict[str, int]):
    """The program through bbmcheck's own front end (grammar/), laid out where GNU as
    put it."""
    from ....grammar.frontend import assemble_string
    text = "\t.text\n" + "\n".join(x if x.endswith(":") else "\t" + x for x in p.lines)
    prog = assemble_string(text + f"\n{p.name}_end:\n", filename=f"<{p.name}>")
    prog.layout(bases={".text": syms[p.name]})
    for name, sym in prog.symbols.items():
        if name in syms and sym.address != syms[name]:
            raise HarnessError(f"{name}: GNU as put it at {syms[name]:#x}, "
                               f"the front end at {sym.address:#x}")
    return prog.instruction_at


def run_ours(p: TestProgram, syms: dict[str, int], max_steps: int = 10_000, *,
             frontend: bool = False) -> Outcome:
    base = syms[p.name]
    fetch = (_code_frontend if frontend else _code_miniasm)(p, syms)
    mem = FlatMemory()
    sc = syms[f"{p.name}_scratch"]
    for i, b in enumerate(p.scratch):
        mem.bytes[sc + i] = b
    for label, size, value in p.literals:
        mem.write_init(syms[label], size, value)
    rec = syms[f"{p.name}_rec"]               # the harness's record, which SP points at
    for i, v in enumerate(p.init_regs):
        mem.write_init(rec + 8 * i, 8, sc + MID if i == 28 else v)
    mem.write_init(rec + 248, 8, p.init_nzcv << 28)
    runner = Runner(fetch, syms.__getitem__, mem)
    regs = {i: v for i, v in enumerate(p.init_regs)}
    regs[28] = sc + MID
    runner.set_regs(regs, sp=syms[f"{p.name}_rec"], nzcv=p.init_nzcv)
    runner.ctx.sysregs["dczid_el0"] = _bits(QEMU_DCZID)
    res = runner.run(base, max_steps=max_steps, stop_at=[syms[f"{p.name}_end"]])
    scratch = bytes(mem.bytes.get(sc + i, 0) for i in range(SCRATCH))
    why = ""
    if mem.uninit_reads:
        why = f"read of uninitialised memory at {min(mem.uninit_reads):#x}"
    outside = [a for a in mem.written if not sc <= a < sc + SCRATCH]
    if outside:
        why = f"write outside the scratch buffer at {min(outside):#x}"
    if res.stop != "end":
        why = f"stopped: {res.stop}"
    return Outcome(res.regs, res.nzcv, scratch,
                   res.stop + (f" ({res.stop_detail})" if res.stop_detail else ""),
                   res.steps, not why, why)


def _bits(v):
    from ... import values as V
    return V.const(v, 64)


def compare(p: TestProgram, ours: Outcome, qemu: Outcome) -> list[str]:
    diffs = []
    if not ours.valid:
        diffs.append(f"invalid: {ours.why}")
    for i in range(31):
        if ours.regs[i] != qemu.regs[i]:
            diffs.append(f"x{i}: ours {ours.regs[i]:#x} qemu {qemu.regs[i]:#x}")
    if ours.nzcv != qemu.nzcv:
        diffs.append(f"nzcv: ours {ours.nzcv:04b} qemu {qemu.nzcv:04b}")
    if ours.scratch != qemu.scratch:
        bad = [i for i in range(SCRATCH) if ours.scratch[i] != qemu.scratch[i]]
        diffs.append(f"scratch differs at {len(bad)} bytes, first +{bad[0] - MID} "
                     f"(ours {ours.scratch[bad[0]]:#x} qemu {qemu.scratch[bad[0]]:#x})")
    return diffs


def run_batch(programs: list[TestProgram], workdir: str | None = None, *,
              frontend: bool = False) -> BatchResult:
    """Run a batch on QEMU and on our runner and compare.  frontend=True reads the
    programs with bbmcheck's front end instead of miniasm (end-to-end check)."""
    require_tools()
    own = workdir is None
    wd = tempfile.mkdtemp(prefix="bbm-qemu-") if own else workdir
    try:
        exe, syms = build(programs, wd)
        q = run_qemu(exe, programs, syms)
    finally:
        if own:
            shutil.rmtree(wd, ignore_errors=True)
    ours = [run_ours(p, syms, frontend=frontend) for p in programs]
    res = BatchResult(programs, q, ours)
    for p, o, qq in zip(programs, ours, q):
        res.steps += o.steps
        d = compare(p, o, qq)
        if d:
            res.mismatches.append(Mismatch(p, d, o, qq))
    return res


def qemu_outcome(p: TestProgram) -> Outcome:
    """QEMU's result for one program alone."""
    require_tools()
    wd = tempfile.mkdtemp(prefix="bbm-qemu-")
    try:
        exe, syms = build([p], wd)
        return run_qemu(exe, [p], syms)[0]
    finally:
        shutil.rmtree(wd, ignore_errors=True)

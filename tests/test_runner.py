"""The single-CPU concrete runner (model/runner.py) and `bbmcheck run`."""
from __future__ import annotations

import json

from click.testing import CliRunner

from bbmcheck.cli.main import cli
from bbmcheck.grammar.frontend import assemble_string
from bbmcheck.model.effects import DC, ISB, TLBI, Barrier, Event, Exception_, Unsupported
from bbmcheck.model.runner import RETURN_SENTINEL, STACK_TOP, SysregWrite, run
from bbmcheck.model.values import Bits


def prog(body: str, extra: str = ""):
    return assemble_string("\t.text\n\t.globl f\n\t.type f, %function\nf:\n" + body
                           + "\n\t.size f, .-f\n" + extra)


def test_returns_from_entry_frame_through_nested_calls():
    p = prog("""
        stp x29, x30, [sp, #-16]!
        mov x0, #1
        bl g
        bl g
        ldp x29, x30, [sp], #16
        ret
    g:  add x0, x0, #10
        str x30, [sp, #-16]!
        bl h
        ldr x30, [sp], #16
        ret
    h:  lsl x0, x0, #1
        ret
    """)
    r = run(p, "f")
    assert r.stop == "ret" and r.pc == RETURN_SENTINEL
    assert r.x(0) == ((1 + 10) * 2 + 10) * 2
    assert r.sp == STACK_TOP and r.x(30) == RETURN_SENTINEL


def test_step_limit_and_infinite_loop():
    p = prog("1: add x0, x0, #1\n b 1b")
    r = run(p, "f", max_steps=101)
    assert r.stop == "max-steps" and r.steps == 101 and r.x(0) == 51


def test_unsupported_stops_the_cpu_and_is_recorded():
    p = prog("mov x0, #1\n fmov d0, x1\n mov x0, #2\n ret")
    r = run(p, "f")
    assert r.stop == "unsupported" and "fmov" in r.stop_detail
    assert r.x(0) == 1 and r.steps == 2
    assert isinstance(r.effects[-1].effect, Unsupported)


def test_exception_instruction_stops():
    r = run(prog("mov x8, #64\n svc #0\n ret"), "f")
    assert r.stop == "exception" and r.effects[-1].effect == Exception_("svc", 0)


def test_branch_to_nowhere():
    r = run(prog("mov x1, #0x1000\n br x1"), "f")
    assert r.stop == "no-instruction" and r.pc == 0x1000


def test_memory_data_symbols_and_literals():
    p = prog("""
        ldr x1, table
        adrp x2, table
        add x2, x2, :lo12:table
        ldr x3, [x2, #8]
        ldr x4, =ext_sym
        ldr w5, [x0]
        ldrsh x6, [x0, #4]
        str w5, [x0, #16]
        ret
    """, "\t.data\n\t.balign 8\ntable:\t.quad 0x1122334455667788\n\t.quad table\n")
    r = run(p, "f", regs={0: 0x9000}, memory={0x9000: (8, 0xFFFF_8000_DEAD_BEEF)},
            symbols={"ext_sym": 0x1234_5000})
    table = p.address_of("table")
    assert r.x(1) == 0x1122334455667788
    assert r.x(2) == table and r.x(3) == table
    assert r.x(4) == 0x1234_5000
    assert r.x(5) == 0xDEAD_BEEF and r.x(6) == 0xFFFF_FFFF_FFFF_8000
    assert r.read(0x9010, 4) == 0xDEAD_BEEF
    assert 0x9010 in r.memory.written and 0x9000 not in r.memory.written


def test_externals_get_distinct_addresses():
    r = run(prog("adrp x0, a_sym\n adrp x1, b_sym\n ret"), "f")
    assert set(r.bound_symbols) == {"a_sym", "b_sym"}
    assert r.x(0) == r.bound_symbols["a_sym"] != r.x(1) == r.bound_symbols["b_sym"]


def test_effects_and_sysreg_writes_in_order():
    p = prog("""
        str xzr, [x0]
        dsb ishst
        lsr x2, x0, #12
        tlbi vaae1is, x2
        dsb ish
        isb
        msr ttbr1_el1, x0
        msr daifset, #2
        dc civac, x0
        sevl
        wfe
        ret
    """)
    r = run(p, "f", regs={0: 0x4000_0000})
    effs = [e.effect for e in r.effects]
    assert effs[0] == Barrier("dsb", "ish", "st")
    assert isinstance(effs[1], TLBI) and effs[1].op == "vaae1is"
    assert effs[1].va == Bits(0x4000_0000, 64)
    assert effs[2:4] == [Barrier("dsb", "ish", "all"), ISB()]
    assert effs[4] == SysregWrite("ttbr1_el1", Bits(0x4000_0000, 64))
    assert effs[5] == SysregWrite("daif", Bits(0x3C0, 64))        # reset value has all set
    assert effs[6] == DC("civac", Bits(0x4000_0000, 64))
    assert effs[7:] == [Event("sevl"), Event("wfe")]
    assert [e.step for e in r.effects] == sorted(e.step for e in r.effects)
    assert r.sysregs["ttbr1_el1"] == 0x4000_0000


def test_dc_zva_default_block_and_exclusives():
    p = prog("""
        dc zva, x0
        ldxr x1, [x0]
        stxr w2, x3, [x0]
        stxr w4, x3, [x0]
        ldaxr w5, [x0]
        clrex
        stlxr w6, w3, [x0]
        ret
    """)
    r = run(p, "f", regs={0: 0x2010, 3: 7},
            memory={0x2000 + 8 * i: (8, 0xFF) for i in range(10)})
    # 64-byte block (DCZID_EL0.BS = 4 by default): 0x2000..0x203f zeroed, then x3 stored
    assert [r.read(0x2000 + 8 * i) for i in range(10)] == [0, 0, 7, 0, 0, 0, 0, 0, 0xFF, 0xFF]
    assert (r.x(2), r.x(4), r.x(6)) == (0, 1, 1)


def test_w_writes_clear_upper_half_and_sp_forms():
    r = run(prog("mov x0, #-1\n add w0, w0, #1\n mov x1, #-1\n mov w1, w1\n"
                 "mov x5, sp\n add wsp, w5, #1\n mov x2, sp\n mov sp, x5\n ret"), "f")
    assert r.x(0) == 0 and r.x(1) == 0xFFFF_FFFF
    assert r.x(2) == (STACK_TOP + 1) & 0xFFFF_FFFF


# --------------------------------------------------------------------------- CLI

SRC = """\t.text
\t.globl f
\t.type f, %function
f:
\tstr\txzr, [x0, #8]
\tdsb\tnshst
\ttlbi\tvaae1, x2
\tdsb\tnsh
\tisb
\tstr\tx1, [x0, #8]
\tmsr\tttbr1_el1, x3
\tret
\t.size f, .-f
"""


def _file(tmp_path):
    f = tmp_path / "r.S"
    f.write_text(SRC)
    return str(f)


def test_cli_run_text(tmp_path):
    res = CliRunner().invoke(cli, ["run", _file(tmp_path), "--entry", "f",
                                   "--reg", "x0=0x9000", "--reg", "x1=0x1234",
                                   "--reg", "x2=0x9", "--reg", "x3=ttbr_base+0x10",
                                   "--sym", "ttbr_base=0x80000",
                                   "--mem", "0x9008=0xdead:4"], standalone_mode=False)
    assert res.exception is None, res.output
    out = res.output
    assert res.return_value == 0
    assert "stopped: ret" in out
    assert "[0x000000009008] = 0x0000000000001234" in out
    lines = [line for line in out.splitlines() if "r.S:" in line]
    assert [line.split()[1] for line in lines] == ["dsb", "tlbi", "dsb", "isb", "msr"]
    assert "r.S:7" in lines[1] and "va=0x9000" in lines[1]
    assert "msr ttbr1_el1, 0x80010" in lines[4]


def test_cli_run_json_and_errors(tmp_path):
    f = _file(tmp_path)
    res = CliRunner().invoke(cli, ["run", f, "--entry", "f", "--json", "--max-steps", "2"],
                             standalone_mode=False)
    d = json.loads(res.output)
    assert d["stop"] == "max-steps" and d["steps"] == 2 and res.return_value == 1
    assert d["effects"][0]["effect"] == "dsb nshst" and d["effects"][0]["where"] == "r.S:6"
    from bbmcheck.cli.main import main
    import pytest
    for bad in (["--reg", "q0=1"], ["--reg", "x0"], ["--mem", "0x10=1:3"],
                ["--reg", "x0=nosuchsym"], ["--entry", "nosuch"]):
        args = ["run", f] + (bad if "--entry" in bad else ["--entry", "f"] + bad)
        with pytest.raises(SystemExit) as e:
            main(args)
        assert e.value.code == 2, bad

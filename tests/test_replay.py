"""`bbmcheck replay`: a saved counterexample re-runs on the concrete interpreter and is
confirmed; a tampered one is rejected (the trace is evidence, not just text)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from remap_mutants import MUTANTS, REMAP as REMAP_DIR, make, prove, prove_json, two_cpu_post


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    work = tmp_path_factory.mktemp("replay")
    out = {}
    for name in MUTANTS:
        asm, spec = make(work, name)
        rc, rep = prove_json(asm, spec)
        assert rc == 1
        out[name] = rep
    return work, out


def replay(work, rep, name="t.json"):
    p = work / name
    p.write_text(json.dumps(rep))
    from bbmcheck.cli.main import main
    import io
    from contextlib import redirect_stdout
    buf = io.StringIO()
    with redirect_stdout(buf):
        with pytest.raises(SystemExit) as e:
            main(["replay", str(p)])
    return e.value.code, buf.getvalue()


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_saved_trace_replays_and_confirms(saved, name):
    work, reps = saved
    rc, out = replay(work, reps[name])
    assert rc == 0, out
    assert out.startswith("CONFIRMED") and MUTANTS[name][1] in out


def _steps(rep):
    return rep[0]["trace"]["steps"]


def _first(rep, pred):
    return next(s for s in _steps(rep) if pred(s))


def tamper_store_value(rep):
    s = _first(rep, lambda s: s["kind"] == "instr" and s["data"].get("kind") == "store")
    s["data"]["value"] = "0x80006703"


def tamper_fill_value(rep):
    s = [s for s in _steps(rep) if s["kind"] == "fill"][-1]
    s["data"]["desc"] = hex(int(s["data"]["desc"], 16) ^ 0x1000)


def tamper_drop_tlbi_performed(rep):
    rep[0]["trace"]["steps"] = [s for s in _steps(rep) if s["kind"] != "tlbi-performed"]


def tamper_store_visible_late(rep):
    vis = [s for s in _steps(rep) if s["kind"] == "visible"]
    vis[0]["time"] = 10_000


def tamper_pc(rep):
    s = _first(rep, lambda s: s["kind"] == "instr")
    s["data"]["pc"] = hex(int(s["data"]["pc"], 16) + 4)


def tamper_entry_invalidated(rep):
    """Perform the TLBI on the conflicting CPU right after the old entry was filled: the old entry is
    then gone when the new one is filled, and there is no conflict."""
    tr = rep[0]["trace"]
    old = min(tr["details"]["entries"], key=lambda e: e["read_at"])
    cpu = tr["details"]["cpu"]            # the CPU whose TLB conflicts (the solver's pick)
    perf = [s for s in tr["steps"] if s["kind"] == "tlbi-performed" and s["data"]["on"] == cpu]
    issue = next(s for s in tr["steps"] if s["data"].get("event") == perf[0]["data"]["tlbi"])
    perf[0]["time"] = max(old["read_at"] + 1, issue["time"])


def tamper_walk_ttbr(rep):
    """A walk starting at a TTBR value no write ever put there (bit 1 set: the same
    table base, so only the register check can tell)."""
    s = next(s for s in _steps(rep) if s["kind"] == "fill")
    tag = s["data"]["chain"]
    for f in _steps(rep):
        if f["kind"] in ("fill", "fault") and f["data"]["chain"] == tag:
            f["data"]["ttbr"] = hex(int(f["data"]["ttbr"], 16) | 0x2)


def tamper_mmu_off(rep):
    """An access said to run with the MMU off, which no SCTLR value of the scene
    allows."""
    s = _first(rep, lambda s: s["kind"] == "instr" and s["data"].get("mmu") is True)
    s["data"]["mmu"] = False


TAMPER = {
    "store value": ("nodsb", tamper_store_value, "the store writes"),
    "walk read": ("nodsb", tamper_fill_value, "the walk reads"),
    "TLBI never performed": ("nobreak", tamper_drop_tlbi_performed, "the DSB completes before "
                                                                   "the TLBI"),
    "store visible after its DSB": ("nodsb", tamper_store_visible_late, "the DSB completes "
                                                                         "before the store"),
    "instruction address": ("nodsb", tamper_pc, "executes the instruction at"),
    "old entry invalidated": ("nodsb", tamper_entry_invalidated, "invalidated"),
    "TTBR no write put there": ("nodsb", tamper_walk_ttbr, "may use only"),
    "MMU off": ("nodsb", tamper_mmu_off, "runs with the MMU off"),
}


@pytest.mark.parametrize("what", sorted(TAMPER))
def test_tampered_trace_is_rejected(saved, what):
    work, reps = saved
    name, fn, msg = TAMPER[what]
    rep = copy.deepcopy(reps[name])
    fn(rep)
    rc, out = replay(work, rep)
    assert rc == 1, out
    assert out.startswith("REJECTED") and msg in out, out


def test_bad_input_is_a_located_error(tmp_path, capsys):
    from bbmcheck.cli.main import main
    p = tmp_path / "x.json"
    p.write_text("{ not json")
    with pytest.raises(SystemExit) as e:
        main(["replay", str(p)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"{p}:1: error: not JSON" in err and "Traceback" not in err
    p.write_text(json.dumps([{"schema": 2, "status": "PROVED"}]))
    with pytest.raises(SystemExit) as e:
        main(["replay", str(p)])
    assert e.value.code == 2 and "no counterexample" in capsys.readouterr().err


# ------------------------------------------------------------ stale and post (issue 6)

RULES = Path(__file__).resolve().parent.parent / "examples" / "rules"
TTBR = Path(__file__).resolve().parent.parent / "examples" / "ttbr"


def _prove_json(args):
    rc, out = prove([*args, "-q", "--format", "json", "--no-minimize"])
    return rc, json.loads(out)


@pytest.fixture(scope="module")
def stale_trace(tmp_path_factory):
    """mmu_on's remap with the MMU already on and no TLBI: the load may use the entry
    the TLB held from the old descriptor — a stale translation."""
    work = tmp_path_factory.mktemp("stale")
    asm = work / "remap_no_tlbi.S"
    asm.write_text("\t.text\n\t.globl\tremap_then_load\n\t.type\tremap_then_load, %function\n"
                   "remap_then_load:\n\tstr\tx1, [x0]\n\tdsb\tish\n\tisb\n\tldr\tx4, [x3]\n"
                   "\tret\n\t.size\tremap_then_load, . - remap_then_load\n")
    spec = (RULES / "mmu_on.bbm.toml").read_text()
    # the VA moves to TTBR1 (the tables map it), TTBR0 is the identity map (the
    # store reaches the descriptor at its PA)
    spec = (spec.replace('file = "mmu_on.S"', f'file = "{asm}"')
            .replace('entry = "remap_then_mmu_on"', 'entry = "remap_then_load"')
            .replace("mmu = false", "mmu = true")
            .replace('properties = ["fault", "stale"]', 'properties = ["stale"]')
            .replace('0 = "table(pud)"', '511 = "table(pud)"')
            .replace('0 = "table(pmd)"', '511 = "table(pmd)"')
            .replace('0 = "table(pte)"', '511 = "table(pte)"')
            .replace("uva(0, 0, 0, 1)", "kva(511, 511, 511, 1)")
            .replace('ttbr0 = "pgd"', 'ttbr1 = "pgd"')
            .replace("[[cpu]]", "[idmap]\nenable = true\n\n[[cpu]]"))
    sp = work / "remap_no_tlbi.bbm.toml"
    sp.write_text(spec)
    rc, rep = _prove_json([str(asm), "--spec", str(sp)])
    assert rc == 1 and rep[0]["property"] == "stale", rep[0]["reason"]
    return work, rep


def test_stale_trace_is_confirmed(stale_trace):
    work, rep = stale_trace
    rc, out = replay(work, rep)
    assert rc == 0, out
    assert out.startswith("CONFIRMED") and "stale" in out and "walker sees" in out


def test_stale_trace_whose_tables_did_not_change_is_rejected(stale_trace):
    """Claim the remap stored the old descriptor again: every step still replays,
    but the entry then matches the tables, so the stale use is not confirmed."""
    work, rep = stale_trace
    bad = copy.deepcopy(rep)
    st = _first(bad, lambda s: s["kind"] == "instr" and s["data"].get("kind") == "store")
    fill = next(s for s in _steps(bad) if s["kind"] == "fill"
                and s["data"].get("desc_addr") == st["data"]["pa"])
    st["data"]["value"] = fill["data"]["desc"]
    for s in _steps(bad):        # the store's visibility rows and the CPU's x1
        if s["data"].get("store_step") == st["n"]:
            s["data"]["value"] = fill["data"]["desc"]
    for c in bad[0]["trace"]["cpus"]:
        c["regs"]["x1"] = fill["data"]["desc"]
    rc, out = replay(work, bad)
    assert rc == 1, out


@pytest.mark.parametrize("entry", ["switch_ttbr1_direct", "switch_ttbr1_no_isb"])
def test_post_no_entries_from_is_confirmed(tmp_path, entry):
    """The TTBR switches without (or with a misplaced) invalidation leave an entry
    read from the old table: the postcondition fails, and the trace carries the
    entry (a witness walk), which replay finds alive at the end."""
    rc, rep = _prove_json([str(TTBR / "switch.S"), "--spec", str(TTBR / "switch.bbm.toml"),
                           "--entry", entry, "--property", "post"])
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    rc, out = replay(tmp_path, rep)
    assert rc == 0, out
    assert "still holds the entry filled at step" in out and "from old[0]" in out


@pytest.mark.parametrize("post,expect", [
    ('check = "sysreg"\nreg = "ttbr1_el1"\nvalue = "pa(old)"', "ttbr1_el1 is"),
    ('check = "expr"\nexpr = "final(slot(old, 0)) != initial(slot(old, 0))"',
     "is false in the final state"),
    ('check = "tree_ng"\ntree = "old"', "expected with nG set"),
])
def test_post_kinds_are_confirmed_concretely(tmp_path, post, expect):
    """Each postcondition kind is evaluated on the replayed final state (here on the
    safe switch, with postconditions it does not meet)."""
    spec = (TTBR / "switch.bbm.toml").read_text()
    spec = spec.replace('file = "switch.S"', f'file = "{TTBR / "switch.S"}"')
    spec = spec[:spec.index("[[post]]")] + f'[[post]]\nname = "p"\n{post}\n'
    sp = tmp_path / "s.bbm.toml"
    sp.write_text(spec)
    rc, rep = _prove_json([str(TTBR / "switch.S"), "--spec", str(sp), "--property", "post"])
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    rc, out = replay(tmp_path, rep)
    assert rc == 0, out
    assert expect in out, out


def test_post_in_effect_is_confirmed_concretely(tmp_path):
    """A TTBR1 write with no ISB before the return: replay tracks which values the
    CPU's translation may still use (the last one an ISB made effective, and every
    one written since) and confirms the in-effect postcondition fails.  Without
    `in_effect` the same trace's final state meets the postcondition, and replay
    says so."""
    sp = tmp_path / "s.bbm.toml"
    spec = (TTBR / "switch.bbm.toml").read_text()
    sp.write_text(spec.replace('file = "switch.S"', f'file = "{TTBR / "switch.S"}"'))
    rc, rep = _prove_json([str(TTBR / "switch.S"), "--spec", str(sp),
                           "--entry", "switch_ttbr1_no_final_isb", "--property", "post"])
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    rc, out = replay(tmp_path, rep)
    assert rc == 0, out
    assert "may still use ttbr1_el1 = 0x80000000: no ISB after its write" in out, out
    assert "in_effect = true" in sp.read_text()
    sp.write_text(sp.read_text().replace("in_effect = true", "in_effect = false"))
    rc, out = replay(tmp_path, rep)
    assert rc == 1 and "holds in the replayed final state" in out, out


def test_replay_rebuilds_the_reduced_geometry(tmp_path):
    """`--entries` is part of the invocation: replay rebuilds the tables the check
    used, not the spec's default geometry."""
    from bbmcheck.cli.replay import rebuild_scenario
    spec = TTBR / "switch.bbm.toml"
    inv = {"file": str(TTBR / "switch.S"), "spec": str(spec), "cwd": str(tmp_path)}
    rep = {"check": "t", "invocation": inv}
    default = rebuild_scenario(rep, "t.json")
    inv["entries"] = "2"
    wider = rebuild_scenario(rep, "t.json")
    assert default.regime.entries != 2 and wider.regime.entries == 2
    assert len(wider.memory) > len(default.memory)


WAIT_ASM = """
	.text
	.globl	wait_then_copy
wait_then_copy:
	sevl
1:	wfe
	ldr	x1, [x0]
	cbz	x1, 1b
	str	x1, [x0, #8]
	ret
	.globl	set_flag
set_flag:
	mov	x1, #1
	str	x1, [x0]
	ret
"""


def test_trace_through_an_await_loop_replays(tmp_path):
    """CPU0 waits for CPU1's flag (the kernel's `sevl; wfe; ldr; cbz` idiom), then
    writes beside it.  The loop's exit branch is an instruction of the trace like any
    other (its back edge's `blocked` stop did not happen, but the branch did), so
    replay runs it and confirms the trace."""
    rc, rep = two_cpu_post(tmp_path, "wait", WAIT_ASM, ("wait_then_copy", "set_flag"),
                            "nothing beside the flag")
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    cbz = [x for s in rep[0]["trace"]["steps"] for x in s["data"].get("locals", [])
           if x["loc"].endswith("wait.S:8")]
    assert cbz, "the loop's exit branch is missing from the trace"
    rc, out = replay(tmp_path, rep)
    assert rc == 0, out


def test_walk_through_an_open_ttbr0_replays(tmp_path):
    """examples/rules/in_place leaves TTBR0 open: a witness walk may go through any
    TTBR0 value, and BADDR's low bits (a misaligned base) are treated as zero, as
    the Arm ARM's TTBR description says; replay computes the same descriptor
    addresses (model/vmsa/regime.py: ttbr_table_base) and confirms the trace."""
    rules = TTBR.parent / "rules"
    rc, rep = _prove_json([str(rules / "in_place.S"), "--spec", str(rules / "in_place.bbm.toml")])
    assert rc == 1 and rep[0]["property"] == "bbm", rep[0]["reason"]
    walks = [s for s in rep[0]["trace"]["steps"] if s["kind"] in ("fill", "fault")]
    assert all(int(s["data"]["desc_addr"], 16) % 8 == 0 for s in walks)
    rc, out = replay(tmp_path, rep)
    assert rc == 0, out


def test_ttbr_table_base_ignores_misaligned_bits():
    from bbmcheck.model import values as V
    from bbmcheck.model.vmsa.regime import Regime
    R = Regime()
    assert V.as_int(R.ttbr_table_base(V.const(0x0001_0000_8000_0ffd, 64))) == 0x8000_0000
    R3 = Regime(levels=3, va_bits=39)
    assert V.as_int(R3.ttbr_table_base(V.const(0x8000_0ff8, 64))) == 0x8000_0000
    R36 = Regime(levels=3, va_bits=36)      # a 64-entry start table: 512-byte aligned
    assert V.as_int(R36.ttbr_table_base(V.const(0x8000_0ff8, 64))) == 0x8000_0e00


def test_walk_before_the_ttbr_write_is_rejected(tmp_path):
    """switch_ttbr1_direct: a walk of the new table uses the TTBR1 value written by
    the `msr`; moved after that walk, the write cannot be what the walk used (rule
    sysreg-in-effect), and replay says so."""
    rc, rep = _prove_json([str(TTBR / "switch.S"), "--spec", str(TTBR / "switch.bbm.toml"),
                           "--entry", "switch_ttbr1_direct"])
    assert rc == 1, rep[0]["reason"]
    rc, out = replay(tmp_path, rep)
    assert rc == 0, out
    steps = rep[0]["trace"]["steps"]
    msr = next(s for s in steps if s["data"].get("kind") == "msr")
    new = int(msr["data"]["value"], 16)
    walk = [s for s in steps if s["kind"] in ("fill", "fault")
            and int(s["data"]["ttbr"], 16) == new]
    assert walk, "no walk of the new table in the trace"
    msr["time"] = max(s["time"] for s in steps) + 1
    rc, out = replay(tmp_path, rep)
    assert rc == 1 and "may use only" in out, out


ORDER_ASM = """
	.text
	.globl	publish
publish:
	mov	x1, #1
	str	x1, [x0, #8]
	dmb	ish
	str	x1, [x0, #16]
	stlr	x1, [x0]
	ret
	.globl	consume
consume:
	ldar	x1, [x0]
	ldr	x2, [x0, #8]
	ret
"""


@pytest.fixture(scope="module")
def order_trace(tmp_path_factory):
    """CPU1 publishes two words (a DMB between them) and a flag with a store-release;
    CPU0 reads the flag with a load-acquire, then a word.  A postcondition that only
    the publisher's stores break gives a trace with every kind of ordering in it."""
    work = tmp_path_factory.mktemp("order")
    rc, rep = two_cpu_post(work, "order", ORDER_ASM, ("consume", "publish"),
                            "the flag is still clear")
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    return work, rep


def _instr(rep, text):
    return next(s for s in _steps(rep) if s["kind"] == "instr" and s["text"].startswith(text))


def test_ordered_trace_replays(order_trace):
    work, rep = order_trace
    assert _instr(rep, "dmb ish")["data"]["ordered_at"] is not None
    rc, out = replay(work, rep)
    assert rc == 0, out


def tamper_dmb_early(rep):
    """The DMB placed in the order before the store it follows."""
    _instr(rep, "dmb ish")["data"]["ordered_at"] = 0


def tamper_release_overtaken(rep):
    """The store before the store-release visible to the other CPU only after it."""
    before = _instr(rep, "str x1, [x0, #16]")["data"]["event"]
    rel = _instr(rep, "stlr")["data"]["event"]
    vis = {s["data"]["store"]: s for s in _steps(rep)
           if s["kind"] == "visible" and s["data"]["to"] != "own-walker"}
    vis[before]["time"] = vis[rel]["time"] + 1


def tamper_acquire_late(rep):
    """The load after the load-acquire satisfied before it -- reading what memory held
    then, so that only the ordering rule is broken (whatever the trace around it)."""
    acq = _instr(rep, "ldar")
    ld = _instr(rep, "ldr x2")
    t = acq["data"]["satisfied"] - 1
    seen = [(v["time"], v["data"]["value"]) for v in _steps(rep)
            if v["kind"] == "visible" and v["data"]["to"] != "own-walker"
            and v["data"]["pa"] == ld["data"]["pa"] and v["time"] < t]
    value = max(seen)[1] if seen else "0x0"
    ld["data"]["satisfied"], ld["data"]["value"] = t, value
    ld["changes"] = {r: value for r in ld["changes"]}


def tamper_program_order(rep):
    """Two instructions of one CPU at times out of program order."""
    a, b = _instr(rep, "ldar"), _instr(rep, "ldr x2")
    a["time"], b["time"] = b["time"], a["time"]


def tamper_dmb_domain(rep):
    """The DMB ISH claimed to be a DMB NSH, which would order nothing for CPU0."""
    _instr(rep, "dmb ish")["data"]["domain"] = "nsh"


ORDER_TAMPER = {
    "barrier kind": (tamper_dmb_domain, "the instruction is a dmb ish"),
    "DMB": (tamper_dmb_early, "rule dmb-orders"),
    "store-release": (tamper_release_overtaken, "rule acquire-release"),
    "load-acquire": (tamper_acquire_late, "rule acquire-release"),
    "program order": (tamper_program_order, "not after the instruction of step"),
}


@pytest.mark.parametrize("what", sorted(ORDER_TAMPER))
def test_trace_breaking_an_ordering_rule_is_rejected(order_trace, what):
    """Replay re-checks the ordering rules from the instructions it executes (which
    load is an acquire, where the DMB is), not from the trace's say-so."""
    work, rep = order_trace
    fn, msg = ORDER_TAMPER[what]
    rep = copy.deepcopy(rep)
    fn(rep)
    rc, out = replay(work, rep)
    assert rc == 1 and out.startswith("REJECTED") and msg in out, out


COHERENCE_ASM = """
	.text
	.globl	writer
writer:
	mov	x1, #1
	str	x1, [x0, #8]
	mov	x1, #2
	str	x1, [x0, #8]
	ret
	.globl	reader
reader:
	ldr	x1, [x0, #8]
	ldr	x2, [x0, #8]
	mov	x3, #3
	str	x3, [x0, #8]
	ret
"""


@pytest.fixture(scope="module")
def coherence_trace(tmp_path_factory):
    """CPU1 stores 1 then 2 to a word; CPU0 loads it twice, then stores 3 to it."""
    work = tmp_path_factory.mktemp("coherence")
    rc, rep = two_cpu_post(work, "coh", COHERENCE_ASM, ("reader", "writer"),
                            "the word stays clear")
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    return work, rep


def _writer_visible_last(rep):
    """CPU1's two stores reach everyone after every other step (in their order):
    the last time of the trace + 1 and + 2.  Returns the second store's step."""
    steps = _steps(rep)
    end = max(s["time"] for s in steps)
    stores = [s for s in steps if s["kind"] == "instr" and s["cpu"] == 1
              and s["data"].get("kind") == "store"]
    for k, st in enumerate(stores):
        for v in steps:
            if v["kind"] == "visible" and v["data"]["store"] == st["data"]["event"]:
                v["time"] = end + 1 + k
    return stores[-1], end + len(stores)


def _load_reads(step, value, at):
    step["data"]["value"], step["data"]["satisfied"] = hex(value), at
    step["changes"] = {r: hex(value) for r in step["changes"]}


def tamper_corr(rep):
    """The first load reads CPU1's last store, the second (after it in program order)
    the initial value, from before any of CPU1's stores reached CPU0."""
    last, t = _writer_visible_last(rep)
    first, second = _instr(rep, "ldr x1"), _instr(rep, "ldr x2")
    _load_reads(first, int(last["data"]["value"], 16), t + 1)
    _load_reads(second, 0, second["data"]["satisfied"])


def tamper_corw(rep):
    """Both loads read CPU1's last store, which reaches everyone after CPU0's own
    later store to the word."""
    last, t = _writer_visible_last(rep)
    for text in ("ldr x1", "ldr x2"):
        _load_reads(_instr(rep, text), int(last["data"]["value"], 16), t + 1)


def test_coherent_trace_replays(coherence_trace):
    work, rep = coherence_trace
    rc, out = replay(work, rep)
    assert rc == 0, out


@pytest.mark.parametrize("what,fn", [("CoRR", tamper_corr), ("CoRW", tamper_corw)])
def test_trace_breaking_read_coherence_is_rejected(coherence_trace, what, fn):
    """Every load reads a value some store had at its time, yet the two loads (or a
    load and its CPU's later store) see the location's stores out of order."""
    work, rep = coherence_trace
    rep = copy.deepcopy(rep)
    fn(rep)
    rc, out = replay(work, rep)
    assert rc == 1 and out.startswith("REJECTED") and f"coherence, {what}" in out, out


RMW_ASM = """
	.text
	.globl	inc_exclusive
inc_exclusive:
	add	x4, x0, #8
1:	ldxr	x1, [x4]
	add	x1, x1, #1
	stxr	w2, x1, [x4]
	cbnz	w2, 1b
	ret
	.globl	inc_ldadd
inc_ldadd:
	mov	x3, #1
	add	x4, x0, #8
	ldadd	x3, x1, [x4]
	ret
	.globl	set_cas
set_cas:
	mov	x1, #0
	mov	x3, #1
	add	x4, x0, #8
	cas	x1, x3, [x4]
	ret
"""

RMW = {"exclusive": "inc_exclusive", "ldadd": "inc_ldadd", "cas": "set_cas"}


@pytest.fixture(scope="module")
def rmw_traces(tmp_path_factory):
    """Two CPUs each run one read-modify-write of a word (a load-exclusive/
    store-exclusive loop, an LDADD, a CAS of 0 to 1); the word does not stay 0."""
    work = tmp_path_factory.mktemp("rmw")
    out = {}
    for kind, entry in RMW.items():
        rc, rep = two_cpu_post(work, kind, RMW_ASM, (entry, entry), "the word stays clear")
        assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
        out[kind] = rep
    return work, out


@pytest.mark.parametrize("kind", sorted(RMW))
def test_read_modify_write_traces_replay(rmw_traces, kind):
    """Each trace replays.  An LSE atomic's write uses its read's translation (the
    trace has no walk of its own for it), and a CAS whose comparison fails may write
    back the value it read: replay rejected both before it knew."""
    work, reps = rmw_traces
    assert reps[kind][0]["replay"]["status"] == "CONFIRMED", reps[kind][0]["replay"]
    rc, out = replay(work, reps[kind])
    assert rc == 0, out


def _rmw_steps(rep):
    steps = _steps(rep)
    loads = [s for s in steps if s["kind"] == "instr" and s["data"].get("kind") == "load"]
    stores = [s for s in steps if s["kind"] == "instr" and s["data"].get("kind") == "store"]
    visible = {s["data"]["store"]: s for s in steps if s["kind"] == "visible"}
    return loads, stores, visible


def tamper_lost_update(rep):
    """The CPU whose write comes second in coherence order reads the initial 0, not
    the first CPU's 1 (the first write now reaches everyone just as that read is
    satisfied), and writes 1: each CPU's run and every read's value stay consistent,
    but the other CPU's write falls between its read and its write -- a lost update."""
    loads, stores, visible = _rmw_steps(rep)
    first, second = sorted(stores, key=lambda s: visible[s["data"]["event"]]["time"])
    ld = next(s for s in loads if s["cpu"] == second["cpu"])
    assert ld["data"]["value"] == "0x1"
    at = ld["data"]["satisfied"]
    assert visible[second["data"]["event"]]["time"] > at
    visible[first["data"]["event"]]["time"] = at
    _load_reads(ld, 0, at)
    for s in (s for s in _steps(rep) if s["cpu"] == second["cpu"]):
        for x in s["data"].get("locals", []):
            if x["text"].startswith("add x1"):
                x["changes"] = {"x1": "0x1"}
        if s is second:
            s["data"]["value"] = "0x1"
            s["changes"] = {r: ("0x0" if r == "x1" else v) for r, v in s["changes"].items()}


def tamper_atomic_read_late(rep):
    """An LDADD's read is satisfied after its own write is visible."""
    loads, stores, visible = _rmw_steps(rep)
    st = stores[0]
    ld = next(s for s in loads if s["cpu"] == st["cpu"])
    ld["data"]["satisfied"] = visible[st["data"]["event"]]["time"]


@pytest.mark.parametrize("kind,fn,rule", [
    ("exclusive", tamper_lost_update, "rule exclusive-atomic"),
    ("ldadd", tamper_lost_update, "rule atomic-rmw"),
    ("ldadd", tamper_atomic_read_late, "rule atomic-rmw"),
])
def test_trace_breaking_atomicity_is_rejected(rmw_traces, kind, fn, rule):
    work, reps = rmw_traces
    rep = copy.deepcopy(reps[kind])
    fn(rep)
    rc, out = replay(work, rep)
    assert rc == 1 and out.startswith("REJECTED") and rule in out, out


UNARMED_ASM = """
	.text
	.globl	unarmed
unarmed:
	add	x4, x0, #8
	mov	x1, #1
	stxr	w2, x1, [x4]
	str	x1, [x4]
	ret
"""


def test_store_exclusive_without_load_exclusive_cannot_succeed(tmp_path):
    """No load-exclusive armed the monitor, so the model makes the store-exclusive
    fail; a trace where it succeeds instead is rejected."""
    rc, rep = two_cpu_post(tmp_path, "unarmed", UNARMED_ASM, ("unarmed",),
                            "the word stays clear")
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    stxr = _instr(rep, "stxr")
    assert stxr["data"].get("failed") and stxr["changes"]["x2"] == "0x1"
    rc, out = replay(tmp_path, rep)
    assert rc == 0, out
    rep = copy.deepcopy(rep)
    stxr = _instr(rep, "stxr")
    del stxr["data"]["failed"]
    stxr["changes"]["x2"] = "0x0"
    steps = _steps(rep)
    steps.append({**copy.deepcopy(steps[-1]), "n": max(s["n"] for s in steps) + 1,
                  "kind": "visible", "cpu": stxr["cpu"], "time": stxr["time"] + 1,
                  "data": {"store": stxr["data"]["event"], "to": "all"}})
    rc, out = replay(tmp_path, rep)
    assert rc == 1 and "no load-exclusive armed the monitor" in out, out


ETS2_ASM = """
	.text
	.globl	store_dsb_load
store_dsb_load:
	mov	x1, #1
	str	x1, [x0, #16]
	dsb	ish
	ldr	x2, [x0, #16]
	str	x2, [x0, #8]
	ret
"""


def test_walk_before_a_dsb_is_rejected_with_ets2(tmp_path):
    """With FEAT_ETS2 a DSB orders the translation of every later access of its CPU
    after it (rule ets2-dsb-orders-walks): a trace that looks the load's translation
    up at the DSB's own time is rejected; the same trace checked without ETS2 is
    confirmed (nothing else orders that lookup after the DSB)."""
    rc, rep = two_cpu_post(tmp_path, "ets2", ETS2_ASM, ("store_dsb_load",),
                           "the word stays clear", extra=("--feature", "ets2"))
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    assert rep[0]["replay"]["status"] == "CONFIRMED", rep[0]["replay"]
    rep = copy.deepcopy(rep)
    steps = _steps(rep)
    dsb = _instr(rep, "dsb ish")
    ld = next(s for s in steps if s["kind"] == "instr" and s["cpu"] == dsb["cpu"]
              and s["text"].startswith("ldr x2"))
    assert ld["data"]["lookup"] > dsb["time"]
    ld["data"]["lookup"] = dsb["time"]
    rc, out = replay(tmp_path, rep)
    assert rc == 1 and "rule ets2-dsb-orders-walks" in out, out
    rep[0]["invocation"]["features"] = []
    rc, out = replay(tmp_path, rep, "base.json")
    assert rc == 0, out

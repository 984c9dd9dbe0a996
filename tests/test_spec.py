"""The spec format (docs/spec.md): what it accepts, and how it reports what it does not.

Errors in a spec must name the spec file and the line (the line of the offending key,
or the header of the table that holds it) and must reach the user of `bbmcheck prove`
as `file:line: error: ...` with exit status 2, never as a traceback or an "internal
error".  Each bad input is the worked example (examples/remap/remap.bbm.toml) with one
edit.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest

from bbmcheck.errors import SpecError
from bbmcheck.specs.spec import load_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REMAP_S = os.path.join(ROOT, "examples", "remap", "remap.S")
REMAP_SPEC = os.path.join(ROOT, "examples", "remap", "remap.bbm.toml")


def base_text() -> str:
    with open(REMAP_SPEC, encoding="utf-8") as f:
        return f.read()


@dataclass
class Bad:
    """One edit of the worked example and where its error must point.

    key: text of the offending line;  table: text of the header of the table that
    holds it (the n-th occurrence, counting from 1).  Either line is accepted."""
    old: str
    new: str
    message: str
    key: str | None
    table: str | None = None
    nth: int = 1

    def text(self) -> str:
        src = base_text()
        assert self.old in src, self.old
        return src.replace(self.old, self.new, 1)

    def lines(self, text: str) -> set[int]:
        lines = text.splitlines()
        out = {i + 1 for i, ln in enumerate(lines) if self.key is not None and self.key in ln}
        if self.table is not None:
            hits = [i + 1 for i, ln in enumerate(lines) if ln.strip() == self.table]
            out.add(hits[self.nth - 1])
        return out


CPU1_REGS = 'regs = { x0 = "kva(511, 511, 511, 1)" }'

GOOD_ERRORS = {
    "unknown-section": Bad("[idmap]", "[idmapp]", "unknown section [idmapp]", "[idmapp]"),
    "toml-syntax": Bad("cpus = 2", "cpus = = 2", "not valid TOML", "cpus = = 2"),
    "unknown-property": Bad('"stale", "post"]', '"stale", "posts"]',
                            "unknown property 'posts'", "properties =", "[check]"),
    "unknown-feature": Bad("bound = 40", 'bound = 40\nfeatures = ["ets3"]',
                           "unknown feature 'ets3'", "features =", "[check]"),
    "regime": Bad("va_bits = 48", "va_bits = 52", "52-bit VAs need 5 levels",
                  "va_bits = 52", "[regime]"),
    "table-without-level": Bad("level = 3", "levle = 3", "table pte needs a level",
                               "levle = 3", "[tables.pte]"),
    "table-entry-key": Bad('1 = "page(data)"', 'one = "page(data)"',
                           "entry keys are indices, not 'one'", "one =", "[tables.pte]"),
    "unknown-name": Bad('0 = "page(old)"', '0 = "page(oldd)"',
                        "unknown table, page or symbol 'oldd'", "page(oldd)", "[tables.pte]"),
    "expression-syntax": Bad('0 = "page(old)"', '0 = "page(old"', "bad value 'page(old'",
                             "page(old\"", "[tables.pte]"),
    "unknown-function": Bad('0 = "page(old)"', '0 = "pag(old)"', "pag is not a function",
                            "pag(old)", "[tables.pte]"),
    "descriptor-field": Bad('0 = "page(old)"', '0 = "page(old, colour=1)"',
                            "unknown descriptor field colour=", "colour", "[tables.pte]"),
    "va-index": Bad('x2 = "kva(511, 511, 511, 0)"', 'x2 = "kva(511, 511, 512, 0)"',
                    "index 512 out of range at level 2", "512", "[[cpu]]", 1),
    "stale-expression": Bad('vas = ["kva(511, 511, 511, 0)"]', 'vas = ["kva(511, 511 0)"]',
                            "bad value", "vas =", "[stale]"),
    "post-kind": Bad('check = "unchanged"', 'check = "unchangd"',
                     "unknown postcondition check 'unchangd'", "unchangd", "[[post]]"),
    "post-except": Bad('except = ["slot(pte, 0)"]', 'except = ["slot(ptee, 0)"]',
                       "unknown table, page or symbol 'ptee'", "ptee", "[[post]]"),
    "tree-without-name": Bad("[pages.old]", "[[tree]]\nentries = 2\n[pages.old]",
                             "[[tree]] needs a name", "[[tree]]"),
    "tree-kinds": Bad("[pages.old]", '[[tree]]\nname = "t"\nkinds = ["leaf", "blob"]\n[pages.old]',
                      "unknown kinds ['blob']", "kinds =", "[[tree]]"),
    "symbol-expression": Bad("[idmap]", '[symbols]\nfoo = "bar(1)"\n[idmap]',
                             "bar is not a function", "bar(1)", "[symbols]"),
    "word-alignment": Bad("[idmap]", '[words]\n"pa(data) + 4" = 1\n[idmap]',
                          "not 8-byte aligned", "pa(data) + 4", "[words]"),
    "no-cpu": Bad("[[cpu]]", "[[cpux]]", "unknown section [cpux]", "[[cpux]]"),
}


MORE_ERRORS = {  # once known gaps (wrong line, no line, internal errors, silently accepted)
    "register-in-second-cpu": Bad(CPU1_REGS, 'regs = { x31 = "kva(511, 511, 511, 1)" }',
            "x31 is not a general register", "x31 =", "[[cpu]]", 2),
    "entry-missing-in-second-cpu": Bad('entry = "read_page"\n', "", "cpu 1: no entry", None, "[[cpu]]", 2),
    "entry-not-a-routine": Bad('entry = "read_page"', 'entry = "no_such_routine"', "no_such_routine",
            "no_such_routine"),
    "ng-policy": Bad("bound = 40", 'bound = 40\nng_policy = "lax"', "ng_policy", "ng_policy",
            "[check]"),
    "bound-not-a-number": Bad("bound = 40", 'bound = "forty"', "bound", "bound =", "[check]"),
    "level-not-a-number": Bad("level = 3", 'level = "three"', "level", "level =", "[tables.pte]"),
    "level-out-of-range": Bad("level = 3", "level = 7", "level", "level = 7", "[tables.pte]"),
    "regs-not-a-table": Bad(CPU1_REGS, 'regs = "x0"', "regs", "regs =", "[[cpu]]", 2),
    "post-expr-syntax": Bad('check = "unchanged"', 'check = "expr"\nexpr = "final(slot(pte, 0)) == (1"',
            "expr", "expr =", "[[post]]"),
    "unknown-check-key": Bad("bound = 40", "bound = 40\nboundd = 3", "boundd", "boundd", "[check]"),
    "unknown-cpu-key": Bad(CPU1_REGS, CPU1_REGS + '\nttbr2 = "pgd"', "ttbr2", "ttbr2", "[[cpu]]", 2),
    "zero-cpus": Bad("cpus = 2", "cpus = 0", "cpus", "cpus = 0", "[check]"),
    "initial-tlb": Bad("bound = 40", 'bound = 40\ninitial_tlb = "none"', "initial_tlb",
            "initial_tlb", "[check]"),
    "assume-section": Bad("[idmap]", '[assume]\nx = "1"\n[idmap]', "assume", "[assume]"),
    "stale-vas-not-a-list": Bad('vas = ["kva(511, 511, 511, 0)"]', 'vas = "kva(511, 511, 511, 0)"',
            "list", "vas =", "[stale]"),
    # keys these sections silently ignored (stop 19: a `[memory]` word was dropped)
    "unknown-regime-key": Bad("levels = 4", "levels = 4\nentires = 2", "entires", "entires",
            "[regime]"),
    "memory-word": Bad("[idmap]", '[memory]\n"0x80004000" = "1"\n\n[idmap]', "0x80004000",
            '"0x80004000"', "[memory]"),
    "unknown-idmap-key": Bad("[idmap]", "[idmap]\nextras = 4096", "extras", "extras", "[idmap]"),
    "unknown-page-key": Bad("[pages.new]", '[pages.new]\nword = { "0" = "1" }', "word", "word =",
            "[pages.new]"),
    "unknown-post-key": Bad('check = "unchanged"', 'check = "unchanged"\nexcept_table = ["pte"]',
            "except_table", "except_table =", "[[post]]"),
    "unknown-except-table": Bad('check = "unchanged"',
            'check = "unchanged"\nexcept_tables = ["ptee"]', "ptee", "except_tables =",
            "[[post]]"),
    "unknown-tree-key": Bad("[pages.old]", '[[tree]]\nname = "t"\nroot = 1\n[pages.old]',
            "root", "root =", "[[tree]]"),
}


def _write(tmp_path, bad: Bad):
    text = bad.text()
    p = tmp_path / "bad.bbm.toml"
    p.write_text(text)
    return str(p), text


def _check_error(e: SpecError, path: str, bad: Bad, text: str):
    assert e.file == path, e.render()
    assert e.line in bad.lines(text), (e.render(), sorted(bad.lines(text)))
    assert bad.message in e.message, e.render()
    assert e.render().startswith(f"{path}:{e.line}: error: ")


@pytest.mark.parametrize("name", sorted(GOOD_ERRORS))
def test_spec_error_names_file_and_line(tmp_path, name):
    bad = GOOD_ERRORS[name]
    path, text = _write(tmp_path, bad)
    with pytest.raises(SpecError) as ei:
        load_spec(path, asm_file=REMAP_S)
    _check_error(ei.value, path, bad, text)


@pytest.mark.parametrize("bad", list(MORE_ERRORS.values()), ids=list(MORE_ERRORS))
def test_spec_error_names_file_and_line_more(tmp_path, bad):
    path, text = _write(tmp_path, bad)
    with pytest.raises(SpecError) as ei:
        load_spec(path, asm_file=REMAP_S)
        # errors the checker finds first (an entry that is not a routine)
        from bbmcheck.model.checker import Checker, Options
        Checker(load_spec(path, asm_file=REMAP_S), Options(witness=False)).run()
    _check_error(ei.value, path, bad, text)


def _prove(capsys, *args) -> tuple[int, str, str]:
    from bbmcheck.cli.main import main
    with pytest.raises(SystemExit) as ei:
        main(["prove", *args])
    out, err = capsys.readouterr()
    return ei.value.code, out, err


CLI_CASES = ["unknown-section", "toml-syntax", "unknown-name", "expression-syntax",
             "va-index", "post-kind", "tree-kinds"]


@pytest.mark.parametrize("name", CLI_CASES)
def test_cli_reports_spec_errors_with_exit_2(tmp_path, capsys, name):
    bad = GOOD_ERRORS[name]
    path, text = _write(tmp_path, bad)
    code, out, err = _prove(capsys, REMAP_S, "--spec", path, "-q")
    assert code == 2, (out, err)
    m = re.match(rf"{re.escape(path)}:(\d+): error: ", err)
    assert m and int(m.group(1)) in bad.lines(text), err
    assert "Traceback" not in err + out and "internal error" not in err


@pytest.mark.parametrize("name", ["bound-not-a-number", "level-out-of-range",
                                  "regs-not-a-table", "post-expr-syntax",
                                  "entry-not-a-routine"])
def test_cli_reports_spec_errors_with_exit_2_more(tmp_path, capsys, name):
    bad = MORE_ERRORS[name]
    path, text = _write(tmp_path, bad)
    code, out, err = _prove(capsys, REMAP_S, "--spec", path, "-q")
    assert code == 2, (out, err)
    assert re.match(rf"{re.escape(path)}:\d+: error: ", err), err


def test_cli_zero_cpus_is_not_proved(tmp_path, capsys):
    path, _ = _write(tmp_path, MORE_ERRORS["zero-cpus"])
    code, out, err = _prove(capsys, REMAP_S, "--spec", path, "-q")
    assert "PROVED" not in out and code != 0, (code, out, err)


# ============================================================== what the format accepts

def test_worked_example_loads():
    scen = load_spec(REMAP_SPEC)
    assert [c.entry for c in scen.cpus] == ["remap_page", "read_page"]
    assert scen.bound == 40 and scen.properties == ("bbm", "conflict", "fault", "stale", "post")
    assert scen.stale_vas == [0xFFFF_FFFF_FFE0_0000]
    pte = scen.layout.tables["pte"]
    assert scen.memory[pte.pa] & 0xFFFF_FFFF_F000 == scen.layout.pages["old"]
    assert scen.memory[pte.pa + 16] & 0xFFFF_FFFF_F000 == pte.pa     # maps itself
    assert [p.name for p in scen.postconditions] == ["A now maps page new", "nothing else changed"]
    assert "idmap" in scen.layout.tables


def test_command_line_overrides_the_spec():
    scen = load_spec(REMAP_SPEC, cpus=3, bound=7, features=["ets2", "ttl"])
    assert len(scen.cpus) == 3 and scen.bound == 7
    assert scen.cpus[2].entry == "read_page"          # the last [[cpu]] is repeated
    assert scen.features.ets2 and scen.features.ttl


def test_cpu_placeholders_and_symbolic_descriptors(tmp_path):
    text = base_text().replace(
        CPU1_REGS, 'regs = { x0 = "kva(511, 511, 511, 1)", x5 = "{cpu}", x6 = "{ncpus} + 1" }'
    ).replace('1 = "page(data)"', '1 = ["page(data)", "invalid", "page(data, ng=1)"]')
    p = tmp_path / "s.bbm.toml"
    p.write_text(text)
    scen = load_spec(str(p), asm_file=REMAP_S, cpus=3)
    from bbmcheck.model import values as V
    assert [V.as_int(c.regs[5]) if 5 in c.regs else None for c in scen.cpus] == [None, 1, 2]
    assert all(V.as_int(c.regs[6]) == 4 for c in scen.cpus[1:])
    dom = scen.domains["desc_pte_1"]
    data = scen.layout.pages["data"]
    assert len(dom) == 3 and 0 in dom and {d & 0xFFFF_FFFF_F000 for d in dom if d} == {data}
    assert len(scen.assumptions) == 1


def test_tree_makes_symbolic_tables(tmp_path):
    text = base_text().replace(
        "[pages.old]", '[[tree]]\nname = "sw"\nentries = 2\nglobal = "global"\n\n[pages.old]')
    p = tmp_path / "s.bbm.toml"
    p.write_text(text)
    scen = load_spec(str(p), asm_file=REMAP_S)
    tables = scen.layout.trees["sw"]
    # levels 0..3, each entry invalid / table / leaf: 1 + 2 + 4 + 8 tables
    assert len(tables) == 15 and {t.level for t in tables} == {0, 1, 2, 3}
    root = scen.layout.tables["sw"]
    assert root.level == 0 and root.entries.keys() == {0, 1}
    alts = scen.domains["desc_sw_0"]
    assert 0 in alts and len(alts) == 2            # invalid or a table (no level-0 leaf)
    leaf = scen.domains["desc_sw_0_0_0_1"]          # a level-3 entry
    assert len(leaf) == 2 and not any(d >> 11 & 1 for d in leaf)   # invalid, global page


def test_bundled_specs_match_by_routine_and_instructions(tmp_path):
    from bbmcheck.grammar.frontend import load_program
    from bbmcheck import specs
    src = ("\t.text\n\t.globl idmap_kpti_install_ng_mappings\n"
           "idmap_kpti_install_ng_mappings:\n\t%s\n\tret\n")
    names = {}
    for tag, body in (("on", "tlbi vaae1, x0"), ("off", "msr sctlr_el1, x0"),
                      ("none", "nop")):
        f = tmp_path / f"{tag}.S"
        f.write_text(src % body)
        prog = load_program(str(f), profile=None)
        names[tag] = [os.path.basename(s.path) for _, s in specs.matching(prog)]
    assert names == {"on": ["kpti-mmu-on.bbm.toml"], "off": ["kpti-mmu-off.bbm.toml"],
                     "none": []}


def test_post_expr_can_read_final_registers(tmp_path):
    text = base_text().replace('check = "unchanged"\nexcept = ["slot(pte, 0)"]',
                               'check = "expr"\nexpr = "reg(1, 0) == reg(1, 0)"')
    p = tmp_path / "s.bbm.toml"
    p.write_text(text)
    from bbmcheck.model.checker import Checker, Options
    scen = load_spec(str(p), asm_file=REMAP_S)
    v = Checker(scen, Options(props=("post",))).run()
    assert v.status == "PROVED", v.reason


# ============================================================== docs/spec.md

def test_docs_cover_sections_functions_and_postconditions():
    """docs/spec.md documents every section, expression function and postcondition
    kind the loader accepts."""
    import inspect

    from bbmcheck.specs import post as POST
    from bbmcheck.specs import spec as S
    doc = open(os.path.join(ROOT, "docs", "spec.md"), encoding="utf-8").read()
    for sec in S.KNOWN_TOP - {"assume"}:          # [assume]: accepted, never used
        assert re.search(rf"\[\[?{sec}(\.NAME)?\]\]?", doc), sec
    env = S.Env(S.Layout(), None, S.Regime(), S.Locator("x", ""))
    for fn in env.functions():
        if fn in ("True", "False"):
            continue
        assert f"`{fn}(" in doc or f"`{fn}`" in doc, fn
    kinds = re.findall(r'kind == "(\w+)"', inspect.getsource(POST._make))
    assert len(kinds) == 6
    for k in kinds:
        assert f"| `{k}` |" in doc, k

"""pytest plugin: spec files with an expected verdict are test items.

    # my_routine.bbm.toml
    [check]
    name = "remap_page keeps break-before-make"
    file = "remap.S"                 # relative to the spec
    cpus = 2
    bound = 40
    expect = "PROVED"                # PROVED | REFUTED | INCONCLUSIVE | VACUOUS | UNKNOWN
    # expect_property = "conflict"   # with REFUTED: the property (or a list of them)

`pytest path/to/specs` collects every `*.bbm.toml` whose [check] table has `expect`
(spec files without it are scenarios, not tests, and are skipped silently).  An item
passes when bbmcheck's verdict is the expected one; otherwise the failure shows the
verdict and, when there is one, the counterexample trace as `bbmcheck prove` prints
it.  Errors in the spec or the assembly are shown as `file:line: error: ...`.

Options: `--bbm-timeout SECONDS` (solver timeout per query; a timeout is UNKNOWN),
`--bbm-json DIR` (write each item's JSON report there, e.g. for `bbmcheck replay`).
Registered through the `pytest11` entry point `bbmcheck`; items carry the marker
`bbm`, so `pytest -m bbm` / `-m "not bbm"` selects them.  See docs/pytest.md.
"""
from __future__ import annotations

import json
import os
import re
import tomllib

import pytest

STATUSES = ("PROVED", "REFUTED", "INCONCLUSIVE", "VACUOUS", "UNKNOWN")
PROPS = ("bbm", "conflict", "fault", "stale", "post")


def pytest_addoption(parser):
    g = parser.getgroup("bbmcheck", "bbmcheck spec files (*.bbm.toml)")
    g.addoption("--bbm-timeout", type=int, default=0, metavar="SECONDS",
                help="bbmcheck: solver timeout per query (0: none)")
    g.addoption("--bbm-json", metavar="DIR", default=None,
                help="bbmcheck: write each spec item's JSON report into DIR")


def pytest_configure(config):
    config.addinivalue_line("markers", "bbm: a bbmcheck spec file checked against its "
                                       "expected verdict")


def pytest_collect_file(file_path, parent):
    if file_path.name.endswith(".bbm.toml"):
        return SpecFile.from_parent(parent, path=file_path)
    return None


class SpecError(Exception):
    """A bad `expect`/`expect_property` (shown as file:line, without a traceback)."""


class SpecFile(pytest.File):
    def collect(self):
        text = self.path.read_text(encoding="utf-8")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            # not a test we can read: report it as a failing item, not a crash
            yield SpecItem.from_parent(self, name=self.path.name, expect=None, props=(),
                                       error=f"{self.path}: error: not valid TOML: {e}")
            return
        check = data.get("check", {})
        if "expect" not in check:
            return
        name = check.get("name") or self.path.name
        err = None
        expect = check["expect"]
        if not isinstance(expect, str) or expect.upper() not in STATUSES:
            err = _located(self.path, text, "expect",
                           f"expect must be one of {', '.join(STATUSES)}, not {expect!r}")
            expect = None
        else:
            expect = expect.upper()
        props = check.get("expect_property", ())
        if isinstance(props, str):
            props = (props,)
        bad = [p for p in props if p not in PROPS]
        if bad and err is None:
            err = _located(self.path, text, "expect_property",
                           f"unknown property {bad[0]!r} (known: {', '.join(PROPS)})")
        if props and expect not in (None, "REFUTED") and err is None:
            err = _located(self.path, text, "expect_property",
                           "expect_property only goes with expect = \"REFUTED\"")
        yield SpecItem.from_parent(self, name=name, expect=expect, props=tuple(props),
                                   error=err)


def _located(path, text, key, msg):
    for i, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return f"{path}:{i}: error: {msg}"
    return f"{path}: error: {msg}"


class VerdictMismatch(Exception):
    pass


class SpecItem(pytest.Item):
    def __init__(self, *, expect, props, error=None, **kw):
        super().__init__(**kw)
        self.expect = expect
        self.props = props
        self.error = error
        self.report = None
        self.add_marker("bbm")

    def runtest(self):
        if self.error:
            raise SpecError(self.error)
        from .cli.report import verdict_json
        from .model.checker import Checker, Options
        from .specs.spec import load_spec
        scen = load_spec(str(self.path))
        opts = Options(timeout_ms=self.config.getoption("bbm_timeout") * 1000)
        opts.props = tuple(scen.properties)
        v = Checker(scen, opts).run()
        rel = os.path.relpath(str(self.path))
        self.report = verdict_json(self.name, scen, v, scen.program.file or rel,
                                   invocation={"file": scen.program.file, "spec": rel,
                                               "cwd": os.getcwd()})
        if v.status == "REFUTED" and self.report.get("trace"):
            from .cli.replay import self_check
            self.report["replay"] = self_check(scen, self.report)
        out = self.config.getoption("bbm_json")
        if out:
            os.makedirs(out, exist_ok=True)
            fn = os.path.join(out, self.path.name.replace(".bbm.toml", ".json"))
            with open(fn, "w", encoding="utf-8") as f:
                json.dump([self.report], f, indent=2)
        want = self.expect
        if v.status != want:
            raise VerdictMismatch(f"expected {want}, bbmcheck says {v.status}")
        if self.props and v.prop not in self.props:
            raise VerdictMismatch(f"expected a violation of {' or '.join(self.props)}, "
                                  f"bbmcheck refutes {v.prop}")

    def repr_failure(self, excinfo):
        from .errors import BbmError
        if isinstance(excinfo.value, SpecError):
            return str(excinfo.value)
        if isinstance(excinfo.value, BbmError):
            return excinfo.value.render()
        if isinstance(excinfo.value, VerdictMismatch):
            from .cli.report import render_report
            head = f"{self.path}: {excinfo.value}"
            if self.report is None:
                return head
            return head + "\n\n" + render_report(self.report)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"bbmcheck: {self.name} (expect {self.expect})"

"""`bbmcheck prove --format sarif`: SARIF 2.1.0.

Every log is validated three ways:

1. against the official SARIF 2.1.0 JSON schema (the final "rtm.5" text, as
   published with the OASIS standard and on schemastore).  It is not stored in this
   repository: the test takes it from the npm package `@microsoft/jest-sarif` (MIT,
   Microsoft's SARIF SDK, which ships the schema file), fetched once with `npm pack`
   into the user's cache, or from the file `BBMCHECK_SARIF_SCHEMA` names.  Without
   npm and network those tests skip, saying so;
2. against our own stricter schema of the subset bbmcheck writes (from the OASIS
   specification, sections 3.11-3.38: `additionalProperties: false` on the objects we
   write, so a misspelt property fails — the official schema allows any property
   there);
3. by the rules between objects that a schema cannot state.  See docs/report.md.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from remap_mutants import MUTANTS, ROOT, make, prove

jsonschema = pytest.importorskip("jsonschema")

MSG = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
ARTIFACT_LOCATION = {"type": "object", "required": ["uri"], "additionalProperties": False,
                     "properties": {"uri": {"type": "string", "format": "uri-reference"},
                                    "uriBaseId": {"type": "string"}}}
REGION = {"type": "object", "additionalProperties": False,
          "properties": {"startLine": {"type": "integer", "minimum": 1},
                         "startColumn": {"type": "integer", "minimum": 1},
                         "endLine": {"type": "integer", "minimum": 1}}}
PHYS = {"type": "object", "required": ["artifactLocation"], "additionalProperties": False,
        "properties": {"artifactLocation": ARTIFACT_LOCATION, "region": REGION}}
LOCATION = {"type": "object", "additionalProperties": False,
            "properties": {"physicalLocation": PHYS, "message": MSG}}
THREAD_FLOW_LOCATION = {
    "type": "object", "required": ["location", "executionOrder"], "additionalProperties": False,
    "properties": {"location": LOCATION,
                   "executionOrder": {"type": "integer", "minimum": -1},
                   "importance": {"enum": ["important", "essential", "unimportant"]},
                   "kinds": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                   "properties": {"type": "object"}}}
THREAD_FLOW = {"type": "object", "required": ["locations"], "additionalProperties": False,
               "properties": {"id": {"type": "string"}, "message": MSG,
                              "locations": {"type": "array", "minItems": 1,
                                            "items": THREAD_FLOW_LOCATION}}}
CODE_FLOW = {"type": "object", "required": ["threadFlows"], "additionalProperties": False,
             "properties": {"message": MSG,
                            "threadFlows": {"type": "array", "minItems": 1,
                                            "items": THREAD_FLOW}}}
RESULT = {"type": "object", "required": ["message", "ruleId"], "additionalProperties": False,
          "properties": {"ruleId": {"type": "string"}, "ruleIndex": {"type": "integer",
                                                                     "minimum": -1},
                         "kind": {"enum": ["notApplicable", "pass", "fail", "review", "open",
                                           "informational"]},
                         "level": {"enum": ["none", "note", "warning", "error"]},
                         "message": MSG,
                         "locations": {"type": "array", "items": LOCATION},
                         "codeFlows": {"type": "array", "items": CODE_FLOW},
                         "partialFingerprints": {"type": "object",
                                                 "additionalProperties": {"type": "string"}},
                         "properties": {"type": "object"}}}
RULE = {"type": "object", "required": ["id"], "additionalProperties": False,
        "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                       "shortDescription": MSG, "fullDescription": MSG, "help": MSG,
                       "defaultConfiguration": {
                           "type": "object",
                           "properties": {"level": {"enum": ["none", "note", "warning",
                                                             "error"]}}}}}
NOTIFICATION = {"type": "object", "required": ["message"], "additionalProperties": False,
                "properties": {"level": {"enum": ["none", "note", "warning", "error"]},
                               "message": MSG, "locations": {"type": "array",
                                                             "items": LOCATION}}}
SARIF_SUBSET = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "required": ["version", "runs"], "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["tool"], "additionalProperties": False,
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {
                    "driver": {"type": "object", "required": ["name"],
                               "additionalProperties": False,
                               "properties": {"name": {"type": "string"},
                                              "version": {"type": "string"},
                                              "rules": {"type": "array", "items": RULE}}}}},
                "originalUriBaseIds": {"type": "object", "additionalProperties": {
                    "type": "object", "properties": {"uri": {"type": "string"}}}},
                "invocations": {"type": "array", "items": {
                    "type": "object", "required": ["executionSuccessful"],
                    "additionalProperties": False,
                    "properties": {"executionSuccessful": {"type": "boolean"},
                                   "toolExecutionNotifications": {"type": "array",
                                                                  "items": NOTIFICATION},
                                   "properties": {"type": "object"}}}},
                "results": {"type": "array", "items": RESULT},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
            }}},
    },
}


OFFICIAL_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
OFFICIAL_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"


def _official_schema_file() -> tuple[Path | None, str]:
    """The official schema's file, or None and why it is not available."""
    named = os.environ.get("BBMCHECK_SARIF_SCHEMA")
    if named:
        return (Path(named), "") if Path(named).is_file() else (None, f"{named} missing")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bbmcheck"
    cached = cache / Path(OFFICIAL_MEMBER).name
    if cached.is_file():
        return cached, ""
    npm = shutil.which("npm")
    if not npm:
        return None, "npm not installed: cannot fetch the official SARIF schema"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            r = subprocess.run([npm, "pack", OFFICIAL_PACKAGE, "--pack-destination", tmp],
                               capture_output=True, text=True, timeout=180)
        except subprocess.TimeoutExpired:
            return None, f"npm pack {OFFICIAL_PACKAGE} timed out"
        tgz = list(Path(tmp).glob("*.tgz"))
        if r.returncode or not tgz:
            return None, f"npm pack {OFFICIAL_PACKAGE} failed: {r.stderr.strip()[-200:]}"
        with tarfile.open(tgz[0]) as tar:
            data = tar.extractfile(OFFICIAL_MEMBER).read()
    cache.mkdir(parents=True, exist_ok=True)
    part = cached.with_suffix(".part")
    part.write_bytes(data)
    part.replace(cached)
    return cached, ""


@pytest.fixture(scope="session")
def official_validator():
    path, why = _official_schema_file()
    if path is None:
        pytest.skip(why)
    schema = json.loads(path.read_text())
    assert "2.1.0" in schema["title"], schema["title"]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def check_sarif(log: dict, trace_reports: list[dict] | None = None) -> None:
    """Validate a SARIF log: the schema subset, then what a schema cannot say."""
    jsonschema.validate(log, SARIF_SUBSET)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(set(ids)) == len(ids)
    root = urlparse(run["originalUriBaseIds"]["SRCROOT"]["uri"]).path
    assert root.endswith("/")
    for res in run["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        for loc in res["locations"]:
            al = loc["physicalLocation"]["artifactLocation"]
            assert al.get("uriBaseId") == "SRCROOT"
            assert Path(root, al["uri"]).is_file(), al["uri"]
        for cf in res["codeFlows"]:
            orders = [tl["executionOrder"] for tf in cf["threadFlows"]
                      for tl in tf["locations"]]
            assert len(orders) == len(set(orders)), "executionOrder unique across threads"
            for tf in cf["threadFlows"]:
                own = [tl["executionOrder"] for tl in tf["locations"]]
                assert own == sorted(own), "each thread flow in execution order"
                for tl in tf["locations"]:
                    pl = tl["location"].get("physicalLocation")
                    if pl:
                        assert Path(root, pl["artifactLocation"]["uri"]).is_file()


@pytest.fixture(scope="module")
def sarifs(tmp_path_factory):
    """Run from the directory holding the files, as in a repository checkout: the
    locations are then relative to SRCROOT."""
    import os
    work = tmp_path_factory.mktemp("sarif")
    out = {}
    old = os.getcwd()
    os.chdir(work)
    try:
        for name in ["remap", "nodsb", "nobreak"]:
            asm, spec = make(work, name)
            rc, text = prove([asm.name, "--spec", spec.name, "-q", "--format", "sarif"])
            out[name] = (rc, json.loads(text), asm)
    finally:
        os.chdir(old)
    return out


@pytest.mark.parametrize("name", ["remap", "nodsb", "nobreak"])
def test_sarif_is_valid(sarifs, name):
    rc, log, asm = sarifs[name]
    check_sarif(log)


@pytest.mark.parametrize("name", ["remap", "nodsb", "nobreak"])
def test_sarif_is_valid_against_the_official_schema(sarifs, official_validator, name):
    rc, log, asm = sarifs[name]
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in official_validator.iter_errors(log)]
    assert errors == []


def test_official_schema_rejects_broken_sarif(sarifs, official_validator):
    """The official schema is really applied: a wrong level, a missing message and a
    negative execution order each fail it."""
    rc, log, asm = sarifs["nodsb"]
    for path, value in [(("level",), "fatal"), (("message",), {}),
                        (("codeFlows", 0, "threadFlows", 0, "locations", 0,
                          "executionOrder"), -5)]:
        bad = json.loads(json.dumps(log))
        obj = bad["runs"][0]["results"][0]
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value
        assert list(official_validator.iter_errors(bad)), path


def test_proved_gives_no_result(sarifs):
    rc, log, asm = sarifs["remap"]
    assert rc == 0
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"][0]["properties"]["checks"][0]["status"] == "PROVED"


@pytest.mark.parametrize("name,prop,line_text", [("nodsb", "conflict", "str\tx1, [x0]"),
                                                 ("nobreak", "bbm", "str\tx1, [x0]")])
def test_one_result_at_the_users_line(sarifs, name, prop, line_text):
    rc, log, asm = sarifs[name]
    assert rc == 1
    [res] = log["runs"][0]["results"]
    assert res["ruleId"] == prop and res["level"] == "error" and res["kind"] == "fail"
    pl = res["locations"][0]["physicalLocation"]
    line = pl["region"]["startLine"]
    assert line_text in asm.read_text().splitlines()[line - 1]
    assert "Suggested fix" in res["message"]["text"]
    assert res["properties"]["replay"] == "CONFIRMED"      # prove replayed the trace


def test_code_flow_has_a_thread_flow_per_cpu(sarifs):
    rc, log, asm = sarifs["nodsb"]
    [res] = log["runs"][0]["results"]
    [cf] = res["codeFlows"]
    ids = [tf["id"] for tf in cf["threadFlows"]]
    assert ids[0] == "CPU0" and set(ids) <= {"CPU0", "CPU1"}
    orders = sorted(tl["executionOrder"] for tf in cf["threadFlows"] for tl in tf["locations"])
    assert orders == list(range(1, len(orders) + 1))
    ess = [tl for tf in cf["threadFlows"] for tl in tf["locations"]
           if tl["importance"] == "essential"]
    assert ess, "the violation's steps are essential"


def test_checker_catches_broken_sarif(sarifs):
    rc, log, asm = sarifs["nodsb"]
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["results"][0]["ruleIndex"] = 0          # names 'bbm', ruleId is 'conflict'
    with pytest.raises(AssertionError):
        check_sarif(bad)
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        check_sarif(bad)
    bad = json.loads(json.dumps(log))
    tfl = bad["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    tfl[1]["executionOrder"] = tfl[0]["executionOrder"]
    with pytest.raises(AssertionError):
        check_sarif(bad)

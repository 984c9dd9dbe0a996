"""`bbmcheck prove --format sarif`: SARIF 2.1.0.

No package on PyPI that we could find ships the official SARIF 2.1.0 JSON schema, and
tests have no network, so the log is validated against our own JSON Schema of the
SARIF 2.1.0 objects bbmcheck writes (from the OASIS specification, sections 3.11-3.38:
required properties, enumerations, minimums; `additionalProperties: false` on the
objects we write so a misspelt property fails), plus the rules between objects that a
schema cannot state.  See docs/report.md.
"""
from __future__ import annotations

import json
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

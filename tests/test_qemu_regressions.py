"""Replay the shrunk programs of tests/regressions/: our runner must give the outcome
stored from QEMU, and QEMU must still give it."""
from __future__ import annotations

import glob
import json
import os

import pytest

from bbmcheck.model.isa.difftest.gen import TestProgram
from bbmcheck.model.isa.difftest.qemu import Outcome, compare, run_batch

FILES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "regressions", "*.json")))


def test_there_are_regressions():
    assert FILES


@pytest.mark.parametrize("path", FILES, ids=[os.path.basename(f) for f in FILES])
def test_regression(path):
    with open(path) as f:
        d = json.load(f)
    p = TestProgram.from_json(d["program"])
    stored = Outcome([int(v, 16) for v in d["qemu"]["regs"]], d["qemu"]["nzcv"],
                     bytes.fromhex(d["qemu"]["scratch"]))
    res = run_batch([p])
    ours, qemu = res.ours[0], res.qemu[0]
    assert compare(p, ours, stored) == [], "our runner no longer gives the stored outcome"
    assert compare(p, ours, qemu) == [], "QEMU's outcome changed"

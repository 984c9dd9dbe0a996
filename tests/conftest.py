"""Test-session settings.

The suite runs on pytest-xdist workers (`-n auto` in pyproject.toml): most checks
are single-threaded, so one worker per core roughly halves the suite's wall time
(the kpti proofs dominate it).  `auto` is taken from the CPUs this process may run
on, not the host's count, which in a container can be far larger than its share;
at most 4 workers, each holding a Z3 context of a few hundred MiB.
"""
from __future__ import annotations

import os

MAX_WORKERS = 4


def pytest_xdist_auto_num_workers(config):
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:                    # (no affinity on this platform)
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_WORKERS))

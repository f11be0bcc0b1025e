"""Crash safety: a process killed at random moments while writing loses no committed change.

A short run of benchmarks/crash_test.py (the full run does >= 200 kills; figures in its output).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.crash_test import run_crash_test

KILLS = 20


@pytest.mark.slow
def test_killed_writers_lose_nothing_and_leave_a_consistent_workspace(tmp_path: Path) -> None:
    figures = run_crash_test(KILLS, seed=20260515, folder=tmp_path)
    assert figures.inconsistencies == []
    assert figures.losses == 0
    assert figures.iterations == KILLS
    assert figures.acknowledged > 0

"""The soak benchmark (bench/soak.py), shrunk to a few people for a few seconds, so that it
keeps working: every step of every simulated person succeeds and is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import soak

pytestmark = pytest.mark.slow


def test_the_soak_benchmark_runs_clean(tmp_path: Path) -> None:
    results, rss, wall = soak.soak(
        users=4, duration=8, postgres=False, think=(0.05, 0.2), workdir=tmp_path
    )
    assert sum(results.errors.values()) == 0, results.samples
    for step in soak.STEPS:
        assert results.latencies[step], f"no {step} step was taken"
    report = soak.report(results, rss, wall, "smoke")
    assert "| plan |" in report and "| travel-agent |" in report and "| travel-ui |" in report
    assert all(len(values) == 3 and min(values) > 0 for values in rss.values())

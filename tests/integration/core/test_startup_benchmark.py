"""Start-up cost of `atlas-ci --version` as a real subprocess, measured by pytest-benchmark."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pytest_benchmark.fixture import BenchmarkFixture

ENTRY = Path(sys.executable).parent / "atlas-ci"


def test_version_startup(benchmark: BenchmarkFixture) -> None:
    # The console script is what users run; `python -m` is the fallback where it is not installed.
    argv = (
        [str(ENTRY), "--version"]
        if ENTRY.exists()
        else [sys.executable, "-m", "atlas_ci", "--version"]
    )

    def start() -> str:
        return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=30).stdout

    out = benchmark.pedantic(start, rounds=15, warmup_rounds=2)
    assert out.startswith("atlas-ci ")

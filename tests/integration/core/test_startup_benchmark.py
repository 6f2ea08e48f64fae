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


def test_version_loads_nothing_heavy() -> None:
    """The deterministic side of the start-up goal: `--version` imports no Typer, Rich or
    Pydantic (they cost most of a cold start), whatever the machine's load."""
    # Only what atlas-ci itself loads counts: the interpreter's start-up may already hold some of
    # these (coverage's subprocess hook, as under `atlas-ci gate tests`, imports typing).
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "sys.argv = ['atlas-ci', '--version']\n"
        "from atlas_ci.__main__ import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "heavy = {'typer', 'click', 'rich', 'pydantic', 'typing'}\n"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in heavy))\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert res.stdout.splitlines() == ["atlas-ci 0.1.0", "[]"], res.stdout + res.stderr

"""Fixture git repositories for the perf gate: a base commit and a head commit that changes it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_ci.checks.base import CheckContext, ProjectInfo
from atlas_ci.checks.perf.benchmarks import Benchmarks
from atlas_ci.checks.perf.memory import Memory
from atlas_ci.checks.perf.settings import BenchmarkSettings, MemorySettings, PerfGateSettings
from atlas_ci.model import CheckResult

# Deterministic CPU work of a few ms per call (N loop steps, FACTOR times), an allocation whose
# size is ALLOC strings, and a benchmark whose calls alternate between 1x and 3x the work.
PACKAGE = '''"""Deterministic work for perf tests."""

N = 70000
FACTOR = 1
ALLOC = 4000
_calls = [0]


def work(n: int = N) -> int:
    total = 0
    for _ in range(FACTOR):
        for i in range(n):
            total += (i * i) % 7
    return total


def build() -> list[str]:
    return [str(i) * 8 for i in range(ALLOC)]


def jittery() -> int:
    _calls[0] += 1
    return work(N * (3 if _calls[0] % 2 else 1))
'''

BENCHMARKS = {
    "test_time.py": "from fx import work\n\n\ndef test_work(benchmark):\n    benchmark(work)\n",
    "test_memory.py": "from fx import build\n\n\ndef test_build(benchmark):\n"
    "    benchmark(build)\n",
    "test_noisy.py": "from fx import jittery\n\n\ndef test_jittery(benchmark):\n"
    "    benchmark(jittery)\n",
}


def git(root: Path, *args: str) -> str:
    res = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return res.stdout.strip()


# For instruction counts: a loop whose steps all cost the same (small ints), so that N more
# steps are N/N_* more work; three benchmarks the head can change independently.
COUNTED = '''"""Deterministic work for instruction counts."""

N_SAME = 50000
N_MORE5 = 50000
N_MORE2 = 50000


def work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i % 7
    return total
'''
COUNTED_BENCHMARKS = {
    # test_same also asserts that the allocator settings reached the measured process (one
    # allocator mode for every process, see perf.callgrind): without them the check is an error.
    "test_counted.py": "import os\n\nfrom fx import N_MORE2, N_MORE5, N_SAME, work\n\n\n"
    "def test_same(benchmark):\n"
    "    assert 'glibc.malloc.mxfast=0' in os.environ['GLIBC_TUNABLES']\n"
    "    benchmark(work, N_SAME)\n\n\n"
    "def test_more5(benchmark):\n    benchmark(work, N_MORE5)\n\n\n"
    "def test_more2(benchmark):\n    benchmark(work, N_MORE2)\n",
}
FIVE_PERCENT = {"N_MORE5 = 50000": "N_MORE5 = 52500"}
TWO_PERCENT = {"N_MORE2 = 50000": "N_MORE2 = 51000"}


def make_repo(
    root: Path,
    head_changes: dict[str, str] | None = None,
    bench_files: dict[str, str] | None = None,
    package: str = PACKAGE,
) -> Path:
    """A repository whose HEAD~1 is the base package and HEAD applies `head_changes` to it
    (text replacements in src/fx/__init__.py); with no changes HEAD only edits a README."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "perf@example.invalid")
    git(root, "config", "user.name", "perf tests")
    module = root / "src" / "fx" / "__init__.py"
    module.parent.mkdir(parents=True)
    module.write_text(package)
    (root / "benchmarks").mkdir()
    for name, text in (bench_files if bench_files is not None else BENCHMARKS).items():
        (root / "benchmarks" / name).write_text(text)
    (root / "README.md").write_text("fixture\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    text = package
    for old, new in (head_changes or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    module.write_text(text)
    (root / "README.md").write_text("fixture, head\n")
    git(root, "commit", "-qam", "head")
    return root


def project(root: Path, base_ref: str | None = None) -> ProjectInfo:
    return ProjectInfo(
        root=root,
        paths=("src",),
        exclude=(),
        python=sys.executable,
        report_dir=root / "reports",
        base_ref=base_ref,
    )


def gate_settings(**kw: object) -> PerfGateSettings:
    return PerfGateSettings.model_validate(kw)


RunCheck = Callable[..., CheckResult]
# The suite's environment loads the hypothesis plugin into every pytest process (half a second):
# the fixture benchmarks do not need it, and `args` is how a project says so.
ARGS = ["-p", "no:hypothesispytest"]


@pytest.fixture
def run_benchmarks() -> RunCheck:
    def run(
        root: Path,
        bench: str = "test_time.py",
        gate: PerfGateSettings | None = None,
        base_ref: str | None = None,
        **settings: object,
    ) -> CheckResult:
        s = BenchmarkSettings.model_validate(
            {"paths": [f"benchmarks/{bench}"], "pythonpath": ["src"], "args": ARGS, **settings}
        )
        ctx = CheckContext(project(root, base_ref), s, gate or PerfGateSettings())
        return Benchmarks().run(ctx)

    return run


@pytest.fixture
def run_memory() -> RunCheck:
    def run(
        root: Path,
        bench: str = "test_memory.py",
        gate: PerfGateSettings | None = None,
        **settings: object,
    ) -> CheckResult:
        s = MemorySettings.model_validate(
            {"paths": [f"benchmarks/{bench}"], "pythonpath": ["src"], "args": ARGS, **settings}
        )
        ctx = CheckContext(project(root), s, gate or PerfGateSettings())
        return Memory().run(ctx)

    return run

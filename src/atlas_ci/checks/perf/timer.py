"""Which timer a perf run uses: `auto` is instruction counts where valgrind and pytest-codspeed
are there (deterministic under any load), else the CPU-time timer, and the report says why."""

from __future__ import annotations

from dataclasses import dataclass

from atlas_ci.checks.base import ProjectInfo
from atlas_ci.checks.perf.common import ask
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.toolkit import Tool
from atlas_ci.errors import CheckError

VALGRIND_HINT = "install valgrind (Debian/Ubuntu: apt-get install valgrind; `make valgrind`)"
CODSPEED_HINT = "install pytest-codspeed in the project's interpreter (pip install pytest-codspeed)"


@dataclass(frozen=True)
class Timer:
    name: str  # "instructions", "cpu" or "wall"
    method: str  # how the figures are taken, for reasons and findings
    version: str | None  # the measuring tools' versions, for the report
    valgrind: str | None = None  # valgrind's version (instructions), part of a baseline's key


def valgrind_version(valgrind: str) -> str | None:
    """e.g. "3.19.0"; None when valgrind is not installed or does not answer."""
    return Tool("valgrind", (valgrind,)).version()


def codspeed_version(project: ProjectInfo) -> str | None:
    return ask(project, "import importlib.metadata as m; print(m.version('pytest-codspeed'))")


def resolve(project: ProjectInfo, s: BenchmarkSettings, benchmark_version: str | None) -> Timer:
    if s.timer in ("cpu", "wall"):
        return _timing(s.timer, benchmark_version, "")
    valgrind, codspeed = valgrind_version(s.valgrind), codspeed_version(project)
    missing = [
        hint
        for hint, found in ((VALGRIND_HINT, valgrind), (CODSPEED_HINT, codspeed))
        if found is None
    ]
    if missing and s.timer == "instructions":
        raise CheckError(f"timer = 'instructions' cannot run here: {'; '.join(missing)}")
    if missing:
        return _timing(
            "cpu", benchmark_version, f"instruction counts unavailable ({'; '.join(missing)})"
        )
    method = (
        f"instruction counts (valgrind {valgrind} callgrind, pytest-codspeed {codspeed}), "
        "each side measured twice"
    )
    return Timer(
        "instructions", method, f"pytest-codspeed {codspeed}, valgrind {valgrind}", valgrind
    )


def _timing(name: str, version: str | None, why_not_instructions: str) -> Timer:
    clock = "time.process_time" if name == "cpu" else "time.perf_counter"
    method = (
        f"the {name} timer ({clock}): interleaved runs, Mann-Whitney U and a bootstrap interval"
    )
    if why_not_instructions:
        method += f"; {why_not_instructions}"
    return Timer(name, method, version)

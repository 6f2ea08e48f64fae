"""What both perf checks share: settings lookup, benchmark locations, versions, the base side."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from atlas_ci import process
from atlas_ci.checks.base import CheckContext, ProjectInfo
from atlas_ci.checks.perf.runs import Side, make_side
from atlas_ci.checks.perf.settings import BenchmarkSettings, MemorySettings, PerfGateSettings
from atlas_ci.checks.perf.worktree import checkout, resolve_base
from atlas_ci.settings import GateSettings


def perf_gate(settings: GateSettings) -> PerfGateSettings:
    """The gate's own keys; plain GateSettings (tests, no config) get the defaults."""
    if isinstance(settings, PerfGateSettings):
        return settings
    return PerfGateSettings(enabled=settings.enabled)


def benchmark_settings(settings: GateSettings) -> BenchmarkSettings:
    """`[gates.perf.benchmarks]`, which perf.memory falls back on for paths, args and pythonpath."""
    found = getattr(settings, "benchmarks", None)
    return found if isinstance(found, BenchmarkSettings) else BenchmarkSettings()


def plugin_version(project: ProjectInfo) -> str | None:
    """pytest-benchmark's version in the project's interpreter; None when it is not installed."""
    return ask(project, "import importlib.metadata as m; print(m.version('pytest-benchmark'))")


def python_version(project: ProjectInfo) -> str | None:
    return ask(project, "import platform; print(platform.python_version())")


def ask(project: ProjectInfo, code: str) -> str | None:
    """One line the project's interpreter prints, or None when it cannot."""
    try:
        res = process.run([project.python, "-c", code], cwd=project.root, timeout=30)
    except Exception:  # a missing interpreter simply has no version
        return None
    answer = res.stdout.strip()
    return answer if res.returncode == 0 and answer else None


def split_nodeid(nodeid: str) -> tuple[str, str]:
    """("dir/test_x.py", "test_name") from "dir/test_x.py::Class::test_name[param]"."""
    path, _, rest = nodeid.partition("::")
    return path, rest.rsplit("::", 1)[-1].split("[", 1)[0]


def def_line(root: Path, nodeid: str) -> int | None:
    """The line defining the benchmark's test function in the head tree, for annotations."""
    path, func = split_nodeid(nodeid)
    try:
        lines = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    pattern = re.compile(rf"^\s*(?:async\s+)?def\s+{re.escape(func)}\s*\(")
    return next((i for i, line in enumerate(lines, start=1) if pattern.match(line)), None)


@dataclass(frozen=True)
class MemoryPlan:
    paths: tuple[str, ...]
    args: tuple[str, ...]
    pythonpath: tuple[str, ...]
    max_growth: float
    min_bytes: int


def memory_plan(s: MemorySettings, gate: GateSettings) -> MemoryPlan:
    """perf.memory's keys, falling back on perf.benchmarks' paths, args and pythonpath."""
    b = benchmark_settings(gate)
    return MemoryPlan(
        paths=s.paths if s.paths is not None else b.paths,
        args=s.args if s.args is not None else b.args,
        pythonpath=s.pythonpath if s.pythonpath is not None else b.pythonpath,
        max_growth=s.max_memory_growth,
        min_bytes=s.min_growth_bytes,
    )


@contextlib.contextmanager
def relative_sides(
    ctx: CheckContext, pythonpath: Sequence[str], extra: Sequence[Path] = ()
) -> Iterator[tuple[Side, Side, str]]:
    """(head, base, how the base was chosen) with the base checked out in a temporary worktree."""
    gate = perf_gate(ctx.gate_settings)
    base = resolve_base(ctx.root, ctx.project.base_ref, gate.base)
    with checkout(ctx.root, base.sha) as tree:
        head = make_side("head", ctx.root, pythonpath, extra)
        base_side = make_side("base", tree, pythonpath, extra, strict=False, foreign=ctx.root)
        yield head, base_side, f"{base.sha[:12]} ({base.described})"

"""Running pytest-benchmark on one side (head or base) and reading its JSON, raw rounds included.

pytest-benchmark 5.x writes every round's timing (`stats.data`, seconds per call) into the
`--benchmark-json` file; `--benchmark-save-data` only concerns `--benchmark-save`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_ci import process
from atlas_ci.checks.base import CheckContext
from atlas_ci.checks.perf import plugins
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.perf.stats import Sample
from atlas_ci.checks.toolkit import ANY_EXIT, Tool, bad_exit, run_tool
from atlas_ci.errors import CheckError

Samples = dict[str, Sample]
# cpu: the process's CPU time, which other processes on a shared machine barely disturb (our
# measurements under load: CV 1-2% against 15-65% for the wall clock); blind to time spent waiting.
TIMERS = {"cpu": "time.process_time", "wall": "time.perf_counter"}


@dataclass(frozen=True)
class Side:
    """One side of a comparison: its label, its tree and the environment its pytest runs in."""

    label: str  # "head" or "base"
    tree: Path
    env: dict[str, str] = field(default_factory=dict)
    # head must run cleanly; the base side may legitimately lack or fail benchmarks.
    strict: bool = True
    # A tree this side must not import from (the base side: the head's), checked by _probe.
    foreign: Path | None = None


def make_side(
    label: str,
    tree: Path,
    pythonpath: Sequence[str],
    extra: Sequence[Path] = (),
    *,
    strict: bool = True,
    foreign: Path | None = None,
) -> Side:
    """A side whose PYTHONPATH starts with its `pythonpath` dirs: each side imports its own code."""
    entries = [str(tree / p) for p in pythonpath] + [str(p) for p in extra]
    inherited = os.environ.get("PYTHONPATH")
    if inherited:
        entries.append(inherited)
    env = {
        "PYTHONHASHSEED": "0",  # same hashing on every run: less run-to-run variation
        # Inherited from an xdist worker (atlas-ci run inside a test suite), this variable makes
        # pytest-benchmark switch itself off; empty is false to it.
        "PYTEST_XDIST_WORKER": "",
    }
    if entries:
        env["PYTHONPATH"] = os.pathsep.join(entries)
    return Side(label, tree, env, strict, foreign)


def existing(tree: Path, paths: Sequence[str]) -> list[str]:
    return [p for p in paths if (tree / p).exists()]


@dataclass
class SideRun:
    """What one pytest run produced; `note` explains a base run that gave nothing."""

    samples: Samples
    note: str = ""


def pytest_tool(ctx: CheckContext) -> Tool:
    """The project's pytest (or the check's configured `command`)."""
    return Tool("pytest", (ctx.project.python, "-m", "pytest"), "pytest").using(
        ctx.settings.command
    )


def pytest_args(
    side: Side, targets: Sequence[str], extra: Sequence[str], user_args: Sequence[str]
) -> list[str]:
    # --rootdir: node ids are relative to the side's tree, so they can be passed back as targets.
    return [
        "-q",
        "-p",
        "no:cacheprovider",
        f"--rootdir={side.tree}",
        *extra,
        *user_args,
        *targets,
    ]


def run_pytest(
    ctx: CheckContext,
    tool: Tool,
    args: Sequence[str],
    side: Side,
    *,
    env: dict[str, str],
    ok_codes: Collection[int],
) -> process.ProcessResult:
    """One pytest run of a side through the adapter kit; the base side may exit as it likes
    (its benchmarks may legitimately fail), the caller decides."""
    return run_tool(
        tool,
        args,
        cwd=side.tree,
        timeout=ctx.settings.timeout,
        env=env,
        ok_codes=ok_codes if side.strict else ANY_EXIT,
    )


def run_timings(
    ctx: CheckContext,
    side: Side,
    targets: Sequence[str],
    *,
    rounds: int,
    settings: BenchmarkSettings,
    out: Path,
) -> SideRun:
    """Run the benchmarks in `targets`, `rounds` rounds each (unless a test pins its rounds)."""
    if not targets:
        return SideRun({}, f"none of the benchmark paths exist on {side.label}")
    opts = [
        "--benchmark-only",
        f"--benchmark-json={out}",
        f"--benchmark-min-rounds={rounds}",
        # max-time 0: the round count is exactly min-rounds; min-time: short functions are
        # looped until a round lasts about twice the shortest round we can judge.
        "--benchmark-max-time=0",
        f"--benchmark-min-time={2 * settings.min_round_time:.6f}",
        "--benchmark-warmup=on",
        "--benchmark-warmup-iterations=1",
        f"--benchmark-timer={TIMERS[settings.timer]}",
    ]
    out.unlink(missing_ok=True)
    load, env, probe = plugins.harness(
        side.env, out.parent, [], tree=side.tree, foreign=side.foreign, tag=out.stem
    )
    tool = pytest_tool(ctx)
    args = pytest_args(side, targets, [*load, *opts], settings.args)
    res = run_pytest(ctx, tool, args, side, env=env, ok_codes=(0,))
    plugins.check_probe(probe, side.label)
    problem = _problem(tool, side, res, out)
    if problem and side.strict:
        raise CheckError(problem)
    return SideRun(_read(out) if out.is_file() else {}, problem)


def _problem(tool: Tool, side: Side, res: process.ProcessResult, out: Path) -> str:
    if res.returncode == 0 and not out.is_file():
        return (
            f"pytest on {side.label} recorded no benchmarks (do the tests use the `benchmark` "
            "fixture? pytest-benchmark turns itself off under xdist)"
        )
    if res.returncode != 0:
        return f"on {side.label}: {bad_exit(tool, res)}"
    return ""


def _read(path: Path) -> Samples:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        samples: Samples = {}
        for bench in data["benchmarks"]:
            stats = bench["stats"]
            times = tuple(float(t) for t in stats["data"])
            if not times or not all(math.isfinite(t) and t >= 0 for t in times):
                raise ValueError(f"bad timings for {bench['fullname']}")
            samples[str(bench["fullname"])] = Sample.of(times, int(stats["iterations"]))
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CheckError(f"unreadable pytest-benchmark JSON {path.name}: {exc}") from exc
    return samples


def merge(into: Samples, more: Samples) -> None:
    for name, sample in more.items():
        into[name] = into[name].merged(sample) if name in into else sample


MEMORY_OUT_ENV = "ATLAS_CI_MEMORY_OUT"


def run_peaks(
    ctx: CheckContext, side: Side, targets: Sequence[str], user_args: Sequence[str], workdir: Path
) -> tuple[dict[str, int], str]:
    """Peak traced bytes per call of each benchmark on one side (see _memplugin), and a note when
    the side has none of the benchmark paths. Fail closed: a pytest that failed (either side) or
    a selected benchmark that measured nothing (head) is an error, never "nothing to compare"."""
    if not targets:
        return {}, f"none of the benchmark paths exist on {side.label}"
    out = workdir / f"{side.label}-memory.json"
    out.unlink(missing_ok=True)
    load, env, probe = plugins.harness(
        side.env,
        workdir,
        [plugins.MEMORY],
        tree=side.tree,
        foreign=side.foreign,
        tag=f"{side.label}-memory",
    )
    tool = pytest_tool(ctx)
    args = pytest_args(side, targets, [*load, "-p", "no:benchmark"], user_args)
    env = {**env, MEMORY_OUT_ENV: str(out)}
    res = run_pytest(ctx, tool, args, side, env=env, ok_codes=(0, NO_TESTS))
    plugins.check_probe(probe, side.label)
    # Exit 5: no test collected, a base without these benchmarks; anything else is a failure.
    if res.returncode not in (0, NO_TESTS) or not out.is_file():
        why = _problem(tool, side, res, out)
        raise CheckError(f"perf.memory could not measure {side.label}: {why}")
    peaks, selected = _read_peaks(out)
    unmeasured = sorted(set(selected) - set(peaks))
    if unmeasured and side.strict:
        raise CheckError(
            f"benchmarks on {side.label} measured no allocation (the `benchmark` fixture was "
            f"never called): {', '.join(unmeasured)}"
        )
    return peaks, ""


NO_TESTS = 5


def _read_peaks(out: Path) -> tuple[dict[str, int], list[str]]:
    try:
        data: Any = json.loads(out.read_text(encoding="utf-8"))
        peaks = {str(k): int(v) for k, v in data["peaks"].items()}
        return peaks, [str(n) for n in data.get("selected", peaks)]
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckError(f"unreadable memory results {out.name}: {exc}") from exc

"""Stored baselines (mode = "baseline"): figures recorded per timer, interpreter and architecture.

One JSON file per comparable setting,
`<baseline_dir>/perf-<timer>-<python>-<arch>[-valgrind<version>].json`, keyed on what decides
whether two figures can be compared, never on the host name (which changes on every hosted CI
runner):
  * instructions: the interpreter's full version (a patch release changes the count), the
    architecture and valgrind's version; the count of the same code is then the same on any host;
  * cpu / wall: the interpreter's minor version and the architecture. Timings still depend on the
    host's speed: on runners of unequal speed prefer instructions, or relative mode.
Each benchmark keeps its last `history` recorded runs. Timers pool their rounds as the base sample
and apply the relative mode's decision rule; instructions compare with the latest recorded count.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from atlas_ci import process
from atlas_ci.checks.base import CheckContext, ProjectInfo
from atlas_ci.checks.perf import instructions
from atlas_ci.checks.perf.callgrind import CountRun, run_counts
from atlas_ci.checks.perf.common import benchmark_settings, memory_plan, perf_gate, plugin_version
from atlas_ci.checks.perf.compare import Collector, Evaluation, Plan
from atlas_ci.checks.perf.runs import (
    Samples,
    Side,
    existing,
    make_side,
    merge,
    run_peaks,
    run_timings,
)
from atlas_ci.checks.perf.settings import BenchmarkSettings, MemorySettings
from atlas_ci.checks.perf.stats import Sample
from atlas_ci.checks.perf.timer import Timer, resolve
from atlas_ci.errors import CheckError
from atlas_ci.settings import GateSettings

SCHEMA_VERSION = 1
Runs = dict[str, list[dict[str, Any]]]  # benchmark node id -> recorded runs, oldest first


def python_tag(project: ProjectInfo, *, micro: bool = False) -> str:
    """e.g. "cpython3.11" (or "cpython3.11.7"): the project's interpreter, which is the one the
    benchmarks run in."""
    parts = 3 if micro else 2
    code = (
        "import sys; v = sys.version_info; "
        f"print(sys.implementation.name + '.'.join(map(str, v[:{parts}])))"
    )
    res = process.run([project.python, "-c", code], cwd=project.root, timeout=60)
    tag = res.stdout.strip()
    if res.returncode != 0 or not tag:
        raise CheckError(f"cannot ask {project.python} for its version: {res.output_tail}")
    return tag


def key(timer: Timer, python: str, machine: str) -> str:
    """The file name's key: what decides comparability for this timer (module docstring)."""
    parts = [timer.name, python, machine or "unknown"]
    if timer.name == "instructions":
        parts.append(f"valgrind{timer.valgrind}")
    return "-".join(parts)


def baseline_file(project: ProjectInfo, gate_settings: GateSettings, timer: Timer) -> Path:
    directory = project.root / perf_gate(gate_settings).baseline_dir
    python = python_tag(project, micro=timer.name == "instructions")
    return directory / f"perf-{key(timer, python, platform.machine())}.json"


def load(path: Path) -> Runs:
    if not path.is_file():
        return {}
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        runs = data["benchmarks"]
        if data.get("schema_version") != SCHEMA_VERSION or not isinstance(runs, dict):
            raise ValueError("unknown schema")
        return {str(k): list(v["runs"]) for k, v in runs.items()}
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CheckError(f"unreadable stored baseline {path}: {exc}") from exc


def stored_samples(runs: Runs, history: int) -> dict[str, Sample]:
    """Base sample per benchmark: the rounds of its last `history` recorded updates, pooled,
    each pytest process of each update kept as a run of its own."""
    out: dict[str, Sample] = {}
    for name, entries in runs.items():
        for entry in entries[-history:]:
            groups = tuple(tuple(float(t) for t in group) for group in entry.get("times", ()))
            groups = tuple(g for g in groups if g)
            if groups:
                sample = Sample(groups, int(entry.get("iterations", 1)))
                out[name] = out[name].merged(sample) if name in out else sample
    return out


def stored_counts(runs: Runs) -> dict[str, int]:
    """Instructions per call from each benchmark's latest run that counted them."""
    out: dict[str, int] = {}
    for name, entries in runs.items():
        counts = [e["instructions"] for e in entries if e.get("instructions") is not None]
        if counts:
            out[name] = int(counts[-1])
    return out


def against_counts(
    ctx: CheckContext, s: BenchmarkSettings, path: Path, workdir: Path
) -> tuple[Evaluation, str]:
    """The head's instruction counts (measured twice) against the stored ones."""
    stored = stored_counts(load(path))
    if not stored:
        raise CheckError(
            f"no stored instruction counts for this interpreter, architecture and valgrind "
            f"({path.name}); record them with `atlas-ci baseline update perf`"
        )
    head = make_side("head", ctx.root, s.pythonpath)
    samples, notes = _count_head(ctx, s, head, workdir)
    # The stored count passed the same two-measurement agreement when it was recorded.
    base = {n: instructions.counts_sample([c, c]) for n, c in stored.items()}
    ev = instructions.evaluate(
        samples, base, min_effect=s.effect("instructions"), max_noise=s.max_noise, notes=notes
    )
    return ev, f"stored baseline {path.name}"


def _count_head(
    ctx: CheckContext, s: BenchmarkSettings, head: Side, workdir: Path
) -> tuple[Samples, list[str]]:
    def measure(side: Side, chosen: Sequence[str], tag: str) -> CountRun:
        return run_counts(ctx, side, chosen, settings=s, workdir=workdir, tag=tag)

    samples, notes = instructions.measure_sides(measure, [(head, existing(ctx.root, s.paths))])
    return samples["head"], notes


def stored_peaks(runs: Runs) -> dict[str, int]:
    """Peak bytes per call from each benchmark's latest run that measured it."""
    out: dict[str, int] = {}
    for name, entries in runs.items():
        peaks = [e["peak_bytes"] for e in entries if e.get("peak_bytes") is not None]
        if peaks:
            out[name] = int(peaks[-1])
    return out


def head_collector(
    ctx: CheckContext, settings: BenchmarkSettings, stored: dict[str, Sample], workdir: Path
) -> Collector:
    """Collector whose head is measured now and whose base is the stored history."""
    head = make_side("head", ctx.root, settings.pythonpath)
    targets = existing(ctx.root, settings.paths)
    counter = [0]

    def collect(runs: int, per_run: int, only: Sequence[str] | None) -> tuple[Samples, Samples]:
        chosen = list(only) if only is not None else targets
        got = _measure(
            ctx,
            head,
            chosen,
            runs=runs,
            per_run=per_run,
            settings=settings,
            workdir=workdir,
            counter=counter,
        )
        return got, {n: s for n, s in stored.items() if only is None or n in only}

    return collect


def _measure(
    ctx: CheckContext,
    side: Side,
    targets: list[str],
    *,
    runs: int,
    per_run: int,
    settings: BenchmarkSettings,
    workdir: Path,
    counter: list[int],
) -> Samples:
    got: Samples = {}
    for _ in range(runs):
        counter[0] += 1
        out = workdir / f"{side.label}-{counter[0]}.json"
        run = run_timings(ctx, side, targets, rounds=per_run, settings=settings, out=out)
        merge(got, run.samples)
    return got


def update_baseline(project: ProjectInfo, gate_settings: GateSettings) -> Path:
    """Measure the benchmarks of the working tree with the timer the check would use and append
    them to the matching stored baseline (with peak bytes per call when perf.memory is enabled);
    returns the file written."""
    settings = benchmark_settings(gate_settings)
    if not settings.paths:
        raise CheckError("no benchmark paths configured: set [gates.perf.benchmarks] paths")
    targets = existing(project.root, settings.paths)
    if not targets:
        raise CheckError(f"none of the benchmark paths exist: {', '.join(settings.paths)}")
    timer = resolve(project, settings, plugin_version(project))
    settings = settings.model_copy(update={"timer": timer.name})
    ctx = CheckContext(project=project, settings=settings, gate_settings=gate_settings)
    with tempfile.TemporaryDirectory(prefix="atlas-ci-baseline-") as tmp:
        records = _record(ctx, settings, timer, targets, Path(tmp))
        peaks = _peaks(ctx, gate_settings, Path(tmp))
    path = baseline_file(project, gate_settings, timer)
    runs = load(path)
    entry = {"commit": _commit(project.root), "recorded_at": dt.datetime.now(dt.UTC).isoformat()}
    for name in sorted({*records, *peaks}):
        record = {**entry, **records.get(name, {}), "peak_bytes": peaks.get(name)}
        runs.setdefault(name, []).append(record)
        runs[name] = runs[name][-perf_gate(gate_settings).history :]
    _write(path, runs, timer)
    return path


def _record(
    ctx: CheckContext, s: BenchmarkSettings, timer: Timer, targets: list[str], workdir: Path
) -> dict[str, dict[str, Any]]:
    """What one update stores per benchmark: its rounds (timers) or its count (instructions)."""
    head = make_side("head", ctx.root, s.pythonpath)
    if timer.name == "instructions":
        samples, _ = _count_head(ctx, s, head, workdir)
        noisy = [n for n, x in samples.items() if instructions.spread(x) > s.max_noise]
        if noisy:
            raise CheckError(
                f"not deterministic (two measurements differ by more than {s.max_noise:.1%}): "
                f"{', '.join(noisy)}"
            )
        return {n: {"instructions": int(min(x.times))} for n, x in samples.items()}
    plan = Plan.of(s.rounds, s.runs, s.max_rounds)
    timings = _measure(
        ctx,
        head,
        targets,
        runs=plan.runs,
        per_run=plan.per_run,
        settings=s,
        workdir=workdir,
        counter=[0],
    )
    # One list of rounds per pytest process, as the interval's resampling needs.
    return {
        n: {"iterations": x.iterations, "times": [list(run) for run in x.runs]}
        for n, x in timings.items()
    }


def _peaks(ctx: CheckContext, gate_settings: GateSettings, workdir: Path) -> dict[str, int]:
    """perf.memory's benchmarks (its own paths, or perf.benchmarks'), when it is enabled."""
    memory = getattr(gate_settings, "memory", None)
    if not isinstance(memory, MemorySettings) or not memory.enabled:
        return {}
    p = memory_plan(memory, gate_settings)
    head = make_side("head", ctx.root, p.pythonpath)
    peaks, _ = run_peaks(ctx, head, existing(ctx.root, p.paths), p.args, workdir)
    return peaks


def _commit(root: Path) -> str | None:
    try:
        res = process.run(["git", "rev-parse", "HEAD"], cwd=root, timeout=60)
    except Exception:  # a baseline outside git simply has no commit
        return None
    sha = res.stdout.strip()
    return sha if res.returncode == 0 and sha else None


def _write(path: Path, runs: Runs, timer: Timer) -> None:
    data = {
        "schema_version": SCHEMA_VERSION,
        # What the key stands for, readable; no host name (it is not what comparability needs).
        "recorded_with": {
            "timer": timer.name,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "tools": timer.version,
        },
        "benchmarks": {name: {"runs": entries} for name, entries in sorted(runs.items())},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)

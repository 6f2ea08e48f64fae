"""Stored baselines (mode = "baseline"): benchmark rounds recorded per machine and Python version.

One JSON file per machine and interpreter, `<baseline_dir>/perf-<machine hash>-<python>.json`, where
the machine hash covers platform.node(), platform.machine() and the CPU count: timings from another
machine are never compared. Each benchmark keeps its last `history` recorded runs; the gate pools
their rounds as the base sample and applies the same decision rule as in relative mode.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from atlas_ci import process
from atlas_ci.checks.base import CheckContext, ProjectInfo
from atlas_ci.checks.perf.common import benchmark_settings, memory_plan, perf_gate
from atlas_ci.checks.perf.compare import Collector, Plan
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
from atlas_ci.errors import CheckError
from atlas_ci.settings import GateSettings

SCHEMA_VERSION = 1
Runs = dict[str, list[dict[str, Any]]]  # benchmark node id -> recorded runs, oldest first


def python_tag(project: ProjectInfo) -> str:
    """e.g. "cpython3.11": the project's interpreter, which is the one the benchmarks run in."""
    code = "import sys; v = sys.version_info; print(f'{sys.implementation.name}{v[0]}.{v[1]}')"
    res = process.run([project.python, "-c", code], cwd=project.root, timeout=60)
    tag = res.stdout.strip()
    if res.returncode != 0 or not tag:
        raise CheckError(f"cannot ask {project.python} for its version: {res.output_tail}")
    return tag


def machine_key(tag: str) -> str:
    raw = f"{platform.node()}|{platform.machine()}|{os.cpu_count()}"
    return f"{hashlib.sha256(raw.encode()).hexdigest()[:12]}-{tag}"


def baseline_file(project: ProjectInfo, gate_settings: GateSettings) -> Path:
    directory = project.root / perf_gate(gate_settings).baseline_dir
    return directory / f"perf-{machine_key(python_tag(project))}.json"


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
    """Measure the benchmarks of the working tree and append them to this machine's stored
    baseline (with peak bytes per call when perf.memory is enabled); returns the file written."""
    settings = benchmark_settings(gate_settings)
    if not settings.paths:
        raise CheckError("no benchmark paths configured: set [gates.perf.benchmarks] paths")
    targets = existing(project.root, settings.paths)
    if not targets:
        raise CheckError(f"none of the benchmark paths exist: {', '.join(settings.paths)}")
    ctx = CheckContext(project=project, settings=settings, gate_settings=gate_settings)
    head = make_side("head", project.root, settings.pythonpath)
    with tempfile.TemporaryDirectory(prefix="atlas-ci-baseline-") as tmp:
        plan = Plan.of(settings.rounds, settings.runs, settings.max_rounds)
        samples = _measure(
            ctx,
            head,
            targets,
            runs=plan.runs,
            per_run=plan.per_run,
            settings=settings,
            workdir=Path(tmp),
            counter=[0],
        )
        peaks = _peaks(ctx, gate_settings, Path(tmp))
    path = baseline_file(project, gate_settings)
    runs = load(path)
    entry = {"commit": _commit(project.root), "recorded_at": dt.datetime.now(dt.UTC).isoformat()}
    for name in sorted({*samples, *peaks}):
        sample = samples.get(name)
        record = {
            **entry,
            "iterations": sample.iterations if sample else 1,
            # One list of rounds per pytest process, as the interval's resampling needs.
            "times": [list(run) for run in sample.runs] if sample else [],
            "peak_bytes": peaks.get(name),
        }
        runs.setdefault(name, []).append(record)
        runs[name] = runs[name][-perf_gate(gate_settings).history :]
    _write(path, runs)
    return path


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


def _write(path: Path, runs: Runs) -> None:
    data = {
        "schema_version": SCHEMA_VERSION,
        "machine": {"node": platform.node(), "machine": platform.machine(), "cpus": os.cpu_count()},
        "benchmarks": {name: {"runs": entries} for name, entries in sorted(runs.items())},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)

"""`atlas-ci baseline update [GATE]`: the findings baseline and ratchet, or perf's stored one.

`perf` records the perf gate's stored benchmark baseline (by interpreter and architecture). Any
other target runs that gate (default: every gate) without the baseline applied and records its
findings and judged metrics in `.atlas-ci/baseline.json` (see ratchet.py); entries no longer found
are kept unless `--prune` is given. Metric floors are recorded for the quality, tests, security
and deploy gates only: perf ratios and reliability latencies are measurements of the machine, and
a ratchet on them would fail on noise.
"""

from __future__ import annotations

from pathlib import Path

from atlas_ci import config as config_mod
from atlas_ci import ratchet
from atlas_ci.model import CheckResult

RATCHETED_GATES = ("quality", "tests", "security", "deploy")


def update(target: str, root: Path, config_path: Path | None, *, prune: bool = False) -> list[Path]:
    if target == "perf":
        from atlas_ci.checks.perf.baseline import update_baseline

        cfg = config_mod.load(root, config_path)
        project = config_mod.project_info(cfg, root, root / cfg.reports.dir)
        return [update_baseline(project, cfg.gate("perf"))]
    return [update_findings(target, root, config_path, prune=prune)]


def _without_noisy_metrics(res: CheckResult) -> CheckResult:
    return res if res.gate in RATCHETED_GATES else res.model_copy(update={"metrics": ()})


def update_findings(target: str, root: Path, config_path: Path | None, *, prune: bool) -> Path:
    from atlas_ci import pipeline, reporting, runner

    request = pipeline.GateRequest(
        target=target, root=root, config_path=config_path, apply_baseline=False
    )
    prepared = pipeline.prepare(request)
    outcome = pipeline.execute(prepared, runner.NullObserver())
    path = root / prepared.config.baseline.path
    results = [_without_noisy_metrics(c) for c in outcome.report.checks]
    new = ratchet.recorded(ratchet.load(path), results, prune=prune)
    reporting.write_atomic(path, ratchet.dump(new))
    return path

"""`atlas-ci baseline update <gate>`: record stored baselines (perf, by machine and Python)."""

from __future__ import annotations

from pathlib import Path

from atlas_ci import config as config_mod
from atlas_ci.errors import ConfigError

SUPPORTED = ("perf",)


def update(target: str, root: Path, config_path: Path | None) -> list[Path]:
    if target not in SUPPORTED:
        raise ConfigError(f"no stored baseline for '{target}' (supported: {', '.join(SUPPORTED)})")
    from atlas_ci.checks.perf.baseline import update_baseline

    cfg = config_mod.load(root, config_path)
    project = config_mod.project_info(cfg, root, root / cfg.reports.dir)
    return [update_baseline(project, cfg.gate("perf"))]

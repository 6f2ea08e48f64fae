"""After a gate run's reports are written: its history line, then the failure alerts.

Neither may change the run's verdict or exit code: a history file that cannot be written or an
alert that cannot be delivered becomes a warning on the console and nothing more.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from atlas_ci import history, repo_state
from atlas_ci.config import LoadedConfig
from atlas_ci.model import Report, Status


def history_path(cfg: LoadedConfig, root: Path) -> Path:
    return root / cfg.history.path


def _previous_status(path: Path) -> Status | None:
    gate_runs = [r for r in history.load(path).records if r.kind == "gate"]
    return gate_runs[-1].status if gate_runs else None


def after_run(
    cfg: LoadedConfig,
    root: Path,
    report: Report,
    *,
    scrub: Callable[[str], str],
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """Record the run and send the alerts that are due; the warnings to show."""
    env = os.environ if env is None else env
    path = history_path(cfg, root)
    warnings: list[str] = []
    previous = _previous_status(path) if cfg.history.enabled else None
    if cfg.history.enabled:
        try:
            record = history.record_of(report, branch=repo_state.branch(root), env=env)
            history.append(path, [record])
        except OSError as exc:
            warnings.append(f"history: could not append to {cfg.history.path}: {exc.strerror}")
    if cfg.notify.webhooks:
        # Here: its HTTP client (urllib.request, ssl, http.client) is for runs that send alerts.
        from atlas_ci import notify

        warnings += notify.send(cfg.notify, report, previous=previous, env=env, scrub=scrub)
    return warnings

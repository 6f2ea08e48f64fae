"""Locust as a subprocess: argv from settings, a watchdog, and its machine output read back.

Locust's exit code is not the verdict (it is 1 whenever any request failed); the JSON stats
are. A run that wrote no readable stats, or that the watchdog had to kill, is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from atlas_ci.checks.base import CheckContext, python_module
from atlas_ci.checks.reliability import stats
from atlas_ci.checks.reliability.settings import LocustSettings
from atlas_ci.checks.toolkit import Tool, error_line, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.settings import GateSettings

LOCUST = Tool("locust", tuple(python_module("locust")), distribution="locust")
# Locust exits 1 whenever a request failed: that is for the thresholds to judge, not an error.
LOCUST_OK = (0, 1)


@dataclass(frozen=True)
class LocustOutput:
    entries: list[stats.Entry]
    history: list[stats.HistoryRow]
    files: tuple[Path, ...]
    returncode: int


def build_args(
    ctx: CheckContext, s: LocustSettings, host: str, run_time: float, prefix: Path
) -> list[str]:
    argv = [
        "-f",
        str(ctx.root / s.locustfile),
        "--headless",
        "--host",
        host,
        "--users",
        str(s.users),
        "--spawn-rate",
        f"{s.spawn_rate:g}",
        "--run-time",
        f"{max(1, round(run_time))}s",
        "--csv",
        str(prefix),
        "--csv-full-history",
        "--json-file",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    argv += _scale_out(s)
    return [*argv, *s.user_classes]


def _scale_out(s: LocustSettings) -> list[str]:
    if s.master:
        # Workers on other hosts connect to this master; never wait for them forever.
        return [
            "--master",
            "--master-bind-host",
            s.master_bind_host,
            "--master-bind-port",
            str(s.master_bind_port),
            "--expect-workers",
            str(s.expect_workers),
            "--expect-workers-max-wait",
            f"{max(1, round(s.expect_workers_max_wait))}",
        ]
    return ["--processes", str(s.processes)] if s.processes > 1 else []


def watchdog(s: LocustSettings, run_time: float) -> float:
    """Seconds Locust may take in all: the run, its margin, and the wait for remote workers."""
    return run_time + s.watchdog_margin + (s.expect_workers_max_wait if s.master else 0.0)


def run_locust(
    ctx: CheckContext[LocustSettings, GateSettings],
    s: LocustSettings,
    *,
    host: str,
    run_time: float,
    prefix: Path,
    env: Mapping[str, str] | None = None,
) -> LocustOutput:
    """Run Locust to the end (or until the watchdog kills it) and read its stats."""
    limit = watchdog(s, run_time)
    if not (ctx.root / s.locustfile).is_file():
        raise CheckError(f"locustfile not found: {s.locustfile}")
    locust = LOCUST.using(s.command)
    try:
        res = run_tool(
            locust,
            build_args(ctx, s, host, run_time, prefix),
            cwd=ctx.root,
            timeout=limit,
            ok_codes=LOCUST_OK,
            env=dict(env or {}),
        )
    except CheckError as exc:
        raise CheckError(f"{exc} (watchdog at run time {run_time:g} s + margin)") from exc
    json_path = prefix.with_name(prefix.name + ".json")
    try:
        entries = stats.load_entries(json_path)
    except CheckError as exc:
        raise CheckError(f"{exc} (exit status {res.returncode}): {error_line(res)}") from exc
    if not any(e.num_requests for e in entries):
        raise CheckError(
            f"Locust sent no request (exit status {res.returncode}): {error_line(res)}"
        )
    history_path = prefix.with_name(prefix.name + "_stats_history.csv")
    files = tuple(p for p in (json_path, history_path) if p.exists())
    return LocustOutput(entries, stats.load_history(history_path), files, res.returncode)

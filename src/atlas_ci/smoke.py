"""`atlas-ci smoke --url URL`: production validation of a running service, reported like a gate.

Order matters: /metrics is scraped first, then health and readiness are probed (with request
ids of the probe's own), then /metrics again (its counters must have moved), then the logs are
searched for those ids, then an optional short Locust run. Nothing here writes to the service.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from atlas_ci import reporting, smoke_probes
from atlas_ci.checks.base import CheckContext, ProjectInfo, result
from atlas_ci.checks.reliability.settings import LocustSettings, Thresholds
from atlas_ci.checks.toolkit import Tool, run_tool
from atlas_ci.errors import CheckError, ConfigError
from atlas_ci.model import CheckResult, Report, Status
from atlas_ci.settings import GateSettings
from atlas_ci.smoke_probes import Probe, Target

JOURNALCTL = Tool("journalctl", ("journalctl",))
T = TypeVar("T")


@dataclass(frozen=True)
class SmokeOptions:
    url: str
    report_dir: Path = Path("reports")
    log_file: Path | None = None
    journal_unit: str | None = None
    load_seconds: float = 0.0
    load_users: int = 5
    max_failure_ratio: float = 0.01
    max_p95_ms: float = 1000.0
    timeout: float = 5.0
    max_latency_ms: float = 1000.0
    health_path: str = "/healthz"
    ready_path: str = "/readyz"
    metrics_path: str = "/metrics"
    require_headers: tuple[str, ...] = ("X-Content-Type-Options=nosniff",)


def validate(opts: SmokeOptions) -> None:
    if not opts.url.startswith(("http://", "https://")):
        raise ConfigError(f"--url must be an http:// or https:// URL, not {opts.url!r}")
    if opts.load_seconds < 0 or opts.load_users < 1 or opts.timeout <= 0:
        raise ConfigError("--load-seconds >= 0, --load-users >= 1 and --timeout > 0, please")
    if opts.log_file is not None and opts.journal_unit is not None:
        raise ConfigError("give --log-file or --journal-unit, not both")


def probe_all(opts: SmokeOptions, root: Path) -> list[CheckResult]:
    target = Target(
        url=opts.url.rstrip("/"),
        health_path=opts.health_path,
        ready_path=opts.ready_path,
        metrics_path=opts.metrics_path,
        timeout=opts.timeout,
        max_latency_ms=opts.max_latency_ms,
        required_headers=tuple(_header(h) for h in opts.require_headers),
    )
    offset = _size(opts.log_file)
    since = time.time()
    before = smoke_probes.scrape(target)
    health, reply = _timed(lambda: smoke_probes.endpoint(target, "health", opts.health_path))
    ready, _ = _timed(lambda: smoke_probes.endpoint(target, "readiness", opts.ready_path))
    out = [health, ready, _timed1(lambda: smoke_probes.metrics(target, before))]
    lines = _log_lines(opts, offset, since, root)
    out.append(smoke_probes.logs(lines, target.request_ids))
    out.append(smoke_probes.headers(target, reply))
    out.append(_timed1(lambda: _load(opts, root)))
    return out


def _timed(probe: Callable[[], tuple[CheckResult, T]]) -> tuple[CheckResult, T]:
    started = time.monotonic()
    res, extra = probe()
    return res.model_copy(update={"duration": round(time.monotonic() - started, 3)}), extra


def _timed1(probe: Callable[[], CheckResult]) -> CheckResult:
    return _timed(lambda: (probe(), None))[0]


def run(opts: SmokeOptions, root: Path) -> tuple[Report, int, list[Path]]:
    validate(opts)
    started_at, started = datetime.now(UTC), time.monotonic()
    results = probe_all(opts, root)
    report = reporting.build(
        results,
        digest="smoke",
        started=started_at,
        duration=time.monotonic() - started,
        commit=None,
    )
    report_dir = root / opts.report_dir
    texts = reporting.render_all(report, ("json", "sarif", "markdown"), root)
    written = reporting.write_texts(texts, report_dir)
    return report, reporting.exit_code(report), written


def _header(spec: str) -> tuple[str, str | None]:
    name, sep, value = spec.partition("=")
    return name.strip().lower(), (value.strip() if sep else None)


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path is not None else 0
    except OSError:
        return 0


def _log_lines(opts: SmokeOptions, offset: int, since: float, root: Path) -> list[str] | None:
    # Give the service a moment to flush the access lines of the requests just made.
    time.sleep(0.3)
    if opts.log_file is not None:
        return smoke_probes.read_new(opts.log_file, offset)
    if opts.journal_unit is not None:
        args = ["-u", opts.journal_unit, "-o", "cat", "--no-pager", f"--since=@{int(since)}"]
        try:
            res = run_tool(JOURNALCTL, args, cwd=root, timeout=30)
        except CheckError:
            return []
        return [ln for ln in res.stdout.splitlines() if ln.strip()]
    return None


def _load(opts: SmokeOptions, root: Path) -> CheckResult:
    """A short, bounded Locust run of read-only requests, judged by the load thresholds."""
    from atlas_ci.checks.reliability.load import locust_result
    from atlas_ci.checks.reliability.locust import run_locust

    check = Probe("load", tool="locust")
    if opts.load_seconds == 0:
        return result(check, Status.SKIPPED, "no --load-seconds given")
    settings = LocustSettings(
        locustfile=str(Path(__file__).with_name("smoke_locustfile.py")),
        users=opts.load_users,
        spawn_rate=float(opts.load_users),
        watchdog_margin=30.0,
        thresholds=Thresholds(max_failure_ratio=opts.max_failure_ratio, max_p95=opts.max_p95_ms),
        per_endpoint=Thresholds(max_failure_ratio=opts.max_failure_ratio),
    )
    report_dir = root / opts.report_dir
    project = ProjectInfo(root, (), (), sys.executable, report_dir)
    ctx: CheckContext[LocustSettings, GateSettings] = CheckContext(
        project, settings, GateSettings()
    )
    (report_dir / "smoke").mkdir(parents=True, exist_ok=True)
    paths = ",".join((opts.health_path, opts.ready_path))
    try:
        out = run_locust(
            ctx,
            settings,
            host=opts.url.rstrip("/"),
            run_time=opts.load_seconds,
            prefix=report_dir / "smoke" / "load",
            env={"ATLAS_CI_SMOKE_PATHS": paths},
        )
    except CheckError as exc:
        return result(check, Status.ERROR, f"load: {exc}")
    return locust_result(check, ctx, settings, out)

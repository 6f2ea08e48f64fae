"""The smoke probes: health and readiness in time, Prometheus metrics that move, structured
logs of the probe's own requests, security headers. Each returns one CheckResult named
`smoke.<probe>`, so a failure names the probe.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from atlas_ci.checks.base import ProjectInfo, result
from atlas_ci.model import CheckResult, Metric, Status
from atlas_ci.settings import CheckSettings
from atlas_ci.smoke_http import NoAnswer, Reply, get

VERSIONED_SERVER = re.compile(r"\d+\.\d+")


@dataclass(frozen=True)
class Probe:
    """A smoke probe, shaped like a check so results and reports treat it as one."""

    name: str
    tool: str = "atlas-ci smoke"
    gate: str = "smoke"
    settings_model: type[CheckSettings] = CheckSettings
    exclusive: bool = False

    def version(self, project: ProjectInfo) -> str | None:
        return None

    def run(self, ctx: object) -> CheckResult:
        raise NotImplementedError("smoke probes run from smoke.run()")


@dataclass(frozen=True)
class Target:
    url: str
    health_path: str = "/healthz"
    ready_path: str = "/readyz"
    metrics_path: str = "/metrics"
    timeout: float = 5.0
    max_latency_ms: float = 1000.0
    required_headers: tuple[tuple[str, str | None], ...] = (("x-content-type-options", "nosniff"),)
    # Request ids the probe sent: the logs must show them.
    request_ids: list[str] = field(default_factory=list)

    def request(self, path: str) -> Reply:
        rid = f"atlas-ci-smoke-{secrets.token_hex(6)}"
        self.request_ids.append(rid)
        return get(self.url, path, timeout=self.timeout, headers={"X-Request-ID": rid})


def endpoint(target: Target, probe: str, path: str) -> tuple[CheckResult, Reply | None]:
    """200 within the time limit, else failed with what came back instead."""
    check = Probe(probe)
    try:
        reply = target.request(path)
    except NoAnswer as exc:
        return result(check, Status.FAILED, f"{probe}: GET {path} got no answer ({exc})"), None
    ms = round(reply.elapsed * 1000, 1)
    metric = Metric(
        name=f"{probe} latency",
        value=ms,
        unit="ms",
        threshold=target.max_latency_ms,
        direction="max",
    )
    if reply.status != 200:
        reason = f"{probe}: GET {path} answered {reply.status}, not 200"
        return result(check, Status.FAILED, reason, metrics=[metric]), reply
    if ms > target.max_latency_ms:
        reason = f"{probe}: GET {path} took {ms:g} ms > {target.max_latency_ms:g} ms"
        return result(check, Status.FAILED, reason, metrics=[metric]), reply
    return result(check, Status.PASSED, f"GET {path}: 200 in {ms:g} ms", metrics=[metric]), reply


def scrape(target: Target) -> tuple[float | None, str]:
    """The sum of every counter (`*_total` samples), or None and why the scrape is unusable."""
    from prometheus_client.parser import text_string_to_metric_families

    try:
        reply = target.request(target.metrics_path)
    except NoAnswer as exc:
        return None, f"GET {target.metrics_path} got no answer ({exc})"
    if reply.status != 200:
        return None, f"GET {target.metrics_path} answered {reply.status}"
    try:
        families = list(text_string_to_metric_families(reply.body.decode("utf-8")))
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"{target.metrics_path} is not Prometheus text ({str(exc)[:120]})"
    if not families:
        return None, f"{target.metrics_path} holds no metric"
    # A fresh service may have no counter sample yet: that scrape counts as zero.
    counters = [s.value for f in families for s in f.samples if s.name.endswith("_total")]
    return float(sum(counters)), f"{len(families)} metric families"


def metrics(target: Target, before: tuple[float | None, str]) -> CheckResult:
    """/metrics parses as Prometheus text, and its counters moved after the probe's requests."""
    check = Probe("metrics")
    after = scrape(target)
    start, end = before[0], after[0]
    if start is None or end is None:
        why = before[1] if start is None else after[1]
        return result(check, Status.FAILED, f"metrics: {why}")
    moved = Metric(name="counter increase", value=end - start, threshold=0.0, direction="min")
    if end <= start:
        reason = "metrics: no counter moved after the probe's requests"
        return result(check, Status.FAILED, reason, metrics=[moved])
    return result(check, Status.PASSED, f"{after[1]}; counters +{end - start:g}", metrics=[moved])


def logs(lines: Sequence[str] | None, request_ids: Sequence[str]) -> CheckResult:
    """The service logged the probe's requests as structured (JSON) lines."""
    check = Probe("logs")
    if lines is None:
        return result(check, Status.SKIPPED, "no --log-file or --journal-unit given")
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    seen = {rid for rid in request_ids for r in records if rid in json.dumps(r)}
    if not records:
        return result(check, Status.FAILED, f"logs: none of {len(lines)} new line(s) is JSON")
    if not seen:
        return result(
            check,
            Status.FAILED,
            "logs: no structured line for the probe's requests "
            f"({len(records)} JSON line(s), none with its request ids)",
        )
    return result(
        check, Status.PASSED, f"{len(seen)} of {len(request_ids)} probe requests logged as JSON"
    )


def _missing_headers(target: Target, reply: Reply) -> list[str]:
    problems = []
    for name, value in target.required_headers:
        got = reply.headers.get(name.lower())
        if got is None or (value is not None and got.strip().lower() != value.lower()):
            want = f"{name}: {value}" if value else name
            problems.append(f"missing {want}" + (f" (got {got!r})" if got else ""))
    return problems


def headers(target: Target, reply: Reply | None) -> CheckResult:
    check = Probe("headers")
    if reply is None:
        return result(check, Status.FAILED, "headers: no response to inspect")
    problems = _missing_headers(target, reply)
    server = reply.headers.get("server", "")
    if VERSIONED_SERVER.search(server):
        problems.append(f"Server header discloses a version ({server!r})")
    if target.url.startswith("https:") and "strict-transport-security" not in reply.headers:
        problems.append("missing Strict-Transport-Security on an https URL")
    if problems:
        return result(check, Status.FAILED, "headers: " + "; ".join(problems))
    return result(check, Status.PASSED, "security headers present, no version disclosed")


def read_new(path: Path, offset: int) -> list[str]:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            data = handle.read(16 * 1024 * 1024)
    except OSError:
        return []
    return [ln for ln in data.decode("utf-8", errors="replace").splitlines() if ln.strip()]

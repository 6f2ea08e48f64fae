"""Locust numbers judged against the configured limits: metrics for all, findings for breaches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from atlas_ci.checks.base import Check, CheckContext, make_finding
from atlas_ci.checks.reliability.settings import LocustSettings, Thresholds
from atlas_ci.checks.reliability.stats import EndpointStats
from atlas_ci.model import Finding, Metric, Severity


@dataclass(frozen=True)
class _Limit:
    key: str  # the Thresholds field
    attr: str  # the EndpointStats attribute it limits
    unit: str
    direction: str  # "max" or "min"
    what: str


_LIMITS = (
    _Limit("max_failure_ratio", "failure_ratio", "", "max", "failure ratio"),
    _Limit("max_p50", "p50", "ms", "max", "p50"),
    _Limit("max_p95", "p95", "ms", "max", "p95"),
    _Limit("max_p99", "p99", "ms", "max", "p99"),
    _Limit("min_rps", "rps", "rps", "min", "request rate"),
)


@dataclass(frozen=True)
class Judgement:
    findings: tuple[Finding, ...]
    metrics: tuple[Metric, ...]

    @property
    def breaches(self) -> list[str]:
        return [f.message for f in self.findings if f.blocking]


def limits_for(s: LocustSettings, ep: EndpointStats) -> Thresholds:
    for configured in s.endpoints:
        if configured.name == ep.name and configured.method.upper() == ep.method.upper():
            return configured
    return s.per_endpoint


def judge(
    check: Check,
    ctx: CheckContext,
    s: LocustSettings,
    endpoints: Sequence[EndpointStats],
    total: EndpointStats,
) -> Judgement:
    """Every endpoint against its limits, and the aggregate against the overall ones."""
    findings: list[Finding] = []
    metrics: list[Metric] = []
    for ep, limits in [*((e, limits_for(s, e)) for e in endpoints), (total, s.thresholds)]:
        metrics += _counts(ep)
        for lim in _LIMITS:
            bound: float | None = getattr(limits, lim.key)
            value = float(getattr(ep, lim.attr))
            metrics.append(_metric(ep, lim, value, bound))
            if bound is not None and _breached(value, bound, lim.direction):
                findings.append(_finding(check, ctx, s, ep=ep, lim=lim, value=value, bound=bound))
    _unmatched(s, endpoints, check, ctx, findings)
    return Judgement(tuple(findings), tuple(metrics))


def _counts(ep: EndpointStats) -> list[Metric]:
    return [
        Metric(name=f"{ep.label} requests", value=ep.requests),
        Metric(name=f"{ep.label} failures", value=ep.failures),
    ]


def _metric(ep: EndpointStats, lim: _Limit, value: float, bound: float | None) -> Metric:
    return Metric.model_validate(
        {
            "name": f"{ep.label} {lim.what}",
            "value": round(value, 6),
            "unit": lim.unit,
            "threshold": bound,
            "direction": lim.direction if bound is not None else None,
        }
    )


def _breached(value: float, limit: float, direction: str) -> bool:
    return value > limit if direction == "max" else value < limit


def _shown(lim: _Limit, value: float) -> str:
    return f"{value:.2%}" if lim.unit == "" else f"{value:.4g} {lim.unit}"


def _finding(
    check: Check,
    ctx: CheckContext,
    s: LocustSettings,
    *,
    ep: EndpointStats,
    lim: _Limit,
    value: float,
    bound: float,
) -> Finding:
    op = ">" if lim.direction == "max" else "<"
    detail = f" ({ep.failures} of {ep.requests} failed)" if lim.attr == "failure_ratio" else ""
    return make_finding(
        check,
        ctx.root,
        rule_id=f"{check.name}.{lim.what.replace(' ', '-')}",
        message=f"{ep.label}: {lim.what} {_shown(lim, value)} {op} {_shown(lim, bound)}{detail}",
        path=s.locustfile,
        severity=Severity.HIGH,
    )


def _unmatched(
    s: LocustSettings,
    endpoints: Sequence[EndpointStats],
    check: Check,
    ctx: CheckContext,
    findings: list[Finding],
) -> None:
    """A limit for an endpoint Locust never hit is a config mistake the user must see."""
    seen = {(e.name, e.method.upper()) for e in endpoints}
    for configured in s.endpoints:
        if (configured.name, configured.method.upper()) not in seen:
            findings.append(
                make_finding(
                    check,
                    ctx.root,
                    rule_id=f"{check.name}.endpoint-not-hit",
                    message=f"{configured.method} {configured.name}: has limits but got no request",
                    path=s.locustfile,
                    severity=Severity.MEDIUM,
                )
            )

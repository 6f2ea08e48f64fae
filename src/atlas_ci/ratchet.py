"""Baseline and ratchet: adopt the gate on a codebase that already has findings, then tighten.

`.atlas-ci/baseline.json` (committed; sorted keys and one entry per finding, so diffs read well)
holds, per check, the fingerprints of the findings accepted so far and the value of each judged
metric. With it:
- a finding whose fingerprint is in the baseline is reported as baselined and does not block.
  Fingerprints come from the rule, the path and the flagged line's content, not its number, so
  inserting lines above a finding keeps it baselined; identical findings count as a multiset;
- a metric may not get worse than its baseline value (coverage may not drop, max complexity may
  not rise): the ratchet;
- baseline entries that no longer occur are stale: reported so the file can be tightened with
  `atlas-ci baseline update --prune`, and failing the check when `fail_on_stale` is set.
A check that failed only because of baselined findings passes; a ratchet breach fails a check
that passed. Errored and skipped checks are left as they are: a baseline never hides an error.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from atlas_ci.errors import ConfigError
from atlas_ci.model import CheckResult, Finding, Metric, Status

BASELINE_FILE = ".atlas-ci/baseline.json"
BASELINE_SCHEMA = 1
# Metrics move in floating point (coverage 80.0 vs 79.99999): a breach must exceed this.
TOLERANCE = 1e-6


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Accepted(_Frozen):
    fingerprint: str
    rule_id: str
    path: str | None = None
    message: str = ""


class MetricFloor(_Frozen):
    value: float
    direction: Literal["max", "min"]
    unit: str = ""


class CheckBaseline(_Frozen):
    findings: tuple[Accepted, ...] = ()
    metrics: dict[str, MetricFloor] = Field(default_factory=dict)


class Baseline(_Frozen):
    schema_version: int = BASELINE_SCHEMA
    checks: dict[str, CheckBaseline] = Field(default_factory=dict)


def load(path: Path) -> Baseline | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read the baseline: {exc.strerror}", file=str(path)) from None
    try:
        return Baseline.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"not an atlas-ci baseline: {first['msg']}", file=str(path), key=key or None
        ) from None


def dump(baseline: Baseline) -> str:
    return json.dumps(baseline.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def _accepted(f: Finding) -> Accepted:
    return Accepted(
        fingerprint=f.fingerprint,
        rule_id=f.rule_id,
        path=f.location.path if f.location else None,
        message=f.message[:200],
    )


def _floors(metrics: Iterable[Metric]) -> dict[str, MetricFloor]:
    return {
        m.name: MetricFloor(value=m.value, direction=m.direction, unit=m.unit)
        for m in metrics
        if m.direction is not None
    }


def _merged(entries: list[Accepted], old: CheckBaseline | None) -> list[Accepted]:
    """`entries` plus the old ones not found again (baseline update without --prune)."""
    if old is None:
        return entries
    seen = Counter(e.fingerprint for e in entries)
    kept = list(entries)
    for e in old.findings:
        if seen[e.fingerprint] > 0:
            seen[e.fingerprint] -= 1
        else:
            kept.append(e)
    return kept


def recorded(current: Baseline | None, results: Sequence[CheckResult], *, prune: bool) -> Baseline:
    """The baseline after `baseline update`: every check that ran records its findings and metric
    values; without `prune`, entries no longer found are kept (nothing accepted is dropped)."""
    checks = dict(current.checks) if current else {}
    for res in results:
        if res.status in (Status.ERROR, Status.SKIPPED):
            continue  # no evidence: keep what was accepted before
        entries = [_accepted(f) for f in res.findings]
        if not prune:
            entries = _merged(entries, checks.get(res.check))
        entries.sort(key=lambda e: (e.path or "", e.rule_id, e.fingerprint))
        checks[res.check] = CheckBaseline(findings=tuple(entries), metrics=_floors(res.metrics))
    return Baseline(checks=dict(sorted(checks.items())))


def _mark(findings: Sequence[Finding], accepted: Sequence[Accepted]) -> tuple[list[Finding], int]:
    """Findings with the baselined ones marked, and how many baseline entries went unused."""
    left = Counter(a.fingerprint for a in accepted)
    out = []
    for f in findings:
        if left[f.fingerprint] > 0:
            left[f.fingerprint] -= 1
            out.append(f.model_copy(update={"baselined": True, "blocking": False}))
        else:
            out.append(f)
    return out, sum(left.values())


def _worse(m: Metric, floor: MetricFloor) -> bool:
    if floor.direction == "max":
        return m.value > floor.value + TOLERANCE
    return m.value < floor.value - TOLERANCE


def _ratchet_breaches(metrics: Sequence[Metric], floors: dict[str, MetricFloor]) -> list[str]:
    return [
        f"{m.name} {m.value:g}{m.unit} is worse than its baseline {floors[m.name].value:g}{m.unit}"
        for m in metrics
        if m.name in floors and _worse(m, floors[m.name])
    ]


def _breached(m: Metric) -> bool:
    if m.threshold is None or m.direction is None:
        return False
    return m.value > m.threshold if m.direction == "max" else m.value < m.threshold


def _notes(findings: Sequence[Finding], stale: int) -> list[str]:
    notes = []
    baselined = sum(1 for f in findings if f.baselined)
    if baselined:
        notes.append(f"{baselined} baselined finding(s)")
    if stale:
        entries = "entry" if stale == 1 else "entries"
        notes.append(f"{stale} stale baseline {entries} (`atlas-ci baseline update --prune`)")
    return notes


_COUNT = re.compile(r"^\d+ finding\(s\)")


def _kept_reason(res: CheckResult, blocking: int, still: bool) -> str:
    """The tool's own reason when it still holds, its finding count the blocking one."""
    if not (still or res.status is Status.PASSED):
        return ""
    if blocking:
        return _COUNT.sub(f"{blocking} finding(s)", res.reason)
    return _COUNT.sub("", res.reason).lstrip("; ")


def _still_failing(res: CheckResult, blocking: int) -> bool:
    return res.status is Status.FAILED and (blocking > 0 or any(_breached(m) for m in res.metrics))


def apply_one(res: CheckResult, entry: CheckBaseline, *, fail_on_stale: bool) -> CheckResult:
    """One check's result with its baseline applied (see the module docstring)."""
    if res.status in (Status.ERROR, Status.SKIPPED):
        return res
    findings, stale = _mark(res.findings, entry.findings)
    breaches = _ratchet_breaches(res.metrics, entry.metrics)
    blocking = sum(1 for f in findings if f.blocking)
    still = _still_failing(res, blocking)
    failing = still or bool(breaches) or (fail_on_stale and stale > 0)
    parts = [_kept_reason(res, blocking, still), *breaches, *_notes(findings, stale)]
    return res.model_copy(
        update={
            "status": Status.FAILED if failing else Status.PASSED,
            "findings": tuple(findings),
            "reason": "; ".join(p for p in parts if p),
        }
    )


def apply(
    results: Sequence[CheckResult], baseline: Baseline | None, *, fail_on_stale: bool = False
) -> list[CheckResult]:
    if baseline is None:
        return list(results)
    return [
        apply_one(r, baseline.checks[r.check], fail_on_stale=fail_on_stale)
        if r.check in baseline.checks
        else r
        for r in results
    ]

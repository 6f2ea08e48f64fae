"""Locust's machine output read into per-endpoint numbers: the JSON stats and the CSV history.

Percentiles are computed from the JSON's response-time histogram exactly as Locust computes
its own (`calculate_response_time_percentile`), so they agree with Locust's report.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from atlas_ci.errors import CheckError


class Entry(BaseModel):
    """One element of `locust --json-file` (the keys atlas-ci reads)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str
    method: str | None = None
    num_requests: int
    num_failures: int
    start_time: float
    last_request_timestamp: float | None = None
    response_times: dict[str, int]


_ENTRIES = TypeAdapter(list[Entry])


@dataclass(frozen=True)
class EndpointStats:
    name: str
    method: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @property
    def label(self) -> str:
        return f"{self.method} {self.name}".strip()


def load_entries(path: Path) -> list[Entry]:
    """Parse Locust's JSON stats file; an error when it is missing, empty or of another shape."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckError(f"Locust wrote no JSON stats file ({path.name}): {exc}") from exc
    if not text.strip():
        raise CheckError(f"Locust's JSON stats file {path.name} is empty")
    try:
        return _ENTRIES.validate_json(text)
    except ValidationError as exc:
        raise CheckError(f"Locust's JSON stats file {path.name} is not readable: {exc}") from exc


def percentile(histogram: Counter[float], total: int, percent: float) -> float:
    """Locust's own rule: the smallest bucket with at most (1 - percent) of requests above it."""
    wanted = int(total * percent)
    seen = 0
    for bucket in sorted(histogram, reverse=True):
        seen += histogram[bucket]
        if total - seen <= wanted:
            return bucket
    return 0.0


def summarize(entries: Sequence[Entry], name: str, method: str) -> EndpointStats:
    """One endpoint (or the aggregate of several entries)."""
    histogram: Counter[float] = Counter()
    for e in entries:
        histogram.update({float(k): v for k, v in e.response_times.items()})
    requests = sum(e.num_requests for e in entries)
    start = min((e.start_time for e in entries), default=0.0)
    last = max((e.last_request_timestamp or e.start_time for e in entries), default=start)
    return EndpointStats(
        name=name,
        method=method,
        requests=requests,
        failures=sum(e.num_failures for e in entries),
        rps=requests / (last - start) if last > start else 0.0,
        p50=percentile(histogram, requests, 0.50),
        p95=percentile(histogram, requests, 0.95),
        p99=percentile(histogram, requests, 0.99),
    )


def endpoints(entries: Sequence[Entry]) -> list[EndpointStats]:
    return [summarize([e], e.name, e.method or "") for e in entries]


def aggregate(entries: Sequence[Entry]) -> EndpointStats:
    return summarize(entries, "Aggregated", "")


@dataclass(frozen=True)
class HistoryRow:
    """One second of the aggregate from `--csv-full-history` (p95 over Locust's recent window)."""

    timestamp: float
    users: int
    rps: float
    failures_per_s: float
    p95: float | None


def load_history(path: Path) -> list[HistoryRow]:
    """The Aggregated rows of `<prefix>_stats_history.csv`; [] when Locust wrote none."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return list(_history_rows(csv.DictReader(fh)))
    except OSError:
        return []
    except (KeyError, ValueError) as exc:
        raise CheckError(f"Locust's history CSV {path.name} is not readable: {exc}") from exc


def _history_rows(rows: Iterable[dict[str, str]]) -> Iterable[HistoryRow]:
    for row in rows:
        if row["Name"] != "Aggregated":
            continue
        yield HistoryRow(
            timestamp=float(row["Timestamp"]),
            users=int(row["User Count"]),
            rps=float(row["Requests/s"]),
            failures_per_s=float(row["Failures/s"]),
            p95=_number(row["95%"]),
        )


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None  # Locust writes N/A before the first response
    return value if math.isfinite(value) else None

"""Run history: one schema-versioned JSON line per gate run, appended atomically, read leniently.

Appends are safe when two runs finish at once: the line is written with one `write(2)` on a file
opened `O_APPEND` while holding an exclusive `flock`, so lines never interleave and none is lost.
Reading never fails a command: a line that is not a record (a torn write from a crashed machine,
a hand edit) is skipped and named in a warning.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from atlas_ci import jsonl_file
from atlas_ci.model import Report, Status

HISTORY_SCHEMA = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MetricRecord(_Frozen):
    name: str
    value: float
    unit: str = ""
    direction: Literal["max", "min"] | None = None


class CheckRecord(_Frozen):
    check: str
    gate: str
    status: Status
    duration: float = 0.0
    tool_version: str | None = None
    findings: int = 0
    blocking: int = 0
    metrics: tuple[MetricRecord, ...] = ()


class RunRecord(_Frozen):
    """One line of the history file."""

    schema_version: int = Field(default=HISTORY_SCHEMA, alias="schema")
    kind: Literal["gate", "workflow"] = "gate"
    time: str
    commit: str | None = None
    branch: str | None = None
    run_id: str | None = None
    name: str | None = None  # workflow name (imported runs)
    tool_version: str | None = None
    status: Status
    duration: float = 0.0
    interrupted: bool = False
    tools: dict[str, str] = Field(default_factory=dict)
    checks: tuple[CheckRecord, ...] = ()

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("time")
    @classmethod
    def _readable_time(cls, value: str) -> str:
        parse_time(value)  # a line whose time cannot be read is not a record
        return value

    @property
    def when(self) -> datetime:
        return parse_time(self.time)


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_of(report: Report, *, branch: str | None, env: Mapping[str, str]) -> RunRecord:
    """The history line for a finished run: statuses, durations, counts and every metric."""
    checks = tuple(
        CheckRecord(
            check=c.check,
            gate=c.gate,
            status=c.status,
            duration=round(c.duration, 3),
            tool_version=c.tool_version,
            findings=len(c.findings),
            blocking=sum(1 for f in c.findings if f.blocking),
            metrics=tuple(
                MetricRecord(name=m.name, value=m.value, unit=m.unit, direction=m.direction)
                for m in c.metrics
            ),
        )
        for c in report.checks
    )
    tools = {c.tool: c.tool_version for c in report.checks if c.tool and c.tool_version}
    return RunRecord(
        time=report.started_at,
        commit=report.commit,
        branch=env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME") or branch,
        run_id=env.get("GITHUB_RUN_ID"),
        tool_version=report.tool_version,
        status=report.status,
        duration=report.duration,
        interrupted=report.interrupted,
        tools=tools,
        checks=checks,
    )


def encode(record: RunRecord) -> bytes:
    payload = record.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    return (json.dumps(payload, sort_keys=True, separators=(",", ":")) + "\n").encode()


def append(path: Path, records: Iterable[RunRecord]) -> None:
    """Append whole lines under the lock; a symlink at `path` is refused, not followed."""
    jsonl_file.append(path, b"".join(encode(r) for r in records))


@dataclass(frozen=True)
class Loaded:
    records: tuple[RunRecord, ...]
    warnings: tuple[str, ...]


def load(path: Path) -> Loaded:
    """Every readable record, oldest first; unreadable lines become warnings, never errors."""
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return Loaded((), ())
    records: list[RunRecord] = []
    warnings: list[str] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            records.append(RunRecord.model_validate_json(raw))
        except ValidationError as exc:
            first = exc.errors()[0]["msg"] if exc.errors() else "unreadable"
            warnings.append(f"{path.name}:{number}: skipped, not a history record ({first})")
    records.sort(key=lambda r: r.when)
    return Loaded(tuple(records), tuple(warnings))


def rewrite(path: Path, keep: Iterable[RunRecord]) -> None:
    """Replace the file with `keep` (retention), atomically and under the appends' lock."""
    data = b"".join(encode(r) for r in keep)
    with jsonl_file.locked(path):
        tmp = path.with_name(f".{path.name}.prune")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

"""`atlas-ci history import`: workflow-level runs from `gh run list --json ...` output.

Expected fields (any others are ignored): databaseId, workflowName (or name), conclusion, status,
createdAt, updatedAt (or startedAt), headSha, headBranch. Runs still in progress carry no verdict
and are skipped; runs already in the history (same run id) are not imported twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from atlas_ci.errors import ConfigError
from atlas_ci.history import RunRecord, parse_time
from atlas_ci.model import Status

# How a GitHub conclusion maps onto atlas-ci's statuses: a run that did not finish is an error.
CONCLUSIONS = {
    "success": Status.PASSED,
    "failure": Status.FAILED,
    "cancelled": Status.ERROR,
    "timed_out": Status.ERROR,
    "startup_failure": Status.ERROR,
    "action_required": Status.ERROR,
    "stale": Status.ERROR,
    "skipped": Status.SKIPPED,
    "neutral": Status.SKIPPED,
}


class GhRun(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    databaseId: int  # gh's field names, as gh prints them
    workflowName: str | None = None
    name: str | None = None
    conclusion: str | None = None
    status: str | None = None
    createdAt: str
    updatedAt: str | None = None
    startedAt: str | None = None
    headSha: str | None = None
    headBranch: str | None = None


_RUNS = TypeAdapter(list[GhRun])


def parse(text: str, source: str) -> list[GhRun]:
    try:
        return _RUNS.validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"not `gh run list --json` output: {first['msg']} at {where or 'top level'}",
            file=source,
        ) from None


def _record(run: GhRun) -> RunRecord | None:
    status = CONCLUSIONS.get(run.conclusion or "")
    if status is None:
        return None
    start = parse_time(run.startedAt or run.createdAt)
    end = parse_time(run.updatedAt) if run.updatedAt else start
    return RunRecord(
        kind="workflow",
        time=start.isoformat(timespec="seconds"),
        commit=run.headSha,
        branch=run.headBranch,
        run_id=str(run.databaseId),
        name=run.workflowName or run.name,
        status=status,
        duration=max(0.0, (end - start).total_seconds()),
    )


def new_records(runs: Iterable[GhRun], existing: Sequence[RunRecord]) -> list[RunRecord]:
    known = {r.run_id for r in existing if r.kind == "workflow"}
    out = []
    for run in runs:
        rec = _record(run)
        if rec is not None and rec.run_id not in known:
            known.add(rec.run_id)
            out.append(rec)
    return out

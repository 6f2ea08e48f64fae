"""reliability.recovery: kills with a ledger of acknowledged writes, and damaged databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.reliability import pids_in, run, service

from atlas_ci.checks.reliability.recovery import Recovery
from atlas_ci.model import Status

DB = {"database": "items.db"}
FAST = {"kills": 3, "kill_after": [0.3, 0.6], "flips": 4, "seed_writes": 20}


def test_acknowledging_before_commit_fails_with_the_number_lost(tmp_path: Path, metrics_of) -> None:
    gate = service("ack_before_commit.py", "{db}", **DB)
    res = run(tmp_path, Recovery(), gate, {**FAST, "corruption": False})
    assert res.status is Status.FAILED, res.reason
    lost = metrics_of(res)["lost writes"]
    assert lost > 0
    (finding,) = [f for f in res.findings if f.rule_id == "recovery.lost-writes"]
    assert finding.message.startswith(f"{int(lost)} of ")
    ledger = (tmp_path / "reports" / "reliability" / "recovery" / "ledger.jsonl").read_text()
    assert len(ledger.splitlines()) == metrics_of(res)["acknowledged writes"]
    assert not pids_in(tmp_path)


def test_serving_a_corrupted_database_fails_naming_the_scenario(tmp_path: Path) -> None:
    gate = service("serves_corrupt.py", "{db}", **DB)
    res = run(tmp_path, Recovery(), gate, {**FAST, "crash": False})
    assert res.status is Status.FAILED, res.reason
    failed = [f.message for f in res.findings if f.rule_id == "recovery.corruption.served"]
    assert "scenario truncated: served a damaged database: " in "\n".join(failed), failed
    summary = json.loads(
        (tmp_path / "reports" / "reliability" / "recovery" / "recovery.json").read_text()
    )
    assert {r["name"] for r in summary["corruption"]} >= {"truncated", "torn-wal", "removed-wal"}
    assert not pids_in(tmp_path)


ATLAS = {
    "service": {
        "argv": ["atlas", "serve", "--port", "{port}", "--db", "{db}", "--log-level", "warning"],
        "database": "atlas.db",
        "health": "/readyz",
    }
}
ATLAS_IO = {
    "write": {
        "method": "POST",
        "path": "/places",
        "body": '{"name": "{token}", "latitude": 1.5, "longitude": 2.5, "tags": []}',
    },
    "read": {"path": "/places/{id}"},
}


# ~40 s of Atlas restarts; `atlas-ci gate reliability` on this repository runs it in full.
@pytest.mark.slow
def test_atlas_keeps_every_acknowledged_write_and_refuses_damage(
    tmp_path: Path, metrics_of
) -> None:
    res = run(tmp_path, Recovery(), ATLAS, {**FAST, **ATLAS_IO})
    assert res.status is Status.PASSED, res.reason
    m = metrics_of(res)
    assert m["kills"] == 3
    assert m["acknowledged writes"] > 0
    assert m["lost writes"] == 0
    assert m["failed scenarios"] == 0
    assert m["refused to start"] >= 1  # the truncated copy at least

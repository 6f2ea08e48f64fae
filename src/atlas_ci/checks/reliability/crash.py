"""Recovery, part 1: writes stream in while the service is SIGKILLed at seeded random moments.

Each cycle starts the service on the same database, checks that every write acknowledged so far
reads back, resumes writing, and kills the whole process group after a seeded delay. After each
kill the database as the crash left it must pass `PRAGMA integrity_check` (checked on a copy).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from atlas_ci.checks.reliability import sqlite
from atlas_ci.checks.reliability.ledger import Entry, Ledger, Writer, reads_back
from atlas_ci.checks.reliability.service import Lifecycle, Running
from atlas_ci.checks.reliability.settings import RecoverySettings


@dataclass
class CrashReport:
    kills: int = 0
    acknowledged: int = 0
    lost: dict[int, Entry] = field(default_factory=dict)  # ledger number -> first cycle lost in
    lost_in_cycle: list[int] = field(default_factory=list)
    integrity_failures: list[str] = field(default_factory=list)


def run_crashes(lc: Lifecycle, s: RecoverySettings, db: Path, workdir: Path) -> CrashReport:
    """`s.kills` kill/restart cycles, then one last start that verifies everything."""
    rng = random.Random(s.seed)  # noqa: S311 - reproducible kill moments, not secrets
    ledger = Ledger(workdir / "ledger.jsonl")
    report = CrashReport()
    for cycle in range(1, s.kills + 1):
        delay = rng.uniform(*s.kill_after)
        running = lc.start(db)
        writer: Writer | None = None
        try:
            _verify(running, s, ledger, report)
            writer = Writer(running.base_url, s, ledger).start()
            time.sleep(delay)
        finally:
            running.kill()
            if writer is not None:
                writer.stop()
        report.kills += 1
        _check_integrity(db, workdir, f"after kill {cycle}", report)
    with lc.running(db) as running:
        _verify(running, s, ledger, report)
    _check_integrity(db, workdir, "after the final clean stop", report)
    report.acknowledged = len(ledger.entries)
    return report


def _verify(running: Running, s: RecoverySettings, ledger: Ledger, report: CrashReport) -> None:
    missing = 0
    for entry in list(ledger.entries):
        if entry.n in report.lost:
            continue  # already counted; a lost write is lost once
        if not reads_back(running.base_url, s, entry):
            report.lost[entry.n] = entry
            missing += 1
    report.lost_in_cycle.append(missing)


def _check_integrity(db: Path, workdir: Path, when: str, report: CrashReport) -> None:
    if not db.exists():
        return  # not a file-backed database (or not SQLite): nothing to check
    messages = sqlite.integrity(db, workdir / "scratch")
    if messages != ["ok"]:
        report.integrity_failures.append(f"{when}: {'; '.join(messages[:3])}")

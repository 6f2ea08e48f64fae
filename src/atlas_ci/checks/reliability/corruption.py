"""Recovery, part 2: the service started on damaged copies of its database.

Two answers are acceptable: refuse to start (non-zero exit, port never bound, the damaged files
left exactly as they were, for an operator to inspect or restore), or start and serve data that
passes `PRAGMA integrity_check` (e.g. restored from a backup, or the damage was repairable).
Anything else — serving a damaged database, hanging, exiting 0, rewriting the evidence — fails.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from atlas_ci.checks.reliability import damage, sqlite
from atlas_ci.checks.reliability.ledger import Ledger, reads_back, write_once
from atlas_ci.checks.reliability.service import Lifecycle, Outcome
from atlas_ci.checks.reliability.settings import RecoverySettings
from atlas_ci.errors import CheckError


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    outcome: str  # "refused", "served", "hung"
    problem: str | None
    exit_status: int | None = None
    served_reads: int = 0


def snapshots(lc: Lifecycle, s: RecoverySettings, workdir: Path) -> tuple[Path, Path, Ledger]:
    """A database stopped cleanly, and the same one SIGKILLed mid-writes (its sidecars kept)."""
    db = lc.fresh_db()
    if db is None:
        raise CheckError(
            "recovery needs [gates.reliability.service] database for its corruption part"
        )
    ledger = Ledger(workdir / "seed-ledger.jsonl")
    with lc.running(db) as running:
        _write(running.base_url, s, ledger, s.seed_writes)
    clean = sqlite.settle(_copy_family(db, workdir / "snapshots" / "clean"))
    running = lc.start(db)
    try:
        _write(running.base_url, s, ledger, max(1, s.seed_writes // 2))
    finally:
        running.kill()
    crashed = _copy_family(db, workdir / "snapshots" / "crashed")
    return clean, crashed, ledger


def _write(base_url: str, s: RecoverySettings, ledger: Ledger, count: int) -> None:
    for _ in range(count):
        if not write_once(base_url, s, ledger):
            raise CheckError(
                "the service did not acknowledge a write while the database was seeded"
            )


def _copy_family(db: Path, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in sqlite.family(db):
        shutil.copy2(path, folder / path.name)
    return folder / db.name


def run_scenarios(lc: Lifecycle, s: RecoverySettings, workdir: Path) -> list[ScenarioResult]:
    clean, crashed, ledger = snapshots(lc, s, workdir)
    results = []
    for scenario in damage.scenarios(s.seed, s.flips, crashed):
        snapshot = clean if scenario.source == "clean" else crashed
        db = damage.prepare(scenario, snapshot, workdir / "scenarios")
        results.append(_attempt(lc, s, scenario.name, db, ledger=ledger, workdir=workdir))
    return results


def _attempt(
    lc: Lifecycle, s: RecoverySettings, name: str, db: Path, *, ledger: Ledger, workdir: Path
) -> ScenarioResult:
    before = sqlite.digest(db)
    running = lc.launch(db)
    served = 0
    try:
        outcome = running.wait_ready(lc.settings.ready_timeout)
        if outcome is Outcome.READY:
            served = sum(reads_back(running.base_url, s, e) for e in ledger.entries)
    finally:
        code = running.stop()
    if outcome is Outcome.EXITED:
        return ScenarioResult(
            name, "refused", _refusal_problem(code, running.bound, before, db), code
        )
    if outcome is Outcome.TIMEOUT:
        return ScenarioResult(name, "hung", "neither refused to start nor became healthy", code)
    messages = sqlite.integrity(db, workdir / "scratch")
    problem = (
        None if messages == ["ok"] else "served a damaged database: " + "; ".join(messages[:3])
    )
    return ScenarioResult(name, "served", problem, code, served)


def _refusal_problem(code: int, bound: bool, before: dict[str, str], db: Path) -> str | None:
    if code == 0:
        return "exited with status 0: a refusal must be a failure status"
    if bound:
        return "bound its port before refusing"
    after = sqlite.digest(db)
    changed = [name for name, digest in before.items() if after.get(name) != digest]
    if changed:
        return f"changed the damaged files it refused ({', '.join(changed)})"
    return None

"""Retention: artifacts older than their kind's days go, the rest stay; links are not followed."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from atlas_ci import history, prune
from atlas_ci.model import Report, Status
from atlas_ci.ops_settings import HistorySettings, RetentionSettings

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def aged(path: Path, days: float, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stamp = NOW.timestamp() - days * 86400
    os.utime(path, (stamp, stamp))
    return path


def tree(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    aged(reports / "junit" / "old.xml", 20)  # tests: 14 days -> goes
    aged(reports / "junit" / "new.xml", 3)  # stays
    aged(reports / "coverage" / "index.html", 15)  # goes
    aged(reports / "atlas-ci.sarif", 60)  # security: 90 -> stays
    aged(reports / "security" / "bandit.json", 100)  # goes
    aged(reports / "deploy" / "app-1.0.whl", 80)  # deployment: 90 -> stays
    aged(reports / "perf" / "bench.json", 31)  # performance: 30 -> goes
    aged(reports / "summary.md", 29)  # other: 30 -> stays
    return reports


def test_dry_run_lists_exactly_the_expired_and_deletes_nothing(tmp_path: Path) -> None:
    reports = tree(tmp_path)
    before = sorted(p for p in reports.rglob("*"))
    plan = prune.plan(reports, RetentionSettings(), HistorySettings(), tmp_path / "h.jsonl", NOW)
    assert plan.remove == (
        "coverage/index.html",
        "junit/old.xml",
        "perf/bench.json",
        "security/bandit.json",
    )
    assert plan.keep == 4
    assert sorted(p for p in reports.rglob("*")) == before


def test_prune_removes_them_and_their_empty_directories(tmp_path: Path) -> None:
    reports = tree(tmp_path)
    plan = prune.plan(reports, RetentionSettings(), HistorySettings(), tmp_path / "h.jsonl", NOW)
    prune.apply(plan, reports, HistorySettings(), tmp_path / "h.jsonl", NOW)
    left = sorted(p.relative_to(reports).as_posix() for p in reports.rglob("*") if p.is_file())
    assert left == ["atlas-ci.sarif", "deploy/app-1.0.whl", "junit/new.xml", "summary.md"]
    assert not (reports / "coverage").exists()
    assert not (reports / "perf").exists()


def test_configured_days_apply(tmp_path: Path) -> None:
    reports = tree(tmp_path)
    plan = prune.plan(
        reports,
        RetentionSettings(tests=30, security=365),
        HistorySettings(),
        tmp_path / "h.jsonl",
        NOW,
    )
    assert plan.remove == ("perf/bench.json",)


def test_a_symlink_pointing_outside_is_not_followed(tmp_path: Path) -> None:
    reports = tree(tmp_path)
    outside = tmp_path / "outside"
    aged(outside / "precious.txt", 400)
    link = reports / "junit" / "elsewhere"
    link.symlink_to(outside, target_is_directory=True)
    stamp = NOW.timestamp() - 400 * 86400
    os.utime(link, (stamp, stamp), follow_symlinks=False)
    plan = prune.plan(reports, RetentionSettings(), HistorySettings(), tmp_path / "h.jsonl", NOW)
    assert "junit/elsewhere" in plan.remove
    assert not any(r.startswith("junit/elsewhere/") for r in plan.remove)
    prune.apply(plan, reports, HistorySettings(), tmp_path / "h.jsonl", NOW)
    assert (outside / "precious.txt").read_text() == "x"
    assert not link.is_symlink()


def test_history_lines_past_their_span_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    recs = [
        history.record_of(
            Report(
                tool_version="0",
                config_digest="d",
                started_at=f"2026-{m:02d}-01T00:00:00+00:00",
                duration=1,
                status=Status.PASSED,
                gates=(),
            ),
            branch=None,
            env={},
        )
        for m in (1, 6, 11)
    ]
    history.append(path, recs)
    hist = HistorySettings(keep_days=100)
    plan = prune.plan(tmp_path / "none", RetentionSettings(), hist, path, NOW)
    assert plan.history_dropped == 2
    prune.apply(plan, tmp_path / "none", hist, path, NOW)
    assert [r.time[:7] for r in history.load(path).records] == ["2026-11"]

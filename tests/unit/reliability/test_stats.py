"""Locust's JSON and CSV history read into per-endpoint numbers (recorded output of Locust 2.x)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from atlas_ci.checks.reliability import stats
from atlas_ci.errors import CheckError

RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "reliability" / "recorded"


def test_percentile_follows_locusts_rule() -> None:
    # 100 requests: 90 at 10 ms, 9 at 50 ms, 1 at 900 ms.
    hist: Counter[float] = Counter({10.0: 90, 50.0: 9, 900.0: 1})
    assert stats.percentile(hist, 100, 0.50) == 10.0
    assert stats.percentile(hist, 100, 0.95) == 50.0
    assert stats.percentile(hist, 100, 0.99) == 900.0  # 99 at or below it: the top 1% counts
    assert stats.percentile(hist, 100, 0.98) == 50.0
    assert stats.percentile(hist, 100, 1.0) == 900.0
    assert stats.percentile(Counter(), 0, 0.95) == 0.0


def test_recorded_json_gives_each_endpoint_and_the_aggregate() -> None:
    entries = stats.load_entries(RECORDED / "locust.json")
    by_name = {e.label: e for e in stats.endpoints(entries)}
    assert set(by_name) == {"GET /flaky", "GET /ok"}
    flaky = by_name["GET /flaky"]
    assert (flaky.requests, flaky.failures) == (201, 10)
    assert flaky.failure_ratio == pytest.approx(10 / 201)
    total = stats.aggregate(entries)
    assert total.requests == sum(e.requests for e in by_name.values())
    assert total.rps > 0
    assert 0 < total.p50 <= total.p95 <= total.p99


@pytest.mark.parametrize("text", ["", "not json", '{"name": "x"}', '[{"name": "x"}]'])
def test_unreadable_json_is_an_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "out.json"
    path.write_text(text)
    with pytest.raises(CheckError, match="Locust"):
        stats.load_entries(path)


def test_missing_json_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CheckError, match="wrote no JSON"):
        stats.load_entries(tmp_path / "absent.json")


def test_history_keeps_aggregated_rows_and_reads_na_as_none() -> None:
    rows = stats.load_history(RECORDED / "history.csv")
    assert rows
    assert rows[0].p95 is None  # "N/A" before the first response
    assert all(r.users >= 0 for r in rows)


def test_service_logs_are_bounded_and_redacted(tmp_path: Path) -> None:
    from atlas_ci.checks.reliability.service import bound_log

    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # pragma: allowlist secret
    log = tmp_path / "service.log"
    log.write_text("start\n" + "x" * 5000 + f"\ntoken={token}\nend\n")
    bound_log(log, 2048)
    text = log.read_text()
    assert token not in text
    assert text.startswith("start\n")
    assert text.rstrip().endswith("end")
    assert "bytes of log dropped" in text
    assert len(text) < 2048 + 100

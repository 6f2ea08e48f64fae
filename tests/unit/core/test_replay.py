"""The instant replay's pure parts: which command lines it answers, how reports are stamped."""

from __future__ import annotations

import json

import pytest

from atlas_ci import replay


@pytest.mark.parametrize(
    ("args", "ok"),
    [
        (["gate", "quality", "-q"], True),
        (["gate", "all", "--quiet", "--only", "lint", "--skip=types"], True),
        (["gate", "security", "-q", "--report-dir", "out", "--config", "ci.toml"], True),
        (["gate", "quality"], False),  # not quiet: the normal path prints a table
        (["gate", "quality", "-q", "--no-cache"], False),
        (["gate", "quality", "-q", "--changed"], False),
        (["gate", "quality", "-q", "--jobs", "2"], False),
        (["gate", "quality", "-q", "--only"], False),  # a value is missing
        (["gate", "quality", "-q", "--only", "-q"], False),
        (["gate", "-q"], False),
        (["deploy-check", "-q"], False),
        (["gate"], False),
        ([], False),
    ],
)
def test_the_command_lines_it_answers(args: list[str], ok: bool) -> None:
    assert replay.servable(args) is ok


def test_reports_get_this_runs_start_and_duration() -> None:
    texts = {
        "atlas-ci.json": json.dumps(
            {"started_at": replay.SENTINEL_TIME, "duration": replay.SENTINEL_DURATION}
        ),
        "summary.md": f"atlas-ci, started {replay.SENTINEL_TIME}, took 70m 42s.\n",
        "atlas-ci.sarif": "{}",
    }
    assert replay.sentinels_only_where_expected(texts)
    out = replay.stamped(texts, "2026-12-01T10:00:00+00:00", 0.0625)
    assert json.loads(out["atlas-ci.json"]) == {
        "started_at": "2026-12-01T10:00:00+00:00",
        "duration": 0.062,
    }
    assert out["summary.md"] == "atlas-ci, started 2026-12-01T10:00:00+00:00, took 0.1s.\n"
    assert out["atlas-ci.sarif"] == "{}"
    assert "took 1m 15s" in replay.stamped(texts, "t", 75.2)["summary.md"]


def test_a_report_naming_a_sentinel_elsewhere_is_never_recorded() -> None:
    # A finding's message that happens to hold the sentinel duration: stamping would change it.
    assert not replay.sentinels_only_where_expected({"a.json": '{"message": "took 4242.4 s"}'})
    twice = f"{replay.SENTINEL_TIME} {replay.SENTINEL_TIME}"
    assert not replay.sentinels_only_where_expected({"summary.md": twice})

"""detector_memo.py with detectors.values: lines the detectors found clean are not read again,
a line holding a value they found is never remembered, and the memo keeps digests only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from atlas_ci import detector_memo, detectors

pytestmark = pytest.mark.unit

# Token-shaped values are assembled, never written whole in this repository.
GITHUB = "ghp_" + "4fT9qLm2Xv8Rk1Wz" + "Hc7Np3Bs6Yd0Ge5Ja2Uo"
# Lines the detectors' cheap gate lets through (long identifiers), none of them a credential.
CLEAN = [
    "ruff rule UP035 (deprecated-import)",
    "Function 'render_table_of_contents' has cyclomatic complexity 14 (max 10)",
    'Module "rich.console" has no attribute "render_table_of_contents"',
]


def _detectors_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> Any:
        raise AssertionError("the detectors were asked to read a line known to be clean")

    monkeypatch.setattr(detectors, "_plugins", refuse)


def test_clean_lines_are_not_read_again_in_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = detector_memo.CleanLines(tmp_path)
    assert memo.empty()
    assert detectors.values("\n".join(CLEAN), memo=memo) == set()
    memo.save()

    later = detector_memo.CleanLines(tmp_path)
    assert not later.empty()
    _detectors_forbidden(monkeypatch)
    # Known lines, repeated and in any order: nothing for the detectors to read.
    assert detectors.values("\n".join([*reversed(CLEAN), CLEAN[0]]), memo=later) == set()


def test_a_line_holding_a_found_value_is_never_remembered(tmp_path: Path) -> None:
    dirty = f"Undefined name `{GITHUB}`"
    memo = detector_memo.CleanLines(tmp_path)
    assert detectors.values("\n".join([*CLEAN, dirty]), memo=memo) == {GITHUB}
    memo.save()

    later = detector_memo.CleanLines(tmp_path)
    # The batch's other lines were clean and are remembered; the dirty one is read every time.
    assert later.unknown([*CLEAN, dirty]) == [dirty]
    assert detectors.values("\n".join([*CLEAN, dirty]), memo=later) == {GITHUB}


def test_the_memo_keeps_digests_never_the_text(tmp_path: Path) -> None:
    memo = detector_memo.CleanLines(tmp_path)
    detectors.values("\n".join([*CLEAN, f"token {GITHUB}"]), memo=memo)
    memo.save()
    files = [p for p in (tmp_path / detector_memo.DIRECTORY).rglob("*") if p.is_file()]
    assert len(files) == 1
    data = files[0].read_text()
    assert "deprecated-import" not in data
    assert GITHUB not in data
    entries = json.loads(data)
    assert len(entries) == len(CLEAN)
    assert all(len(e) == 32 and int(e, 16) >= 0 for e in entries)


def test_another_policy_or_detector_version_starts_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = detector_memo.CleanLines(tmp_path)
    detectors.values("\n".join(CLEAN), memo=memo)
    memo.save()
    monkeypatch.setattr(detector_memo, "namespace", lambda: "0" * 32)
    other = detector_memo.CleanLines(tmp_path)
    assert other.empty()
    assert other.unknown(CLEAN) == CLEAN


def test_without_detect_secrets_nothing_is_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(detector_memo, "namespace", lambda: None)
    memo = detector_memo.CleanLines(tmp_path)
    memo.clean(CLEAN)
    memo.save()
    assert not (tmp_path / detector_memo.DIRECTORY).exists()


def test_a_damaged_memo_is_a_miss(tmp_path: Path) -> None:
    memo = detector_memo.CleanLines(tmp_path)
    detectors.values("\n".join(CLEAN), memo=memo)
    memo.save()
    (entry,) = (tmp_path / detector_memo.DIRECTORY).rglob("*.json")
    for damage in ("{not json", json.dumps({"lines": 3}), json.dumps([1, 2])):
        entry.write_text(damage)
        assert detector_memo.CleanLines(tmp_path).unknown(CLEAN) == CLEAN


def test_the_memo_is_bounded_and_keeps_this_runs_lines_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(detector_memo, "MAX_LINES", 4)
    first = detector_memo.CleanLines(tmp_path)
    first.clean([f"old line {i}" for i in range(4)])
    first.save()
    second = detector_memo.CleanLines(tmp_path)
    second.clean(["new line a", "new line b", "new line c"])
    second.save()
    third = detector_memo.CleanLines(tmp_path)
    assert third.unknown(["new line a", "new line b", "new line c"]) == []
    assert len(third.unknown([f"old line {i}" for i in range(4)])) == 3


def test_nothing_new_writes_nothing(tmp_path: Path) -> None:
    memo = detector_memo.CleanLines(tmp_path)
    detectors.values("\n".join(CLEAN), memo=memo)
    memo.save()
    (entry,) = (tmp_path / detector_memo.DIRECTORY).rglob("*.json")
    before = entry.stat().st_mtime_ns
    again = detector_memo.CleanLines(tmp_path)
    assert again.unknown(CLEAN) == []
    again.save()
    assert entry.stat().st_mtime_ns == before

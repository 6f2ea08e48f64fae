"""The history file: whole lines appended under a lock, corrupt lines skipped with a warning."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from atlas_ci import history
from atlas_ci.model import CheckResult, GateResult, Metric, Report, Status


def make_report(
    status: Status = Status.PASSED,
    *,
    commit: str = "c1",
    coverage: float = 90.0,
    started: str = "2026-11-30T10:00:00+00:00",
) -> Report:
    check = CheckResult(
        check="tests.coverage",
        gate="tests",
        status=status,
        duration=1.5,
        tool="coverage",
        tool_version="7.10",
        metrics=(Metric(name="coverage", value=coverage, unit="%", threshold=80, direction="min"),),
    )
    return Report(
        tool_version="0.1",
        commit=commit,
        config_digest="d",
        started_at=started,
        duration=2.0,
        status=status,
        gates=(GateResult(gate="tests", status=status, checks=(check,)),),
    )


def test_record_keeps_statuses_metrics_and_ci_facts() -> None:
    env = {"GITHUB_RUN_ID": "42", "GITHUB_REF_NAME": "main"}
    rec = history.record_of(make_report(Status.FAILED), branch="local", env=env)
    assert rec.run_id == "42"
    assert rec.branch == "main"
    assert rec.status is Status.FAILED
    assert rec.tools == {"coverage": "7.10"}
    (check,) = rec.checks
    assert check.metrics[0].value == 90.0
    assert check.metrics[0].direction == "min"
    line = json.loads(history.encode(rec))
    assert line["schema"] == history.HISTORY_SCHEMA


def test_append_then_load_round_trips(tmp_path: Path) -> None:
    path = tmp_path / ".atlas-ci" / "history.jsonl"
    recs = [
        history.record_of(make_report(started=f"2026-11-2{i}T00:00:00+00:00"), branch=None, env={})
        for i in range(2)
    ]
    history.append(path, recs[:1])
    history.append(path, recs[1:])
    loaded = history.load(path)
    assert loaded.records == tuple(recs)
    assert loaded.warnings == ()
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_corrupt_lines_are_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    good = history.encode(history.record_of(make_report(), branch=None, env={}))
    bad_time = good.replace(b"2026-11-30T10:00:00", b"2026-11-31T10:00:00")
    path.write_bytes(good + b'{"schema": 1, "torn\n' + b"not json at all\n" + bad_time + good)
    loaded = history.load(path)
    assert len(loaded.records) == 2
    assert [w.split(":")[1] for w in loaded.warnings] == ["2", "3", "4"]


def test_a_symlinked_history_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep\n")
    link = tmp_path / "history.jsonl"
    link.symlink_to(target)
    with pytest.raises(OSError, match="symbolic links") as caught:
        history.append(link, [history.record_of(make_report(), branch=None, env={})])
    assert caught.value.errno == errno.ELOOP
    assert target.read_text() == "keep\n"


APPENDER = """
import sys
from pathlib import Path
from atlas_ci import history
from atlas_ci.model import Report, Status
path, worker = Path(sys.argv[1]), sys.argv[2]
for i in range(50):
    rep = Report(tool_version="0.1", commit=f"w{worker}-{i}", config_digest="d",
                 started_at="2026-11-30T10:00:00+00:00", duration=1.0, status=Status.PASSED,
                 gates=())
    history.append(path, [history.record_of(rep, branch=None, env={})])
"""


def test_concurrent_appends_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(path), str(w)]) for w in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    lines = path.read_bytes().splitlines()
    assert len(lines) == 200
    commits = {json.loads(line)["commit"] for line in lines}
    assert len(commits) == 200


def test_rewrite_keeps_only_what_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    recs = [history.record_of(make_report(commit=str(i)), branch=None, env={}) for i in range(3)]
    history.append(path, recs)
    history.rewrite(path, recs[1:])
    assert [r.commit for r in history.load(path).records] == ["1", "2"]
    assert not any(p.name.endswith(".prune") for p in tmp_path.iterdir())
    assert os.stat(path).st_size > 0

"""The instant replay on a fixture: a quiet warm run answers before Typer, Pydantic and the checks
load, writes what the normal warm path writes, and steps aside the moment anything changed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.cli import atlas_ci

GOOD = "def add(a: int, b: int) -> int:\n    return a + b\n"
REPLAY = Path(".atlas-ci") / "cache" / "replay"
# Not under GitHub Actions, whatever the environment running the tests says.
ENV = {"GITHUB_STEP_SUMMARY": ""}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text(GOOD)
    (tmp_path / "src" / "pkg" / "b.py").write_text("import os\n\n\n" + GOOD.replace("add", "sub"))
    (tmp_path / ".gitignore").write_text("reports/\n.atlas-ci/\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def run(repo: Path, *args: str, **env: str) -> tuple[int, bool]:
    """(exit code, whether the normal path ran): it imports Pydantic, the replay never does."""
    res = atlas_ci(*args, cwd=repo, env={**ENV, "PYTHONPROFILEIMPORTTIME": "1", **env})
    imported = {line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines()}
    return res.returncode, "pydantic" in imported


def reports(repo: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((repo / "reports").iterdir()) if p.is_file()}


def timeless(texts: dict[str, str]) -> dict[str, object]:
    """The reports without the run's start time and duration (the only parts a run owns)."""
    out: dict[str, object] = {}
    for name, text in texts.items():
        if name.endswith(".json"):
            data = json.loads(text)
            data.pop("started_at")
            data.pop("duration")
            out[name] = data
        elif name.endswith(".md"):
            out[name] = [ln for ln in text.splitlines() if " started " not in ln]
        else:
            out[name] = text
    return out


def history(repo: Path) -> list[dict[str, object]]:
    lines = (repo / ".atlas-ci" / "history.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_a_quiet_warm_run_is_replayed_as_the_normal_path_writes_it(repo: Path) -> None:
    assert run(repo, "gate", "quality", "-q") == (1, True)  # cold: the unused import in b.py
    assert list((repo / REPLAY).glob("*.json"))
    assert run(repo, "gate", "quality", "-q") == (1, False)  # replayed
    replayed = reports(repo)
    rep = json.loads(replayed["atlas-ci.json"])
    assert all(c["cached"] for g in rep["gates"] for c in g["checks"])
    assert rep["started_at"] != "1901-02-03T04:05:06+00:00"
    assert "4242" not in replayed["summary.md"]
    assert "1901" not in replayed["summary.md"]
    # The normal path's warm run (no record to read) writes the same reports.
    shutil.rmtree(repo / REPLAY)
    assert run(repo, "gate", "quality", "-q") == (1, True)
    assert timeless(reports(repo)) == timeless(replayed)
    # Every run has its history line, replayed or not, readable by `atlas-ci history`.
    lines = history(repo)
    assert len(lines) == 3
    assert {k: v for k, v in lines[1].items() if k not in ("time", "duration")} == {
        k: v for k, v in lines[2].items() if k not in ("time", "duration")
    }
    assert atlas_ci("history", cwd=repo).returncode == 0


def test_any_change_runs_the_normal_path(repo: Path) -> None:
    run(repo, "gate", "quality", "-q")
    assert run(repo, "gate", "quality", "-q") == (1, False)
    # The same bytes with a new modification time are the same tree.
    (repo / "src" / "pkg" / "b.py").touch()
    assert run(repo, "gate", "quality", "-q") == (1, False)
    (repo / "src" / "pkg" / "b.py").write_text(GOOD.replace("add", "sub"))
    assert run(repo, "gate", "quality", "-q") == (0, True)  # fixed: the normal path says so
    assert run(repo, "gate", "quality", "-q") == (0, False)
    (repo / "src" / "pkg" / "c.py").write_text("import sys\n")  # a new, untracked file
    assert run(repo, "gate", "quality", "-q") == (1, True)
    (repo / "atlas-ci.toml").write_text("[gates.quality.lint]\nenabled = false\n")
    assert run(repo, "gate", "quality", "-q")[1]
    assert run(repo, "gate", "quality", "-q", RUFF_CACHE_DIR="elsewhere")[1]


def test_only_quiet_local_runs_of_the_same_command_are_replayed(repo: Path) -> None:
    run(repo, "gate", "quality", "-q")
    assert run(repo, "gate", "quality", "-q") == (1, False)
    assert run(repo, "gate", "quality", "--quiet")[1]  # another command line: its own record
    assert run(repo, "gate", "quality", "-q", "--only", "lint")[1]
    assert run(repo, "gate", "quality")[1]  # not quiet: the normal path prints the table
    assert run(repo, "gate", "quality", "-q", "--no-cache")[1]
    assert run(repo, "gate", "quality", "-q", GITHUB_ACTIONS="true")[1]
    assert run(repo, "gate", "quality", "-q") == (1, False)


def test_a_damaged_record_is_ignored(repo: Path) -> None:
    run(repo, "gate", "quality", "-q")
    (record,) = (repo / REPLAY).glob("*.json")
    record.write_text('{"schema": 1, "facts": "x"')
    assert run(repo, "gate", "quality", "-q") == (1, True)
    data = json.loads(record.read_text())
    data["texts"] = {"../escape.txt": "x"}
    record.write_text(json.dumps(data))
    assert run(repo, "gate", "quality", "-q") == (1, True)
    assert not (repo / "escape.txt").exists()


def test_a_quiet_run_that_prints_nothing_never_loads_rich(repo: Path) -> None:
    def imported(*args: str) -> set[str]:
        res = atlas_ci(*args, cwd=repo, env={**ENV, "PYTHONPROFILEIMPORTTIME": "1"})
        assert res.returncode == 1, res.stderr[-2000:]  # b.py's unused import
        return {line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines()}

    quiet = imported("gate", "quality", "--only", "lint", "-q", "--no-cache")
    assert "pydantic" in quiet  # the normal path ran
    assert "rich" not in quiet
    assert "rich" in imported("gate", "quality", "--only", "lint", "--no-cache")

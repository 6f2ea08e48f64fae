"""The head start on a fixture, with the real tools: after an edit, a quiet run starts the slowest
tool of the last run before its own start-up, the check adopts it, and the reports say what a
cold run says; a file edited after the head start's snapshot keeps the result out of the cache;
a program no check claims does not outlive the run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest
from helpers.cli import REPO, checks, report

GOOD = "def add(a: int, b: int) -> int:\n    return a + b\n"
REPLAY = Path(".atlas-ci") / "cache" / "replay"
# Runs atlas-ci's entry point in-process, logging what the head start started and what the
# checks adopted; argv: log file, an optional Python file run just after the launches, the
# command line. The same driver (the same sys.path) for every run of a test, so the replay
# record's facts compare as for `atlas-ci` itself.
DRIVER = """
import json, runpy, sys
from atlas_ci import early, head_start
log, log_path, after = [], sys.argv[1], sys.argv[2]
sys.argv = ["atlas-ci", *sys.argv[3:]]
launch, claim, start = early.launch, early.claim, head_start.start
def logged_launch(slot, argv, cwd):
    ok = launch(slot, argv, cwd)
    log.append(["launched", slot, ok])
    return ok
def logged_claim(slot, *args, **kwargs):
    held = claim(slot, *args, **kwargs)
    if held is not None:
        log.append(["adopted", slot])
    return held
def then(*args):
    n = start(*args)
    if after:
        runpy.run_path(after)
    return n
early.launch, early.claim, head_start.start = logged_launch, logged_claim, then
from atlas_ci.__main__ import _run
code = _run(sys.argv[1:])
open(log_path, "w").write(json.dumps(log))
sys.exit(code)
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text(GOOD)
    (root / "src" / "pkg" / "b.py").write_text(GOOD.replace("add", "sub"))
    (root / ".gitignore").write_text("reports/\n.atlas-ci/\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (tmp_path / "driver").mkdir()
    (tmp_path / "driver" / "drive.py").write_text(DRIVER)
    return root


def drive(repo: Path, *args: str, after: str = "") -> tuple[int, list[list[Any]]]:
    """(exit code, the head start's log) of `atlas-ci ARGS` through the driver."""
    log = repo.parent / "log.json"
    script = ""
    if after:
        script = str(repo.parent / "after.py")
        Path(script).write_text(after)
    env = {"NO_COLOR": "1", "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    res = subprocess.run(
        [sys.executable, str(repo.parent / "driver" / "drive.py"), str(log), script, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "PYTHONPATH": str(REPO / "src"), "HOME": str(repo.parent)},
        check=False,
    )
    assert res.returncode in (0, 1), res.stderr
    return res.returncode, json.loads(log.read_text())


def findings(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for name, c in checks(report(root)).items():
        out[name] = sorted(
            (
                f["rule_id"],
                f["message"],
                f["fingerprint"],
                json.dumps(f["location"], sort_keys=True),
            )
            for f in c["findings"]
        )
    return out


def test_an_edited_tree_adopts_the_tool_started_ahead(repo: Path) -> None:
    assert drive(repo, "gate", "quality", "-q") == (0, [])  # no record yet: nothing ahead
    (repo / "src" / "pkg" / "b.py").write_text("import os\n\n\n" + GOOD.replace("add", "sub"))
    code, log = drive(repo, "gate", "quality", "-q")
    launched = [entry[1] for entry in log if entry[0] == "launched" and entry[2]]
    assert launched  # the slowest tool of the last run started ahead...
    assert all(["adopted", slot] in log for slot in launched)  # ...and its check took it
    assert code == 1
    ahead = findings(repo)
    assert ahead["quality.lint"]  # the new unused import
    # A cold run of the same tree says the same.
    shutil.rmtree(repo / ".atlas-ci")
    assert drive(repo, "gate", "quality", "-q", "--no-cache") == (1, [])
    assert findings(repo) == ahead
    # The adopted result was stored: an unchanged re-run is served whole from the cache.
    drive(repo, "gate", "quality", "-q")
    (repo / "src" / "pkg" / "b.py").write_text(GOOD.replace("add", "sub"))
    assert drive(repo, "gate", "quality", "-q")[0] == 0
    (repo / "src" / "pkg" / "b.py").write_text("import os\n\n\n" + GOOD.replace("add", "sub"))
    drive(repo, "gate", "quality", "-q")
    shutil.rmtree(repo / REPLAY)
    assert drive(repo, "gate", "quality", "-q")[0] == 1
    assert all(c["cached"] for c in checks(report(repo)).values())


def test_a_run_after_a_head_start_names_the_commit_its_snapshot_read(repo: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "fixture"], cwd=repo, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    drive(repo, "gate", "quality", "-q")
    (repo / "src" / "pkg" / "b.py").write_text("import os\n\n\n" + GOOD.replace("add", "sub"))
    _, log = drive(repo, "gate", "quality", "-q")
    assert any(entry[0] == "adopted" for entry in log)
    assert report(repo)["commit"] == head


def test_a_file_edited_after_the_snapshot_keeps_the_result_out_of_the_cache(repo: Path) -> None:
    drive(repo, "gate", "quality", "-q")
    init = repo / "src" / "pkg" / "__init__.py"
    init.write_text(GOOD + "\n\nx: int = 1\n")
    edit = f"from pathlib import Path\nPath({str(init)!r}).write_text({GOOD + 'y = 2  # ok'!r})\n"
    (record,) = (repo / REPLAY).glob("*.json")
    before = record.read_bytes()
    _, log = drive(repo, "gate", "quality", "-q", after=edit)
    adopted = {entry[1] for entry in log if entry[0] == "adopted"}
    assert adopted
    assert record.read_bytes() == before  # the run left no record of what it may have missed
    # Same content now, and no record to replay: the checks that adopted a program ran again,
    # the others were served from the cache.
    shutil.rmtree(repo / REPLAY)
    drive(repo, "gate", "quality", "-q")
    status = checks(report(repo))
    assert {c for c in status if not status[c]["cached"]} == {s.split("#")[0] for s in adopted}


def test_a_program_no_check_claims_does_not_outlive_the_run(repo: Path) -> None:
    drive(repo, "gate", "quality", "-q")
    (record,) = (repo / REPLAY).glob("*.json")
    entry = json.loads(record.read_text())
    sleeper = shutil.which("sleep") or "/bin/sleep"
    marker = "297.5"
    stray = {"slot": "nobody", "argv": [sleeper, marker], "cwd": str(repo), "took": 99}
    entry["launches"] = [stray]
    record.write_text(json.dumps(entry))
    (repo / "src" / "pkg" / "b.py").write_text(GOOD.replace("add", "mul"))
    _, log = drive(repo, "gate", "quality", "-q")
    assert ["launched", "nobody", True] in log
    alive = [
        p for p in psutil.process_iter(["cmdline"]) if (p.info["cmdline"] or [])[-1:] == [marker]
    ]
    assert alive == []

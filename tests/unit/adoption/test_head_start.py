"""The head start's parts: a program started ahead is adopted only when it is exactly the one
asked for, is killed otherwise or when nobody claims it, and a record names only programs a
check could start; a result is stored only if nothing changed since the snapshot."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas_ci import cache as cache_mod
from atlas_ci import early, head_start, process, repo_state
from atlas_ci.config import load
from atlas_ci.plan import all_checks

ECHO = [sys.executable, "-c", "import sys; print('ahead'); sys.stdout.flush()"]


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    head_start.end()


def test_the_same_program_is_adopted_and_its_output_kept(tmp_path: Path) -> None:
    assert early.launch("slot", ECHO, str(tmp_path))
    with early.tracking() as tracked:
        res = process.run(ECHO, cwd=tmp_path, timeout=30, early="slot")
    assert res.stdout == "ahead\n"
    assert res.returncode == 0
    assert tracked.adopted
    assert tracked.launches == [early.Launch("slot", tuple(ECHO), str(tmp_path), res.duration)]
    assert early.pending() == []


@pytest.mark.parametrize("differs", ["argv", "cwd", "env", "stdin"])
def test_any_difference_kills_the_program_started_ahead(tmp_path: Path, differs: str) -> None:
    sleeper = [shutil.which("sleep") or "/bin/sleep", "60"]
    assert early.launch("slot", sleeper, str(tmp_path))
    held = early._held["slot"].proc
    argv = ECHO if differs == "argv" else sleeper
    cwd = tmp_path / "sub" if differs == "cwd" else tmp_path
    cwd.mkdir(exist_ok=True)
    env = {"ATLAS_CI_TEST_OTHER": "1"} if differs == "env" else None
    with early.tracking() as tracked:
        if differs in ("argv", "cwd", "env"):
            # The fresh run of the same sleeper only has to start: it is cut short.
            process.run(argv, cwd=cwd, timeout=0.5, env=env, early="slot")
        else:
            assert early.claim("slot", sleeper, cwd, None, output_cap=1 << 24, stdin=True) is None
    assert held.poll() is not None  # killed and reaped before the check's own start
    assert not tracked.adopted
    assert early.pending() == []


def test_unclaimed_programs_are_killed_at_the_end(tmp_path: Path) -> None:
    sleeper = [shutil.which("sleep") or "/bin/sleep", "60"]
    assert early.launch("a", sleeper, str(tmp_path))
    proc = early._held["a"].proc
    head_start.end()
    assert proc.poll() is not None
    assert early.pending() == []


def test_result_files_are_removed_before_a_fresh_start_only(tmp_path: Path) -> None:
    out = tmp_path / "result.xml"
    write = [sys.executable, "-c", f"open({str(out)!r}, 'w').write('mine')"]
    out.write_text("stale")
    process.run(ECHO, cwd=tmp_path, timeout=30, outputs=(out,))
    assert not out.exists()  # a stale result file cannot pass for this run's
    assert early.launch("w", write, str(tmp_path))
    early._held["w"].proc.wait()
    process.run(write, cwd=tmp_path, timeout=30, early="w", outputs=(out,))
    assert out.read_text() == "mine"  # the adopted program's own file is kept


def test_records_keep_the_scratch_directory_as_a_placeholder() -> None:
    scratch = head_start.scratch()
    made = [
        early.Launch("quality.types", ("/bin/mypy", "--junit-xml", f"{scratch}/j.xml"), "/r", 2.0),
        early.Launch("quality.lint#0", ("/bin/ruff", "check"), "/r", 0.5),
    ]
    encoded = head_start.encode(made)
    assert encoded is not None
    assert [e["slot"] for e in encoded] == ["quality.types", "quality.lint#0"]  # longest first
    assert encoded[0]["argv"][2] == f"{head_start.SCRATCH_MARK}/j.xml"
    assert head_start.encode([]) is None


def test_only_programs_a_check_could_start_are_allowed() -> None:
    python = sys.executable
    assert head_start.allowed((python, "-m", "atlas_ci.checks.quality.radon_pass"))
    assert not head_start.allowed((python, "-c", "print(1)"))
    assert not head_start.allowed((python, "-m", "pip"))
    other = str(Path(python).with_name("python3"))
    assert not head_start.allowed((other, "-c", "print(1)"))  # no other interpreter either
    assert not head_start.allowed(("/tmp/elsewhere/ruff", "check"))
    ruff = process.resolve(["ruff"])[0]
    assert head_start.allowed((ruff, "check"))


def test_a_record_with_anything_unexpected_starts_nothing(tmp_path: Path) -> None:
    snap = head_start.Snapshot(str(tmp_path), "reports", "tree", {})
    good = {"slot": "s", "argv": [sys.executable, "-m", "atlas_ci.x"], "cwd": str(tmp_path)}
    for bad in (
        {**good, "took": "1"},
        {**good, "took": 1.0, "argv": []},
        {**good, "took": 1.0, "argv": [sys.executable, "-c", "print(1)"]},
        {"slot": 1, "argv": good["argv"], "cwd": str(tmp_path), "took": 1.0},
        {**good, "took": 1.0, "cwd": str(tmp_path.parent)},  # outside the project
    ):
        assert head_start.start([{**good, "took": 1.0}, bad], snap) == 0
        assert early.pending() == []
    assert head_start.start("not a list", snap) == 0
    assert head_start.start([{**good, "took": 1.0}] * (head_start.MAX_LAUNCHES + 1), snap) == 0


def test_only_the_longest_launches_start_leaving_a_core(tmp_path: Path) -> None:
    snap = head_start.Snapshot(str(tmp_path), "reports", "tree", {})
    sleeper = shutil.which("sleep") or "/bin/sleep"
    launches = [
        {"slot": f"s{i}", "argv": [sleeper, "60"], "cwd": str(tmp_path), "took": float(i)}
        for i in range(8)
    ]
    started = head_start.start(launches, snap)
    room = max(1, (os.cpu_count() or 1) - 1)
    assert started == min(room, 8)
    assert early.pending() == sorted(f"s{i}" for i in range(8)[::-1][:started])
    assert head_start.current() == snap


def _setup(root: Path) -> tuple[object, head_start.Snapshot]:
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.py").write_text("x = 1\n")
    (root / "src" / "b.py").write_text("y = 1\n")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    planned = {p.id: p for p in all_checks(load(root), ["quality"])}["quality.lint"]
    found = repo_state.content(root, root / "reports")
    assert found is not None
    return planned, head_start.Snapshot(str(root.resolve()), "reports", *found)


def test_a_result_is_stored_only_if_no_input_changed_since_the_snapshot(tmp_path: Path) -> None:
    planned, snap = _setup(tmp_path)
    cache = cache_mod.ResultCache(tmp_path)
    assert cache.unchanged_since(planned, snap)  # type: ignore[arg-type]
    assert not cache.unchanged_since(planned, None)  # type: ignore[arg-type]
    (tmp_path / "README.md").write_text("not an input of lint\n")
    assert cache_mod.ResultCache(tmp_path).unchanged_since(planned, snap)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        lambda r: (r / "src" / "a.py").write_text("x = 2\n"),  # edited
        lambda r: (r / "src" / "b.py").unlink(),  # deleted
        lambda r: (r / "src" / "c.py").write_text("z = 1\n"),  # added
        lambda r: (r / "pyproject.toml").write_text("[tool.ruff]\n"),  # a config file
    ],
    ids=["edited", "deleted", "added", "config"],
)
def test_any_change_to_an_input_after_the_snapshot_is_seen(tmp_path: Path, change) -> None:  # type: ignore[no-untyped-def]
    planned, snap = _setup(tmp_path)
    change(tmp_path)
    assert not cache_mod.ResultCache(tmp_path).unchanged_since(planned, snap)  # type: ignore[arg-type]


def test_a_program_that_ended_ahead_of_its_check_is_not_timed_out(tmp_path: Path) -> None:
    assert early.launch("slot", ECHO, str(tmp_path))
    early._held["slot"].proc.wait()
    time.sleep(0.05)  # past the timeout below, counted from the program's start
    res = process.run(ECHO, cwd=tmp_path, timeout=0.01, early="slot")
    assert not res.timed_out
    assert res.stdout == "ahead\n"

"""Head start: a quiet `atlas-ci gate` starts its tools before its own start-up is done.

Why: in an edit-and-rerun loop the tools themselves are quick (mypy's incremental run, ruff,
radon on the one edited file) while atlas-ci spends about a third of a second importing Typer,
Pydantic and its models before the first check starts; the tools waited for that. Now the
instant replay's look at the last record (replay.py), when it finds the tree changed but every
other fact the record depends on unchanged (same atlas-ci, interpreter, command line,
environment variables, installed packages, config and baseline files, commit), starts the
longest-running programs the checks ran last time (`launches`, recorded per slot by early.py;
as many as there are cores beyond one, `room`) at once, and the normal path starts meanwhile.
Each check adopts its program only if it asks for exactly the same one (early.py); otherwise
the program is killed and the check runs its own.

What keeps it sound:
- the snapshot (each listed file's digest, repo_state.content) is taken before any launch, so
  the programs cannot have read anything older than it;
- a check that adopted a program is stored in the result cache only if every file of its key
  still has the snapshot's digest (cache.ResultCache.unchanged_since): then the program read
  exactly what the key describes, as when the key's digests are read before a check starts;
- the run's replay record is filed under the snapshot's tree, never a later one, and a run that
  withheld a result from the cache leaves no record at all;
- a record names only programs a check could start, run from inside the project (`allowed`);
- whatever no check claimed is killed at the end of the run (`end`), and on an interrupt with
  every other child.

Files a launched program writes as its result (mypy's JUnit report) go to this process's own
scratch directory (`scratch`), whose path the record stores as a placeholder, so the argv a
check builds is the one that was launched.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeGuard

from atlas_ci import early, process
from atlas_ci.errors import ToolNotFoundError

# Stands for this process's scratch directory in a recorded argv.
SCRATCH_MARK = "<atlas-ci-scratch>"
# Launches a record keeps, at most (one per slot: a slot per check and argv-sized chunk).
MAX_LAUNCHES = 32


class Snapshot(NamedTuple):
    """The tree as it was before the head start's programs started."""

    root: str
    report_dir: str
    tree: str
    files: Mapping[str, str]  # repository-relative name -> digest (repo_state.file_digest)
    commit: str | None = None  # as the replay read it, with the rest of its facts


class _State:
    """This process's head start: its snapshot and scratch directory."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.scratch: Path | None = None


_state = _State()


def scratch() -> Path:
    """This process's private scratch directory (made once, mode 0700; removed by `end`)."""
    with _state.lock:
        if _state.scratch is None or not _state.scratch.is_dir():
            import tempfile  # only here: the replay's start-up path does not need it otherwise

            _state.scratch = Path(tempfile.mkdtemp(prefix="atlas-ci-run-"))
            # A process that never reaches `end` (a library caller, a test) still leaves none.
            atexit.register(shutil.rmtree, _state.scratch, ignore_errors=True)
        return _state.scratch


def encode(launches: Iterable[early.Launch]) -> list[dict[str, Any]] | None:
    """The launches as a record keeps them (scratch paths as `SCRATCH_MARK`), longest first;
    None when there are none to keep or too many."""
    mark = str(_state.scratch) if _state.scratch is not None else None
    kept: dict[str, dict[str, Any]] = {}
    for item in launches:
        if any(SCRATCH_MARK in a for a in item.argv):
            continue
        argv = [a.replace(mark, SCRATCH_MARK) if mark else a for a in item.argv]
        kept[item.slot] = {"slot": item.slot, "argv": argv, "cwd": item.cwd, "took": item.took}
    if not kept or len(kept) > MAX_LAUNCHES:
        return None
    return sorted(kept.values(), key=lambda k: (-k["took"], k["slot"]))


def room() -> int:
    """How many programs to start ahead: one core is left to atlas-ci's own start-up, which
    the programs would otherwise slow as much as they gain (on two cores, one program)."""
    return max(1, (os.cpu_count() or 1) - 1)


def start(launches: object, snap: Snapshot) -> int:
    """Start the longest of a record's launches (`room`) with `snap` as this run's snapshot;
    how many started."""
    chosen = _chosen(launches, snap)
    if not chosen:
        return 0
    with _state.lock:
        _state.snapshot = snap
    where = str(scratch()) if any(SCRATCH_MARK in a for d in chosen for a in d.argv) else ""
    started = 0
    for item in chosen:
        argv = [a.replace(SCRATCH_MARK, where) for a in item.argv]
        started += early.launch(item.slot, argv, item.cwd)
    return started


def _chosen(launches: object, snap: Snapshot) -> list[early.Launch]:
    """The launches to start, longest first; none at all from a record with anything in it
    this version would not have written."""
    if not isinstance(launches, list) or len(launches) > MAX_LAUNCHES:
        return []
    decoded = [_decoded(item) for item in launches]
    fit = [d for d in decoded if d is not None and allowed(d.argv) and _inside(d.cwd, snap)]
    if len(fit) != len(decoded):
        return []
    return sorted(fit, key=lambda d: (-d.took, d.slot))[: room()]


def allowed(argv: tuple[str, ...]) -> bool:
    """Only what a check could have started: a program where process.resolve finds one of its
    name, or this interpreter running one of atlas-ci's own modules, never any other Python.
    (The record lives in the project, which can run code anyway, and only matches facts no one
    else can know; this keeps it from naming anything else all the same.)"""
    if argv[0] == sys.executable or os.path.basename(argv[0]).startswith("python"):
        own = len(argv) > 2 and argv[1] == "-m" and argv[2].startswith("atlas_ci.")
        return argv[0] == sys.executable and own
    try:
        return process.resolve([os.path.basename(argv[0])])[0] == argv[0]
    except ToolNotFoundError:
        return False


def _inside(cwd: str, snap: Snapshot) -> bool:
    """A working directory in the project (the checks run from its root or below)."""
    path, root = os.path.normpath(cwd), snap.root
    return path == root or path.startswith(root.rstrip("/") + "/")


def _decoded(item: object) -> early.Launch | None:
    if not isinstance(item, dict):
        return None
    slot, argv, cwd, took = (item.get(k) for k in ("slot", "argv", "cwd", "took"))
    if not (isinstance(slot, str) and isinstance(cwd, str) and _strings(argv)):
        return None
    if not isinstance(took, int | float) or isinstance(took, bool):
        return None
    return early.Launch(slot, tuple(argv), cwd, float(took))


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def snapshot(root: Path, report_dir: Path) -> Snapshot | None:
    """This run's snapshot, if a head start took one for this root and report directory."""
    with _state.lock:
        snap = _state.snapshot
    if snap is None or snap.root != str(root.resolve()):
        return None
    return snap if snap.report_dir == str(report_dir) else None


def current() -> Snapshot | None:
    with _state.lock:
        return _state.snapshot


def end() -> None:
    """The run is over: unclaimed programs killed, the snapshot and scratch directory gone."""
    early.discard()
    with _state.lock:
        folder = _state.scratch
        _state.snapshot = _state.scratch = None
    if folder is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(folder)

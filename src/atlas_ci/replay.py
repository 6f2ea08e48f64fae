"""Instant replay: a quiet `atlas-ci gate` over an unchanged tree answers from its last record.

Why: when the result cache serves every check, a run still takes about half a second, nearly all
of it Python importing Typer, Pydantic, Rich and the check modules to render reports that come
out the same. Here the entry point, before importing any of that, looks for the record the last
run of the same command left and checks that nothing it depended on changed; then it writes that
run's reports (every check marked cached, as a warm run marks them) with this run's start time
and duration, appends the history line, and exits with the same code. Anything else — no record,
one fact different, anything unreadable — and the normal path runs, so a replay can only ever
say what a warm run would have said.

What must be unchanged (`facts`): atlas-ci's version and interpreter, the command line and
working directory, the environment variables tools and reports read (`ENV_KEYS`), what is
installed in atlas-ci's and the project's interpreters and on PATH (by stat, as cache_env reads
it), where the project root is (config files and `.git` in every parent directory), the commit,
the content of every file git lists (repo_state.py) and of the config and baseline files.

Which runs: `gate TARGET` with `-q`/`--quiet` and only `--only`, `--skip`, `--report-dir` and
`--config` besides (the normal path prints nothing else for them), outside GitHub Actions (its
annotations and step summary are the normal path's). A run leaves a record (pipeline.py calls
`record`) when it printed nothing, sends no alerts, writes no HTML (whose trends change with the
history) and every check it ran was cached or stored in the result cache.

When only the tree changed, the record's slowest programs start here, ahead of the normal path
(head_start.py: the record keeps the programs and a digest of every fact but the tree).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from atlas_ci import (
    __version__,
    env_stamp,
    gate_args,
    head_start,
    interrupts,
    jsonl_file,
    repo_state,
    reportdir,
)
from atlas_ci.text import duration

REPLAY_DIR = ".atlas-ci/cache/replay"
SCHEMA = 1
# Records kept (one per command line and working directory; the oldest go first).
MAX_RECORDS = 16
# The start time and duration a record's reports are rendered with, replaced when replayed.
SENTINEL_TIME = "1901-02-03T04:05:06+00:00"
SENTINEL_DURATION = 4242.424
# How each report format writes the run's duration (reporting.build rounds it to 3 places):
# the JSON report as a number, the Markdown summary as "took 70m 42s" (atlas_ci.text.duration).
_DURATION_MARKS = ('"duration": 4242.424', "took 70m 42s")
# Each mark with the part of it that must occur nowhere else (once in the mark itself).
_SENTINEL_TRACES = tuple(
    zip((SENTINEL_TIME, *_DURATION_MARKS), ("1901-02-03", "4242.4", "70m 42s"), strict=True)
)
_ROOT_FILES = ("atlas-ci.toml", "pyproject.toml")
ENV_KEYS = (
    "PATH",
    "HOME",
    "XDG_CONFIG_HOME",
    "VIRTUAL_ENV",
    "MYPYPATH",
    "NO_COLOR",
    "FORCE_COLOR",
    "TERM",
    "COLUMNS",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_HEAD_REF",
    "GITHUB_REF_NAME",
    "GITHUB_RUN_ID",
    *env_stamp.PATH_VARIABLES,
)
ENV_PREFIXES = ("ATLAS_CI", "RUFF_", "MYPY_", "BANDIT", "DETECT_SECRETS", "RADON")


def servable(args: Sequence[str]) -> bool:
    """A command line the replay may answer: `gate TARGET`, quiet, with the listed options."""
    return gate_args.parse(args) is not None


def this_command() -> tuple[str, ...] | None:
    """This process's command line, if a replay may answer it next time."""
    args = sys.argv[1:]
    return tuple(args) if servable(args) else None


def _under_actions(env: Mapping[str, str]) -> bool:
    return env.get("GITHUB_ACTIONS") == "true" or bool(env.get("GITHUB_STEP_SUMMARY"))


def _record_name(args: Sequence[str], cwd: Path) -> str:
    ident = json.dumps([__version__, sys.executable, str(cwd), list(args)])
    return hashlib.sha256(ident.encode()).hexdigest()[:32] + ".json"


def _environment(env: Mapping[str, str]) -> dict[str, str | None]:
    keys = {*ENV_KEYS, *(k for k in env if k.startswith(ENV_PREFIXES))}
    return {k: env.get(k) for k in sorted(keys)}


def _ancestry(cwd: Path) -> list[str]:
    """What decides the project root (config.find_root): config files upwards by stat, and
    where a `.git` is (only whether it is there: git rewrites its index, so the directory's
    own stat moves with `git status`)."""
    facts = []
    for d in (cwd, *cwd.parents):
        facts += [f"{d / n}:{env_stamp.stat_of(str(d / n))}" for n in _ROOT_FILES]
        facts.append(f"{d}/.git:{os.path.lexists(d / '.git')}")
    return facts


class Inputs(NamedTuple):
    """What a record's facts are computed from, besides the tree's content digest. (A named
    tuple, not a dataclass: importing dataclasses costs this start-up path 10 ms.)"""

    root: Path
    cwd: Path
    args: tuple[str, ...]
    python: str
    python_dirs: tuple[str, ...]
    files: tuple[str, ...]  # config and baseline files, absolute
    # The commit a run read at its start (a record is left at its end: no second git process);
    # unset, it is read when the facts are.
    head: str | None = None
    head_known: bool = False

    def facts(self, tree: str, env: Mapping[str, str]) -> str:
        return _digest(self.parts(env), tree)

    def parts(self, env: Mapping[str, str]) -> dict[str, Any]:
        """Every fact but the tree's content digest."""
        path_dirs = [d for d in env.get("PATH", "").split(os.pathsep) if d]
        # What is installed for atlas-ci itself; entries inside the project (the working
        # directory `-m` puts first, an editable install's src) are its content, digested apart,
        # and their stat moves with any file made there.
        own = [p for p in sys.path if p and not _inside(Path(p), self.root)]
        parts: dict[str, Any] = {
            "schema": SCHEMA,
            "atlas_ci": __version__,
            "args": list(self.args),
            "cwd": str(self.cwd),
            "root": str(self.root),
            "env": _environment(env),
            "interpreter": env_stamp.stamp(sys.executable, own),
            "project_python": env_stamp.stamp(self.python, list(self.python_dirs)),
            "path_dirs": [f"{d}:{env_stamp.stat_of(d)}" for d in path_dirs],
            "ancestry": _ancestry(self.cwd),
            "commit": self.head if self.head_known else repo_state.commit(self.root),
            "files": {f: repo_state.file_digest(Path(f)) for f in self.files},
        }
        return parts


def _digest(parts: Mapping[str, Any], tree: str | None) -> str:
    """The facts' digest; with no tree, the base a head start compares (head_start.py)."""
    whole = {**parts, "tree": tree}
    return hashlib.sha256(json.dumps(whole, sort_keys=True).encode()).hexdigest()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def _duration_text(seconds: float) -> tuple[str, str]:
    """This run's duration as the JSON report and the Markdown summary write it."""
    return f'"duration": {json.dumps(round(seconds, 3))}', f"took {duration(seconds)}"


def stamped(texts: Mapping[str, str], started: str, seconds: float) -> dict[str, str]:
    """The record's texts with this run's start time and duration in place of the sentinels."""
    marks = _duration_text(seconds)
    out: dict[str, str] = {}
    for name, text in texts.items():
        fresh = text.replace(SENTINEL_TIME, started)
        for mark, real in zip(_DURATION_MARKS, marks, strict=True):
            fresh = fresh.replace(mark, real)
        out[name] = fresh
    return out


def sentinels_only_where_expected(texts: Mapping[str, str]) -> bool:
    """Each text names the sentinels at most once each, and nowhere `stamped` would miss: every
    trace of one (its distinctive part) is inside the whole mark `stamped` replaces."""
    for text in texts.values():
        for mark, trace in _SENTINEL_TRACES:
            whole = text.count(mark)
            if whole > 1 or text.count(trace) != whole:
                return False
    return True


def record(
    inputs: Inputs,
    tree: str,
    *,
    report_dir: Path,
    texts: Mapping[str, str],
    history: tuple[Path, dict[str, Any]] | None,
    exit_code: int,
    launches: list[dict[str, Any]] | None = None,
) -> None:
    """Leave the record a replay of this command reads; never raises (a record that cannot be
    written only costs a normal run next time). `launches`: what a head start may start when
    only the tree changed (head_start.py)."""
    if not sentinels_only_where_expected(texts):
        return
    parts = inputs.parts(os.environ)
    entry = {
        "schema": SCHEMA,
        "facts": _digest(parts, tree),
        "base": _digest(parts, None),
        "launches": launches,
        "python": inputs.python,
        "python_dirs": list(inputs.python_dirs),
        "files": list(inputs.files),
        "report_dir": str(report_dir),
        "texts": dict(texts),
        "history": [str(history[0]), history[1]] if history else None,
        "exit_code": exit_code,
    }
    import tempfile  # only where a record is written: the replay itself never needs it

    folder = inputs.root / REPLAY_DIR
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".record.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(entry))  # one write: json.dump writes each token apart
        os.replace(tmp, folder / _record_name(inputs.args, inputs.cwd))
        _trim(folder)


def _trim(folder: Path) -> None:
    aged = sorted((p.stat().st_mtime_ns, p) for p in folder.glob("*.json") if p.is_file())
    for _, old in aged[:-MAX_RECORDS]:
        old.unlink(missing_ok=True)


def _find(args: Sequence[str], cwd: Path) -> tuple[Path, dict[str, Any]] | None:
    name = _record_name(args, cwd)
    for root in (cwd, *cwd.parents):
        path = root / REPLAY_DIR / name
        try:
            entry = json.loads(path.read_bytes())
        except FileNotFoundError:
            continue
        except (OSError, ValueError):
            return None
        return (root, entry) if isinstance(entry, dict) and entry.get("schema") == SCHEMA else None
    return None


def _history_line(payload: dict[str, Any], started: str, seconds: float, root: Path) -> bytes:
    env = os.environ
    line = {
        **payload,
        "time": started,
        "duration": round(seconds, 3),
        "branch": env.get("GITHUB_HEAD_REF")
        or env.get("GITHUB_REF_NAME")
        or repo_state.branch(root),
    }
    return (json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n").encode()


def serve(args: Sequence[str]) -> int | None:
    """The exit code of a replayed run, or None: then the normal path runs."""
    began, started_at = time.monotonic(), datetime.now(UTC)
    if not servable(args) or _under_actions(os.environ):
        return None
    try:
        return _serve(args, Path.cwd().resolve(), began, started_at)
    except Exception:  # any surprise: the normal path decides, as without a record
        return None


def _serve(args: Sequence[str], cwd: Path, began: float, started_at: datetime) -> int | None:
    found = _find(args, cwd)
    if found is None:
        return None
    root, entry = found
    inputs = Inputs(
        root=root,
        cwd=cwd,
        args=tuple(args),
        python=str(entry["python"]),
        python_dirs=tuple(entry["python_dirs"]),
        files=tuple(entry["files"]),
    )
    report_dir = Path(entry["report_dir"])
    content = repo_state.content(root, report_dir)
    if content is None:
        return None
    tree, files = content
    parts = inputs.parts(os.environ)
    if _digest(parts, tree) != entry["facts"]:
        if entry.get("launches") and _digest(parts, None) == entry.get("base"):
            snap = head_start.Snapshot(str(root), str(report_dir), tree, files, parts["commit"])
            head_start.start(entry["launches"], snap)
        return None
    if interrupts.requested():
        return interrupts.EXIT_CODE  # nothing written yet: the last reports stand
    started = started_at.isoformat(timespec="seconds")
    seconds = time.monotonic() - began
    texts = stamped(entry["texts"], started, seconds)
    reportdir.write_files(reportdir.validate(report_dir), texts)
    if entry["history"]:
        path, payload = entry["history"]
        jsonl_file.append(Path(path), _history_line(payload, started, seconds, root))
    return interrupts.EXIT_CODE if interrupts.requested() else int(entry["exit_code"])

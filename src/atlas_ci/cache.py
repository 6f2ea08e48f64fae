"""Result cache: a check whose inputs did not change returns its previous result at once.

Cached: the static checks (quality.lint, .format, .types, .complexity, security.bandit, .secrets,
.workflows), whose result is a function of files in the repository, the tool and the settings.
The key covers the check, atlas-ci's and the tool's versions, the check's and its gate's settings,
the project's paths, exclude, changed-files scope and interpreter, the content of the config files
the tools read (`CONFIG_FILES`), and the content of every file of the repository's file set that
the check reads: Python sources for the Python tools, every file for the secrets scan, `.github/`
and `action.yml` for the workflow audit. quality.types also depends on what is installed in the
project interpreter (mypy follows imports into it), so its key includes that interpreter's
installed distributions (listed once and remembered by the stat of its `sys.path`: cache_env.py).
When no result of quality.types is stored at all, no key can hit: the check then starts at once
and the listing runs beside it (`key_soon`), so a cold run does not wait for it.

Not cached, because their result depends on more than the tree: the tests gate (the environment,
the clock, the network a test may touch), perf and reliability (the machine's behaviour is the
measurement), security.dependencies and security.safety (advisory databases change without any
commit), deploy (builds and installs), and third-party checks (atlas-ci cannot know their inputs).
Errors are never cached (most are transient), nor results that left artifacts in the report
directory (a cached result could not bring them back).

Entries live in `.atlas-ci/cache/<check>/<key>.json`, at most `MAX_ENTRIES` per check (the oldest
go first); `--no-cache` skips the cache both ways. A run stages its entries while its checks run
and writes them once they are redacted (`flush`): the cache holds only what a report may show,
and a cached result can skip the redaction's detectors. Beside a result an entry keeps the notes
that let the check feed the redaction again when the result is served (cache_replay.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from atlas_ci import __version__, cache_env, fileset, repo_state
from atlas_ci.cache_replay import Note
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.early import Launch
from atlas_ci.head_start import Snapshot
from atlas_ci.model import CheckResult, Status
from atlas_ci.plan import Planned

CACHE_DIR = ".atlas-ci/cache"
MAX_ENTRIES = 4
PYTHON_TOOLS = frozenset(
    {"quality.lint", "quality.format", "quality.types", "quality.complexity", "security.bandit"}
)
CACHEABLE = PYTHON_TOOLS | {"security.secrets", "security.workflows"}
CONFIG_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    "ruff.toml",
    ".ruff.toml",
    "mypy.ini",
    ".mypy.ini",
    ".bandit",
    ".secrets.baseline",
    "radon.cfg",
    "atlas-ci.toml",
    ".gitignore",
)
PYTHON_SUFFIXES = (".py", ".pyi")
# The installed-distributions digests, remembered by stat (cache_env.py).
ENVIRONMENTS = "environments.json"
# The checks whose key includes the project interpreter's installed distributions.
_ENVIRONMENT_KEYED = frozenset({"quality.types"})


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    result: CheckResult
    replay: tuple[dict[str, Any], ...] = ()


def _digest(facts: dict[str, Any] | None) -> str | None:
    return _sha(json.dumps(facts, sort_keys=True).encode()) if facts is not None else None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now(path: Path) -> str:
    return repo_state.file_digest(path)


def _same(now: dict[str, str], then: dict[str, str], root: Path) -> bool:
    """The key's files have the snapshot's digests, and a file only the snapshot lists is one
    the file set leaves out, unchanged (not one gone since)."""
    if any(then.get(name) != digest for name, digest in now.items()):
        return False
    return all(_now(root / name) == digest for name, digest in then.items() if name not in now)


def _configs_same(snap: Snapshot, root: Path) -> bool:
    present = [n for n in CONFIG_FILES if (root / n).is_file()]
    return all(snap.files.get(n) == _now(root / n) for n in present)


def _relevant(check: str) -> Callable[[str], bool]:
    if check in PYTHON_TOOLS:
        return lambda name: name.endswith(PYTHON_SUFFIXES)
    if check == "security.workflows":
        return lambda name: name.startswith(".github/") or name in ("action.yml", "action.yaml")
    return lambda name: True


class ResultCache:
    """One run's view of the cache: file digests computed once, shared by every check."""

    def __init__(self, root: Path, directory: Path | None = None) -> None:
        self.root = root
        self.directory = directory or root / CACHE_DIR
        self._lock = threading.Lock()
        # Its own lock: listing an interpreter's distributions starts it (a quarter of a second
        # when not remembered), and the other checks' keys must not wait for that.
        self._env_lock = threading.Lock()
        self._files: dict[str, str] | None = None
        self._environments: dict[str, str] = {}
        # check id -> (key, replay notes) of results this run computed, written by `flush`.
        self._staged: dict[str, tuple[str, tuple[Note, ...]]] = {}
        # check id -> the slotted programs its stored result ran (a head start's launches).
        self._staged_launches: dict[str, tuple[Launch, ...]] = {}
        self._launches: list[Launch] = []
        # Checks whose fresh result must not be kept: not in the cache, not in a replay record.
        self._withheld: set[str] = set()

    def _file_digests(self) -> dict[str, str]:
        with self._lock:
            if self._files is None:
                digests = {}
                for name in fileset.repository_files(self.root):
                    try:
                        digests[name] = _sha((self.root / name).read_bytes())
                    except OSError:
                        digests[name] = "unreadable"
                self._files = digests
            return self._files

    def _environment(self, python: str) -> str:
        with self._env_lock:
            if python not in self._environments:
                memo = cache_env.EnvironmentDigests(self.directory / ENVIRONMENTS)
                # An interpreter that cannot list what it holds: never a cache hit.
                found = memo.digest(python, self.root)
                self._environments[python] = found or f"unusable:{os.urandom(8).hex()}"
            return self._environments[python]

    def key(self, planned: Planned, project: ProjectInfo, tool_version: str | None) -> str | None:
        """The check's input digest; None when the check is not cacheable."""
        facts = self._facts(planned, project, tool_version)
        if facts is not None and planned.id in _ENVIRONMENT_KEYED:
            facts["environment"] = self._environment(project.python)
        return _digest(facts)

    def key_soon(
        self, planned: Planned, project: ProjectInfo, tool_version: str | None
    ) -> Callable[[], str | None]:
        """The same key, the interpreter's listing made while the check runs: for a check with
        no stored result (`holds`), whose key cannot hit, so it need not wait for the listing.
        The files' part is read now, before the check reads them, as `key` reads it."""
        facts = self._facts(planned, project, tool_version)
        if facts is None or planned.id not in _ENVIRONMENT_KEYED:
            key = _digest(facts)
            return lambda: key
        listed: list[str] = []

        def listing() -> None:
            listed.append(self._environment(project.python))

        thread = threading.Thread(target=listing, name="env-listing", daemon=True)
        thread.start()

        def finished() -> str | None:
            thread.join()
            # A listing cut short (an interrupt stops new programs): the result is not stored.
            return _digest({**facts, "environment": listed[0]}) if listed else None

        return finished

    @staticmethod
    def serves(planned: Planned) -> bool:
        """Whether the cache keeps results of this planned check (a skip is never stored)."""
        return planned.id in CACHEABLE and planned.skip_reason is None

    def holds(self, check: str) -> bool:
        """Whether any result of `check` is stored (without one, no key can hit)."""
        try:
            with os.scandir(self.directory / check) as entries:
                return any(e.name.endswith(".json") for e in entries)
        except OSError:
            return False

    def _facts(
        self, planned: Planned, project: ProjectInfo, tool_version: str | None
    ) -> dict[str, Any] | None:
        if not self.serves(planned):
            return None
        relevant = _relevant(planned.id)
        files = {n: d for n, d in self._file_digests().items() if relevant(n)}
        configs = {
            n: _sha((self.root / n).read_bytes()) for n in CONFIG_FILES if (self.root / n).is_file()
        }
        return {
            "check": planned.id,
            "atlas_ci": __version__,
            "tool": tool_version,
            "settings": planned.settings.model_dump(mode="json"),
            "gate": planned.gate_settings.model_dump(mode="json"),
            "paths": list(project.paths),
            "exclude": list(project.exclude),
            # A changed-files run checks part of the tree: its result is not a whole run's.
            "scope": None if project.files is None else sorted(project.files),
            "python": project.python,
            "configs": configs,
            "files": files,
        }

    def _path(self, check: str, key: str) -> Path:
        return self.directory / check / f"{key}.json"

    def get(self, check: str, key: str) -> CheckResult | None:
        found = self.entry(check, key)
        return found[0] if found else None

    def entry(self, check: str, key: str) -> tuple[CheckResult, tuple[Note, ...]] | None:
        """The cached result (marked cached) and its replay notes; None on a miss."""
        path = self._path(check, key)
        try:
            entry = _Entry.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            return None
        res = entry.result.model_copy(update={"cached": True, "duration": 0.0})
        return res, entry.replay

    def stage(
        self, check: str, key: str, replay: Iterable[Note] = (), launches: Iterable[Launch] = ()
    ) -> None:
        """Remember that this run computed `check` under `key`; `flush` stores its result."""
        with self._lock:
            self._staged[check] = (key, tuple(replay))
            self._staged_launches[check] = tuple(launches)

    def flush(self, results: Iterable[CheckResult]) -> None:
        """Store the staged checks' results: call with the run's results once redacted."""
        with self._lock:
            staged, self._staged = self._staged, {}
            launched, self._staged_launches = self._staged_launches, {}
        for res in results:
            if res.check in staged and not res.cached:
                key, replay = staged[res.check]
                if self.put(res.check, key, res, replay):
                    self._launches.extend(launched.get(res.check, ()))

    def withhold(self, check: str) -> None:
        """Keep this run's result of `check` out of the cache and this run out of the replay
        records (its inputs changed while it ran: unchanged_since)."""
        with self._lock:
            self._withheld.add(check)

    def withheld(self) -> bool:
        with self._lock:
            return bool(self._withheld)

    def launches(self) -> list[Launch]:
        """The slotted programs of the checks this run stored (what a head start may start)."""
        return list(self._launches)

    def unchanged_since(self, planned: Planned, snap: Snapshot | None) -> bool:
        """Whether every file the check's key covers has the digest `snap` took before a head
        start launched its program (then the program read what the key describes)."""
        if snap is None or snap.root != str(self.root.resolve()):
            return False
        relevant = _relevant(planned.id)
        now = {n: d for n, d in self._file_digests().items() if relevant(n)}
        then = {n: d for n, d in snap.files.items() if relevant(n)}
        return _same(now, then, self.root) and _configs_same(snap, self.root)

    def put(self, check: str, key: str, res: CheckResult, replay: Iterable[Note] = ()) -> bool:
        """Store a passed or failed result that left no artifact; whether it was stored. Never
        raises (a cache that cannot be written only costs speed)."""
        if res.status not in (Status.PASSED, Status.FAILED) or res.artifacts:
            return False
        folder = self.directory / check
        entry = _Entry(result=res, replay=tuple(dict(n) for n in replay))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".entry.")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(entry.model_dump_json())
            os.replace(tmp, self._path(check, key))
            self._trim(folder)
        except OSError:
            return False
        return True

    def _trim(self, folder: Path) -> None:
        entries = sorted(
            (p for p in folder.glob("*.json") if p.is_file() and not p.is_symlink()),
            key=lambda p: p.stat().st_mtime,
        )
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)

"""Result cache: a check whose inputs did not change returns its previous result at once.

Cached: the static checks (quality.lint, .format, .types, .complexity, security.bandit, .secrets,
.workflows), whose result is a function of files in the repository, the tool and the settings.
The key covers the check, atlas-ci's and the tool's versions, the check's and its gate's settings,
the project's paths, exclude, changed-files scope and interpreter, the content of the config files
the tools read (`CONFIG_FILES`), and the content of every file of the repository's file set that
the check reads: Python sources for the Python tools, every file for the secrets scan, `.github/`
and `action.yml` for the workflow audit. quality.types also depends on what is installed in the
project interpreter (mypy follows imports into it), so its key includes that interpreter's
installed distributions.

Not cached, because their result depends on more than the tree: the tests gate (the environment,
the clock, the network a test may touch), perf and reliability (the machine's behaviour is the
measurement), security.dependencies and security.safety (advisory databases change without any
commit), deploy (builds and installs), and third-party checks (atlas-ci cannot know their inputs).
Errors are never cached (most are transient), nor results that left artifacts in the report
directory (a cached result could not bring them back).

Entries live in `.atlas-ci/cache/<check>/<key>.json`, at most `MAX_ENTRIES` per check (the oldest
go first); `--no-cache` skips the cache both ways.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from atlas_ci import __version__, fileset, process
from atlas_ci.checks.base import ProjectInfo
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
DISTRIBUTIONS = (
    "import importlib.metadata as m, json; "
    "print(json.dumps(sorted(f\"{d.metadata['Name']}=={d.version}\" for d in m.distributions())))"
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
        self._files: dict[str, str] | None = None
        self._environments: dict[str, str] = {}

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
        with self._lock:
            if python not in self._environments:
                try:
                    res = process.run([python, "-c", DISTRIBUTIONS], cwd=self.root, timeout=60)
                    listing = res.stdout if res.returncode == 0 else f"unknown:{res.returncode}"
                except Exception as exc:  # an unusable interpreter: never a cache hit
                    listing = f"unusable:{os.urandom(8).hex()}:{exc}"
                self._environments[python] = _sha(listing.encode())
            return self._environments[python]

    def key(self, planned: Planned, project: ProjectInfo, tool_version: str | None) -> str | None:
        """The check's input digest; None when the check is not cacheable."""
        if planned.id not in CACHEABLE or planned.skip_reason is not None:
            return None
        relevant = _relevant(planned.id)
        files = {n: d for n, d in self._file_digests().items() if relevant(n)}
        configs = {
            n: _sha((self.root / n).read_bytes()) for n in CONFIG_FILES if (self.root / n).is_file()
        }
        facts = {
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
        if planned.id == "quality.types":
            facts["environment"] = self._environment(project.python)
        return _sha(json.dumps(facts, sort_keys=True).encode())

    def _path(self, check: str, key: str) -> Path:
        return self.directory / check / f"{key}.json"

    def get(self, check: str, key: str) -> CheckResult | None:
        path = self._path(check, key)
        try:
            res = CheckResult.model_validate_json(path.read_bytes())
        except (OSError, ValidationError, ValueError):
            return None
        return res.model_copy(update={"cached": True, "duration": 0.0})

    def put(self, check: str, key: str, res: CheckResult) -> None:
        """Store a passed or failed result that left no artifact; never raises (a cache that
        cannot be written only costs speed)."""
        if res.status not in (Status.PASSED, Status.FAILED) or res.artifacts:
            return
        folder = self.directory / check
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".entry.")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(res.model_dump_json())
            os.replace(tmp, self._path(check, key))
            self._trim(folder)
        except OSError:
            return

    def _trim(self, folder: Path) -> None:
        entries = sorted(
            (p for p in folder.glob("*.json") if p.is_file() and not p.is_symlink()),
            key=lambda p: p.stat().st_mtime,
        )
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)

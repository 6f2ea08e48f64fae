"""What is installed in an interpreter, as a digest for the result cache, remembered by stat.

quality.types' key includes the project interpreter's installed distributions (mypy follows
imports into them). Listing them starts that interpreter (a few tenths of a second, the longest
part of a warm run), so the listing is remembered with the directories it was read from: every
entry of the interpreter's `sys.path` (and its user site directory), each by its stat. Installing,
removing or upgrading a distribution adds, removes or renames a `*.dist-info` / `*.egg-info`
entry in one of them, which changes that directory's modification time; so does a new `.pth`
file. The interpreter's own file and the environment variables that change `sys.path` are in
the stamp too. Any difference, or anything unreadable, lists afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from atlas_ci import process
from atlas_ci.env_stamp import stamp

# `-c` puts the working directory first on sys.path: left out, as mypy leaves it out of the
# interpreter's packages (and the repository's own files are in the key anyway).
LISTING = (
    "import importlib.metadata as m, json, site, sys; "
    "path = [p for p in sys.path if p]; "
    "print(json.dumps({"
    "'dists': sorted(f\"{d.metadata['Name']}=={d.version}\" for d in m.distributions(path=path)),"
    " 'path': path, 'user_site': site.getusersitepackages()}))"
)
MAX_INTERPRETERS = 8


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class EnvironmentDigests:
    """Digests of interpreters' installed distributions, remembered in `memo` (a JSON file)."""

    def __init__(self, memo: Path) -> None:
        self.memo = memo

    def digest(self, python: str, cwd: Path) -> str | None:
        """The digest, or None when the interpreter cannot list them (never a cache hit)."""
        known = self._load()
        entry = known.get(python)
        if isinstance(entry, dict) and entry.get("stamp") == stamp(python, entry.get("dirs", [])):
            return str(entry["digest"])
        listed = self._list(python, cwd)
        if listed is None:
            return None
        dirs, digest = listed
        known.pop(python, None)
        known[python] = {"dirs": dirs, "stamp": stamp(python, dirs), "digest": digest}
        self._save(dict(list(known.items())[-MAX_INTERPRETERS:]))
        return digest

    def _list(self, python: str, cwd: Path) -> tuple[list[str], str] | None:
        try:
            res = process.run([python, "-c", LISTING], cwd=cwd, timeout=60)
            data = json.loads(res.stdout) if res.returncode == 0 else {}
            dists, path, user_site = data["dists"], data["path"], data["user_site"]
        except Exception:  # an unusable interpreter or output: no digest, so no hit
            return None
        dirs = sorted({str(p) for p in path})
        if user_site:
            dirs.append(str(user_site))
        return dirs, _sha(json.dumps(dists))

    def _load(self) -> dict[str, object]:
        try:
            data = json.loads(self.memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, known: dict[str, object]) -> None:
        """Never raises: a memo that cannot be written only costs a listing next time."""
        try:
            self.memo.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.memo.parent, prefix=".env.")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(known, out)
            os.replace(tmp, self.memo)
        except OSError:
            return

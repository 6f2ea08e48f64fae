"""Repository-relative paths for reports: nothing absolute and nothing outside the root gets out."""

from __future__ import annotations

import functools
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import quote

_WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:/")


# Every finding's path is asked for several times (line hashes, each report, the baseline),
# and a run's findings share few paths: each (path, root) is worked out once.
@functools.lru_cache(maxsize=16384)
def repo_relative(path: str, root: Path | None = None) -> str | None:
    """`path` as a normalized POSIX path inside the repository, or None if it is not one.

    Absolute paths are accepted only when they lie under `root`; `..` escapes, empty paths and
    the root itself (not a file) give None, so callers fall back to their location-less form.
    """
    # Locations should already be POSIX, but a tool run on Windows may still print backslashes.
    text = path.strip().replace("\\", "/")
    if not text:
        return None
    # A POSIX path is absolute exactly when it starts with "/" (what PurePosixPath.is_absolute
    # says, without building a path object per finding).
    if text.startswith("/") or _WINDOWS_ABSOLUTE.match(text):
        text = _under_root(text, root) or ""
        if not text:
            return None
    rel = posixpath.normpath(text)
    if rel in (".", "..") or rel.startswith("../") or rel.startswith("/"):
        return None
    return rel


def _under_root(text: str, root: Path | None) -> str | None:
    if root is None:
        return None
    target = Path(os.path.normpath(text))
    # Try the root as given and as resolved: tools print either, depending on symlinks (/tmp, /var).
    for base in (Path(os.path.normpath(root.absolute())), root.resolve()):
        try:
            return target.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def to_uri(rel: str) -> str:
    """A relative URI reference for a repo-relative path (spaces, `#`, `%`, `:` percent-encoded)."""
    return quote(rel, safe="/")

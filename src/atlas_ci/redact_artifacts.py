"""The redaction pass over the tool files checks leave in the report directory (JUnit, coverage).

pytest's JUnit XML quotes assertion messages, captured output and source lines; a secret in any
of them would otherwise be uploaded with the reports. Before the run ends, the files that carry
tool text (everything under junit/ and coverage/, and the checks' .xml/.txt/.log artifacts) get
the whole redaction pass, detectors included; every other file there (SBOMs, charts, HTML and JSON
data, built packages) gets the run's known secret values masked: the detectors would take their
hashes and ids for secrets. Symlinks are never followed (a link to
elsewhere is not ours to rewrite); files are replaced atomically, never written through.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Collection
from pathlib import Path

from atlas_ci import redact

# Top-level folders of the report directory that hold tool output, and the artifact suffixes
# of tool text (logs, captured output, JUnit-like XML).
TOOL_DIRS = ("junit", "coverage")
TEXT_SUFFIXES = (".xml", ".txt", ".log")
# Text files up to this size get the detectors too; bigger ones (and binary files such as
# coverage's SQLite data) get the known values masked byte for byte, keeping their structure.
MAX_TEXT_BYTES = 32 * 1024 * 1024
_SNIFF = 8192


def scrub(
    report_dir: Path, artifacts: Collection[str] = (), skip: Collection[str] = ()
) -> list[str]:
    """Redact every regular file under `report_dir` but the `skip` names (relative POSIX paths:
    atlas-ci's own reports, rendered from the redacted Report). `artifacts` (relative paths the
    checks reported) are tool files. Returns the relative paths that changed."""
    changed = []
    for dirpath, _dirs, files in os.walk(report_dir, followlinks=False):
        for name in files:
            path = Path(dirpath, name)
            rel = path.relative_to(report_dir).as_posix()
            if rel in skip or name.startswith(".atlas-ci-redact."):
                continue
            tool_file = rel.split("/", 1)[0] in TOOL_DIRS or (
                rel in artifacts and rel.endswith(TEXT_SUFFIXES)
            )
            if _scrub_file(path, detect=tool_file):
                changed.append(rel)
    return sorted(changed)


def _scrub_file(path: Path, *, detect: bool) -> bool:
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return False
        data = path.read_bytes()
    except OSError:
        return False
    new = _redacted(data) if detect else _known_only(data)
    if new == data:
        return False
    _replace(path, new, stat.S_IMODE(info.st_mode))
    return True


def _redacted(data: bytes) -> bytes:
    if len(data) > MAX_TEXT_BYTES or b"\0" in data[:_SNIFF]:
        return redact.mask_known(data)
    text = data.decode("utf-8", errors="surrogateescape")
    return redact.artifact_text(text).encode("utf-8", errors="surrogateescape")


def _known_only(data: bytes) -> bytes:
    if b"\0" in data[:_SNIFF]:
        return redact.mask_known(data)
    text = data.decode("utf-8", errors="surrogateescape")
    return redact.known_only(text).encode("utf-8", errors="surrogateescape")


def _replace(path: Path, data: bytes, mode: int) -> None:
    """Temp file beside it, then rename over it: the name is replaced, never written through."""
    fd, tmp = tempfile.mkstemp(prefix=".atlas-ci-redact.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

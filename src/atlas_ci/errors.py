"""The project's own errors; `cli.py` alone turns them into messages and exit codes."""

from __future__ import annotations


class AtlasCIError(Exception):
    """Base of every error atlas-ci raises on purpose."""


class ConfigError(AtlasCIError):
    """Bad configuration or usage: exit 2, nothing ran. Message names the file, key and line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file, self.key, self.line = file, key, line
        where = ":".join(p for p in (file, str(line) if line else None) if p)
        parts = [p for p in (where, f"'{key}'" if key else None) if p]
        prefix = " ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ToolNotFoundError(AtlasCIError):
    """A check's program is not installed or cannot be started."""

    def __init__(self, program: str, detail: str = "") -> None:
        self.program = program
        msg = f"program not found: {program}"
        super().__init__(f"{msg} ({detail})" if detail else msg)


class CheckError(AtlasCIError):
    """A check could not run or could not judge (unreadable output, crash): the check is `error`."""


class ReportDirError(AtlasCIError):
    """A file in the report directory cannot be written safely (full disk, symlink in the way)."""

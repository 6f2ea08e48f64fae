"""Files inside the report directory: no symlink followed, nothing outside touched, atomic writes.

Every path below the report directory is walked one component at a time with directory file
descriptors opened `O_NOFOLLOW`, so a symlink planted at `reports/junit` or `reports/coverage`
is refused instead of being followed (it would let atlas-ci write or delete files elsewhere).
The report directory itself may be a symlink: that is where the user asked reports to go.
Files are created with mode 0666 less the umask (0644 under the usual 022), never mkstemp's 0600.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

from atlas_ci.errors import ConfigError, ReportDirError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def validate(path: Path) -> Path:
    """The report directory, created and proven writable before anything runs (else exit 2)."""
    shown = str(path)
    if path.exists() and not path.is_dir():
        raise ConfigError("the report directory is not a directory", file=shown)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".atlas-ci-probe.{secrets.token_hex(6)}"
        os.close(os.open(probe, _NEW_FILE, 0o600))
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"cannot write to the report directory: {exc.strerror or exc}", file=shown
        ) from None
    return path.resolve()


def check_targets(root: Path, names: list[str]) -> None:
    """A report name taken by a directory (say `atlas-ci.json/`) is a usage error, found first."""
    for name in names:
        target = root.joinpath(*_parts(name))
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            if stat.S_ISDIR(target.lstat().st_mode):
                raise ConfigError(
                    "is a directory where atlas-ci writes a report; remove or rename it",
                    file=str(target),
                )


def _parts(rel: str) -> list[str]:
    pure = PurePosixPath(rel)
    parts = list(pure.parts)
    if not parts or pure.is_absolute() or any(p in {"..", "."} for p in parts):
        raise ReportDirError(f"report path escapes the report directory: {rel}")
    return parts


@contextlib.contextmanager
def _directory(root: Path, parts: list[str]) -> Iterator[int]:
    """An fd of root/parts, each component created if missing and never a symlink."""
    # The report directory itself (validated before the run) may be a symlink: the user's choice.
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for index, name in enumerate(parts):
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o777, dir_fd=fd)
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in {errno.ELOOP, errno.ENOTDIR}:
                    where = "/".join(parts[: index + 1])
                    raise ReportDirError(
                        f"{root / where} is a symlink or not a directory; atlas-ci never "
                        "follows symlinks in the report directory: remove it"
                    ) from None
                raise
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _wrap(root: Path, exc: OSError) -> ReportDirError:
    return ReportDirError(f"cannot write in the report directory {root}: {exc.strerror or exc}")


def ensure_dir(root: Path, rel: str) -> Path:
    """root/rel as a real directory (created as needed); a symlink on the way is refused."""
    try:
        with _directory(root, _parts(rel)):
            pass
    except OSError as exc:
        raise _wrap(root, exc) from None
    return root.joinpath(*_parts(rel))


def remove_file(root: Path, rel: str) -> Path:
    """Unlink root/rel (a symlink there is removed itself, its target untouched); missing is ok."""
    *parents, name = _parts(rel)
    try:
        with _directory(root, parents) as fd:
            try:
                mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
            except FileNotFoundError:
                return root.joinpath(*parents, name)
            if stat.S_ISDIR(mode):
                raise ReportDirError(f"{root / rel} is a directory where a file is expected")
            os.unlink(name, dir_fd=fd)
    except OSError as exc:
        raise _wrap(root, exc) from None
    return root.joinpath(*parents, name)


def clear_dir(root: Path, rel: str) -> Path:
    """root/rel emptied (created if missing); rmtree by fd never follows a symlink inside."""
    *parents, name = _parts(rel)
    try:
        with _directory(root, parents) as fd:
            with contextlib.suppress(FileNotFoundError):
                mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
                if stat.S_ISLNK(mode):
                    raise ReportDirError(
                        f"{root / rel} is a symlink; atlas-ci never follows symlinks in the "
                        "report directory: remove it"
                    )
                if stat.S_ISDIR(mode):
                    shutil.rmtree(name, dir_fd=fd)
                else:
                    os.unlink(name, dir_fd=fd)
            os.mkdir(name, 0o777, dir_fd=fd)
    except OSError as exc:
        raise _wrap(root, exc) from None
    return root.joinpath(*parents, name)


def write_files(root: Path, files: Mapping[str, str]) -> list[Path]:
    """Write every file, all or nothing: each is staged (temp + fsync) before any is renamed.

    A failure while staging (ENOSPC, EIO...) removes the temp files and leaves every previous
    report as it was. The rename replaces a symlink itself, never what it points to.
    """
    staged: list[tuple[int, str, str]] = []
    try:
        for rel, text in files.items():
            staged.append(_stage(root, rel, text.encode("utf-8")))
        for fd, tmp, name in staged:
            os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except ReportDirError:
        _discard(staged)
        raise
    except OSError as exc:
        _discard(staged)
        raise ReportDirError(
            f"cannot write the reports in {root}: {exc.strerror or exc}; "
            "the previous reports are unchanged"
        ) from None
    finally:
        for fd, _, _ in staged:
            os.close(fd)
    return [root.joinpath(rel) for rel in files]


def _discard(staged: list[tuple[int, str, str]]) -> None:
    for fd, tmp, _ in staged:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=fd)


def _stage(root: Path, rel: str, data: bytes) -> tuple[int, str, str]:
    *parents, name = _parts(rel)
    with _directory(root, parents) as fd:
        dir_fd = os.dup(fd)
    try:
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISDIR(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
                raise IsADirectoryError(errno.EISDIR, f"{rel} is a directory", rel)
        tmp = f".{name}.{secrets.token_hex(6)}.tmp"
        out = os.open(tmp, _NEW_FILE, 0o666, dir_fd=dir_fd)
        try:
            _write_all(out, data)
            os.fsync(out)
        except OSError:
            os.close(out)
            os.unlink(tmp, dir_fd=dir_fd)
            raise
        os.close(out)
    except OSError:
        os.close(dir_fd)
        raise
    return dir_fd, tmp, name


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]

"""reportdir: no symlink in the report directory is followed; writes are atomic, all or nothing."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from atlas_ci import reportdir
from atlas_ci.errors import ConfigError, ReportDirError


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory outside the report directory, with a file that must never change."""
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("precious")
    (target / "unit.xml").write_text("theirs")
    return target


def _untouched(target: Path) -> None:
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt", "unit.xml"]
    assert (target / "keep.txt").read_text() == "precious"
    assert (target / "unit.xml").read_text() == "theirs"


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    path = tmp_path / "reports"
    path.mkdir()
    return path


def test_writes_are_0644_under_umask_022_and_leave_no_temp_file(reports: Path) -> None:
    old = os.umask(0o022)
    try:
        written = reportdir.write_files(reports, {"a.json": "{}", "sub/b.md": "# b"})
    finally:
        os.umask(old)
    assert written == [reports / "a.json", reports / "sub" / "b.md"]
    assert stat.S_IMODE((reports / "a.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((reports / "sub").stat().st_mode) == 0o755
    assert sorted(p.name for p in reports.rglob("*")) == ["a.json", "b.md", "sub"]


@pytest.mark.parametrize("link", ["junit", "coverage"])
def test_a_symlinked_subdirectory_is_refused_not_followed(
    reports: Path, outside: Path, link: str
) -> None:
    (reports / link).symlink_to(outside)
    with pytest.raises(ReportDirError, match="symlink"):
        reportdir.remove_file(reports, f"{link}/unit.xml")
    with pytest.raises(ReportDirError, match="symlink"):
        reportdir.clear_dir(reports, f"{link}/unit")
    with pytest.raises(ReportDirError, match="symlink"):
        reportdir.write_files(reports, {f"{link}/unit.xml": "mine"})
    with pytest.raises(ReportDirError, match="symlink"):
        reportdir.ensure_dir(reports, f"{link}/deeper")
    _untouched(outside)


def test_clear_dir_refuses_a_symlink_and_never_follows_one_inside(
    reports: Path, outside: Path
) -> None:
    (reports / "coverage").mkdir()
    (reports / "coverage" / "unit").symlink_to(outside)
    with pytest.raises(ReportDirError, match="symlink"):
        reportdir.clear_dir(reports, "coverage/unit")
    (reports / "coverage" / "unit").unlink()
    inner = reports / "coverage" / "unit"
    inner.mkdir()
    (inner / "link").symlink_to(outside)
    (inner / "old.dat").write_text("stale")
    assert reportdir.clear_dir(reports, "coverage/unit") == inner
    assert list(inner.iterdir()) == []
    _untouched(outside)


def test_a_file_symlink_is_removed_itself_and_replaced_not_written_through(
    reports: Path, outside: Path
) -> None:
    (reports / "junit").mkdir()
    (reports / "junit" / "unit.xml").symlink_to(outside / "unit.xml")
    assert reportdir.remove_file(reports, "junit/unit.xml") == reports / "junit" / "unit.xml"
    assert not (reports / "junit" / "unit.xml").exists()
    (reports / "atlas-ci.json").symlink_to(outside / "keep.txt")
    reportdir.write_files(reports, {"atlas-ci.json": "{}"})
    assert not (reports / "atlas-ci.json").is_symlink()
    assert (reports / "atlas-ci.json").read_text() == "{}"
    _untouched(outside)


@pytest.mark.parametrize("name", ["../x.json", "/etc/x.json", "a/../../x", "."])
def test_names_cannot_escape(reports: Path, name: str) -> None:
    with pytest.raises(ReportDirError, match="escapes"):
        reportdir.write_files(reports, {name: "x"})


def test_enospc_while_staging_keeps_every_previous_report(
    reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reportdir.write_files(reports, {"a.json": "old a", "b.sarif": "old b"})
    calls = []

    def full_disk(fd: int, data: bytes) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.write(fd, data)

    monkeypatch.setattr(reportdir, "_write_all", full_disk)
    with pytest.raises(ReportDirError, match="No space left on device") as info:
        reportdir.write_files(reports, {"a.json": "new a", "b.sarif": "new b"})
    assert "previous reports are unchanged" in str(info.value)
    assert (reports / "a.json").read_text() == "old a"
    assert (reports / "b.sarif").read_text() == "old b"
    assert sorted(p.name for p in reports.iterdir()) == ["a.json", "b.sarif"]


def test_a_directory_where_a_report_goes(reports: Path) -> None:
    (reports / "atlas-ci.json").mkdir()
    with pytest.raises(ConfigError, match="is a directory") as info:
        reportdir.check_targets(reports, ["atlas-ci.json", "summary.md"])
    assert info.value.file == str(reports / "atlas-ci.json")
    with pytest.raises(ReportDirError, match="directory"):
        reportdir.write_files(reports, {"atlas-ci.json": "{}"})


def test_validate_refuses_a_file_and_creates_a_missing_directory(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ConfigError, match="not a directory"):
        reportdir.validate(tmp_path / "afile")
    with pytest.raises(ConfigError, match="cannot write"):
        reportdir.validate(tmp_path / "afile" / "below")
    made = reportdir.validate(tmp_path / "new" / "reports")
    assert made.is_dir()
    assert list(made.iterdir()) == []

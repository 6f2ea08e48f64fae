"""The report directory on a bad day: a file, read-only, full, symlinks inside, odd names."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report, write_config
from typer.testing import CliRunner

from atlas_ci import reportdir
from atlas_ci.cli import app

# The deploy gate disabled: `gate deploy` then writes its reports at once, running no tool.
NO_DEPLOY = "[gates.deploy]\nenabled = false\n"


def _marker_config(root: Path) -> Path:
    """quality.lint's tool drops a file when it runs: proof that nothing ran (or that it did)."""
    marker = root / "tool-ran"
    code = f"open({str(marker)!r}, 'w').close(); print('[]')"
    write_config(
        root, f"[gates.quality.lint]\ncommand = {_toml_list([sys.executable, '-c', code])}\n"
    )
    return marker


def _toml_list(items: list[str]) -> str:
    return json.dumps(items)  # a JSON array of strings is a TOML array


def _snapshot(directory: Path) -> dict[str, tuple[bytes, float]]:
    return {
        p.relative_to(directory).as_posix(): (p.read_bytes(), p.stat().st_mtime)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_report_dir_that_is_a_file_is_exit_2_before_anything_runs(tmp_path: Path) -> None:
    marker = _marker_config(tmp_path)
    (tmp_path / "afile").write_text("not a directory")
    res = atlas_ci("gate", "quality", "--only", "lint", "--report-dir", "afile", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    line = _one_error_line(res.stderr)
    assert "afile" in line
    assert "not a directory" in line
    assert not marker.exists(), "the check ran although the report directory was unusable"
    assert (tmp_path / "afile").read_text() == "not a directory"


def test_a_directory_named_like_a_report_is_exit_2_before_anything_runs(tmp_path: Path) -> None:
    marker = _marker_config(tmp_path)
    (tmp_path / "reports" / "atlas-ci.json").mkdir(parents=True)
    (tmp_path / "reports" / "atlas-ci.json" / "inside.txt").write_text("kept")
    res = atlas_ci("gate", "quality", "--only", "lint", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "atlas-ci.json" in _one_error_line(res.stderr)
    assert "is a directory" in res.stderr
    assert not marker.exists()
    assert (tmp_path / "reports" / "atlas-ci.json" / "inside.txt").read_text() == "kept"


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A tiny tmpfs: a real read-only or full file system (mounting needs CAP_SYS_ADMIN)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    mounted: list[str] = []
    yield mount, mounted
    for _ in mounted:
        subprocess.run(["umount", str(mount)], check=False, capture_output=True)


def _mount(mount: Path, mounted: list[str], options: str) -> None:
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) here: the injected-error tests cover this case")
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root/CAP_SYS_ADMIN): {res.stderr.strip()}")
    mounted.append(options)


def test_a_read_only_report_dir_is_exit_2_before_anything_runs(
    tmp_path: Path, tmpfs: tuple[Path, list[str]]
) -> None:
    mount, mounted = tmpfs
    if os.geteuid() == 0:
        _mount(mount, mounted, "ro,size=64k")
    else:
        mount.chmod(0o555)
    marker = _marker_config(tmp_path)
    res = atlas_ci("gate", "quality", "--only", "lint", "--report-dir", str(mount), cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    line = _one_error_line(res.stderr)
    assert str(mount) in line
    assert "cannot write to the report directory" in line
    assert not marker.exists()


def test_a_full_disk_is_exit_3_with_the_previous_reports_intact(
    tmp_path: Path, tmpfs: tuple[Path, list[str]]
) -> None:
    mount, mounted = tmpfs
    _mount(mount, mounted, "size=256k")
    write_config(tmp_path, NO_DEPLOY)
    first = atlas_ci("gate", "deploy", "-q", "--report-dir", str(mount), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = _snapshot(mount)
    assert set(before) == {"atlas-ci.json", "atlas-ci.sarif", "summary.md"}
    _fill(mount / "filler")
    res = atlas_ci("gate", "deploy", "-q", "--report-dir", str(mount), cwd=tmp_path)
    assert res.returncode == 3, res.stdout + res.stderr
    line = _one_error_line(res.stderr)
    assert "No space left on device" in line
    assert "previous reports are unchanged" in line
    (mount / "filler").unlink()
    assert _snapshot(mount) == before, "a previous report changed or a temp file was left"


def _fill(path: Path) -> None:
    """Write until the file system is full (unbuffered: close has nothing left to flush)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with pytest.raises(OSError, match="No space left on device"):
            _write_forever(fd)
    finally:
        os.close(fd)


def _write_forever(fd: int) -> None:
    while True:
        os.write(fd, b"\0" * 4096)


def test_enospc_injected_at_the_write_call_is_exit_3_and_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same case without a mount: the write call itself fails with ENOSPC."""
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, NO_DEPLOY)
    runner = CliRunner()
    first = runner.invoke(app, ["gate", "deploy", "-q"])
    assert first.exit_code == 0, first.output
    before = _snapshot(tmp_path / "reports")

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(reportdir, "_write_all", full)
    res = runner.invoke(app, ["gate", "deploy", "-q"])
    assert res.exit_code == 3, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "No space left on device" in res.output
    assert "Traceback" not in res.output
    assert _snapshot(tmp_path / "reports") == before


def _tests_project(root: Path) -> None:
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_ok.py").write_text("def test_ok():\n    assert True\n")
    write_config(root, "")


def _outside(tmp_path: Path) -> Path:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "unit.xml").write_text("<theirs/>")
    (target / ".coverage").write_text("their data")
    (target / "unit").mkdir()
    (target / "unit" / "keep").write_text("kept")
    return target


@pytest.mark.parametrize("link", ["junit", "coverage"])
def test_a_symlinked_artifact_directory_is_never_followed(tmp_path: Path, link: str) -> None:
    root = tmp_path / "proj"
    _tests_project(root)
    target = _outside(tmp_path)
    before = _snapshot(target)
    (root / "reports").mkdir()
    (root / "reports" / link).symlink_to(target)
    res = atlas_ci("gate", "tests", "--only", "unit", "-q", cwd=root)
    assert res.returncode == 3, res.stdout + res.stderr
    unit = checks(report(root))["tests.unit"]
    assert unit["status"] == "error"
    assert "symlink" in unit["reason"]
    assert _snapshot(target) == before, "a file outside the report directory changed"
    assert sorted(p.name for p in target.rglob("*")) == [".coverage", "keep", "unit", "unit.xml"]
    assert (root / "reports" / link).is_symlink()


def test_reports_get_ordinary_permissions_under_umask_022(tmp_path: Path) -> None:
    _tests_project(tmp_path)
    res = subprocess.run(
        [sys.executable, "-m", "atlas_ci", "gate", "tests", "--only", "unit", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        umask=0o022,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    reports = tmp_path / "reports"
    modes = {
        p.relative_to(reports).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in reports.rglob("*")
    }
    for name in ("atlas-ci.json", "atlas-ci.sarif", "summary.md", "junit/unit.xml"):
        assert modes[name] == 0o644, (name, oct(modes[name]))
    for name in ("junit", "coverage", "coverage/unit"):
        assert modes[name] == 0o755, (name, oct(modes[name]))
    assert all(mode & 0o022 == 0 for mode in modes.values())


def test_a_missing_step_summary_file_is_a_warning(tmp_path: Path) -> None:
    summary = tmp_path / "no-such-dir" / "step-summary.md"
    write_config(tmp_path, NO_DEPLOY)
    res = atlas_ci(
        "gate",
        "deploy",
        "-q",
        cwd=tmp_path,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "warning" in res.stderr
    assert "GITHUB_STEP_SUMMARY" in res.stderr
    assert "Traceback" not in res.stderr
    assert not summary.parent.exists()
    assert report(tmp_path)["status"] == "skipped"

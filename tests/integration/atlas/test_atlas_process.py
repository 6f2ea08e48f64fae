"""The service as a program: console script, data directory defaults, port clashes,
`atlas check`, and running under MemoryDenyWriteExecute as the systemd unit does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from atlas.testing import http, launch, running_server

pytestmark = pytest.mark.integration

ATLAS_SCRIPT = Path(sys.executable).parent / "atlas"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atlas", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_console_script_is_installed_and_answers() -> None:
    if not ATLAS_SCRIPT.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    result = subprocess.run(
        [str(ATLAS_SCRIPT), "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("atlas ")


def test_state_directory_is_the_default_data_dir(tmp_path: Path) -> None:
    state = tmp_path / "state" / "atlas"
    env = {**os.environ, "STATE_DIRECTORY": str(state)}
    with running_server(None, tmp_path / "log", env=env) as server:
        assert http("POST", server.url("/places"), json_body=_place()).status == 201
    assert (state / "atlas.db").is_file()
    assert any(r.get("db") == str(state / "atlas.db") for r in server.logs())


def test_xdg_data_home_is_used_without_state_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STATE_DIRECTORY"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    with running_server(None, tmp_path / "log", env=env):
        pass
    assert (tmp_path / "xdg" / "atlas" / "atlas.db").is_file()


def test_a_port_already_in_use_fails_fast_with_a_json_log(tmp_path: Path) -> None:
    with running_server(tmp_path / "a.db", tmp_path / "first.log") as first:
        second = launch(tmp_path / "b.db", tmp_path / "second.log", port=first.port)
        try:
            status = second.wait(timeout=30)
        finally:
            second.kill()
        assert status != 0
        records = second.logs()  # every line parses as JSON
        assert any("address already in use" in str(r.get("event", "")).lower() for r in records)


def test_check_command_passes_a_sound_database_and_fails_a_corrupt_one(tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    with running_server(good, tmp_path / "log") as server:
        http("POST", server.url("/places"), json_body=_place())
    ok = run_cli("check", "--db", str(good))
    assert ok.returncode == 0, ok.stderr
    assert '"integrity_check_ok"' in ok.stderr
    bad = tmp_path / "bad.db"
    bad.write_bytes(os.urandom(8192))
    failed = run_cli("check", "--db", str(bad))
    assert failed.returncode == 3
    assert '"database_corrupt"' in failed.stderr


# PR_SET_MDWE with PR_MDWE_REFUSE_EXEC_GAIN: the kernel's own form of systemd's
# MemoryDenyWriteExecute=yes. It is inherited across fork and exec, so the wrapper sets
# it, proves it is in force, then execs the server.
MDWE_WRAPPER = textwrap.dedent(
    """
    import ctypes, mmap, os, sys
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(65, 1, 0, 0, 0) != 0:
        sys.exit(f"PR_SET_MDWE failed: errno {ctypes.get_errno()}")
    try:
        mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except PermissionError:
        pass
    else:
        sys.exit("MDWE is not enforced: a writable+executable mapping succeeded")
    os.execv(sys.argv[1], sys.argv[1:])
    """
)


def _mdwe_supported() -> bool:
    # Probe in a child so this test process keeps its own memory rules.
    probe = subprocess.run(
        [sys.executable, "-c", "import ctypes,sys; sys.exit(ctypes.CDLL(None).prctl(65,1,0,0,0))"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0


def test_serves_under_memory_deny_write_execute(tmp_path: Path) -> None:
    if not _mdwe_supported():
        pytest.skip("kernel lacks PR_SET_MDWE (Linux >= 6.3 needed to emulate the unit)")
    wrapper = [sys.executable, "-c", MDWE_WRAPPER]
    with running_server(tmp_path / "a.db", tmp_path / "log", wrapper=wrapper) as server:
        created = http("POST", server.url("/places"), json_body=_place()).json()
        assert http("GET", server.url(f"/places/{created['id']}")).status == 200
        near = http("GET", server.url("/places/near?lat=1&lon=1&radius_km=50"))
        assert near.json()["count"] == 1
        assert http("GET", server.url("/metrics")).status == 200
        assert http("DELETE", server.url(f"/places/{created['id']}")).status == 204
        status = server.stop()
    assert status == 0, server.log_text()


def _place() -> dict[str, object]:
    return {"name": "x", "latitude": 1.0, "longitude": 1.0, "tags": ["t"]}

"""The hardened systemd unit: exposure score, a clean `verify`, and the directives it must keep."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
UNIT = REPO / "atlas" / "deploy" / "atlas.service"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd_analyze = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed on this machine"
)
# Where the distribution keeps its unit files (targets that atlas.service depends on).
SYSTEM_UNIT_DIRS = [Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")]

REQUIRED = {
    "DynamicUser": "yes",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "PrivateTmp": "yes",
    "ProtectHome": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "ProtectClock": "yes",
    "ProtectHostname": "yes",
    "RestrictNamespaces": "yes",
    "RestrictRealtime": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "CapabilityBoundingSet": "",
    "AmbientCapabilities": "",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "SystemCallArchitectures": "native",
    "UMask": "0077",
    "PrivateUsers": "yes",
    "ProtectProc": "invisible",
    "ProcSubset": "pid",
    "StateDirectory": "atlas",
    "Restart": "on-failure",
}


def unit_settings(text: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def run(*args: str) -> subprocess.CompletedProcess[str]:
    assert SYSTEMD_ANALYZE is not None
    return subprocess.run(
        [SYSTEMD_ANALYZE, *args], capture_output=True, text=True, timeout=60, check=False
    )


def exec_start_binary(text: str) -> str:
    return shlex.split(unit_settings(text)["ExecStart"][0])[0]


def verify_in_root(tmp_path: Path, unit_text: str, name: str = "atlas.service") -> str:
    """`systemd-analyze verify --root` with the unit and a stand-in for its binary.

    The unit is checked exactly as shipped; only the file system around it is staged:
    the distribution's unit files (for the targets it references) and an executable
    at the ExecStart path, which a deployment would provide by installing the venv.
    """
    root = tmp_path / "root"
    system_dir = next((d for d in SYSTEM_UNIT_DIRS if d.is_dir()), None)
    if system_dir is None:
        pytest.skip("no distribution unit directory to stage for systemd-analyze --root")
    shutil.copytree(system_dir, root / "usr/lib/systemd/system", symlinks=True)
    unit_dir = root / "etc/systemd/system"
    unit_dir.mkdir(parents=True)
    (unit_dir / name).write_text(unit_text)
    binary = root / exec_start_binary(unit_text).lstrip("/")
    binary.parent.mkdir(parents=True, exist_ok=True)
    binary.write_text("#!/bin/sh\nexit 0\n")
    binary.chmod(0o755)
    result = run("verify", f"--root={root}", str(unit_dir / name))
    return (result.stdout + result.stderr).strip() + ("" if result.returncode == 0 else " [rc!=0]")


def test_unit_keeps_every_required_hardening_directive() -> None:
    settings = unit_settings(UNIT.read_text())
    missing = {key: want for key, want in REQUIRED.items() if want not in settings.get(key, [])}
    assert missing == {}
    assert "@system-service" in settings["SystemCallFilter"]
    for key in ("MemoryMax", "TasksMax", "LimitNOFILE", "IPAddressDeny", "IPAddressAllow"):
        assert settings.get(key), f"{key} is not set"
    assert exec_start_binary(UNIT.read_text()) == "/opt/atlas/venv/bin/atlas"
    assert "--db ${STATE_DIRECTORY}/atlas.db" in settings["ExecStart"][0]


@needs_systemd_analyze
def test_security_exposure_is_at_most_2() -> None:
    result = run("security", "--offline=true", "--no-pager", str(UNIT))
    output = result.stdout + result.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", output)
    assert match, output
    exposure = float(match.group(1))
    assert exposure <= 2.0, output


@needs_systemd_analyze
def test_verify_is_silent_for_the_unit_as_shipped(tmp_path: Path) -> None:
    assert verify_in_root(tmp_path, UNIT.read_text()) == ""


@needs_systemd_analyze
def test_verify_on_the_host_only_misses_the_installed_binary() -> None:
    # Without staging, the only acceptable complaint is the not-yet-installed venv.
    result = run("verify", str(UNIT))
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    unexpected = [
        line
        for line in lines
        if not ("/opt/atlas/venv/bin/atlas" in line and "is not executable" in line)
    ]
    assert unexpected == []


@needs_systemd_analyze
def test_the_verify_harness_does_report_a_broken_unit(tmp_path: Path) -> None:
    # Guards the test above: if staging hid every problem, it would pass vacuously.
    broken = UNIT.read_text().replace("ProtectClock=yes", "ProtectClock=yes\nProtectTypo=yes")
    assert "ProtectTypo" in verify_in_root(tmp_path, broken)

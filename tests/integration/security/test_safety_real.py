"""security.safety runs the real Safety on fixture repositories: a fixture database in Safety's
format finds a known-vulnerable pin; with no database and no key the check is `error`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "safety"
# Under the venv running the tests (sys.prefix), never the base interpreter it links to.
TOOLS = Path(sys.prefix) / "tools"


@pytest.fixture(scope="session")
def safety_bin() -> str:
    """Safety in a venv of its own (its pins clash with atlas-ci's), built once per pin set."""
    pins = (FIXTURES / "tool-requirements.txt").read_bytes()
    venv = TOOLS / f"safety-{hashlib.sha256(pins).hexdigest()[:12]}"
    binary = venv / "bin" / "safety"
    if not binary.exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        res = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "-r",
                str(FIXTURES / "tool-requirements.txt"),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if res.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            pytest.skip(f"could not install Safety for this test: {res.stderr.strip()[-300:]}")
    return str(binary)


def _repo(tmp_path: Path, safety_bin: str, requirements: str, *, db: bool) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "requirements.txt").write_text(requirements)
    settings = f'enabled = true\ncommand = ["{safety_bin}"]\n'
    if db:
        shutil.copytree(FIXTURES / "db", root / "safety-db")
        settings += 'db = "safety-db"\n'
    (root / "atlas-ci.toml").write_text(f"[gates.security.safety]\n{settings}")
    return root


def _env() -> dict[str, str]:
    return {"SAFETY_API_KEY": ""}  # an empty key is no key


def test_fixture_database_finds_the_vulnerable_pin(tmp_path: Path, safety_bin: str) -> None:
    root = _repo(tmp_path, safety_bin, "requests==2.31.0\njinja2==2.11.2\n", db=True)
    res = atlas_ci("gate", "security", "--only", "security.safety", "-q", cwd=root, env=_env())
    assert res.returncode == 1, res.stdout + res.stderr
    check = checks(report(root))["security.safety"]
    assert check["status"] == "failed"
    assert check["tool_version"] == "3.2.11"
    (finding,) = check["findings"]
    assert finding["rule_id"] == "CVE-2020-28493"
    assert finding["location"]["path"] == "requirements.txt"
    assert finding["location"]["start_line"] == 2
    assert finding["severity"] == "medium"
    assert finding["blocking"] is True
    assert "jinja2 2.11.2" in finding["message"]
    assert "2.11.3" in finding["message"]
    sarif = json.loads((root / "reports" / "atlas-ci.sarif").read_text())
    ids = [r["automationDetails"]["id"] for r in sarif["runs"]]
    assert ids == ["atlas-ci/security.safety/"]


def test_clean_pins_pass(tmp_path: Path, safety_bin: str) -> None:
    root = _repo(tmp_path, safety_bin, "jinja2==2.11.3\n", db=True)
    res = atlas_ci("gate", "security", "--only", "security.safety", "-q", cwd=root, env=_env())
    assert res.returncode == 0, res.stdout + res.stderr
    check = checks(report(root))["security.safety"]
    assert check["status"] == "passed"
    assert "1 packages checked against the offline db" in check["reason"]


def test_no_database_and_no_key_is_error(tmp_path: Path, safety_bin: str) -> None:
    root = _repo(tmp_path, safety_bin, "jinja2==2.11.2\n", db=False)
    env = {k: v for k, v in os.environ.items() if k != "SAFETY_API_KEY"}
    res = atlas_ci(
        "gate", "security", "--only", "security.safety", "-q", cwd=root, env={**env, **_env()}
    )
    assert res.returncode == 3, res.stdout + res.stderr
    check = checks(report(root))["security.safety"]
    assert check["status"] == "error"
    assert "SAFETY_API_KEY" in check["reason"]

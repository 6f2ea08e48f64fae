"""Through the CLI: an audit that could not reach any advisory source exits 3 and says why."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report, write_config

pytestmark = pytest.mark.integration


def test_unreachable_advisory_service_is_error_exit_3_and_said_plainly(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.19.0\n")
    write_config(tmp_path, '[gates.security.dependencies]\nrequirements = ["requirements.txt"]\n')
    res = atlas_ci("gate", "security", "--only", "dependencies", cwd=tmp_path)
    assert res.returncode == 3, res.stdout + res.stderr
    dep = checks(report(tmp_path))["security.dependencies"]
    assert dep["status"] == "error"
    assert dep["reason"].startswith("no advisory source reachable")
    assert "requests" in dep["reason"]
    assert "no advisory source reachable" in res.stdout
    assert "no advisory source reachable" in (tmp_path / "reports" / "summary.md").read_text()

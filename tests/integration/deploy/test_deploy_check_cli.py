"""`atlas-ci deploy-check` as a real subprocess: nothing checked, no-go, and a full go with its
bundle twice (slow)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, write_config
from helpers.deploy import FIXTURES, fabricated_report, git_repo, write_reports

ALL_OFF = """
[gates.deploy.systemd]
enabled = false
[gates.deploy.package]
enabled = false
[gates.deploy.sbom]
enabled = false
[gates.deploy.secrets]
enabled = false
[gates.deploy.reports]
enabled = false
"""

GOOD_CONFIG = """
[gates.deploy]
distributions = ["."]
build_isolation = false
environment = "staging"
[gates.deploy.config_files]
staging = ["deploy/config/staging/deploy-good.service.d/10-env.conf"]
production = ["deploy/config/production/deploy-good.service.d/10-env.conf"]
[gates.deploy.service]
name = "good"
venv = "/opt/good/venv"
state_dir = "/var/lib/good"
url = "http://127.0.0.1:9000"
[gates.deploy.systemd]
# The fixture's unit is minimal on purpose (exposure is judged in test_systemd_real.py).
max_exposure = 10
"""


def good_repo(tmp_path: Path, config: str) -> tuple[Path, str]:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "packages" / "good", root)
    (root / ".gitignore").write_text("reports/\ndist/\n")
    write_config(root, config)
    return root, git_repo(root)


def test_every_deploy_check_disabled_exits_3(tmp_path: Path) -> None:
    root, _ = good_repo(tmp_path, ALL_OFF)
    res = atlas_ci("deploy-check", cwd=root)
    assert res.returncode == 3, res.stdout + res.stderr
    assert "nothing was checked" in (res.stdout + res.stderr).lower()


def test_unknown_environment_is_a_usage_error(tmp_path: Path) -> None:
    root, _ = good_repo(tmp_path, GOOD_CONFIG)
    res = atlas_ci("deploy-check", "--environment", "qa", cwd=root)
    assert res.returncode == 2
    assert "no such environment" in res.stderr
    assert not (root / "reports").exists()  # nothing ran


def test_missing_evidence_is_a_no_go_without_a_bundle(tmp_path: Path) -> None:
    off = "\n".join(
        f"[gates.deploy.{name}]\nenabled = false" for name in ("package", "sbom", "secrets")
    )
    root, _ = good_repo(tmp_path, GOOD_CONFIG + off)
    res = atlas_ci("deploy-check", "--bundle", "dist/deploy", cwd=root)
    assert res.returncode == 1, res.stdout + res.stderr
    assert not (root / "dist" / "deploy").exists()
    summary = (root / "reports" / "summary.md").read_text()
    assert summary.startswith("# Deploy readiness: NO-GO")
    assert "| `deploy.reports` | **NO-GO** (failed)" in summary
    assert "Bundle not written: no-go" in summary


@pytest.mark.slow
def test_go_with_evidence_for_head_writes_the_same_bundle_twice(tmp_path: Path) -> None:
    root, head = good_repo(tmp_path, GOOD_CONFIG)
    write_reports(tmp_path / "ci-artifacts", fabricated_report(head))
    trees = []
    for out in ("b1", "b2"):
        res = atlas_ci(
            "deploy-check",
            "--bundle",
            f"dist/{out}",
            "--from",
            str(tmp_path / "ci-artifacts"),
            cwd=root,
            timeout=900,
        )
        assert res.returncode == 0, res.stdout + res.stderr
        bundle = root / "dist" / out / "deploy-good-1.2.0"
        check = subprocess.run(
            ["sha256sum", "-c", "SHA256SUMS"], cwd=bundle, capture_output=True, check=False
        )
        assert check.returncode == 0
        trees.append(
            {p.relative_to(bundle): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
        )
    assert trees[0] == trees[1]
    summary = (root / "reports" / "summary.md").read_text()
    assert summary.startswith("# Deploy readiness: GO")
    assert "[deploy-good-1.2.0.cdx.json](deploy/sbom/deploy-good-1.2.0.cdx.json)" in summary


@pytest.mark.slow
def test_production_environment_and_another_commits_evidence(tmp_path: Path) -> None:
    root, _ = good_repo(tmp_path, GOOD_CONFIG)
    write_reports(tmp_path / "old", fabricated_report("b" * 40))
    res = atlas_ci(
        "deploy-check",
        "--environment",
        "production",
        "--from",
        str(tmp_path / "old"),
        cwd=root,
        timeout=900,
    )
    assert res.returncode == 1
    assert "is for commit bbbbbbbbbbbb, not HEAD" in (root / "reports" / "summary.md").read_text()

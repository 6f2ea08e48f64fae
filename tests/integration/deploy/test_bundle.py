"""The bundle and DEPLOY.md from the session's build: verifiable, complete, byte-identical."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.deploy import fabricated_report

from atlas_ci import bundle, deploy_check
from atlas_ci.checks.deploy.reports import ReportsSettings
from atlas_ci.checks.deploy.settings import ServiceSettings

from .conftest import BuiltRepo

DEPLOY_CHECKS = {"deploy": ("systemd", "package", "sbom", "secrets", "reports")}


@pytest.fixture(scope="module")
def facts(built_repo: BuiltRepo, tmp_path_factory: pytest.TempPathFactory) -> bundle.Facts:
    """Made once per module: the SBOM run is the slow part."""
    from atlas_ci.checks.deploy.reports import Reports
    from atlas_ci.checks.deploy.sbom import Sbom

    gate = built_repo.gate.model_copy(
        update={
            "distributions": ("good",),
            "environment": "staging",
            "config_files": {
                "staging": ("good/deploy/config/staging/deploy-good.service.d/10-env.conf",),
                "production": ("good/deploy/config/production/deploy-good.service.d/10-env.conf",),
            },
            "service": ServiceSettings(
                name="good",
                venv="/opt/good/venv",
                state_dir="/var/lib/good",
                database="/var/lib/good/good.db",
                url="http://127.0.0.1:9000",
            ),
        }
    )
    repo = BuiltRepo(built_repo.root, built_repo.report_dir, gate)
    Sbom().run(repo.ctx(Sbom()))  # the SBOM the bundle carries
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo.root, capture_output=True, text=True, check=True
    ).stdout.strip()
    evidence = tmp_path_factory.mktemp("evidence")
    (evidence / "atlas-ci.json").write_text(fabricated_report(head).model_dump_json())
    ctx = repo.ctx(Reports(), ReportsSettings(from_dir=str(evidence)))
    return deploy_check.facts(ctx, fabricated_report(head, DEPLOY_CHECKS))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_bundle_verifies_with_sha256sum_and_is_byte_identical(
    facts: bundle.Facts, tmp_path: Path
) -> None:
    first = bundle.write(facts, tmp_path / "one")
    assert first.name == "deploy-good-1.2.0"
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=first, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    files = tree(first)
    assert sorted(files) == [
        "DEPLOY.md",
        "SHA256SUMS",
        "config/staging/deploy-good.service.d/10-env.conf",
        "dist/deploy_good-1.2.0-py3-none-any.whl",
        "dist/deploy_good-1.2.0.tar.gz",
        "manifest.json",
        "reports/perf.json",
        "reports/quality.json",
        "reports/reliability.json",
        "reports/security.json",
        "reports/tests.json",
        "sbom/deploy-good-1.2.0.cdx.json",
        "systemd/deploy-good.service",
    ]
    # Every file but SHA256SUMS itself is covered.
    listed = {line.split("  ", 1)[1] for line in files["SHA256SUMS"].decode().splitlines()}
    assert listed == set(files) - {"SHA256SUMS"}
    # A second run (another directory, and over the first) gives the same bytes.
    assert tree(bundle.write(facts, tmp_path / "two")) == files
    assert tree(bundle.write(facts, tmp_path / "one")) == files
    manifest = json.loads(files["manifest.json"])
    assert manifest["commit"] == facts.commit
    assert manifest["environment"] == "staging"
    assert manifest["build_time"] == "2026-01-01T00:00:00Z"
    assert manifest["checksums"]["DEPLOY.md"]


def test_tampering_is_caught_by_sha256sum(facts: bundle.Facts, tmp_path: Path) -> None:
    out = bundle.write(facts, tmp_path)
    (out / "systemd" / "deploy-good.service").write_text("[Service]\nUser=root\n")
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True, check=False
    )
    assert check.returncode != 0
    assert "systemd/deploy-good.service: FAILED" in check.stdout


def test_deploy_guide_has_every_step_for_this_bundle(facts: bundle.Facts, tmp_path: Path) -> None:
    guide = (bundle.write(facts, tmp_path) / "DEPLOY.md").read_text()
    steps = [
        "## 1. Verify the bundle",
        "sha256sum -c SHA256SUMS",
        "## 2. Service account and state directory",
        "DynamicUser=yes",
        "## 3. Install into a virtualenv",
        "sudo python3 -m venv /opt/good/releases/1.2.0",
        "pip install --no-input dist/deploy_good-1.2.0-py3-none-any.whl",
        "sudo ln -sfn /opt/good/releases/1.2.0 /opt/good/venv",
        "/opt/good/venv/bin/deploy-good --version",
        "## 4. Install and enable the unit",
        "sudo install -m 0644 systemd/deploy-good.service /etc/systemd/system/deploy-good.service",
        "sudo systemctl enable deploy-good.service",
        "## 5. Configure (staging)",
        "config/staging/deploy-good.service.d/10-env.conf "
        "/etc/systemd/system/deploy-good.service.d/10-env.conf",
        "sudo systemctl daemon-reload",
        "## 6. Start",
        "sudo systemctl restart deploy-good.service",
        "## 7. Check health, readiness, metrics and logs",
        "curl -fsS http://127.0.0.1:9000/healthz",
        "curl -fsS http://127.0.0.1:9000/readyz",
        "curl -fsS http://127.0.0.1:9000/metrics",
        "journalctl -u deploy-good.service",
        "## 8. Smoke check",
        "atlas-ci smoke --url http://127.0.0.1:9000",
        "## Database backup",
        'sqlite3 /var/lib/good/good.db ".backup /var/backups/good/before-1.2.0.db"',
        "sudo cp /var/backups/good/before-1.2.0.db /var/lib/good/good.db",
        "## Roll back",
        "sudo systemctl stop deploy-good.service",
        "sudo ln -sfn /opt/good/releases/PREVIOUS_VERSION /opt/good/venv",
        f"commit `{facts.commit}`",
    ]
    missing = [s for s in steps if s not in guide]
    assert missing == []
    # The guide lists the deploy gate's verdict it was made under.
    assert "| `deploy.package` | passed |" in guide


def test_production_takes_the_production_config(facts: bundle.Facts, tmp_path: Path) -> None:
    from dataclasses import replace

    prod = replace(
        facts,
        environment="production",
        config_files=(
            (
                facts.config_files[0][0].parents[2]
                / "production/deploy-good.service.d/10-env.conf",
                "deploy-good.service.d/10-env.conf",
            ),
        ),
    )
    out = bundle.write(prod, tmp_path)
    assert (
        (out / "config/production/deploy-good.service.d/10-env.conf")
        .read_text()
        .endswith("GOOD_LEVEL=info\n")
    )
    assert "## 5. Configure (production)" in (out / "DEPLOY.md").read_text()


def test_config_target_keeps_the_path_after_the_environment() -> None:
    assert bundle.config_target("a/config/staging/x.d/y.conf", "staging") == "x.d/y.conf"
    assert bundle.config_target("ops/prod.env", "staging") == "prod.env"


def test_a_foreign_directory_is_never_replaced(facts: bundle.Facts, tmp_path: Path) -> None:
    from atlas_ci.errors import AtlasCIError

    (tmp_path / facts.dirname).mkdir()
    (tmp_path / facts.dirname / "keep.txt").write_text("mine")
    with pytest.raises(AtlasCIError, match="is not an atlas-ci bundle"):
        bundle.write(facts, tmp_path)
    assert (tmp_path / facts.dirname / "keep.txt").read_text() == "mine"

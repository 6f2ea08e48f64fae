"""deploy.systemd with the real systemd-analyze on fixture units and on Atlas's own unit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.deploy import FIXTURES, REPO, make_ctx

from atlas_ci.checks.deploy.systemd import Systemd, SystemdSettings
from atlas_ci.model import Status
from atlas_ci.plan import Planned
from atlas_ci.runner import run_one
from atlas_ci.settings import GateSettings

needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


def unit_repo(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "repo"
    (root / "deploy").mkdir(parents=True)
    for name in names:
        shutil.copy(FIXTURES / "units" / name, root / "deploy" / name)
    return root


@needs_systemd_analyze
def test_root_unit_fails_with_a_finding_per_problem_at_its_line(tmp_path: Path) -> None:
    root = unit_repo(tmp_path, "root.service")
    res = Systemd().run(make_ctx(Systemd(), root))
    assert res.status is Status.FAILED
    found = {(f.rule_id, f.location.start_line if f.location else None) for f in res.findings}
    assert ("run-as-root", 7) in found
    assert ("no-new-privileges", 5) in found
    assert ("memory-limit", 5) in found
    assert all(f.location and f.location.path == "deploy/root.service" for f in res.findings)
    exposure = next(f for f in res.findings if f.rule_id == "exposure")
    # The finding names the settings that cost the most, as systemd-analyze scored them.
    assert "User=/DynamicUser= (0.4)" in exposure.message
    metric = res.metrics[0]
    assert metric.value > 2.0
    assert metric.threshold == 2.0


@needs_systemd_analyze
def test_verify_reports_a_misspelt_directive_at_its_line(tmp_path: Path) -> None:
    root = unit_repo(tmp_path, "typo.service")
    settings = SystemdSettings(max_exposure=10)
    res = Systemd().run(make_ctx(Systemd(), root, settings=settings))
    assert res.status is Status.FAILED
    verify = [f for f in res.findings if f.rule_id == "verify"]
    assert len(verify) == 1, [f.message for f in res.findings]
    assert verify[0].location is not None
    assert verify[0].location.start_line == 8
    assert "ProtectSystm" in verify[0].message
    # The staged root is never shown as a temporary path.
    assert "/tmp" not in verify[0].message


@needs_systemd_analyze
def test_atlas_unit_passes(tmp_path: Path) -> None:
    settings = SystemdSettings(units=("atlas/deploy/*.service",))
    ctx = make_ctx(Systemd(), REPO, settings=settings, report_dir=tmp_path / "reports")
    res = Systemd().run(ctx)
    assert res.status is Status.PASSED, res.reason + str([f.message for f in res.findings])
    assert [m.name for m in res.metrics] == ["exposure atlas/deploy/atlas.service"]
    assert res.metrics[0].value <= 2.0


def test_missing_systemd_analyze_is_an_error_with_the_debian_hint(tmp_path: Path) -> None:
    root = unit_repo(tmp_path, "root.service")
    settings = SystemdSettings(command=("no-such-systemd-analyze",))

    ctx = make_ctx(Systemd(), root, settings=settings)
    res = run_one(Planned(Systemd(), settings, GateSettings()), ctx.project)
    assert res.status is Status.ERROR
    assert "Debian package `systemd`" in res.reason


def test_configured_units_that_match_nothing_are_an_error(tmp_path: Path) -> None:
    root = unit_repo(tmp_path, "root.service")
    settings = SystemdSettings(units=("ops/*.service",))

    res = run_one(Planned(Systemd(), settings, GateSettings()), make_ctx(Systemd(), root).project)
    assert res.status is Status.ERROR
    assert "no unit file matches ops/*.service" in res.reason

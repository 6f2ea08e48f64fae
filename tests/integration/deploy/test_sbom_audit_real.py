"""deploy.sbom's `audit` with the real tools: build, fresh-venv install, cyclonedx-py, pip-audit.

The fixture distribution pins requests 2.19.0 (PYSEC-2018-28): its installed closure comes from the
package index (reachable here), the public vulnerability services do not answer (so the option must
make the check `error`), and the offline advisory directory finds the pinned component.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers.deploy import REPO, git_repo, make_ctx

from atlas_ci.checks.base import CheckContext, judged
from atlas_ci.checks.deploy import build, sbom_audit
from atlas_ci.checks.deploy.sbom import Sbom, SbomSettings, audited
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.model import CheckResult, Status

ADVISORIES = REPO / "tests" / "fixtures" / "security" / "advisories"
PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "pinned-app"
version = "0.4.0"
description = "A distribution whose one dependency has a known vulnerability."
requires-python = ">=3.11"
license = "MIT"
dependencies = [
    "requests==2.19.0",
]

[tool.hatch.build.targets.wheel]
packages = ["pinned_app"]
"""


@pytest.fixture(scope="module")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sbom-audit") / "repo"
    (root / "pinned_app").mkdir(parents=True)
    (root / "pinned_app" / "__init__.py").write_text('"""Fixture."""\n')
    (root / "pyproject.toml").write_text(PYPROJECT)
    git_repo(root)
    return root


def context(root: Path, **settings: Any) -> CheckContext:
    gate = DeployGateSettings(build_isolation=False)  # one build, shared by every run here
    config = SbomSettings(audit=True, **settings)
    return make_ctx(Sbom(), root, settings=config, gate_settings=gate, report_dir=root / "reports")


@pytest.fixture(scope="module")
def offline(pinned: Path) -> CheckResult:
    """The whole check, audit on, no advisory source configured: the public services are down."""
    return Sbom().run(context(pinned))


def metric(res: CheckResult, name: str) -> float:
    return next(m.value for m in res.metrics if m.name == name)


def test_no_reachable_advisory_source_is_an_error_never_passed(offline: CheckResult) -> None:
    assert offline.status is Status.ERROR, offline.reason
    assert offline.reason.startswith("nothing audited: no advisory source reachable: 5 packages ")
    for name in ("requests", "urllib3", "idna", "chardet", "certifi"):
        assert name in offline.reason
    assert metric(offline, "components_audited") == 0
    assert offline.findings == ()
    assert offline.artifacts == ("deploy/sbom/pinned-app-0.4.0.cdx.json",)


def test_advisory_db_finds_the_vulnerable_component_of_the_sbom(
    pinned: Path, offline: CheckResult
) -> None:
    # The SBOM the check wrote, audited again with the offline advisory directory served (the
    # SBOM itself is not regenerated: cyclonedx-py is the slow part).
    bom = json.loads((pinned / "reports" / offline.artifacts[0]).read_text())
    ctx = context(pinned, advisory_db=str(ADVISORIES))
    (dist,) = build.ensure(ctx).dists
    audit = sbom_audit.audit(Sbom(), ctx, ctx.settings, [(dist, bom["components"])])
    sboms = judged(
        Sbom(), [], reason_ok="1 valid CycloneDX 1.6 SBOM(s)", artifacts=offline.artifacts
    )
    res = audited(Sbom(), audit, sboms)
    assert res.status is Status.FAILED, res.reason
    (finding,) = res.findings
    assert finding.rule_id == "PYSEC-2018-28"
    assert finding.message.startswith("pinned-app 0.4.0 ships requests 2.19.0 is affected by ")
    assert "CVE-2018-18074" in finding.message
    assert "fixed in 2.20.0" in finding.message
    assert finding.blocking
    # At the pyproject.toml line declaring the pin.
    assert (finding.location.path, finding.location.start_line) == ("pyproject.toml", 12)
    assert "5 components audited against the offline advisory_db: 1 known vulnerability" in (
        res.reason
    )
    # Exactly the SBOM's components were audited: the pins file lists them and nothing else.
    listed = sorted(f"{c['name']}=={c['version']}" for c in bom["components"])
    pins = pinned / "reports" / "deploy" / "sbom" / "pinned-app-0.4.0.audit.txt"
    assert pins.read_text().splitlines() == listed
    assert metric(res, "components_audited") == len(listed) == 5


@pytest.mark.slow
def test_the_whole_check_with_the_advisory_db_and_an_ignore(pinned: Path) -> None:
    found = Sbom().run(context(pinned, advisory_db=str(ADVISORIES)))
    assert found.status is Status.FAILED, found.reason
    assert [f.rule_id for f in found.findings] == ["PYSEC-2018-28"]
    ignore = ({"id": "CVE-2018-18074", "reason": "redirects stay on https"},)
    res = Sbom().run(context(pinned, advisory_db=str(ADVISORIES), ignore=ignore))
    assert res.status is Status.PASSED, res.reason
    assert res.reason == (
        "1 valid CycloneDX 1.6 SBOM(s); "
        "5 components audited against the offline advisory_db: no known vulnerabilities; "
        "suppressed: PYSEC-2018-28 (requests): redirects stay on https"
    )


def test_deny_licenses_reads_the_real_sboms_licence_ids(pinned: Path, offline: CheckResult) -> None:
    bom = json.loads((pinned / "reports" / offline.artifacts[0]).read_text())
    ctx = context(pinned)
    (dist,) = build.ensure(ctx).dists
    denied = SbomSettings(deny_licenses=("MPL-2.0", "MIT"))
    found = Sbom()._licences(ctx, dist, bom["components"], denied)
    # certifi declares MPL-2.0 and urllib3 MIT as SPDX ids; the others only trove classifiers.
    # (certifi is unpinned: whichever version the index serves.)
    messages = sorted(f.message for f in found)
    assert len(messages) == 2, messages
    assert re.fullmatch(r"pinned-app ships certifi \S+, licensed mpl-2\.0 \(denied\)", messages[0])
    assert messages[1] == "pinned-app ships urllib3 1.23, licensed mit (denied)"

"""deploy.sbom's `audit` option on recorded pip-audit output: fail closed, findings, settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from helpers.deploy import REPO, make_ctx
from pydantic import ValidationError

from atlas_ci import process
from atlas_ci.checks.base import judged
from atlas_ci.checks.deploy import sbom_audit
from atlas_ci.checks.deploy.build import Distribution
from atlas_ci.checks.deploy.sbom import Sbom, SbomSettings, audited
from atlas_ci.model import CheckResult, Status
from atlas_ci.process import ProcessResult

RECORDED = REPO / "tests" / "fixtures" / "security" / "recorded"
ADVISORIES = REPO / "tests" / "fixtures" / "security" / "advisories"
COMPONENTS = [
    {"name": n, "version": v}
    for n, v in (
        ("requests", "2.19.0"),
        ("chardet", "3.0.4"),
        ("idna", "2.7"),
        ("urllib3", "1.23"),
        ("certifi", "2026.10.19.post1"),
    )
]
DIST = Distribution(path="app", name="app", version="1.0")


class FakePipAudit:
    """Stands in for process.run: answers pip-audit with a recorded report, keeps the argv."""

    def __init__(self, stdout: str) -> None:
        self.stdout = stdout
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], **kw: Any) -> ProcessResult:
        self.calls.append(list(argv))
        assert "pip_audit" in argv, argv
        return ProcessResult(tuple(argv), 1, self.stdout, "", 0.01)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1.0"\ndependencies = [\n  "requests==2.19.0",\n]\n'
    )
    return tmp_path


def fake(monkeypatch: pytest.MonkeyPatch, recorded: str) -> FakePipAudit:
    pip_audit = FakePipAudit((RECORDED / recorded).read_text())
    monkeypatch.setattr(process, "run", pip_audit)
    return pip_audit


def sboms(artifacts: Sequence[str] = ()) -> CheckResult:
    """deploy.sbom's result before the audit: every SBOM valid, no licence finding."""
    return judged(
        Sbom(), [], version="7.0", reason_ok="1 valid CycloneDX 1.6 SBOM(s)", artifacts=artifacts
    )


def run_audit(repo: Path, components: list[dict[str, Any]], **settings: Any) -> Any:
    config = SbomSettings(audit=True, **settings)
    ctx = make_ctx(Sbom(), repo, settings=config)
    return sbom_audit.audit(Sbom(), ctx, config, [(DIST, components)])


def test_pins_are_the_components_sorted_once_and_unversioned_ones_are_unaudited() -> None:
    wanted, unversioned = sbom_audit.pins(
        [*COMPONENTS[:2], COMPONENTS[0], {"name": "local-thing"}, {"version": "1"}]
    )
    assert wanted == ["chardet==3.0.4", "requests==2.19.0"]
    assert [(d.name, d.skip_reason) for d in unversioned] == [
        ("local-thing", sbom_audit.NO_VERSION)
    ]


def test_unreachable_service_audits_nothing_and_is_an_error(
    monkeypatch: pytest.MonkeyPatch, repo: Path
) -> None:
    pip_audit = fake(monkeypatch, "pip_audit_unreachable.json")
    audit = run_audit(repo, COMPONENTS)
    reason = audit.error()
    assert reason is not None
    assert reason.startswith("nothing audited: no advisory source reachable: 5 packages")
    # Exactly the SBOM's pins, never resolved: --no-deps --disable-pip on the written file.
    (argv,) = pip_audit.calls
    pins = repo / "reports" / "deploy" / "sbom" / "app-1.0.audit.txt"
    assert argv[argv.index("-r") + 1] == str(pins)
    assert {"--no-deps", "--disable-pip"} <= set(argv)
    assert argv[argv.index("-s") + 1] == "pypi"
    assert pins.read_text().splitlines() == sorted(
        f"{c['name']}=={c['version']}" for c in COMPONENTS
    )

    res = audited(Sbom(), audit, sboms(["x.cdx.json"]))
    assert res.status is Status.ERROR
    assert res.artifacts == ("x.cdx.json",)


def test_no_components_at_all_is_nothing_audited(repo: Path) -> None:
    audit = run_audit(repo, [])
    assert audit.error() == "nothing audited: no SBOM lists a component to audit"


def test_a_vulnerable_component_is_a_finding_naming_distribution_component_and_advisory(
    monkeypatch: pytest.MonkeyPatch, repo: Path
) -> None:
    fake(monkeypatch, "pip_audit_vulnerable.json")
    audit = run_audit(repo, COMPONENTS)
    assert audit.error() is None
    (finding,) = audit.findings
    assert finding.check == "deploy.sbom"
    assert finding.rule_id == "PYSEC-2018-28"
    assert finding.message.startswith("app 1.0 ships requests 2.19.0 is affected by PYSEC-2018-28")
    assert (finding.location.path, finding.location.start_line) == ("app/pyproject.toml", 5)
    assert finding.blocking

    res = audited(Sbom(), audit, sboms())
    assert res.status is Status.FAILED
    assert res.reason == (
        "1 finding(s); 5 components audited against the pypi service: "
        "1 known vulnerability: PYSEC-2018-28"
    )
    assert {m.name: m.value for m in res.metrics}["components_audited"] == 5


def test_below_fail_on_is_reported_but_passes(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    fake(monkeypatch, "pip_audit_vulnerable.json")
    audit = run_audit(repo, COMPONENTS, fail_on="critical")
    res = audited(Sbom(), audit, sboms())
    assert res.status is Status.PASSED
    assert not res.findings[0].blocking
    assert res.reason.endswith(
        "1 known vulnerability: PYSEC-2018-28 (all below the gate's fail_on)"
    )


def test_a_transitive_component_points_at_the_distribution_manifest(
    monkeypatch: pytest.MonkeyPatch, repo: Path
) -> None:
    data = json.loads((RECORDED / "pip_audit_vulnerable.json").read_text())
    requests, urllib3 = data["dependencies"][0], data["dependencies"][3]
    urllib3["vulns"], requests["vulns"] = requests["vulns"], []
    pip_audit = FakePipAudit(json.dumps(data))
    monkeypatch.setattr(process, "run", pip_audit)
    (finding,) = run_audit(repo, COMPONENTS).findings
    assert finding.message.startswith("app 1.0 ships urllib3 1.23 is affected by PYSEC-2018-28")
    assert "transitive dependency of app/pyproject.toml" in finding.message
    assert (finding.location.path, finding.location.start_line) == ("app/pyproject.toml", None)


def test_advisory_db_is_served_on_loopback(monkeypatch: pytest.MonkeyPatch, repo: Path) -> None:
    pip_audit = fake(monkeypatch, "pip_audit_vulnerable.json")
    audit = run_audit(repo, COMPONENTS, advisory_db=str(ADVISORIES))
    (argv,) = pip_audit.calls
    assert argv[argv.index("-s") + 1] == "osv"
    assert argv[argv.index("--osv-url") + 1].startswith("http://127.0.0.1:")
    assert audit.summary() == "5 components audited against the offline advisory_db"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"osv_url": "http://127.0.0.1:9/v1/query"}, "`osv_url` needs service = 'osv'"),
        (
            {"service": "osv", "osv_url": "http://127.0.0.1:9/v1/query", "advisory_db": "db"},
            "set either `advisory_db` or `osv_url`, not both",
        ),
    ],
)
def test_inconsistent_audit_settings_are_rejected(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SbomSettings(audit=True, **settings)


def test_audit_is_off_by_default() -> None:
    assert SbomSettings().audit is False

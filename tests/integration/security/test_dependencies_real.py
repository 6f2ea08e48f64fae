"""security.dependencies against real pip-audit: fail closed offline, the advisory directory served.

pip-audit resolves requirements through the package index (reachable here); its default
vulnerability service is not, which is exactly the case the check must refuse to call `passed`.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from atlas_ci.model import Status

pytestmark = pytest.mark.integration

TODAY = dt.date.today()


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "requirements.txt").write_text("requests==2.19.0\n")
    return tmp_path


def test_default_service_unreachable_is_an_error_naming_the_packages(repo, run_check):
    res = run_check("dependencies", repo, requirements=("requirements.txt",))
    assert res.status is Status.ERROR, res.reason
    assert res.reason.startswith("no advisory source reachable: ")
    # Resolved by pip-audit itself: the pin and its dependencies, none of them audited.
    for name in ("requests", "urllib3", "idna", "chardet", "certifi"):
        assert name in res.reason
    assert res.tool_version is not None


def test_advisory_db_finds_the_known_vulnerability(repo, run_check, advisories_dir):
    res = run_check(
        "dependencies",
        repo,
        requirements=("requirements.txt",),
        no_deps=True,
        advisory_db=str(advisories_dir),
    )
    assert res.status is Status.FAILED, res.reason
    (finding,) = res.findings
    assert finding.rule_id == "PYSEC-2018-28"
    assert "CVE-2018-18074" in finding.message
    assert "fixed in 2.20.0" in finding.message
    assert (finding.location.path, finding.location.start_line) == ("requirements.txt", 1)


def test_resolved_dependencies_are_audited_too(repo, run_check, advisories_dir):
    res = run_check(
        "dependencies", repo, requirements=("requirements.txt",), advisory_db=str(advisories_dir)
    )
    assert res.status is Status.FAILED, res.reason
    audited = next(m.value for m in res.metrics if m.name == "dependencies_audited")
    assert audited >= 5  # requests and what it pulls in


@pytest.mark.parametrize(
    ("expires", "status"),
    [
        (TODAY + dt.timedelta(days=30), Status.PASSED),
        (TODAY - dt.timedelta(days=1), Status.FAILED),
    ],
)
def test_ignore_until_it_expires(repo, run_check, advisories_dir, expires, status):
    ignore = ({"id": "CVE-2018-18074", "reason": "no redirects to http", "expires": expires},)
    res = run_check(
        "dependencies",
        repo,
        requirements=("requirements.txt",),
        no_deps=True,
        advisory_db=str(advisories_dir),
        ignore=ignore,
    )
    assert res.status is status, res.reason
    if status is Status.PASSED:
        assert "suppressed: PYSEC-2018-28 (requests): no redirects to http" in res.reason
    else:
        assert f"the ignore for CVE-2018-18074 expired on {expires}" in res.findings[0].message


def test_a_malformed_advisory_is_an_error_naming_the_file(repo, run_check, tmp_path):
    db = tmp_path / "db"
    db.mkdir()
    (db / "GOOD.json").write_text(json.dumps({"id": "GOOD", "affected": []}))
    (db / "PYSEC-BAD.json").write_text('{"id": "PYSEC-BAD", "affected": [')
    res = run_check(
        "dependencies", repo, requirements=("requirements.txt",), no_deps=True, advisory_db=str(db)
    )
    assert res.status is Status.ERROR
    assert "malformed advisory file PYSEC-BAD.json" in res.reason


def test_an_unreachable_osv_mirror_is_an_error(repo, run_check):
    res = run_check(
        "dependencies",
        repo,
        requirements=("requirements.txt",),
        no_deps=True,
        service="osv",
        osv_url="http://127.0.0.1:9/v1/query",
    )
    assert res.status is Status.ERROR
    assert res.reason.startswith("pip-audit could not reach http://127.0.0.1:9/v1/query")

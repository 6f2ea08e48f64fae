"""security.dependencies: pip-audit's recorded JSON judged fail-closed, ignores, arguments."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from atlas_ci.checks.security.audit_report import IgnoreRule, parse
from atlas_ci.checks.security.dependencies import Dependencies, DependenciesSettings
from atlas_ci.errors import CheckError
from atlas_ci.model import Severity, Status

pytestmark = pytest.mark.unit

TODAY = dt.date.today()


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "requirements.txt").write_text("requests==2.19.0\n")
    return tmp_path


def run(fake_tools, make_ctx, repo, stdout, returncode=0, **settings):
    fake_tools.respond("pip_audit", stdout, returncode)
    config = DependenciesSettings(**{"requirements": ("requirements.txt",), **settings})
    return Dependencies().run(make_ctx(Dependencies(), root=repo, settings=config))


def metric(res, name):
    return next(m.value for m in res.metrics if m.name == name)


def test_every_dependency_skipped_is_an_error_naming_them(fake_tools, make_ctx, repo, recorded):
    res = run(fake_tools, make_ctx, repo, recorded("pip_audit_unreachable.json"))
    assert res.status is Status.ERROR
    assert res.reason.startswith("no advisory source reachable: 5 packages could not be audited: ")
    for name in ("requests", "chardet", "idna", "urllib3", "certifi"):
        assert name in res.reason
    assert metric(res, "dependencies_audited") == 0
    assert metric(res, "dependencies_unaudited") == 5


def test_some_skipped_is_still_an_error(fake_tools, make_ctx, repo, recorded):
    data = json.loads(recorded("pip_audit_vulnerable.json"))
    data["dependencies"][1] = {"name": "chardet", "skip_reason": "could not resolve chardet"}
    res = run(fake_tools, make_ctx, repo, json.dumps(data), returncode=1)
    assert res.status is Status.ERROR
    assert res.reason.startswith("1 of 5 packages could not be audited: chardet")
    assert [f.rule_id for f in res.findings] == ["PYSEC-2018-28"]  # still reported


def test_allow_unaudited_accepts_named_packages(fake_tools, make_ctx, repo, recorded):
    data = json.loads(recorded("pip_audit_vulnerable.json"))
    data["dependencies"][1] = {"name": "chardet", "skip_reason": "private package"}
    res = run(fake_tools, make_ctx, repo, json.dumps(data), 1, allow_unaudited=("Chardet",))
    assert res.status is Status.FAILED


def test_nothing_to_audit_is_an_error(fake_tools, make_ctx, repo):
    with pytest.raises(CheckError, match="nothing audited"):
        run(fake_tools, make_ctx, repo, '{"dependencies": [], "fixes": []}')


def test_a_vulnerability_is_a_finding_at_the_declaring_line(fake_tools, make_ctx, repo, recorded):
    res = run(fake_tools, make_ctx, repo, recorded("pip_audit_vulnerable.json"), returncode=1)
    assert res.status is Status.FAILED
    assert res.reason.startswith("1 known vulnerability: PYSEC-2018-28")
    (finding,) = res.findings
    assert finding.rule_id == "PYSEC-2018-28"
    assert (finding.location.path, finding.location.start_line) == ("requirements.txt", 1)
    for part in ("CVE-2018-18074", "installed 2.19.0", "fixed in 2.20.0"):
        assert part in finding.message
    assert finding.severity is Severity.HIGH
    assert "CWE-1395" in finding.tags
    assert finding.help_uri == "https://osv.dev/vulnerability/PYSEC-2018-28"
    assert metric(res, "dependencies_audited") == 5


def test_a_transitive_dependency_points_at_the_manifest(fake_tools, make_ctx, repo, recorded):
    data = json.loads(recorded("pip_audit_vulnerable.json"))
    data["dependencies"][3]["vulns"] = [
        {"id": "PYSEC-X", "fix_versions": [], "aliases": [], "description": ""}
    ]
    res = run(fake_tools, make_ctx, repo, json.dumps(data), returncode=1)
    urllib3 = next(f for f in res.findings if f.rule_id == "PYSEC-X")
    assert urllib3.location.path == "requirements.txt"
    assert urllib3.location.start_line is None
    assert "transitive dependency of requirements.txt" in urllib3.message
    assert "no fixed version" in urllib3.message


@pytest.mark.parametrize("rule_id", ["PYSEC-2018-28", "cve-2018-18074", "GHSA-x84v-xcm2-53pg"])
def test_an_unexpired_ignore_matching_id_or_alias_suppresses(
    fake_tools, make_ctx, repo, recorded, rule_id
):
    ignore = (IgnoreRule(id=rule_id, reason="not reachable", expires=TODAY),)
    res = run(fake_tools, make_ctx, repo, recorded("pip_audit_vulnerable.json"), 1, ignore=ignore)
    assert res.status is Status.PASSED
    assert res.findings == ()
    assert metric(res, "vulnerabilities_suppressed") == 1
    assert f"suppressed: PYSEC-2018-28 (requests): not reachable, until {TODAY}" in res.reason


def test_an_expired_ignore_counts_again_and_says_so(fake_tools, make_ctx, repo, recorded):
    yesterday = TODAY - dt.timedelta(days=1)
    ignore = (IgnoreRule(id="PYSEC-2018-28", reason="waiting for 2.20", expires=yesterday),)
    res = run(fake_tools, make_ctx, repo, recorded("pip_audit_vulnerable.json"), 1, ignore=ignore)
    assert res.status is Status.FAILED
    (finding,) = res.findings
    assert f"the ignore for PYSEC-2018-28 expired on {yesterday}" in finding.message


def test_below_fail_on_passes_but_still_reports(fake_tools, make_ctx, repo, recorded):
    fake_tools.respond("pip_audit", recorded("pip_audit_vulnerable.json"), 1)
    config = DependenciesSettings(requirements=("requirements.txt",))
    ctx = make_ctx(Dependencies(), root=repo, settings=config, fail_on="critical")
    res = Dependencies().run(ctx)
    assert res.status is Status.PASSED
    assert [f.blocking for f in res.findings] == [False]


def test_no_report_on_stdout_is_an_error_with_the_tail(fake_tools, make_ctx, repo):
    fake_tools.respond("pip_audit", "", 1)
    fake_tools.responses["pip_audit"] = ("", 1, "Traceback\nConnectionError: no route to host")
    config = DependenciesSettings(requirements=("requirements.txt",))
    with pytest.raises(
        CheckError,
        match=r"could not reach the pypi service \(exit 1\): ConnectionError: no route to host",
    ):
        Dependencies().run(make_ctx(Dependencies(), root=repo, settings=config))


@pytest.mark.parametrize("stdout", ["garbage", "[]", '{"deps": []}', '{"dependencies": [{}]}'])
def test_unreadable_json_is_an_error(stdout):
    with pytest.raises(CheckError):
        parse(stdout)


def argv_for(fake_tools, make_ctx, root, **settings):
    fake_tools.respond(
        "pip_audit", '{"dependencies": [{"name": "a", "version": "1", "vulns": []}]}'
    )
    Dependencies().run(
        make_ctx(Dependencies(), root=root, settings=DependenciesSettings(**settings))
    )
    (argv,) = fake_tools.tool_calls()
    return argv


def test_requirements_arguments(fake_tools, make_ctx, repo):
    argv = argv_for(fake_tools, make_ctx, repo, requirements=("requirements.txt",), no_deps=True)
    assert argv[argv.index("-r") + 1] == "requirements.txt"
    assert argv[argv.index("-f") + 1] == "json"
    assert argv[argv.index("-s") + 1] == "pypi"
    assert {"--no-deps", "--disable-pip"} <= set(argv)


def test_project_and_osv_mirror_arguments(fake_tools, make_ctx, repo):
    (repo / "pyproject.toml").write_text(
        "[project]\nname = 'x'\nversion = '1'\ndependencies = ['a']\n"
    )
    argv = argv_for(fake_tools, make_ctx, repo, service="osv", osv_url="http://mirror/v1/query")
    assert argv[-1] == "."
    assert argv[argv.index("-s") + 1] == "osv"
    assert argv[argv.index("--osv-url") + 1] == "http://mirror/v1/query"


def test_environment_audits_the_project_interpreter(fake_tools, make_ctx, repo):
    argv = argv_for(fake_tools, make_ctx, repo, source="environment")
    assert "--skip-editable" in argv
    env = fake_tools.envs[-1]
    assert env["PIPAPI_PYTHON_LOCATION"] == make_ctx(Dependencies()).project.python


def test_advisory_db_is_served_on_loopback(fake_tools, make_ctx, repo, fixtures):
    argv = argv_for(
        fake_tools,
        make_ctx,
        repo,
        requirements=("requirements.txt",),
        advisory_db=str(fixtures / "advisories"),
    )
    assert argv[argv.index("-s") + 1] == "osv"
    assert argv[argv.index("--osv-url") + 1].startswith("http://127.0.0.1:")
    assert "127.0.0.1" in fake_tools.envs[-1]["NO_PROXY"].split(",")


def test_missing_requirements_file_is_an_error(fake_tools, make_ctx, tmp_path):
    with pytest.raises(CheckError, match=r"requirements file not found: nope\.txt"):
        argv_for(fake_tools, make_ctx, tmp_path, requirements=("nope.txt",))


@pytest.mark.parametrize(
    ("pyproject", "reason"),
    [
        (None, "nothing declares dependencies: no pyproject.toml"),
        ("[tool.ruff]\n", "nothing declares dependencies: no pyproject.toml [project]"),
        ("[project]\nname = 'x'\n", "the project declares no dependencies"),
    ],
)
def test_a_project_without_dependencies_is_skipped(
    fake_tools, make_ctx, tmp_path, pyproject, reason
):
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    res = Dependencies().run(make_ctx(Dependencies(), root=tmp_path))
    assert res.status is Status.SKIPPED
    assert res.reason.startswith(reason)
    assert fake_tools.tool_calls() == []


def test_another_failure_without_a_report_shows_the_last_line(fake_tools, make_ctx, repo):
    fake_tools.responses["pip_audit"] = ("", 1, "ERROR: resolution failed\nno matching dist: foo")
    config = DependenciesSettings(requirements=("requirements.txt",))
    with pytest.raises(CheckError, match=r"^pip-audit exited 1 without a report: no matching dist"):
        Dependencies().run(make_ctx(Dependencies(), root=repo, settings=config))


@pytest.mark.parametrize(
    "settings",
    [
        {"source": "requirements"},
        {"source": "environment", "requirements": ("r.txt",)},
        {"no_deps": True},
        {"osv_url": "http://x/v1/query"},
        {"service": "osv", "osv_url": "http://x/v1/query", "advisory_db": "db"},
        {"ignore": ({"id": "X", "reason": ""},)},
        {"ignore": ({"id": "X", "reason": "r", "expires": "someday"},)},
    ],
)
def test_inconsistent_settings_are_rejected(settings):
    with pytest.raises(ValidationError):
        DependenciesSettings(**settings)


def test_ignore_accepts_a_toml_date_or_an_iso_string():
    assert IgnoreRule(id="X", reason="r", expires="2030-01-02").expires == dt.date(2030, 1, 2)
    assert (
        IgnoreRule(id="X", reason="r", expires=dt.date(2030, 1, 2)).expired(dt.date(2030, 1, 2))
        is False
    )
    assert IgnoreRule(id="X", reason="r", expires=dt.date(2030, 1, 2)).expired(dt.date(2030, 1, 3))

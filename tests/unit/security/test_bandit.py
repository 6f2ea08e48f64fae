"""security.bandit: bandit's recorded JSON, its failure modes, and the arguments it is given."""

from __future__ import annotations

import json
from importlib import metadata

import pytest

from atlas_ci.checks.base import short_hash
from atlas_ci.checks.security.sast import Bandit, BanditSettings, bandit_args, load_report, parse
from atlas_ci.errors import CheckError
from atlas_ci.model import Severity, Status

pytestmark = pytest.mark.unit


@pytest.fixture
def report(recorded):
    return load_report(recorded("bandit.json"))


def test_recorded_output_becomes_findings(report, make_ctx, fixtures):
    ctx = make_ctx(Bandit(), root=fixtures / "bandit_repo")
    findings = parse(report, Bandit(), ctx)
    got = {(f.rule_id, f.location.path, f.location.start_line) for f in findings}
    assert got == {
        ("B403", "src/app/bad.py", 4),
        ("B404", "src/app/bad.py", 5),
        ("B105", "src/app/bad.py", 9),
        ("B602", "src/app/bad.py", 13),
        ("B301", "src/app/bad.py", 17),
        ("B506", "src/app/bad.py", 21),
        ("B324", "src/app/bad.py", 25),
    }
    shell = next(f for f in findings if f.rule_id == "B602")
    assert shell.severity is Severity.HIGH
    assert shell.tags == ("security", "CWE-78")
    assert shell.help_uri.endswith("b602_subprocess_popen_with_shell_equals_true.html")
    assert shell.help_text == "bandit B602 (subprocess_popen_with_shell_equals_true)"
    assert shell.location.start_column == 12
    assert shell.check == "security.bandit"


def test_severity_below_fail_on_is_reported_but_not_blocking(report, make_ctx, fixtures):
    ctx = make_ctx(Bandit(), root=fixtures / "bandit_repo", fail_on="high")
    blocking = {f.rule_id: f.blocking for f in parse(report, Bandit(), ctx)}
    assert blocking == {
        "B403": False,
        "B404": False,
        "B105": False,
        "B301": False,
        "B506": False,
        "B602": True,
        "B324": True,
    }


def test_hard_coded_password_message_never_carries_the_value(report, make_ctx, fixtures):
    ctx = make_ctx(Bandit(), root=fixtures / "bandit_repo")
    b105 = next(f for f in parse(report, Bandit(), ctx) if f.rule_id == "B105")
    value = "<not-a-real-password>"
    assert value not in b105.model_dump_json()
    assert f"<redacted {short_hash(value, ctx.root)}>" in b105.message


def test_files_bandit_could_not_parse_make_the_check_error(recorded):
    data = json.loads(recorded("bandit.json"))
    data["errors"] = [{"filename": "src/app/broken.py", "reason": "syntax error while parsing"}]
    with pytest.raises(CheckError, match=r"could not scan 1 path\(s\): src/app/broken.py"):
        load_report(json.dumps(data))


@pytest.mark.parametrize("stdout", ["garbage", "", "[]", '{"results": 3}'])
def test_unreadable_output_is_a_check_error(stdout):
    with pytest.raises(CheckError):
        load_report(stdout)


BANDIT_REPO_FILES = ["src/app/__init__.py", "src/app/bad.py"]


def test_run_passes_thresholds_and_reports_version(fake_tools, recorded, make_ctx, fixtures):
    fake_tools.respond("bandit", recorded("bandit.json"))
    settings = BanditSettings(min_severity="low", min_confidence="high")
    res = Bandit().run(make_ctx(Bandit(), root=fixtures / "bandit_repo", settings=settings))
    assert res.status is Status.FAILED
    # atlas-ci's own bandit: its package metadata answers, no --version call.
    assert res.tool_version == metadata.version("bandit")
    (argv,) = fake_tools.tool_calls()
    assert argv[argv.index("--severity-level") + 1] == "low"
    assert argv[argv.index("--confidence-level") + 1] == "high"
    # The file set's Python files under src, each named (no -r: no directory to walk).
    assert argv[argv.index("--confidence-level") + 2 :] == BANDIT_REPO_FILES
    assert "-r" not in argv
    assert "--exit-zero" in argv


def test_excluded_files_are_never_given_to_bandit(fake_tools, recorded, make_ctx, fixtures):
    fake_tools.respond("bandit", recorded("bandit.json"))
    ctx = make_ctx(Bandit(), root=fixtures / "bandit_repo", exclude=(BANDIT_REPO_FILES[0],))
    Bandit().run(ctx)
    (argv,) = fake_tools.tool_calls()
    assert BANDIT_REPO_FILES[0] not in argv
    assert argv[-len(BANDIT_REPO_FILES) + 1 :] == BANDIT_REPO_FILES[1:]


def test_runs_past_the_argv_budget_are_merged(fake_tools, make_ctx, fixtures, monkeypatch):
    from atlas_ci.checks import toolkit

    monkeypatch.setattr(toolkit, "ARGV_BUDGET", 1)  # one file per run
    one = {"errors": [], "results": [], "metrics": {"_totals": {}, "a.py": {}}}
    fake_tools.respond("bandit", json.dumps(one))
    res = Bandit().run(make_ctx(Bandit(), root=fixtures / "bandit_repo"))
    assert res.status is Status.PASSED
    assert len(fake_tools.tool_calls()) == len(BANDIT_REPO_FILES)


def test_every_file_excluded_by_bandits_own_config_is_skipped_not_passed(
    fake_tools, make_ctx, fixtures
):
    empty = {"errors": [], "results": [], "metrics": {"_totals": {"loc": 0}}}
    fake_tools.respond("bandit", json.dumps(empty))
    res = Bandit().run(make_ctx(Bandit(), root=fixtures / "bandit_repo"))
    assert res.status is Status.SKIPPED
    assert "bandit config excludes every file" in res.reason


def test_a_crash_is_an_error(fake_tools, make_ctx, fixtures):
    fake_tools.respond("bandit", "", returncode=2, stderr="usage: bandit ...")
    with pytest.raises(CheckError, match="bandit exited 2"):
        Bandit().run(make_ctx(Bandit(), root=fixtures / "bandit_repo"))


def test_project_config_files_are_passed_to_bandit(tmp_path):
    settings = BanditSettings()
    assert "-c" not in bandit_args(tmp_path, settings)
    (tmp_path / "pyproject.toml").write_text('[tool.bandit]\nskips = ["B101"]\n')
    (tmp_path / ".bandit").write_text("[bandit]\nexclude = legacy,vendor\n")
    args = bandit_args(tmp_path, settings)
    assert args[args.index("-c") + 1] == "pyproject.toml"
    assert args[args.index("--ini") + 1] == ".bandit"
    # No -x: it would replace bandit's defaults and the .bandit file's own list.
    assert "-x" not in args


def test_pyproject_without_a_bandit_table_is_not_passed(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    assert "-c" not in bandit_args(tmp_path, BanditSettings())
    assert "-x" not in bandit_args(tmp_path, BanditSettings())


def test_a_cached_result_feeds_the_quoted_password_to_the_redaction_again(
    report, make_ctx, fixtures
):
    from atlas_ci import redact
    from atlas_ci.checks.base import result

    ctx = make_ctx(Bandit(), root=fixtures / "bandit_repo")
    cached = result(Bandit(), Status.FAILED, "findings", findings=parse(report, Bandit(), ctx))
    value = "<not-a-real-password>"
    redact.forget()
    try:
        assert redact.known_only(f"a test printed {value}") == f"a test printed {value}"
        Bandit().replay(ctx.root, cached, ())
        assert redact.known_only(f"a test printed {value}") == "a test printed [redacted]"
    finally:
        redact.forget()

"""quality.lint: ruff check's recorded JSON, its failure modes, and the arguments it is given."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from atlas_ci.checks import toolkit
from atlas_ci.checks.quality.lint import Lint, parse
from atlas_ci.errors import CheckError
from atlas_ci.model import Severity, Status, fingerprint

pytestmark = pytest.mark.unit


def test_recorded_output_becomes_findings_at_repo_relative_paths(recorded, make_ctx, dirty):
    stdout, _ = recorded("ruff_check.json")
    findings = parse(stdout, Lint(), make_ctx(Lint()))
    got = {(f.rule_id, f.location.path, f.location.start_line) for f in findings}
    assert got == {("F401", "src/dirty/lint_me.py", 3), ("F841", "src/dirty/lint_me.py", 7)}
    f401 = next(f for f in findings if f.rule_id == "F401")
    assert (f401.location.start_column, f401.location.end_column) == (8, 10)
    assert f401.severity is Severity.MEDIUM
    assert f401.help_uri == "https://docs.astral.sh/ruff/rules/unused-import"
    assert f401.check == "quality.lint"
    assert f401.tool == "ruff"
    # Fingerprint: rule, path and the flagged line's content, not its number.
    assert f401.fingerprint == fingerprint("F401", "src/dirty/lint_me.py", "import os")


def test_syntax_errors_are_high_severity_findings(recorded, make_ctx):
    stdout, _ = recorded("ruff_check_syntax_error.json")
    findings = parse(stdout, Lint(), make_ctx(Lint()))
    syntax = [f for f in findings if f.location.path == "src/dirty/broken.py"]
    assert [f.rule_id for f in syntax] == ["invalid-syntax", "invalid-syntax"]
    assert all(f.severity is Severity.HIGH for f in syntax)


def test_a_null_code_from_older_ruff_is_a_syntax_error(recorded, make_ctx):
    stdout, _ = recorded("ruff_check_syntax_error.json")
    items = json.loads(stdout)
    for item in items:
        if item["code"] == "invalid-syntax":
            item["code"] = None
    findings = parse(json.dumps(items), Lint(), make_ctx(Lint()))
    assert sorted(f.rule_id for f in findings) == [
        "F401",
        "F841",
        "invalid-syntax",
        "invalid-syntax",
    ]


@pytest.mark.parametrize(
    "stdout",
    ["garbage", "", '{"not": "a list"}', '[{"code": "F401"}]', '[{"location": 3}]', "[1]"],
)
def test_unreadable_output_is_a_check_error(stdout, make_ctx):
    with pytest.raises(CheckError):
        parse(stdout, Lint(), make_ctx(Lint()))


def test_run_reports_findings_and_the_tool_version(fake_tools, recorded, make_ctx):
    stdout, code = recorded("ruff_check.json")
    fake_tools.respond("check", stdout, code)
    fake_tools.version = "ruff 0.17.6"
    result = Lint().run(make_ctx(Lint()))
    assert result.status is Status.FAILED
    assert len(result.findings) == 2
    assert result.tool_version == "0.17.6"


def test_clean_output_passes(fake_tools, make_ctx):
    fake_tools.respond("check", "[]")
    assert Lint().run(make_ctx(Lint())).status is Status.PASSED


@pytest.mark.parametrize(("code", "said"), [(1, "exited 1"), (2, "exited 2"), (-9, "SIGKILL")])
def test_a_non_zero_exit_is_a_check_error(fake_tools, make_ctx, code, said):
    # With --exit-zero ruff exits non-zero only when it failed itself.
    fake_tools.respond("check", "[]", code, stderr="ruff failed")
    with pytest.raises(CheckError, match=said):
        Lint().run(make_ctx(Lint()))


@pytest.mark.parametrize("flag", ["timed_out", "truncated"])
def test_a_killed_or_truncated_run_is_a_check_error(fake_tools, recorded, make_ctx, flag):
    stdout, code = recorded("ruff_check.json")
    fake_tools.respond("check", stdout, code, **{flag: True})
    with pytest.raises(CheckError):
        Lint().run(make_ctx(Lint()))


def test_no_python_files_is_a_check_error_not_a_pass(fake_tools, make_ctx):
    fake_tools.respond(
        "check", "[]", stderr="warning: No Python files found under the given path(s)"
    )
    with pytest.raises(CheckError, match="no Python files"):
        Lint().run(make_ctx(Lint()))


def test_ruff_is_given_the_file_set_minus_exclude_and_keeps_its_own_config(fake_tools, make_ctx):
    fake_tools.respond("check", "[]")
    Lint().run(make_ctx(Lint(), exclude=("lint_me.py", "/src/dirty/fmt_me.py")))
    (call,) = fake_tools.tool_calls()
    assert call[:3] == ["ruff", "check", "--output-format"]
    assert "--config" not in call
    assert "--isolated" not in call
    # The project's own ruff excludes still apply to the files named.
    assert "--force-exclude" in call
    assert call[call.index("--exit-zero") + 1 :] == [
        "src/dirty/__init__.py",
        "src/dirty/complex_me.py",
        "src/dirty/types_me.py",
    ]


def test_files_past_the_argv_budget_go_in_several_runs(fake_tools, make_ctx, monkeypatch):
    monkeypatch.setattr(toolkit, "ARGV_BUDGET", 25)  # one file per run
    fake_tools.respond("check", "[]")
    Lint().run(make_ctx(Lint()))
    runs = [c[c.index("--exit-zero") + 1 :] for c in fake_tools.tool_calls()]
    assert len(runs) == 5
    assert [name for run in runs for name in run] == [
        f"src/dirty/{n}.py" for n in ("__init__", "complex_me", "fmt_me", "lint_me", "types_me")
    ]


def test_nothing_under_default_paths_is_skipped_under_configured_ones_an_error(
    fake_tools, make_ctx, tmp_path
):
    (tmp_path / "notes.txt").write_text("no code\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no Python code alone
    result = Lint().run(make_ctx(Lint(), root=tmp_path, paths=(".",)))
    assert result.status is Status.SKIPPED
    assert fake_tools.tool_calls() == []
    ctx = make_ctx(Lint(), root=tmp_path, paths=(".",))
    configured = replace(ctx, project=replace(ctx.project, paths_configured=True))
    with pytest.raises(CheckError, match="no Python files in the configured paths"):
        Lint().run(configured)


def test_a_configured_path_that_does_not_exist_is_a_check_error(fake_tools, make_ctx):
    with pytest.raises(CheckError, match="configured path not found: tols"):
        Lint().run(make_ctx(Lint(), paths=("src", "tols")))

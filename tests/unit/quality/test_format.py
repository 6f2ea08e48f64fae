"""quality.format: ruff format --check's recorded JSON, one finding per file, and its exit codes."""

from __future__ import annotations

import json

import pytest

from atlas_ci.checks import toolkit
from atlas_ci.checks.quality.format import Format, parse
from atlas_ci.errors import CheckError
from atlas_ci.model import Severity, Status

pytestmark = pytest.mark.unit


def test_recorded_output_gives_one_finding_per_file(recorded, make_ctx):
    stdout, code = recorded("ruff_format.json")
    assert code == 1
    findings = parse(stdout, Format(), make_ctx(Format()))
    assert [(f.rule_id, f.location.path, f.location.start_line) for f in findings] == [
        ("unformatted", "src/dirty/fmt_me.py", 4)
    ]
    assert findings[0].severity is Severity.LOW


def test_several_diagnostics_for_one_file_stay_one_finding(recorded, make_ctx):
    stdout, _ = recorded("ruff_format.json")
    item = json.loads(stdout)[0]
    later = {**item, "location": {"row": 5, "column": 1}}
    findings = parse(json.dumps([item, later]), Format(), make_ctx(Format()))
    assert len(findings) == 1


def test_the_fingerprint_is_the_file_not_the_first_changed_line(recorded, make_ctx):
    stdout, _ = recorded("ruff_format.json")
    item = json.loads(stdout)[0]
    moved = {**item, "location": {"row": 5, "column": 1}}
    (a,) = parse(json.dumps([item]), Format(), make_ctx(Format()))
    (b,) = parse(json.dumps([moved]), Format(), make_ctx(Format()))
    assert a.location.start_line != b.location.start_line
    assert a.fingerprint == b.fingerprint


def test_run_fails_with_the_files_to_reformat(fake_tools, recorded, make_ctx):
    stdout, code = recorded("ruff_format.json")
    fake_tools.respond("format", stdout, code)
    fake_tools.version = "ruff 0.17.6"
    result = Format().run(make_ctx(Format()))
    assert result.status is Status.FAILED
    assert [f.location.path for f in result.findings] == ["src/dirty/fmt_me.py"]
    assert result.tool_version == "0.17.6"


def test_exit_zero_with_an_empty_list_passes(fake_tools, make_ctx):
    fake_tools.respond("format", "[]", 0)
    assert Format().run(make_ctx(Format())).status is Status.PASSED


def test_exit_two_names_the_unparsable_file(fake_tools, recorded, make_ctx):
    stdout, code = recorded("ruff_format_syntax_error.json")
    assert code == 2
    fake_tools.respond("format", stdout, code)
    with pytest.raises(CheckError, match=r"src/dirty/broken\.py:1"):
        Format().run(make_ctx(Format()))


@pytest.mark.parametrize(
    ("stdout", "code"),
    [
        ("[]", 1),  # "would reformat" without naming a file
        ("garbage", 0),
        ("garbage", 1),
        ("[]", 3),
        ("", 2),
        ('{"a": 1}', 1),
    ],
)
def test_unexpected_exits_and_output_are_check_errors(fake_tools, make_ctx, stdout, code):
    fake_tools.respond("format", stdout, code)
    with pytest.raises(CheckError):
        Format().run(make_ctx(Format()))


def test_no_output_at_all_means_no_file_was_checked(fake_tools, make_ctx):
    fake_tools.respond(
        "format", "", 0, stderr="warning: No Python files found under the given path(s)"
    )
    with pytest.raises(CheckError, match="no Python files in src"):
        Format().run(make_ctx(Format()))


def test_a_diagnostic_other_than_unformatted_is_a_check_error(recorded, make_ctx):
    stdout, _ = recorded("ruff_format_syntax_error.json")
    with pytest.raises(CheckError, match="invalid-syntax"):
        parse(stdout, Format(), make_ctx(Format()))


def test_timeout_is_a_check_error(fake_tools, make_ctx):
    fake_tools.respond("format", "", -15, timed_out=True)
    with pytest.raises(CheckError, match="timed out"):
        Format().run(make_ctx(Format()))


def test_arguments_check_only_and_name_the_file_set_minus_exclude(fake_tools, make_ctx):
    fake_tools.respond("format", "[]")
    Format().run(make_ctx(Format(), exclude=("src/dirty/[cf]*_me.py",)))
    (args,) = fake_tools.tool_calls()
    assert args[1:3] == ["format", "--check"]
    assert "--diff" not in args
    assert args[args.index("--output-format") + 1] == "json"
    assert args[args.index("--force-exclude") + 1 :] == [
        "src/dirty/__init__.py",
        "src/dirty/lint_me.py",
        "src/dirty/types_me.py",
    ]


def test_a_run_whose_files_ruff_itself_excludes_does_not_count(fake_tools, make_ctx, monkeypatch):
    """Over several runs, one that checked nothing is silent; the others still judge."""
    monkeypatch.setattr(toolkit, "ARGV_BUDGET", 25)  # one file per run
    fake_tools.respond("format", "[]")
    assert Format().run(make_ctx(Format())).status is Status.PASSED
    assert len(fake_tools.tool_calls()) == 5

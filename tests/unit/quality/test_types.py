"""quality.types: mypy's recorded JSON lines, notes, blocking errors and how mypy is invoked."""

from __future__ import annotations

import json
import sys

import pytest

from atlas_ci.checks.quality import mypy_config
from atlas_ci.checks.quality.types import Types, mypy_args, parse, targets
from atlas_ci.errors import CheckError
from atlas_ci.model import Severity, Status, fingerprint

pytestmark = pytest.mark.unit


def test_recorded_error_becomes_a_finding_with_one_based_columns(recorded, make_ctx):
    stdout, code = recorded("mypy.jsonl")
    assert code == 1
    (finding,) = parse(stdout, Types(), make_ctx(Types()))
    assert finding.rule_id == "arg-type"
    loc = finding.location
    assert (loc.path, loc.start_line, loc.end_line) == ("src/dirty/types_me.py", 9, 9)
    # mypy's column 18 (0-based) is the opening quote of "two" in `    return double("two")`.
    assert (loc.start_column, loc.end_column) == (19, 24)
    assert finding.severity is Severity.MEDIUM
    assert finding.help_uri is not None
    assert finding.help_uri.endswith("#code-arg-type")
    assert finding.fingerprint == fingerprint("arg-type", loc.path, '    return double("two")')


def test_notes_join_their_error_or_are_dropped(recorded, make_ctx):
    stdout, _ = recorded("mypy_notes.jsonl")
    findings = parse(stdout, Types(), make_ctx(Types()))
    # Context notes ("In function ...") and reveal_type's note stand alone: not findings.
    assert sorted((f.rule_id, f.location.path) for f in findings) == [
        ("arg-type", "src/dirty/types_me.py"),
        ("operator", "src/dirty/notes.py"),
    ]
    operator = next(f for f in findings if f.rule_id == "operator")
    assert 'Left operand is of type "int | None"' in operator.message


def test_run_fails_with_type_errors_and_reports_the_version(fake_tools, recorded, make_ctx):
    stdout, code = recorded("mypy.jsonl")
    fake_tools.respond("--output", stdout, code)
    fake_tools.version = "mypy 2.4.1 (compiled: yes)"
    result = Types().run(make_ctx(Types()))
    assert result.status is Status.FAILED
    assert [f.rule_id for f in result.findings] == ["arg-type"]
    assert result.tool_version == "2.4.1"


def test_clean_run_passes(fake_tools, make_ctx):
    fake_tools.respond("--output", "", 0)
    assert Types().run(make_ctx(Types())).status is Status.PASSED


def test_exit_two_is_a_check_error_naming_the_blocking_error(fake_tools, recorded, make_ctx):
    stdout, code = recorded("mypy_syntax_error.jsonl")
    assert code == 2
    fake_tools.respond("--output", stdout, code)
    with pytest.raises(CheckError, match=r"src/dirty/broken\.py:1"):
        Types().run(make_ctx(Types()))


@pytest.mark.parametrize(
    ("stdout", "code", "stderr"),
    [
        ("", 2, "pyproject.toml: [mypy]: Unrecognized option"),
        ("", 1, ""),  # "errors" without any error reported
        ("Success: no issues found in 3 source files", 0, ""),
        ("garbage", 1, ""),
        ("[1, 2]", 1, ""),
        ("", 3, ""),
    ],
)
def test_unexpected_exits_and_output_are_check_errors(fake_tools, make_ctx, stdout, code, stderr):
    fake_tools.respond("--output", stdout, code, stderr=stderr)
    with pytest.raises(CheckError):
        Types().run(make_ctx(Types()))


def test_unknown_severity_or_bad_positions_are_check_errors(recorded, make_ctx):
    stdout, _ = recorded("mypy.jsonl")
    item = json.loads(stdout)
    for broken in ({**item, "severity": "warning"}, {**item, "line": "nine"}, {"file": "a.py"}):
        with pytest.raises(CheckError):
            parse(json.dumps(broken), Types(), make_ctx(Types()))


def test_findings_in_excluded_paths_are_dropped(fake_tools, recorded, make_ctx):
    stdout, code = recorded("mypy_notes.jsonl")
    fake_tools.respond("--output", stdout, code)
    result = Types().run(make_ctx(Types(), exclude=("notes.py",)))
    assert [f.location.path for f in result.findings] == ["src/dirty/types_me.py"]


# ---- how mypy is invoked: the project's config decides, atlas-ci only fills the gaps ----


def _ctx(make_ctx, root, paths=("src", "scripts")):
    (root / ".git").mkdir(exist_ok=True)  # stops mypy's (and our) config search here
    for name in ("src/a.py", "scripts/b.py"):
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text("x = 1\n")
    return make_ctx(Types(), root=root, paths=paths)


def _args(ctx):
    """mypy's arguments after the kit's prefix, as the check builds them."""
    section = mypy_config.find_section(ctx.root)
    return [*mypy_args(ctx.project, section), *(targets(ctx, section) or [])]


def _project_args(make_ctx, root):
    return _args(_ctx(make_ctx, root))


NAMED = ["scripts/b.py", "src/a.py"]


def test_without_config_the_project_paths_are_checked(tmp_path, make_ctx):
    args = _project_args(make_ctx, tmp_path)
    assert args[-2:] == NAMED
    assert args[args.index("--python-executable") + 1] == sys.executable
    assert args[args.index("--output") + 1] == "json"
    assert "--no-error-summary" in args
    assert "--config-file" not in args


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", '[tool.mypy]\nfiles = ["pkg"]\n'),
        ("pyproject.toml", '[tool.mypy]\npackages = ["pkg"]\n'),
        ("mypy.ini", "[mypy]\nfiles = pkg, other\n"),
        (".mypy.ini", "[mypy]\nmodules = pkg\n"),
        ("setup.cfg", "[metadata]\nname = x\n[mypy]\nfiles = pkg\n"),
    ],
)
def test_config_naming_targets_gets_no_paths(tmp_path, make_ctx, name, text):
    (tmp_path / name).write_text(text)
    args = _project_args(make_ctx, tmp_path)
    assert not set(NAMED) & set(args)


def test_config_without_targets_still_gets_the_paths(tmp_path, make_ctx):
    (tmp_path / "pyproject.toml").write_text("[tool.mypy]\nstrict = true\n")
    (tmp_path / "setup.cfg").write_text("[mypy]\nfiles = ignored\n")  # mypy reads pyproject first
    assert _project_args(make_ctx, tmp_path)[-2:] == NAMED


def test_setup_cfg_without_a_mypy_section_is_not_the_config(tmp_path, make_ctx):
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n")
    (tmp_path / "pyproject.toml").write_text('[tool.mypy]\nfiles = ["pkg"]\n')
    assert not set(NAMED) & set(_project_args(make_ctx, tmp_path))


def test_the_config_is_found_in_a_parent_directory_up_to_the_vcs_root(tmp_path, make_ctx):
    (tmp_path / ".git").mkdir()
    (tmp_path / "mypy.ini").write_text("[mypy]\nfiles = pkg\n")
    sub = tmp_path / "service"
    sub.mkdir()
    (sub / "m.py").write_text("x = 1\n")
    assert "m.py" not in _args(make_ctx(Types(), root=sub, paths=(".",)))


def test_a_configured_interpreter_is_not_overridden(tmp_path, make_ctx):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mypy]\npython_executable = "/opt/py/bin/python"\n'
    )
    assert "--python-executable" not in _project_args(make_ctx, tmp_path)


def test_an_unreadable_config_leaves_the_paths_and_mypy_reports_it(tmp_path, make_ctx):
    (tmp_path / "pyproject.toml").write_text("[tool.mypy\nfiles = [")
    assert _project_args(make_ctx, tmp_path)[-2:] == NAMED


def test_like_mypy_the_search_goes_past_an_unreadable_file(tmp_path, make_ctx):
    (tmp_path / "pyproject.toml").write_text("[tool.mypy\nfiles = [")
    (tmp_path / "setup.cfg").write_text("[mypy]\nfiles = pkg\n")
    assert not set(NAMED) & set(_project_args(make_ctx, tmp_path))


def test_a_command_that_prints_nothing_and_exits_0_is_an_error_not_a_pass(make_ctx, monkeypatch):
    # mypy's JSON output is empty on a clean run: only its result file shows it really ran.
    from atlas_ci import process
    from atlas_ci.process import ProcessResult

    real = process.run

    def silent(argv, **kw):
        if argv[0] == "git":  # the file set's listing runs for real
            return real(argv, **kw)
        return ProcessResult(tuple(argv), 0, "", "", 0.01)

    monkeypatch.setattr(process, "run", silent)
    with pytest.raises(CheckError, match="wrote no readable result file"):
        Types().run(make_ctx(Types()))


def test_a_result_file_that_disagrees_with_the_json_is_an_error(fake_tools, recorded, make_ctx):
    stdout, _ = recorded("mypy.jsonl")
    fake_tools.respond("--output", stdout, 0)  # errors printed, but exit 0 and failures="0"
    with pytest.raises(CheckError, match="disagree"):
        Types().run(make_ctx(Types()))

"""The four quality checks on real fixture repositories, run the way `atlas-ci gate` plans them."""

from __future__ import annotations

import sys

import pytest

from atlas_ci.model import Status

pytestmark = pytest.mark.integration

CHECKS = ("quality.lint", "quality.format", "quality.types", "quality.complexity")


def test_every_dirty_check_fails_with_a_known_tool_version(dirty_results):
    _, results = dirty_results
    for check in CHECKS:
        assert results[check].status is Status.FAILED, (check, results[check].reason)
        assert results[check].tool_version, check


def test_lint_findings_equal_what_ruff_itself_reports(dirty_results, ruff_lint_keys, finding_keys):
    root, results = dirty_results
    expected = ruff_lint_keys(root)
    assert ("F401", "src/dirty/lint_me.py", 3) in expected  # the fixture's planted problem
    assert finding_keys(results["quality.lint"]) == expected


def test_format_names_exactly_the_unformatted_file(dirty_results):
    _, results = dirty_results
    findings = results["quality.format"].findings
    assert [(f.rule_id, f.location.path) for f in findings] == [
        ("unformatted", "src/dirty/fmt_me.py")
    ]


def test_types_reports_the_planted_type_error(dirty_results, finding_keys):
    _, results = dirty_results
    assert finding_keys(results["quality.types"]) == {("arg-type", "src/dirty/types_me.py", 9)}


def test_complexity_flags_the_branchy_function(dirty_results, finding_keys):
    _, results = dirty_results
    result = results["quality.complexity"]
    assert finding_keys(result) == {("cyclomatic-complexity", "src/dirty/complex_me.py", 4)}
    metrics = {m.name: m.value for m in result.metrics}
    assert metrics["max_complexity"] >= 12
    assert 0 < metrics["average_complexity"] < metrics["max_complexity"]


def test_the_clean_repository_passes_every_check(fixture_copy, run_check):
    root = fixture_copy("clean")
    for check in CHECKS:
        result = run_check(root, check)
        assert result.status is Status.PASSED, (check, result.reason, result.findings)
        assert result.findings == ()


def test_the_maintainability_floor_comes_from_the_config_file(fixture_copy, run_check):
    root = fixture_copy("dirty")
    (root / "atlas-ci.toml").write_text(
        "[gates.quality.complexity]\nmax_complexity = 20\nmin_maintainability = 60\n"
    )
    result = run_check(root, "quality.complexity")
    assert result.status is Status.FAILED
    assert [(f.rule_id, f.location.path) for f in result.findings] == [
        ("maintainability-index", "src/dirty/complex_me.py")
    ]


def test_a_bare_percent_in_unrelated_pyproject_config_cannot_crash_radon(fixture_copy, run_check):
    root = fixture_copy("dirty")
    pyproject = root / "pyproject.toml"
    before = pyproject.read_text() if pyproject.exists() else ""
    pyproject.write_text(before + '\n[tool.other]\nformat = "100% %(missing)s"\n')
    result = run_check(root, "quality.complexity")
    assert result.status is Status.FAILED, result.reason  # judged, not an error
    names = {f.message.split("'")[1] for f in result.findings}
    assert "branchy" in names


def test_project_exclude_applies_to_every_check(fixture_copy, run_check):
    root = fixture_copy("dirty")
    (root / "atlas-ci.toml").write_text(
        "[project]\n"
        'exclude = ["lint_me.py", "fmt_me.py", "src/dirty/types_me.py", "complex_me.py"]\n'
    )
    for check in CHECKS:
        result = run_check(root, check)
        assert result.status is Status.PASSED, (check, result.reason, result.findings)


def test_mypy_files_in_the_project_config_are_not_overridden(fixture_copy, run_check):
    root = fixture_copy("dirty")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "strict = true", 'strict = true\nfiles = ["src/dirty/fmt_me.py"]'
        )
    )
    result = run_check(root, "quality.types")
    # Only fmt_me.py is in the project's own target list, and it has no type error.
    assert result.status is Status.PASSED, result.findings


BAD_COMMANDS = {
    "missing": ["atlas-ci-no-such-program"],
    "garbage": [sys.executable, "-c", "print('garbage')"],
    "exception": [sys.executable, "-c", "raise RuntimeError('boom')"],
    "abort": [sys.executable, "-c", "import os; os.abort()"],
}


@pytest.mark.parametrize("kind", sorted(BAD_COMMANDS))
@pytest.mark.parametrize("check", CHECKS)
def test_a_tool_that_does_not_really_run_is_an_error(fixture_copy, run_check, check, kind):
    root = fixture_copy("clean")
    result = run_check(root, check, command=tuple(BAD_COMMANDS[kind]))
    assert result.status is Status.ERROR, (result.status, result.reason)
    assert result.reason


def test_past_the_argv_budget_the_real_tools_give_the_same_findings(
    dirty_results, run_check, finding_keys, monkeypatch
):
    """With a budget of one file name, ruff and radon run once per file and mypy reads its file
    list from an @file (one run: whole-program); the findings are those of the single runs."""
    from atlas_ci.checks import toolkit

    root, results = dirty_results
    monkeypatch.setattr(toolkit, "ARGV_BUDGET", 1)
    for check in CHECKS:
        chunked = run_check(root, check)
        assert chunked.status is results[check].status, (check, chunked.reason)
        assert finding_keys(chunked) == finding_keys(results[check]), check

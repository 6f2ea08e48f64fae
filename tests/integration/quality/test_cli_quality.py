"""`atlas-ci gate quality` as a real subprocess on the fixture repositories."""

from __future__ import annotations

import pytest
from helpers.cli import atlas_ci, checks, report

pytestmark = pytest.mark.integration

CHECKS = ("quality.lint", "quality.format", "quality.types", "quality.complexity")


def _keys(check: dict) -> set[tuple[str, str, int | None]]:
    return {
        (f["rule_id"], f["location"]["path"], f["location"]["start_line"])
        for f in check["findings"]
    }


def test_dirty_repository_fails_with_each_problem_under_its_check(fixture_copy, ruff_lint_keys):
    root = fixture_copy("dirty")
    proc = atlas_ci("gate", "quality", cwd=root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = checks(report(root))
    assert sorted(found) == sorted(CHECKS)
    for check_id in CHECKS:
        assert found[check_id]["status"] == "failed", found[check_id]["reason"]
        assert found[check_id]["tool_version"], check_id
    assert _keys(found["quality.lint"]) == ruff_lint_keys(root)
    assert _keys(found["quality.format"]) == {("unformatted", "src/dirty/fmt_me.py", 4)}
    assert _keys(found["quality.types"]) == {("arg-type", "src/dirty/types_me.py", 9)}
    assert _keys(found["quality.complexity"]) == {
        ("cyclomatic-complexity", "src/dirty/complex_me.py", 4)
    }
    metrics = {m["name"]: m for m in found["quality.complexity"]["metrics"]}
    assert metrics["max_complexity"]["value"] > metrics["max_complexity"]["threshold"]


def test_clean_repository_passes(fixture_copy):
    root = fixture_copy("clean")
    proc = atlas_ci("gate", "quality", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = checks(report(root))
    assert {c: found[c]["status"] for c in CHECKS} == dict.fromkeys(CHECKS, "passed")


def test_a_broken_tool_makes_the_gate_exit_3(fixture_copy):
    root = fixture_copy("clean")
    (root / "atlas-ci.toml").write_text(
        '[gates.quality.types]\ncommand = ["atlas-ci-no-such-mypy"]\n'
    )
    proc = atlas_ci("gate", "quality", cwd=root)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    found = checks(report(root))
    assert found["quality.types"]["status"] == "error"
    assert "atlas-ci-no-such-mypy" in found["quality.types"]["reason"]
    assert found["quality.lint"]["status"] == "passed"

"""Parsing git's change listings, `--changed`'s optional value, and the changed-files scope."""

from __future__ import annotations

from pathlib import Path

from atlas_ci import change_scope, plan
from atlas_ci.changes import ChangeSet, LineRange, parse_hunks, parse_name_status
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.cli_changed import DEFAULT_BASE, with_default_ref
from atlas_ci.config import LoadedConfig, load
from atlas_ci.model import CheckResult, Finding, Location, Metric, Status


def test_name_status_keeps_new_names_of_renames_and_copies() -> None:
    text = "M\0a.py\0R087\0old.py\0new.py\0A\0b c.py\0C100\0x.py\0y.py\0"
    assert parse_name_status(text) == ["a.py", "new.py", "b c.py", "y.py"]
    assert parse_name_status("") == []


def test_hunks_take_the_new_side_and_skip_pure_deletions() -> None:
    diff = "\n".join(
        [
            "diff --git a.py a.py",
            "--- a.py",
            "+++ a.py",
            "@@ -1,0 +2,3 @@",
            "@@ -9 +12 @@ x",
            "@@ -20,4 +22,0 @@",
            "diff --git gone.py gone.py",
            "--- gone.py",
            "+++ /dev/null",
            "@@ -1,3 +0,0 @@",
        ]
    )
    assert parse_hunks(diff) == {"a.py": (LineRange(2, 4), LineRange(12, 12))}


def test_touches_overlapping_ranges_only() -> None:
    changes = ChangeSet("t", ("a.py", "n.py"), {"a.py": (LineRange(5, 7),)}, frozenset({"n.py"}))
    assert changes.touches("a.py", 7, 9)
    assert changes.touches("a.py", 1, 5)
    assert not changes.touches("a.py", 8, 8)
    assert not changes.touches("a.py", None, None)
    assert changes.touches("n.py", 100, None)
    assert not changes.touches("other.py", 5, 5)


def test_changed_without_a_value_gets_the_default_marker() -> None:
    assert with_default_ref(["quality", "--changed"]) == ["quality", "--changed", DEFAULT_BASE]
    assert with_default_ref(["quality", "--changed", "-q"]) == [
        "quality",
        "--changed",
        DEFAULT_BASE,
        "-q",
    ]
    assert with_default_ref(["quality", "--changed", "dev"]) == ["quality", "--changed", "dev"]
    assert with_default_ref(["--", "--changed"]) == ["--", "--changed"]


def _project(tmp_path: Path) -> tuple[LoadedConfig, ProjectInfo]:
    cfg = load(tmp_path, None)
    project = ProjectInfo(tmp_path, ("src",), ("src/vendored/",), "python", tmp_path / "r")
    return cfg, project


def test_restrict_narrows_file_checks_and_skips_when_nothing_is_left(tmp_path: Path) -> None:
    cfg, project = _project(tmp_path)
    planned = plan.all_checks(cfg, ["quality", "security"])
    files = ("README.md", "src/a.py", "src/vendored/v.py", "tests/t.py")
    out = {p.id: p for p in change_scope.restrict(planned, project, ChangeSet("base X", files))}
    assert out["quality.lint"].project is not None
    assert out["quality.lint"].project.paths == ("src/a.py",)
    assert out["security.secrets"].project is not None
    assert out["security.secrets"].project.files == ("README.md", "src/a.py", "tests/t.py")
    assert out["quality.types"].project is None  # whole program
    none = change_scope.restrict(planned, project, ChangeSet("base X", ("README.md",)))
    lint = next(p for p in none if p.id == "quality.lint")
    assert lint.skip_reason == "no Python files to check among the files base X"


def _result(*lines: int, metrics: tuple[Metric, ...] = ()) -> CheckResult:
    findings = tuple(
        Finding(
            check="quality.types",
            tool="mypy",
            rule_id="x",
            message="m",
            severity="medium",
            location=Location(path="a.py", start_line=n),
            fingerprint=str(n),
        )
        for n in lines
    )
    return CheckResult(
        check="quality.types",
        gate="quality",
        status=Status.FAILED,
        findings=findings,
        metrics=metrics,
    )


def test_changed_lines_filter_passes_a_check_only_when_no_blocking_finding_is_left() -> None:
    changes = ChangeSet("b", ("a.py",), {"a.py": (LineRange(3, 3),)})
    kept = change_scope.on_changed_lines([_result(1, 3)], changes)[0]
    assert [f.location.start_line for f in kept.findings if f.location] == [3]
    assert kept.status is Status.FAILED
    cleared = change_scope.on_changed_lines([_result(1, 2)], changes)[0]
    assert cleared.status is Status.PASSED
    assert cleared.findings == ()
    breach = (Metric(name="m", value=5, threshold=1, direction="max"),)
    still = change_scope.on_changed_lines([_result(1, metrics=breach)], changes)[0]
    assert still.status is Status.FAILED

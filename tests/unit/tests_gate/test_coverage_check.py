"""tests.coverage with coverage scripted: which data it combines, how it judges, when it errors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.tests_gate import FakeRun

from atlas_ci.checks.testsuite import coverage_run
from atlas_ci.checks.testsuite.coverage_check import Coverage
from atlas_ci.checks.testsuite.settings import CoverageSettings
from atlas_ci.errors import CheckError
from atlas_ci.model import Status
from atlas_ci.process import ProcessResult

pytestmark = pytest.mark.unit

CHECK = Coverage()


def _with_data(ctx, *categories: str) -> Path:
    reports = coverage_run.report_dir(ctx)
    for name in categories:
        folder = coverage_run.data_dir(reports, name)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".coverage.host.1.abc").write_text("data")
        (folder / ".coverage.host.1.abc-journal").write_text("sqlite journal")
        coverage_run.record(reports, name)
    return reports


def _coverage_tool(fake: FakeRun, report: dict[str, object], combine_code: int = 0) -> None:
    def combine(argv: list[str]) -> ProcessResult:
        return ProcessResult(tuple(argv), combine_code, "", "No data to combine", 0.1)

    def json_report(argv: list[str]) -> ProcessResult:
        Path(argv[argv.index("-o") + 1]).write_text(json.dumps(report))
        return ProcessResult(tuple(argv), 0, "Wrote JSON report", "", 0.1)

    fake.answers += [combine, json_report]


def test_without_data_from_this_run_it_is_an_error(make_ctx):
    with pytest.raises(CheckError, match="no coverage data from this run"):
        CHECK.run(make_ctx(CoverageSettings()))


def test_stale_files_of_an_earlier_run_are_not_used(make_ctx):
    ctx = make_ctx(CoverageSettings())
    reports = coverage_run.report_dir(ctx)
    stale = coverage_run.data_dir(reports, "unit")
    stale.mkdir(parents=True)
    (stale / ".coverage.old").write_text("from yesterday")
    with pytest.raises(CheckError, match="no coverage data from this run"):
        CHECK.run(ctx)


def test_recorded_but_no_files_is_an_error(make_ctx):
    ctx = make_ctx(CoverageSettings())
    coverage_run.record(coverage_run.report_dir(ctx), "unit")
    with pytest.raises(CheckError, match="unit ran but wrote no coverage data"):
        CHECK.run(ctx)


def test_combines_the_categories_files_and_judges_the_total(make_ctx, fake_run):
    ctx = make_ctx(CoverageSettings(min=60))
    reports = _with_data(ctx, "unit", "integration")
    _coverage_tool(fake_run, {"totals": {"percent_covered": 52.381}, "files": {}})
    res = CHECK.run(ctx)
    assert res.status is Status.FAILED
    assert res.reason == "coverage 52.38% < 60%"
    (metric,) = res.metrics
    assert (metric.name, metric.value, metric.threshold, metric.direction) == (
        "coverage",
        52.38,
        60,
        "min",
    )
    assert res.artifacts == ("coverage/coverage.json",)
    combine_argv = fake_run.calls[0][0]
    assert combine_argv[1:5] == ["-m", "coverage", "combine", "--keep"]
    assert combine_argv[-2:] == [
        str(reports / "coverage" / n / ".coverage.host.1.abc") for n in ("integration", "unit")
    ]
    json_argv = fake_run.calls[1][0]
    assert "--fail-under=0" in json_argv


def test_passes_at_the_threshold(make_ctx, fake_run):
    ctx = make_ctx(CoverageSettings(min=80))
    _with_data(ctx, "unit")
    _coverage_tool(fake_run, {"totals": {"percent_covered": 80.0}})
    res = CHECK.run(ctx)
    assert (res.status, res.reason) == (Status.PASSED, "80.0% covered by unit")


def test_a_failing_combine_is_an_error(make_ctx, fake_run):
    ctx = make_ctx(CoverageSettings())
    _with_data(ctx, "unit")
    _coverage_tool(fake_run, {}, combine_code=1)
    with pytest.raises(CheckError, match="coverage combine exited 1: No data to combine"):
        CHECK.run(ctx)


def test_a_report_without_totals_is_an_error(make_ctx, fake_run):
    ctx = make_ctx(CoverageSettings())
    _with_data(ctx, "unit")
    _coverage_tool(fake_run, {"files": {}})
    with pytest.raises(CheckError, match=r"no totals\.percent_covered"):
        CHECK.run(ctx)


def test_min_new_without_a_base_ref_is_not_judged(make_ctx, fake_run):
    ctx = make_ctx(CoverageSettings(min=0, min_new=100))
    _with_data(ctx, "unit")
    _coverage_tool(fake_run, {"totals": {"percent_covered": 10.0}, "files": {}})
    res = CHECK.run(ctx)
    assert res.status is Status.PASSED
    assert [m.name for m in res.metrics] == ["coverage"]


def test_data_files_skip_sqlite_side_files(tmp_path: Path):
    folder = coverage_run.data_dir(tmp_path, "unit")
    folder.mkdir(parents=True)
    for name in (".coverage", ".coverage.a.1.x", ".coverage.a.1.x-journal", ".coverage-wal"):
        (folder / name).write_text("")
    assert [p.name for p in coverage_run.data_files(tmp_path, ["unit", "absent"])] == [
        ".coverage",
        ".coverage.a.1.x",
    ]


def test_forget_and_record_are_per_report_directory(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    coverage_run.record(a, "unit")
    coverage_run.record(a, "unit")
    coverage_run.record(b, "integration")
    assert (coverage_run.recorded(a), coverage_run.recorded(b)) == (["unit"], ["integration"])
    coverage_run.forget(a, "unit")
    coverage_run.forget(a, "never-ran")
    assert coverage_run.recorded(a) == []


def test_coverage_source_never_names_setup_py_or_a_test_module(make_ctx, tmp_path):
    for name in ("setup.py", "six.py", "test_six.py", "conftest.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "pkg").mkdir()
    ctx = make_ctx(CoverageSettings())
    project = replace(
        ctx.project, paths=("setup.py", "six.py", "test_six.py", "conftest.py", "pkg")
    )
    ctx = replace(ctx, project=project)
    # coverage imports a non-directory --source entry as a module: "setup.py" would run setup.py.
    assert coverage_run.sources(ctx, None, ["tests"]) == ["six", "pkg"]

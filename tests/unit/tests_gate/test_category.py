"""tests.<category> with pytest scripted: exit codes, findings, metrics, the argv it builds."""

from __future__ import annotations

import pytest
from helpers.tests_gate import RECORDED, answer, collected

from atlas_ci.checks.testsuite import coverage_run
from atlas_ci.checks.testsuite.category import CategoryCheck
from atlas_ci.checks.testsuite.settings import CategorySettings
from atlas_ci.errors import CheckError
from atlas_ci.model import Severity, Status
from atlas_ci.plan import Planned
from atlas_ci.runner import run_one

pytestmark = pytest.mark.unit

UNIT = CategoryCheck("unit")
DEFAULT_UNIT = CategorySettings(paths=("tests",), marker="unit", allow_empty=True)


def test_failures_become_findings_and_metrics(make_ctx, fake_run):
    fake_run.answers.append(answer(1, junit=RECORDED / "junit_failures.xml"))
    res = UNIT.run(make_ctx(DEFAULT_UNIT))
    assert res.status is Status.FAILED
    assert res.tool_version == "9.9.1"
    assert res.artifacts == ("junit/unit.xml",)
    by_rule = {}
    for f in res.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    assert len(by_rule["test-failed"]) == 4
    (error,) = by_rule["test-error"]
    assert error.message.startswith(
        "tests/test_sample.py::test_setup_error errored: failed on setup"
    )
    assert all(
        f.severity is Severity.HIGH and f.location.path == "tests/test_sample.py"
        for f in res.findings
    )
    metrics = {m.name: m.value for m in res.metrics}
    assert metrics == {
        "passed": 2,
        "failed": 4,
        "error": 1,
        "skipped": 1,
        "duration": pytest.approx(metrics["duration"]),
    }
    assert metrics["duration"] > 0


def test_long_messages_are_trimmed(make_ctx, fake_run):
    fake_run.answers.append(answer(1, junit=RECORDED / "junit_failures.xml"))
    res = UNIT.run(make_ctx(DEFAULT_UNIT))
    long = next(f for f in res.findings if "test_long_message" in f.message)
    text = long.message.split(" failed: ", 1)[1]
    assert len(text) == 500
    assert text.endswith("...")


def test_exit_0_with_passing_junit_passes(make_ctx, fake_run, tmp_path):
    xml = tmp_path / "ok.xml"
    xml.write_text(
        '<testsuites><testsuite time="0.2"><testcase classname="tests.t" name="test_a" '
        'file="tests/t.py" line="0"/></testsuite></testsuites>'
    )
    fake_run.answers.append(answer(0, junit=xml))
    res = UNIT.run(make_ctx(DEFAULT_UNIT))
    assert (res.status, res.reason, res.findings) == (Status.PASSED, "1 passed, 0 skipped", ())


def test_no_tests_is_skipped_for_a_builtin_category(make_ctx, fake_run):
    fake_run.answers.append(answer(5, "no tests ran"))
    res = UNIT.run(make_ctx(DEFAULT_UNIT))
    assert res.status is Status.SKIPPED
    assert res.reason == "no test selected (paths tests; marker unit)"


def test_no_tests_is_an_error_for_a_category_that_must_find_some(make_ctx, fake_run):
    fake_run.answers.append(answer(5))
    with pytest.raises(CheckError, match=r"no test selected .*allow_empty"):
        CategoryCheck("smoke").run(make_ctx(CategorySettings(marker="smoke", command=("pt",))))


def test_the_shared_collection_finding_nothing_costs_no_pytest_run(make_ctx, fake_run):
    fake_run.answers.append(collected([("tests/test_a.py", ["unit"])]))
    with pytest.raises(CheckError, match=r"no test selected .*allow_empty"):
        CategoryCheck("smoke").run(make_ctx(CategorySettings(marker="smoke")))
    ((argv, _),) = fake_run.calls  # the collection pass only
    assert "--collect-only" in argv


def test_with_two_categories_each_runs_only_the_files_holding_its_tests(
    make_ctx, fake_run, tmp_path
):
    (tmp_path / "tests").mkdir()
    items = [("tests/a/test_1.py", ["unit"]), ("tests/b/test_2.py", ["smoke"])]
    broken = [("tests/c/test_broken.py", ["unit", "smoke"])]
    fake_run.answers += [collected(items, broken), answer(5)]
    CategoryCheck("smoke").run(make_ctx(CategorySettings(marker="smoke", allow_empty=True)))
    run = fake_run.calls[1][0]
    assert run[-2:] == ["tests/b/test_2.py", "tests/c/test_broken.py"]
    assert "tests/a/test_1.py" not in run


@pytest.mark.parametrize(
    ("code", "stderr", "expected"),
    [
        (3, "INTERNALERROR> boom", "pytest exited 3 (internal error)\nINTERNALERROR> boom"),
        (4, "ERROR: usage: unrecognized arguments: --nope", "exited 4 (usage error)"),
        (-9, "", "pytest was killed by SIGKILL"),
    ],
)
def test_pytest_problems_are_errors_with_its_own_words(make_ctx, fake_run, code, stderr, expected):
    fake_run.answers.append(answer(code, stderr=stderr))
    with pytest.raises(CheckError) as err:
        UNIT.run(make_ctx(DEFAULT_UNIT))
    assert expected in str(err.value)
    assert stderr in str(err.value)


def test_a_collection_error_reports_pytests_message(make_ctx, fake_run):
    stdout = "!!!!!!!! Interrupted: 1 error during collection !!!!!!!!\n1 error in 0.1s\n"
    fake_run.answers.append(answer(2, stdout, junit=RECORDED / "junit_collection_error.xml"))
    with pytest.raises(CheckError) as err:
        UNIT.run(make_ctx(DEFAULT_UNIT))
    lines = str(err.value).splitlines()
    assert lines[:2] == ["pytest exited 2 (interrupted)", "Interrupted: 1 error during collection"]
    assert lines[2].startswith("tests/test_broken.py: ")
    assert "SyntaxError: invalid syntax" in str(err.value)
    assert "importlib" not in str(err.value)  # the E lines only, not the import machinery


def test_exit_1_without_a_failed_test_is_an_error(make_ctx, fake_run, tmp_path):
    xml = tmp_path / "ok.xml"
    xml.write_text(
        '<testsuites><testsuite><testcase classname="t" name="test_a"/></testsuite></testsuites>'
    )
    fake_run.answers.append(answer(1, stderr="something else went wrong", junit=xml))
    with pytest.raises(CheckError, match="reported no failed test: something else"):
        UNIT.run(make_ctx(DEFAULT_UNIT))


def test_missing_junit_is_an_error(make_ctx, fake_run):
    fake_run.answers.append(answer(0, "all good, trust me"))
    with pytest.raises(CheckError, match="wrote no JUnit XML"):
        UNIT.run(make_ctx(DEFAULT_UNIT))


def test_a_timeout_is_an_error(make_ctx, fake_run):
    fake_run.answers.append(answer(-15, timed_out=True))
    with pytest.raises(CheckError, match="timed out after 600s"):
        UNIT.run(make_ctx(DEFAULT_UNIT))


def test_argv_runs_pytest_under_coverage_with_selection_and_junit(make_ctx, fake_run, tmp_path):
    (tmp_path / "tests").mkdir()
    fake_run.answers.append(answer(5))
    settings = CategorySettings(paths=("tests",), marker="unit", allow_empty=True, args=("-x",))
    UNIT.run(make_ctx(settings))
    ((argv, env),) = fake_run.calls
    reports = (tmp_path / "reports").resolve()
    assert argv[1:4] == ["-m", "coverage", "run"]
    assert f"--data-file={reports / 'coverage' / 'unit' / '.coverage'}" in argv
    assert argv[argv.index("-m", 2) :][:2] == ["-m", "pytest"]
    assert argv[argv.index("-o") :][:2] == ["-o", "junit_family=xunit1"]
    assert f"--junitxml={reports / 'junit' / 'unit.xml'}" in argv
    assert argv[-2:] == ["-x", "tests"]
    assert "-n" not in argv
    assert env["COVERAGE_PROCESS_START"] == env["COVERAGE_PROCESS_CONFIG"] == ""
    assert env["PYTHONPATH"].split(":")[0].endswith("pytest_plugin")


def test_workers_use_xdist_and_pytest_cov(make_ctx, fake_run, tmp_path):
    fake_run.answers.append(answer(4, stderr="error: unrecognized arguments: --cov"))
    settings = CategorySettings(paths=("tests",), marker="unit", workers="auto")
    with pytest.raises(CheckError, match="needs pytest-cov in the project's environment"):
        UNIT.run(make_ctx(settings))
    ((argv, env),) = fake_run.calls
    assert argv[1:3] == ["-m", "pytest"]
    assert argv[3:6] == ["--cov=src", "--cov-report=", "--cov-fail-under=0"]
    assert argv[argv.index("-n") + 1] == "auto"
    reports = (tmp_path / "reports").resolve()
    assert env["COVERAGE_FILE"] == str(reports / "coverage" / "unit" / ".coverage")


@pytest.mark.parametrize(
    ("settings", "gate"),
    [
        (CategorySettings(paths=("t",), coverage=False), None),
        (CategorySettings(paths=("t",)), {"coverage": {"enabled": False}}),
    ],
)
def test_without_coverage_plain_pytest_runs(make_ctx, fake_run, settings, gate):
    fake_run.answers.append(answer(5))
    with pytest.raises(CheckError):
        UNIT.run(make_ctx(settings, gate))
    ((argv, env),) = fake_run.calls
    assert argv[1:3] == ["-m", "pytest"]
    assert "--cov" not in argv
    assert "COVERAGE_PROCESS_START" not in env


def test_a_custom_command_replaces_python_m_pytest(make_ctx, fake_run):
    fake_run.answers.append(answer(5))
    settings = CategorySettings(
        paths=("t",), command=("my-pytest", "--flag"), coverage=False, allow_empty=True
    )
    UNIT.run(make_ctx(settings))
    assert fake_run.calls[0][0][:2] == ["my-pytest", "--flag"]


def test_coverage_data_is_recorded_only_for_a_run_that_judged_tests(make_ctx, fake_run):
    ctx = make_ctx(DEFAULT_UNIT)
    reports = coverage_run.report_dir(ctx)
    fake_run.answers.append(answer(1, junit=RECORDED / "junit_failures.xml"))
    UNIT.run(ctx)
    assert coverage_run.recorded(reports) == ["unit"]
    fake_run.answers.append(answer(3, stderr="crash"))
    with pytest.raises(CheckError):
        UNIT.run(ctx)
    assert coverage_run.recorded(reports) == []


def test_the_runner_turns_a_crash_into_this_checks_error(make_ctx, fake_run):
    fake_run.answers.append(answer(3, stderr="INTERNALERROR> boom"))
    ctx = make_ctx(DEFAULT_UNIT)
    planned = Planned(UNIT, DEFAULT_UNIT, ctx.gate_settings)
    res = run_one(planned, ctx.project)
    assert (res.check, res.status) == ("tests.unit", Status.ERROR)
    assert "INTERNALERROR> boom" in res.reason

"""Reading pytest's JUnit XML (recorded from real runs by tests/fixtures/tests_gate/recorded)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.tests_gate import RECORDED, located

from atlas_ci.checks.testsuite import junit
from atlas_ci.errors import CheckError

pytestmark = pytest.mark.unit

SAMPLE = RECORDED / "sample" / "tests" / "test_sample.py"


def _by_id(name: str) -> dict[str, junit.Case]:
    return {c.nodeid: c for c in junit.parse(RECORDED / name).cases}


def test_every_outcome_is_read():
    suite = junit.parse(RECORDED / "junit_failures.xml")
    assert [suite.count(o) for o in ("passed", "failed", "error", "skipped")] == [2, 4, 1, 1]
    assert suite.duration > 0
    assert {c.nodeid for c in suite.problems} == {
        "tests/test_sample.py::TestGroup::test_fails_in_a_class",
        "tests/test_sample.py::test_fails_in_a_helper",
        "tests/test_sample.py::test_param[2]",
        "tests/test_sample.py::test_long_message",
        "tests/test_sample.py::test_setup_error",
    }


def test_a_failure_points_at_the_failing_line_of_the_test():
    cases = _by_id("junit_failures.xml")
    in_class = cases["tests/test_sample.py::TestGroup::test_fails_in_a_class"]
    assert (in_class.file, in_class.line) == ("tests/test_sample.py", located(SAMPLE, "value == 2"))
    assert in_class.message == "assert 1 == 2"
    # Failing inside a helper: the test's own call, not the helper's assert.
    helper = cases["tests/test_sample.py::test_fails_in_a_helper"]
    assert helper.line == located(SAMPLE, "check_two(3)")
    assert helper.message.startswith("AssertionError: x should be two")


def test_a_setup_error_points_at_the_fixture():
    error = _by_id("junit_failures.xml")["tests/test_sample.py::test_setup_error"]
    assert error.outcome == "error"
    assert error.line == located(SAMPLE, 'raise RuntimeError("fixture exploded")')
    assert "fixture exploded" in error.message


def test_without_a_traceback_the_line_is_the_tests_def_made_1_based():
    # xunit1 writes pytest's 0-based location; --tb=no leaves no traceback to read.
    cases = _by_id("junit_tb_no.xml")
    case = cases["tests/test_sample.py::TestGroup::test_fails_in_a_class"]
    assert case.text.strip().startswith("E ")
    assert case.line == located(SAMPLE, "def test_fails_in_a_class")


def test_a_collection_error_is_the_module_itself():
    suite = junit.parse(RECORDED / "junit_collection_error.xml")
    (case,) = suite.cases
    assert case.is_collection_error
    assert case.nodeid == case.file == "tests/test_broken.py"
    assert "SyntaxError" in case.text


@pytest.mark.parametrize(
    ("classname", "name", "file", "expected"),
    [
        ("tests.unit.test_a", "test_x", "tests/unit/test_a.py", "tests/unit/test_a.py::test_x"),
        (
            "tests.unit.test_a.TestK.Inner",
            "test_y[a.b]",
            "tests/unit/test_a.py",
            "tests/unit/test_a.py::TestK::Inner::test_y[a.b]",
        ),
        ("other.module", "test_z", "tests/test_b.py", "tests/test_b.py::test_z"),
        ("", "tests.test_c", "tests/test_c.py", "tests/test_c.py"),
        ("pkg.mod", "test_w", None, "pkg.mod::test_w"),
    ],
)
def test_nodeid_is_rebuilt_from_classname_and_file(classname, name, file, expected):
    assert junit.nodeid(classname, name, file) == expected


def test_garbage_is_an_error_not_an_empty_suite(tmp_path: Path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<testsuites><testsuite>")
    with pytest.raises(CheckError, match="cannot read pytest's JUnit XML"):
        junit.parse(bad)
    bad.write_text("<coverage/>")
    with pytest.raises(CheckError, match="not JUnit XML"):
        junit.parse(bad)
    with pytest.raises(CheckError):
        junit.parse(tmp_path / "missing.xml")


def test_a_bare_testsuite_root_is_accepted(tmp_path: Path):
    xml = tmp_path / "one.xml"
    xml.write_text(
        '<testsuite time="1.5"><testcase classname="t" name="test_a" file="t.py" '
        'line="3"><skipped message="later"/></testcase></testsuite>'
    )
    suite = junit.parse(xml)
    assert suite.duration == 1.5
    assert [(c.nodeid, c.outcome, c.line) for c in suite.cases] == [("t.py::test_a", "skipped", 4)]

"""tests.<category> when pytest cannot judge: a hang past the timeout, a broken file, bad args."""

from __future__ import annotations

import pytest
from helpers.procs import pids_with, wait_for
from helpers.tests_gate import copy_fixture, run_gate

from atlas_ci.model import Status

pytestmark = pytest.mark.reliability


def test_a_hanging_test_past_the_timeout_is_an_error_and_leaves_no_process(tmp_path):
    root = copy_fixture("hang", tmp_path / "hang-fixture")
    config = "[gates.tests.categories.reliability]\ntimeout = 5\n"
    results = run_gate(root, only=["reliability"], config_text=config)
    res = results["tests.reliability"]
    assert res.status is Status.ERROR
    assert "timed out after 5s" in res.reason
    # The test really started (and spawned its child) before the timeout hit.
    assert (root / "tests" / "reliability" / "started").read_text() == "yes"
    assert wait_for(lambda: not pids_with(str(root)), timeout=5), pids_with(str(root))


def test_a_syntax_error_in_a_test_file_is_an_error_with_pytests_message(tmp_path):
    root = copy_fixture("project", tmp_path)
    (root / "tests" / "unit" / "test_broken.py").write_text("def test_x(:\n    pass\n")
    res = run_gate(root, only=["unit"])["tests.unit"]
    assert res.status is Status.ERROR
    assert res.reason.startswith("pytest exited 2 (interrupted)")
    assert "Interrupted: 1 error during collection" in res.reason
    assert "tests/unit/test_broken.py: " in res.reason
    assert "SyntaxError" in res.reason


def test_an_unknown_pytest_argument_is_a_usage_error(tmp_path):
    root = copy_fixture("project", tmp_path)
    config = "[gates.tests.categories.unit]\nargs = ['--no-such-option']\n"
    res = run_gate(root, only=["unit"], config_text=config)["tests.unit"]
    assert res.status is Status.ERROR
    assert "pytest exited 4 (usage error)" in res.reason
    assert "--no-such-option" in res.reason

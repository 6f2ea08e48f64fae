"""Which built-in categories exist in a repository, and how configured ones are kept as given."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.tests_gate import gate_config

from atlas_ci.checks.testsuite import categories

pytestmark = pytest.mark.unit


def _resolved(root: Path, data: dict | None = None) -> categories.Resolved:
    return categories.resolve(dict(gate_config(data).categories), root)


def test_only_unit_exists_where_tests_has_no_category_directories(tmp_path):
    (tmp_path / "tests").mkdir()
    found = _resolved(tmp_path)
    assert list(found.present) == ["unit"]
    assert found.present["unit"].paths == ("tests",)
    assert found.absent == {
        n: f"no tests/{n} directory and no test marked {n}"
        for n in ("integration", "observability", "reliability")
    }


def test_a_category_directory_makes_a_path_category(tmp_path):
    (tmp_path / "tests" / "integration").mkdir(parents=True)
    found = _resolved(tmp_path)
    assert found.present["integration"].paths == ("tests/integration",)
    assert found.present["integration"].marker == ""


def test_a_used_marker_makes_a_marker_category_anywhere(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("import pytest\n@pytest.mark.reliability\n")
    venv = tmp_path / "tests" / "env"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("")
    (venv / "test_y.py").write_text("@pytest.mark.observability\n")  # inside a venv: ignored
    found = _resolved(tmp_path)
    assert (found.present["reliability"].paths, found.present["reliability"].marker) == (
        (),
        "reliability",
    )
    assert "observability" in found.absent


def test_without_tests_dir_unit_is_the_catch_all_of_pytests_own_testpaths(tmp_path):
    assert _resolved(tmp_path).present["unit"].paths == ("",)


def test_configured_selection_is_kept_as_given(tmp_path):
    data = {"categories": {"integration": {"paths": ["tests/unit"], "marker": "integration"}}}
    found = _resolved(tmp_path, data)
    assert found.present["integration"].paths == ("tests/unit",)
    assert found.present["integration"].marker == "integration"

"""Which tests a category owns (the pytest plugin's rule) and where pytest collects them."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

from atlas_ci.checks.testsuite import selection
from atlas_ci.checks.testsuite.settings import CategorySettings, TestsGateSettings

pytestmark = pytest.mark.unit


def _plugin() -> ModuleType:
    # The plugin runs inside the project's pytest, loaded by file, not as part of atlas_ci.
    spec = importlib.util.spec_from_file_location(
        "atlas_ci_select_under_test", selection.PLUGIN_DIR / f"{selection.PLUGIN}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PLUGIN = _plugin()
CATS = {
    "unit": {"paths": ["tests"], "marker": ""},
    "integration": {"paths": ["tests/integration"], "marker": ""},
    "smoke": {"paths": [], "marker": "smoke"},
    "slow_unit": {"paths": ["tests/unit"], "marker": "slow"},
}


@pytest.mark.parametrize(
    ("path", "markers", "expected"),
    [
        ("tests/unit/test_a.py", [], {"unit"}),
        ("tests/test_flat.py", [], {"unit"}),
        ("tests/integration/test_b.py", [], {"integration"}),
        ("tests/unit/test_a.py", ["smoke"], {"smoke"}),
        ("tests/unit/test_a.py", ["slow"], {"slow_unit"}),
        # a marker category's marker outside its paths: the test goes by path
        ("tests/integration/test_b.py", ["slow", "parametrize"], {"integration"}),
        ("tests/unit/test_a.py", ["smoke", "slow"], {"smoke", "slow_unit"}),
        # the name of a marker-less category used as a marker means nothing to the selection
        ("tests/unit/test_a.py", ["integration"], {"unit"}),
        ("elsewhere/test_c.py", [], set()),
        ("elsewhere/test_c.py", ["smoke"], {"smoke"}),
        (None, [], set()),
        (None, ["smoke"], {"smoke"}),
        ("testsuite/test_d.py", [], set()),  # a sibling that merely starts with "tests"
    ],
)
def test_owners_marker_categories_first_then_one_by_most_specific_path(path, markers, expected):
    assert PLUGIN.owners(path, markers, CATS) == expected


def test_an_unmarked_test_belongs_to_exactly_one_category_with_builtin_defaults():
    defaults = {
        n: {"paths": [selection.normalize(p) for p in s.paths], "marker": s.marker}
        for n, s in TestsGateSettings().categories.items()
    }
    assert PLUGIN.owners("tests/integration/test_x.py", ["integration"], defaults) == {
        "integration"
    }
    assert PLUGIN.owners("tests/unit/test_x.py", ["integration"], defaults) == {"unit"}
    assert PLUGIN.owners("tests/reliability/sub/test_x.py", [], defaults) == {"reliability"}


def test_the_repository_root_as_a_path_owns_everything_unclaimed():
    cats = {"all": {"paths": [""], "marker": ""}, "slow": {"paths": ["tests/slow"], "marker": ""}}
    assert PLUGIN.owners("any/test_x.py", [], cats) == {"all"}
    assert PLUGIN.owners("tests/slow/test_y.py", [], cats) == {"slow"}


def test_on_a_tie_the_category_whose_name_sorts_first_owns_the_test():
    cats = {"b": {"paths": ["tests"], "marker": ""}, "a": {"paths": ["tests/"], "marker": ""}}
    assert PLUGIN.owners("tests/test_x.py", [], cats) == {"a"}


@pytest.mark.parametrize(
    ("raw", "expected"), [("tests/", "tests"), ("./tests/unit", "tests/unit"), (".", ""), ("", "")]
)
def test_normalize(raw, expected):
    assert selection.normalize(raw) == expected


def _cats(**paths: tuple[str, ...]) -> dict[str, CategorySettings]:
    return {n: CategorySettings(paths=p, marker=n) for n, p in paths.items()}


def test_roots_are_existing_paths_with_nested_ones_dropped(tmp_path: Path):
    for d in ("tests/unit", "tests/integration", "e2e"):
        (tmp_path / d).mkdir(parents=True)
    cats = _cats(
        unit=("tests",),
        integration=("tests/integration",),
        e2e=("e2e/",),
        gone=("tests/reliability",),
    )
    assert selection.collection_roots(tmp_path, cats) == ["tests", "e2e"]


def test_roots_are_empty_when_no_path_exists_so_pytest_uses_its_testpaths(tmp_path: Path):
    assert selection.collection_roots(tmp_path, _cats(unit=("tests",))) == []


def test_a_root_path_leaves_collection_to_pytests_own_testpaths(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    assert selection.collection_roots(tmp_path, _cats(a=(".",), b=("tests",))) == []


def test_plugin_args_carry_every_category(tmp_path: Path):
    cats = _cats(unit=("tests/",), smoke=())
    args = selection.plugin_args("smoke", tmp_path, cats)
    assert args[:2] == ["-p", "atlas_ci_select"]
    option, _, raw = args[2].partition("=")
    assert option == PLUGIN.OPTION
    assert json.loads(raw) == {
        "root": str(tmp_path.resolve()),
        "category": "smoke",
        "categories": {
            "unit": {"paths": ["tests"], "marker": "unit"},
            "smoke": {"paths": [], "marker": "smoke"},
        },
    }


def test_plugin_env_puts_the_plugin_first_and_keeps_pythonpath(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    value = selection.plugin_env()["PYTHONPATH"].split(os.pathsep)
    assert value == [str(selection.PLUGIN_DIR), "/somewhere"]
    assert (Path(value[0]) / "atlas_ci_select.py").is_file()
    monkeypatch.delenv("PYTHONPATH")
    assert selection.plugin_env() == {"PYTHONPATH": str(selection.PLUGIN_DIR)}

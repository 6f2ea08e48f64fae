"""The file lists the file-based checks name: the file set, under paths, minus `exclude`, with
each tool's own walking rules (mypy: hidden names, its `exclude` regexes, one file per module)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from atlas_ci.checks import sources, toolkit
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.checks.quality import mypy_config, mypy_files
from atlas_ci.checks.quality.types import file_arguments
from atlas_ci.errors import CheckError

pytestmark = pytest.mark.unit


def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x = 1\n")


def _project(root: Path, paths: tuple[str, ...] = ("pkg",), **kw: object) -> ProjectInfo:
    project = ProjectInfo(root, paths, (), sys.executable, root / "reports")
    return replace(project, **kw)  # type: ignore[arg-type]


def test_listed_is_the_file_set_under_paths_minus_gitignore_style_exclude(tmp_path):
    _tree(
        tmp_path,
        [
            "pkg/a.py",
            "pkg/_urls.py",
            "pkg/deep/_urls.py",
            "pkg/gen/x_pb2.py",
            "pkg/legacy/old.py",
            "pkg/legacy/keep.py",
            "pkg/env/lib.py",
            "other/b.py",
        ],
    )
    (tmp_path / "pkg/env/pyvenv.cfg").write_text("home = /usr\n")  # a venv, whatever its name
    patterns = ("_urls.py", "*_pb2.py", "pkg/legacy/**", "!pkg/legacy/keep.py")
    project = _project(tmp_path, exclude=patterns)
    assert sources.listed(project) == ["pkg/a.py", "pkg/legacy/keep.py"]
    assert sources.listed(_project(tmp_path, paths=("./pkg/",))) == [
        "pkg/_urls.py",
        "pkg/a.py",
        "pkg/deep/_urls.py",
        "pkg/gen/x_pb2.py",
        "pkg/legacy/keep.py",
        "pkg/legacy/old.py",
    ]


def test_a_changed_files_run_lists_exactly_its_files(tmp_path):
    _tree(tmp_path, ["pkg/a.py", "pkg/b.py"])
    project = _project(tmp_path, paths=("pkg/b.py",), files=("pkg/b.py",))
    assert sources.listed(project) == ["pkg/b.py"]


def test_a_missing_configured_path_is_an_error(tmp_path):
    _tree(tmp_path, ["pkg/a.py"])
    with pytest.raises(CheckError, match="configured path not found: nope"):
        sources.listed(_project(tmp_path, paths=("pkg", "nope")))


def test_hidden_names_count_only_below_the_configured_path():
    assert sources.hidden_below("pkg/.cache/a.py", ("pkg",))
    assert sources.hidden_below("pkg/.a.py", ("pkg",))
    assert not sources.hidden_below("pkg/a.py", ("pkg",))
    assert not sources.hidden_below(".ci/run.py", (".ci",))  # named by the user
    assert sources.hidden_below(".ci/run.py", (".",))
    assert not sources.hidden_below(".ci/run.py", (".ci/run.py",))


def test_mypy_gets_one_file_per_module_as_its_own_walk_picks(tmp_path):
    _tree(
        tmp_path,
        [
            "pkg/__init__.py",
            "pkg/a.py",
            "pkg/a.pyi",  # the stub wins
            "pkg/dup.py",  # the package dup/ wins
            "pkg/dup/__init__.py",
            "pkg/.hid/h.py",
            "pkg/.x.py",
            "pkg/sub/c.py",
            "pkg/notes.txt",
        ],
    )
    assert mypy_files.select(_project(tmp_path), None, 60) == [
        "pkg/__init__.py",
        "pkg/a.pyi",
        "pkg/dup/__init__.py",
        "pkg/sub/c.py",
    ]


def test_mypy_config_exclude_is_matched_as_mypy_matches_it(tmp_path):
    _tree(tmp_path, ["pkg/a.py", "pkg/legacy/l.py", "pkg/gen_x.py", "pkg/sub/gen_y.py"])
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\nexclude = (?x)(\n    ^pkg/legacy/\n  | gen_\\w+\\.py$\n  )\n"
    )
    (tmp_path / ".git").mkdir()
    section = mypy_config.find_section(tmp_path)
    assert mypy_config.excludes(section) == ["(?x)(\n^pkg/legacy/\n| gen_\\w+\\.py$\n)"]
    assert mypy_files.select(_project(tmp_path), section, 60) == ["pkg/a.py"]


def test_mypy_exclude_from_pyproject_may_be_a_list_and_a_bad_regex_is_an_error(tmp_path):
    assert mypy_config.excludes({"exclude": ["^a/", " ", "b\\.py$"]}) == ["^a/", "b\\.py$"]
    assert mypy_config.excludes({"exclude": "  "}) == []
    _tree(tmp_path, ["pkg/a.py"])
    with pytest.raises(CheckError, match="not a valid regular expression"):
        mypy_files.select(_project(tmp_path), {"exclude": "("}, 60)


def test_walked_subpaths_start_below_the_configured_path():
    assert list(mypy_files.walked("src/pkg/m.py", ("src",))) == ["src/pkg/", "src/pkg/m.py"]
    assert list(mypy_files.walked("pkg/m.py", (".",))) == ["pkg/", "pkg/m.py"]
    assert list(mypy_files.walked("setup.py", ("setup.py",))) == []


def test_mypy_gets_an_at_file_past_the_argv_budget(tmp_path, monkeypatch):
    names = ["pkg/a.py", "pkg/b.py"]
    assert file_arguments(names, tmp_path) == names
    monkeypatch.setattr(toolkit, "ARGV_BUDGET", 10)
    (arg,) = file_arguments(names, tmp_path)
    assert arg == f"@{tmp_path / 'files.txt'}"
    assert (tmp_path / "files.txt").read_text().splitlines() == names


def test_argv_chunks_stay_within_the_budget_and_keep_every_item_in_order():
    items = [f"f{i:03d}.py" for i in range(100)]  # 7 bytes each, 8 with the separator
    chunks = list(toolkit.argv_chunks(items, 95))
    assert [len(c) for c in chunks] == [11] * 9 + [1]
    assert [i for c in chunks for i in c] == items
    assert list(toolkit.argv_chunks([], 95)) == []
    # An item longer than the budget still goes, alone.
    assert list(toolkit.argv_chunks(["x" * 200, "y"], 95)) == [["x" * 200], ["y"]]

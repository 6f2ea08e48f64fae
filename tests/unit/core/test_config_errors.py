"""Config errors name the file, key and line, in words a user can act on; root discovery."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from atlas_ci import config
from atlas_ci.errors import ConfigError


def _error(tmp_path: Path, text: str, name: str = "atlas-ci.toml") -> ConfigError:
    (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    assert info.value.file == str(tmp_path / name)
    return info.value


def test_misspelled_gate_is_located_at_its_table_with_a_suggestion(tmp_path: Path) -> None:
    err = _error(tmp_path, '[project]\npaths = ["src"]\n\n[gates.qualty.lint]\ntimeout = 3\n')
    assert err.key == "gates.qualty"
    assert err.line == 4
    assert "did you mean 'quality'" in str(err)


def test_misspelled_check_key_gets_a_suggestion(tmp_path: Path) -> None:
    err = _error(tmp_path, "[gates.quality.lint]\ntimeuot = 3\n")
    assert (err.key, err.line) == ("gates.quality.lint.timeuot", 2)
    assert "did you mean 'timeout'" in str(err)


def test_union_literal_is_described_in_words(tmp_path: Path) -> None:
    err = _error(tmp_path, '[gates.tests.categories.unit]\nworkers = "many"\n')
    assert err.key == "gates.tests.categories.unit.workers"
    assert err.line == 2
    assert "must be 'auto', 'logical' or an integer" in str(err)
    assert "literal[" not in str(err)


def test_plain_literal_lists_the_choices(tmp_path: Path) -> None:
    err = _error(tmp_path, '[reports]\nformats = ["json", "pdf"]\n')
    assert err.key == "reports.formats.1"
    assert "must be 'json', 'sarif' or 'markdown'" in str(err)
    assert '(got "pdf")' in str(err)


@pytest.mark.parametrize("opener", ["[", "{a = "])
def test_deep_nesting_is_a_config_error_with_a_line(tmp_path: Path, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    err = _error(tmp_path, f"[reports]\ndir = 'r'\nx = {opener * 600}1{closer * 600}\n")
    assert err.line == 3
    assert "nested too deeply" in str(err)


def test_nesting_inside_strings_and_comments_does_not_count(tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text(f'# {"[" * 500}\n[reports]\ndir = "{"[" * 500}"\n')
    assert config.load(tmp_path).reports.dir == "[" * 500


def test_huge_integer_is_a_config_error_with_a_line(tmp_path: Path) -> None:
    err = _error(tmp_path, f"[gates.quality.lint]\n\ntimeout = {'9' * 4400}\n")
    assert err.line == 3
    assert "too many digits" in str(err)


def test_underscore_table_in_pyproject_gets_did_you_mean(tmp_path: Path) -> None:
    err = _error(
        tmp_path, '[project]\nname = "x"\n\n[tool.atlas_ci.reports]\ndir = "r"\n', "pyproject.toml"
    )
    assert err.line == 4
    assert "did you mean [tool.atlas-ci]" in str(err)


def test_root_is_the_nearest_ancestor_with_a_config(tmp_path: Path) -> None:
    outer, inner = tmp_path / "outer", tmp_path / "outer" / "pkg" / "inner"
    inner.mkdir(parents=True)
    (outer / "atlas-ci.toml").write_text("")
    # A pyproject without [tool.atlas-ci] does not make a root.
    (outer / "pkg" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert config.find_root(inner) == outer
    (outer / "pkg" / "pyproject.toml").write_text('[tool.atlas-ci.reports]\ndir = "r"\n')
    assert config.find_root(inner) == outer / "pkg"


def test_root_falls_back_to_the_git_top_level_then_the_directory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "a" / "b").mkdir(parents=True)
    assert config.find_root(repo / "a" / "b") == (repo / "a" / "b").resolve()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert config.find_root(repo / "a" / "b") == repo.resolve()

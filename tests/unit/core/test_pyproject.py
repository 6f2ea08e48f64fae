"""The one TOML loader: absent is None, anything unusable is TomlError with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ci import pyproject
from atlas_ci.errors import CheckError


def test_a_missing_pyproject_is_none(tmp_path: Path) -> None:
    assert pyproject.load(tmp_path) is None


def test_tables_are_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.bandit]\nskips = []\n')
    data = pyproject.load(tmp_path)
    assert pyproject.project_table(data) == {"name": "x"}
    assert pyproject.tool_table(data, "bandit") == {"skips": []}
    assert pyproject.tool_table(data, "mypy") is None


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("x = 1\n[tool.mypy\n", 2, "malformed TOML"),
        ("x = 1\ny = ", 2, "malformed TOML"),
        ("x = 1\na = " + "[" * 2000 + "]" * 2000 + "\n", 2, "nested too deeply"),
        ("x = 1\n\na = {b = " * 1 + "{c = " * 2000 + "1" + "}" * 2001 + "\n", 3, "nested"),
        ("x = 1\n\n\nn = " + "9" * 5000 + "\n", 4, "too many digits"),
    ],
    ids=["header", "end-of-document", "deep-array", "deep-table", "huge-integer"],
)
def test_unusable_toml_names_the_file_and_line(
    tmp_path: Path, text: str, line: int, said: str
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(pyproject.TomlError) as info:
        pyproject.read_toml(path)
    assert info.value.line == line
    assert said in info.value.reason
    assert str(info.value).startswith(f"{path}:{line}: ")
    # Inside a check it is the check's error, never a crash.
    assert isinstance(info.value, CheckError)


def test_undecodable_bytes_are_a_toml_error(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b"x = '\xff'\n")
    with pytest.raises(pyproject.TomlError, match="cannot read file"):
        pyproject.read_toml(path)

"""The project interpreter: which one is chosen, what the probe reads, and what it refuses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from atlas_ci import interpreter
from atlas_ci.errors import CheckError

pytestmark = pytest.mark.unit


def _python(root: Path, name: str) -> Path:
    exe = root / name / "bin" / "python"
    exe.parent.mkdir(parents=True)
    exe.write_text("")
    return exe


def test_config_wins_then_virtual_env_then_dot_venv_then_venv_then_our_own(tmp_path, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    assert interpreter.resolve(tmp_path, None) == sys.executable
    plain = _python(tmp_path, "venv")
    assert interpreter.resolve(tmp_path, None) == str(plain)
    dot = _python(tmp_path, ".venv")
    assert interpreter.resolve(tmp_path, None) == str(dot)
    active = _python(tmp_path, "active")
    monkeypatch.setenv("VIRTUAL_ENV", str(active.parents[1]))
    assert interpreter.resolve(tmp_path, None) == str(active)
    assert interpreter.resolve(tmp_path, "envs/py/bin/python") == str(
        tmp_path / "envs/py/bin/python"
    )
    assert interpreter.resolve(tmp_path, "python3.12") == "python3.12"


def test_top_level_packages_of_src_layout_flat_layout_and_a_package_path(tmp_path):
    for pkg in ("src/alpha", "beta", "src/not-a-name", "src/nsonly"):
        (tmp_path / pkg).mkdir(parents=True)
    for init in ("src/alpha/__init__.py", "beta/__init__.py", "src/not-a-name/__init__.py"):
        (tmp_path / init).write_text("")
    (tmp_path / "src" / "single.py").write_text("")
    (tmp_path / "src" / "conftest.py").write_text("")
    found = interpreter.top_level_packages(tmp_path, ("src", "beta"))
    assert found == {
        "alpha": (tmp_path / "src/alpha").resolve(),
        "single": (tmp_path / "src/single.py").resolve(),
        "beta": (tmp_path / "beta").resolve(),
    }


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("pyproject.toml", '[tool.pytest.ini_options]\npythonpath = ["src", "."]\n', ["src", "."]),
        ("pyproject.toml", '[tool.pytest.ini_options]\npythonpath = "src lib"\n', ["src", "lib"]),
        ("pytest.ini", "[pytest]\npythonpath = src\n", ["src"]),
        ("setup.cfg", "[tool:pytest]\npythonpath = src %(x)s\n", ["src", "%(x)s"]),
        ("tox.ini", "[tox]\nenvlist = py\n", []),
    ],
)
def test_pytest_pythonpath_is_read_as_pytest_reads_it(tmp_path, name, text, expected):
    (tmp_path / name).write_text(text)
    assert interpreter.pytest_pythonpath(tmp_path) == expected


def test_the_real_probe_reports_tools_and_where_packages_resolve(tmp_path):
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    found = interpreter._run_probe(sys.executable, tmp_path, ("mypkg", "json", "no_such_pkg_x"))
    assert found.pytest
    assert found.coverage
    assert found.origins["mypkg"] == str(tmp_path / "mypkg" / "__init__.py")
    assert found.origins["json"].endswith("json/__init__.py")
    assert found.origins["no_such_pkg_x"] is None
    interpreter.check_imports(found, {"mypkg": tmp_path / "mypkg"}, tmp_path)


def test_a_package_resolving_to_another_copy_is_an_error_naming_both(tmp_path):
    found = interpreter.Probe(
        python="/env/bin/python",
        executable="/env/bin/python",
        pytest="9",
        coverage="7",
        pytest_cov=None,
        origins={"calc": "/env/lib/site-packages/calc/__init__.py", "other": None},
    )
    expected = {"calc": tmp_path / "src" / "calc", "other": tmp_path / "src" / "other"}
    with pytest.raises(CheckError) as err:
        interpreter.check_imports(found, expected, tmp_path)
    message = str(err.value)
    assert "calc imports from /env/lib/site-packages/calc/__init__.py" in message
    assert f"not from this repository's src/calc ({tmp_path / 'src' / 'calc'})" in message
    assert "/env/bin/python -m pip install -e ." in message
    assert "other imports" not in message


def test_a_missing_tool_is_an_error_with_the_install_hint():
    found = interpreter.Probe("/p/python", "/p/python", None, "7", None)
    with pytest.raises(CheckError, match=r"pytest is not installed in the project interpreter"):
        interpreter.require(found, "pytest", "it runs the tests")
    with pytest.raises(CheckError, match=r"`/p/python -m pip install pytest-cov`"):
        interpreter.require(found, "pytest-cov", "coverage")
    interpreter.require(found, "coverage", "coverage")


def test_an_interpreter_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(CheckError, match="cannot be started"):
        interpreter._run_probe(str(tmp_path / "nope" / "python"), tmp_path, ())

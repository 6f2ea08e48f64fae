"""The tests gate runs the suite in the project interpreter, against this repository's tree.

Two throw-away environments made with `python -m venv --without-pip` (well under a second each):
pytest and coverage reach them through a .pth naming this interpreter's site-packages, and the
project's package is either another copy (an older release, installed) or the tree itself (what an
editable install adds to sys.path).
"""

from __future__ import annotations

import site
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.tests_gate import run_gate

from atlas_ci import interpreter
from atlas_ci.model import Status

pytestmark = pytest.mark.integration


def _venv(where: Path) -> tuple[Path, Path]:
    """A venv whose python finds pytest and coverage here; returns (python, site-packages)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    packages = Path(found)
    (packages / "atlas_ci_tools.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python, packages


def _project(root: Path) -> Path:
    (root / "src" / "calcpkg").mkdir(parents=True)
    (root / "src" / "calcpkg" / "__init__.py").write_text('VERSION = "2.0"\n')
    (root / "tests").mkdir()
    (root / "tests" / "test_version.py").write_text(
        "import calcpkg\n\n\ndef test_the_tree_is_tested():\n    assert calcpkg.VERSION == '2.0'\n"
    )
    return root


@pytest.fixture(scope="module")
def envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("envs")
    root = _project(base / "repo")
    stale, stale_packages = _venv(base / "stale")
    (stale_packages / "calcpkg").mkdir()
    (stale_packages / "calcpkg" / "__init__.py").write_text('VERSION = "1.0"\n')
    editable, editable_packages = _venv(base / "editable")
    (editable_packages / "__editable__.calcpkg.pth").write_text(str(root / "src") + "\n")
    return {
        "root": root,
        "stale": stale,
        "stale_pkg": stale_packages / "calcpkg",
        "editable": editable,
    }


def test_another_copy_in_the_interpreter_is_an_error_naming_both_locations(envs, monkeypatch):
    interpreter.forget()
    monkeypatch.setenv("VIRTUAL_ENV", str(envs["stale"].parents[1]))
    results = run_gate(envs["root"], only=["unit"], config_text="")
    unit = results["tests.unit"]
    assert unit.status is Status.ERROR, unit.reason
    assert f"calcpkg imports from {envs['stale_pkg'] / '__init__.py'}" in unit.reason
    assert (
        f"not from this repository's src/calcpkg ({envs['root'] / 'src' / 'calcpkg'})"
        in unit.reason
    )
    assert "pip install -e ." in unit.reason


def test_with_project_python_at_an_editable_install_the_tree_is_tested(envs, monkeypatch):
    interpreter.forget()
    monkeypatch.setenv("VIRTUAL_ENV", str(envs["stale"].parents[1]))  # config wins over it
    config = f'[project]\npython = "{envs["editable"]}"\n'
    results = run_gate(envs["root"], only=["unit", "coverage"], config_text=config)
    unit = results["tests.unit"]
    assert unit.status is Status.PASSED, unit.reason
    assert unit.reason == "1 passed, 0 skipped"
    assert results["tests.coverage"].status is Status.PASSED, results["tests.coverage"].reason


def test_an_interpreter_without_pytest_is_an_error_with_the_install_hint(tmp_path):
    interpreter.forget()
    root = _project(tmp_path / "repo")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True
    )
    bare = tmp_path / "bare" / "bin" / "python"
    results = run_gate(root, only=["unit"], config_text=f'[project]\npython = "{bare}"\n')
    unit = results["tests.unit"]
    assert unit.status is Status.ERROR
    assert f"pytest is not installed in the project interpreter {bare}" in unit.reason
    assert f"`{bare} -m pip install pytest`" in unit.reason

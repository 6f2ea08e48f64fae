"""Where dependencies are declared: found without configuration, or an error saying why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ci.checks.security import dependency_sources, manifests
from atlas_ci.checks.security.dependency_sources import Found
from atlas_ci.errors import CheckError
from atlas_ci.process import ProcessResult

pytestmark = pytest.mark.unit


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The build backend's answer, without building an isolated environment."""
    answer: list[str] = []
    monkeypatch.setattr(dependency_sources, "backend_requirements", lambda *_: list(answer))
    return answer


def _discover(root: Path) -> Found | str:
    return dependency_sources.discover(root, root / "reports")


def test_static_project_dependencies_use_pip_audits_project_mode(tmp_path, backend):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\ndependencies=['a']\n")
    assert _discover(tmp_path) == Found("project", manifest="pyproject.toml")


def test_requirements_files_are_found_at_the_root_and_under_requirements(tmp_path, backend):
    for name in ("requirements.txt", "requirements-dev.txt", "requirements/test.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("a==1\n")
    assert _discover(tmp_path) == Found(
        "requirements", ("requirements-dev.txt", "requirements.txt", "requirements/test.txt")
    )


def test_setup_cfg_dependencies_come_from_the_backend_into_a_generated_file(tmp_path, backend):
    (tmp_path / "setup.cfg").write_text("[options]\ninstall_requires =\n    requests==2.19.0\n")
    (tmp_path / "requirements.txt").write_text("idna==2.7\n")
    backend.append("requests==2.19.0")
    found = _discover(tmp_path)
    assert isinstance(found, Found)
    generated = tmp_path / "reports" / "dependencies" / dependency_sources.GENERATED
    assert found.files == (str(generated), "requirements.txt")
    assert generated.read_text() == "requests==2.19.0\n"
    assert (found.manifest, found.declared) == ("setup.cfg", ("requests==2.19.0",))
    index = manifests.manifest_index(tmp_path, "setup.cfg", found.declared)
    assert index["requests"] == manifests.Declaration("setup.cfg", 3)


def test_dynamic_dependencies_ask_the_backend(tmp_path, backend):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\ndynamic=['dependencies']\n")
    backend.append("click>=8")
    found = _discover(tmp_path)
    assert isinstance(found, Found)
    assert found.manifest == "pyproject.toml"


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({}, "nothing declares dependencies: no pyproject.toml [project], setup.cfg"),
        ({"pyproject.toml": "[project]\nname='x'\n"}, "the project declares no dependencies"),
        ({"setup.py": "from setuptools import setup\nsetup()\n"}, "the project declares no"),
    ],
)
def test_a_project_declaring_nothing_is_a_reason_to_skip(tmp_path, backend, files, reason):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    found = _discover(tmp_path)
    assert isinstance(found, str)
    assert found.startswith(reason)


@pytest.mark.parametrize(
    ("res", "message"),
    [
        (ProcessResult(("x",), 1, "", "BuildBackendException: boom", 0.1), "hook failed (Build"),
        (ProcessResult(("x",), 0, "not json", "", 0.1), "hook failed"),
        (ProcessResult(("x",), -9, "", "", 0.1, timed_out=True), "timed out after 5s"),
    ],
)
def test_a_backend_that_cannot_answer_is_an_error_with_the_hint(
    tmp_path, monkeypatch, res, message
):
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    monkeypatch.setattr(dependency_sources.process, "run", lambda *a, **k: res)
    with pytest.raises(CheckError) as err:
        dependency_sources.backend_requirements(tmp_path, tmp_path / "reports", "setup.py", 5)
    assert message in str(err.value)
    assert str(err.value).startswith("cannot read the dependencies setup.py declares")
    assert "[gates.security.dependencies] requirements" in str(err.value)

"""`atlas-ci init` in fresh fixture repositories (a src-layout library, a flat application with a
service unit): what it writes passes `config validate`, actionlint and `zizmor --offline`, it never
overwrites without --force, and `atlas-ci gate all` runs on the result."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, report

ACTION = "example/atlas-ci@" + "0123456789abcdef" * 2 + "01234567"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed"
    return found


def _library(root: Path) -> Path:
    (root / "src" / "mylib").mkdir(parents=True)
    (root / "src" / "mylib" / "__init__.py").write_text('"""My library."""\n')
    (root / "src" / "mylib" / "core.py").write_text(
        '"""Core."""\n\n\ndef add(a: int, b: int) -> int:\n    """Sum."""\n    return a + b\n'
    )
    (root / "tests" / "integration").mkdir(parents=True)
    (root / "tests" / "test_core.py").write_text(
        "from mylib.core import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    (root / "tests" / "integration" / "test_flow.py").write_text(
        "import pytest\n\n\n@pytest.mark.integration\ndef test_flow():\n    assert True\n"
    )
    (root / "benchmarks").mkdir()
    (root / "benchmarks" / "test_bench.py").write_text(
        "def test_bench(benchmark):\n    benchmark(sum, range(10))\n"
    )
    (root / "pyproject.toml").write_text(
        '[project]\nname = "mylib"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        "[tool.pytest.ini_options]\n"
        'pythonpath = ["src"]\nmarkers = ["integration: needs the whole flow", "slow"]\n'
    )
    return root


def _application(root: Path) -> Path:
    (root / "app.py").write_text('"""A small service."""\n\nPORT = 8080\n')
    (root / "requirements.txt").write_text("")
    (root / "tests").mkdir()
    (root / "tests" / "test_app.py").write_text(
        "import app\n\n\ndef test_port():\n    assert app.PORT == 8080\n"
    )
    (root / "deploy").mkdir()
    (root / "deploy" / "app.service").write_text(
        "[Unit]\nDescription=App\n\n[Service]\nExecStart=/opt/app/venv/bin/python -m app\n"
        "User=app\nNoNewPrivileges=yes\n\n[Install]\nWantedBy=multi-user.target\n"
    )
    return root


@pytest.fixture(params=["library", "application"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    root = tmp_path / request.param
    root.mkdir()
    made = _library(root) if request.param == "library" else _application(root)
    subprocess.run(["git", "init", "-q"], cwd=made, check=True, timeout=30)
    return made


def _init(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return atlas_ci("init", "--action", ACTION, *extra, cwd=root)


def test_init_writes_files_that_validate(repo: Path) -> None:
    res = _init(repo)
    assert res.returncode == 0, res.stdout + res.stderr
    workflows = sorted(p.name for p in (repo / ".github" / "workflows").iterdir())
    expected = (
        ["atlas-ci.yml"]
        if repo.name == "library"
        else ["atlas-ci.yml", "deployment.yml", "smoke-test.yml"]
    )
    assert workflows == expected
    valid = atlas_ci("config", "validate", cwd=repo)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    lint = subprocess.run(
        [_tool("actionlint"), "-no-color"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    zizmor = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", ".github/workflows"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
    assert "No findings to report" in zizmor.stdout


def test_config_is_fitted_to_the_repository(repo: Path) -> None:
    assert _init(repo).returncode == 0
    config = (repo / "atlas-ci.toml").read_text()
    ci = (repo / ".github" / "workflows" / "atlas-ci.yml").read_text()
    assert f"uses: {ACTION}" in ci
    if repo.name == "library":
        assert 'paths = ["src"]' in config
        assert 'paths = ["benchmarks"]' in config
        assert "Declared pytest markers: integration, slow." in config
        assert "category: [unit, integration]" in ci
        assert "gate: perf" in ci
        assert "pip install --quiet -e . pytest coverage" in ci
    else:
        assert 'paths = ["app.py"]' in config
        assert 'units = ["deploy/app.service"]' in config
        assert 'name = "app"' in config
        assert "[gates.deploy.package]\nenabled = false" in config
        assert "category: [unit]" in ci
        assert "gate: perf" not in ci
        assert "-r requirements.txt" in ci


def test_init_never_overwrites_without_force(repo: Path) -> None:
    assert _init(repo).returncode == 0
    (repo / "atlas-ci.toml").write_text("# mine\n")
    again = _init(repo)
    assert again.returncode == 2
    assert "atlas-ci.toml" in again.stdout + again.stderr
    assert "--force" in again.stdout + again.stderr
    assert (repo / "atlas-ci.toml").read_text() == "# mine\n"
    assert _init(repo, "--force").returncode == 0
    assert (repo / "atlas-ci.toml").read_text() != "# mine\n"


def test_an_action_not_pinned_to_a_commit_is_refused(tmp_path: Path) -> None:
    res = atlas_ci("init", "--action", "example/atlas-ci@v1", cwd=tmp_path)
    assert res.returncode == 2
    assert "40-hex commit" in res.stdout + res.stderr
    assert not (tmp_path / "atlas-ci.toml").exists()


@pytest.mark.slow
def test_gate_all_runs_on_what_init_wrote(repo: Path) -> None:
    assert _init(repo).returncode == 0
    res = atlas_ci("gate", "all", "--quiet", cwd=repo, timeout=1200)
    assert res.returncode in (0, 1, 3), res.stdout + res.stderr  # ran: not a usage error
    gates = {g["gate"] for g in report(repo)["gates"]}
    assert gates == {"security", "tests", "quality", "perf", "reliability", "deploy"}

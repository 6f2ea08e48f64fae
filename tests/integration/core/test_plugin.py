"""A third-party check installed through the `atlas_ci.checks` entry point is listed and runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import REPO, atlas_ci, checks, report

PLUGIN = REPO / "tests" / "fixtures" / "plugin"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the plugin package for real (pip, its own build backend) into its own directory."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert any(
        p.name.startswith("atlas_ci_eof") and p.name.endswith(".dist-info")
        for p in target.iterdir()
    )
    return target


def _env(site: Path) -> dict[str, str]:
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}


def test_plugin_appears_in_list(plugin_site: Path, tmp_path: Path) -> None:
    res = atlas_ci("list", cwd=tmp_path, env=_env(plugin_site))
    assert res.returncode == 0, res.stderr
    assert "quality.eof" in res.stdout
    assert "atlas-ci-eof" in res.stdout


def test_plugin_runs_in_its_gate_with_its_own_settings(plugin_site: Path, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "good.py").write_text("x = 1\n")
    (tmp_path / "src" / "bad.py").write_text("x = 1\ny = 2")
    (tmp_path / "atlas-ci.toml").write_text('[gates.quality.eof]\nsuffix = ".py"\n')
    res = atlas_ci("gate", "quality", "--only", "eof", cwd=tmp_path, env=_env(plugin_site))
    assert res.returncode == 1, res.stdout + res.stderr
    eof = checks(report(tmp_path))["quality.eof"]
    assert eof["status"] == "failed"
    assert [(f["location"]["path"], f["location"]["start_line"]) for f in eof["findings"]] == [
        ("src/bad.py", 2)
    ]


def test_plugin_settings_are_validated(plugin_site: Path, tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text("[gates.quality.eof]\nsufix = 1\n")
    res = atlas_ci("config", "validate", cwd=tmp_path, env=_env(plugin_site))
    assert res.returncode == 2
    assert "gates.quality.eof.sufix" in res.stderr


def test_without_the_plugin_its_key_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text('[gates.quality.eof]\nsuffix = ".py"\n')
    res = atlas_ci("config", "validate", cwd=tmp_path)
    assert res.returncode == 2

"""deploy-check is a go/no-go; --only/--skip take gates; the root is found from a subdirectory."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report, write_config

NO_DEPLOY = "[gates.deploy]\nenabled = false\n"


def test_deploy_check_exits_3_when_nothing_was_checked(tmp_path: Path) -> None:
    write_config(tmp_path, NO_DEPLOY)
    res = atlas_ci("deploy-check", "--quiet", cwd=tmp_path)
    assert res.returncode == 3, res.stdout + res.stderr
    assert "nothing was checked" in res.stderr
    assert "disabled in config" in res.stderr
    rep = checks(report(tmp_path))
    assert rep
    assert {c["status"] for c in rep.values()} == {"skipped"}
    assert "Traceback" not in res.stderr


def test_deploy_check_takes_the_gate_options(tmp_path: Path) -> None:
    write_config(tmp_path, NO_DEPLOY)
    out = tmp_path / "out"
    res = atlas_ci(
        "deploy-check", "--report-dir", str(out), "--skip", "deploy.sbom", "-q", cwd=tmp_path
    )
    assert res.returncode == 3
    assert checks(report(tmp_path, "out"))["deploy.sbom"]["reason"] == "skipped with --skip"
    assert not (tmp_path / "reports").exists()
    res = atlas_ci("deploy-check", "--only", "systemd", "--skip", "systemd", cwd=tmp_path)
    assert res.returncode == 2
    assert "leaves no check to run" in res.stderr


def test_a_gate_that_only_skips_exits_0_but_deploy_check_does_not(tmp_path: Path) -> None:
    # The same all-skipped result: fine for `gate`, a "no" for the go/no-go command.
    write_config(tmp_path, NO_DEPLOY)
    res = atlas_ci("gate", "deploy", "-q", cwd=tmp_path)
    assert res.returncode == 0, res.stderr


def test_skip_takes_a_gate_name(tmp_path: Path) -> None:
    write_config(tmp_path, NO_DEPLOY + "[gates.quality]\nenabled = false\n")
    args = ["gate", "all", "-q"]
    for gate in ("security", "tests", "perf", "reliability"):
        args += ["--skip", gate]
    res = atlas_ci(*args, cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    rep = checks(report(tmp_path))
    for check in ("security.bandit", "tests.unit", "perf.benchmarks", "reliability.load"):
        assert rep[check]["reason"] == "skipped with --skip"
    assert rep["quality.lint"]["reason"] == "gate 'quality' disabled in config"


@pytest.mark.parametrize(
    "args",
    [
        ["--only", "lint", "--skip", "lint"],
        ["--skip", "quality"],
        ["--only", "quality.lint", "--skip", "quality"],
    ],
)
def test_a_selection_that_leaves_nothing_is_exit_2(tmp_path: Path, args: list[str]) -> None:
    res = atlas_ci("gate", "quality", *args, cwd=tmp_path)
    assert res.returncode == 2
    assert "leaves no check to run" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "reports").exists()


def _a_not_implemented_check() -> str:
    from atlas_ci import config, plan
    from atlas_ci.gates import NotImplementedCheck

    for p in plan.all_checks(config.load(Path("/nonexistent"))):
        if isinstance(p.check, NotImplementedCheck):
            return p.id
    pytest.skip("every designed check is implemented: nothing to show as 'not implemented'")


def test_list_never_shows_a_not_implemented_or_unavailable_check_as_enabled(
    tmp_path: Path,
) -> None:
    missing = _a_not_implemented_check()
    write_config(tmp_path, '[gates.quality.lint]\ncommand = ["/nonexistent/ruff"]\n')
    res = atlas_ci("list", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    rows = {line.split()[1]: line for line in res.stdout.splitlines() if "│" in line[:3]}
    assert "no (not implemented)" in rows[missing]
    assert "yes" not in rows[missing]
    assert "no (unavailable" in rows["quality.lint"]
    assert "yes" in rows["quality.format"]
    doctor = atlas_ci("doctor", cwd=tmp_path)
    lines = {line.split()[0]: line for line in doctor.stdout.splitlines() if line[:1].isalpha()}
    assert "not implemented" in lines[missing]
    assert "NOT FOUND" in lines["quality.lint"]


def _project(root: Path) -> Path:
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("x = 1\n")
    return root


def test_commands_run_from_a_subdirectory_use_the_project_root(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    write_config(root, '[reports]\ndir = "out"\n[gates.quality.format]\nenabled = false\n')
    sub = root / "src" / "pkg"
    res = atlas_ci("config", "validate", cwd=sub)
    assert res.returncode == 0
    assert str(root / "atlas-ci.toml") in res.stdout
    res = atlas_ci("gate", "quality", "--only", "format", "-q", cwd=sub)
    assert res.returncode == 0, res.stdout + res.stderr
    assert checks(report(root, "out"))["quality.format"]["reason"] == "disabled in config"
    assert not (sub / "out").exists()
    assert not (sub / "reports").exists()


def test_without_a_config_the_git_top_level_is_the_root(tmp_path: Path) -> None:
    root = _project(tmp_path / "repo")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    res = atlas_ci("gate", "quality", "--only", "format", "-q", cwd=root / "src" / "pkg")
    assert res.returncode in (0, 1), res.stdout + res.stderr
    assert (root / "reports" / "atlas-ci.json").is_file()
    assert not (root / "src" / "pkg" / "reports").exists()


def test_a_relative_report_dir_option_is_relative_to_the_working_directory(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "proj")
    write_config(root, NO_DEPLOY)
    res = atlas_ci("gate", "deploy", "--report-dir", "here", "-q", cwd=root / "src")
    assert res.returncode == 0, res.stderr
    assert (root / "src" / "here" / "atlas-ci.json").is_file()

"""The install story: a missing tool's hint names the extra that brings it, checked against
pyproject.toml's own extras so the two cannot drift apart."""

from __future__ import annotations

import tomllib
from pathlib import Path

from helpers.cli import atlas_ci
from helpers.workflows import REPO
from packaging.requirements import Requirement

from atlas_ci import extras


def test_each_tool_extra_exists_and_brings_a_distribution() -> None:
    optional = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for tool, extra in extras.EXTRA_OF_TOOL.items():
        assert extra in optional, f"{tool}: no extra named {extra}"
        names = {Requirement(r).name for r in optional[extra]}
        assert names, extra
    assert {"load", "deploy", "perf", "all", "safety"} <= set(optional)


def test_hints() -> None:
    assert extras.install_hint("locust") == (
        "install the `load` extra: `pip install 'atlas-ci[load]'`"
    )
    assert "atlas-ci[safety]" in extras.install_hint("safety")
    assert extras.install_hint("ruff") == "install it with `pip install ruff`"
    assert "systemd" in extras.install_hint("systemd-analyze")


def test_doctor_names_the_missing_extra(tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text(
        '[gates.security.safety]\nenabled = true\ncommand = ["no-such-safety-binary"]\n'
    )
    res = atlas_ci("doctor", cwd=tmp_path)
    assert res.returncode == 3, res.stdout + res.stderr
    line = next(x for x in res.stdout.splitlines() if x.startswith("problem: security.safety"))
    assert "pip install 'atlas-ci[safety]'" in line


def test_a_check_missing_an_extras_module_is_an_error_naming_the_extra() -> None:
    from dataclasses import dataclass

    from atlas_ci.checks.base import ProjectInfo
    from atlas_ci.model import Status
    from atlas_ci.plan import Planned
    from atlas_ci.runner import run_one
    from atlas_ci.settings import CheckSettings, GateSettings

    @dataclass(frozen=True)
    class NeedsScipy:
        gate: str = "perf"
        name: str = "needs-scipy"
        tool: str = "scipy"
        settings_model: type[CheckSettings] = CheckSettings
        exclusive: bool = False

        def version(self, project: object) -> None:
            return None

        def run(self, ctx: object) -> object:
            raise ModuleNotFoundError("No module named 'scipy'", name="scipy.stats")

    planned = Planned(NeedsScipy(), CheckSettings(), GateSettings())  # type: ignore[arg-type]
    project = ProjectInfo.__new__(ProjectInfo)
    res = run_one(planned, project)
    assert res.status is Status.ERROR
    assert res.reason == (
        "scipy is not installed; install the `perf` extra: `pip install 'atlas-ci[perf]'`"
    )


def test_other_missing_modules_stay_crashes() -> None:
    assert extras.missing_module(ModuleNotFoundError("x", name="left_pad")) is None


def test_a_missing_tool_of_an_extra_names_the_extra(tmp_path: Path) -> None:
    import pytest

    from atlas_ci.checks.toolkit import Tool, run_tool
    from atlas_ci.errors import CheckError

    tool = Tool("safety", ("atlas-ci-test-no-such-safety",), "safety")
    with pytest.raises(CheckError, match=r"pip install 'atlas-ci\[safety\]'"):
        run_tool(tool, ["check"], cwd=tmp_path, timeout=10)

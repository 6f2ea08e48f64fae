"""Recorded tool outputs, contexts and a stand-in for process.run for the security unit tests."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from atlas_ci import process
from atlas_ci.checks.base import Check, CheckContext, ProjectInfo
from atlas_ci.checks.security.policy import SecurityGateSettings
from atlas_ci.process import ProcessResult
from atlas_ci.settings import CheckSettings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "security"
RECORDED = FIXTURES / "recorded"
MANIFEST: dict[str, Any] = json.loads((RECORDED / "manifest.json").read_text())


def _make_ctx(
    check: Check,
    *,
    root: Path = FIXTURES,
    paths: tuple[str, ...] = ("src",),
    exclude: tuple[str, ...] = (),
    settings: CheckSettings | None = None,
    fail_on: str = "medium",
) -> CheckContext:
    project = ProjectInfo(
        root=root, paths=paths, exclude=exclude, python=sys.executable, report_dir=root / "reports"
    )
    return CheckContext(
        project=project,
        settings=settings or check.settings_model(),
        gate_settings=SecurityGateSettings(fail_on=fail_on),
    )


REAL_RUN = process.run


@dataclass
class FakeTools:
    """Answers process.run by the first argv word that matches; `--version` gets `version`."""

    responses: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    version: str = "tool 9.8.7"
    calls: list[list[str]] = field(default_factory=list)
    envs: list[dict[str, str] | None] = field(default_factory=list)

    def respond(self, word: str, stdout: str = "", returncode: int = 0, stderr: str = "") -> None:
        self.responses[word] = (stdout, returncode, stderr)

    def run(self, argv: Sequence[str], **kw: Any) -> ProcessResult:
        if argv[0] == "git":  # the file set's listing runs for real: checks name its files
            return REAL_RUN(argv, **kw)
        self.calls.append(list(argv))
        if argv[-1] == "--version":
            return ProcessResult(tuple(argv), 0, self.version, "", 0.01)
        self.envs.append(kw.get("env"))
        for word, (stdout, code, stderr) in self.responses.items():
            if word in argv:
                return ProcessResult(tuple(argv), code, stdout, stderr, 0.01)
        raise AssertionError(f"unexpected command {argv}")

    def tool_calls(self) -> list[list[str]]:
        return [c for c in self.calls if c[-1] != "--version"]


@pytest.fixture
def fake_tools(monkeypatch: pytest.MonkeyPatch) -> FakeTools:
    tools = FakeTools()
    monkeypatch.setattr(process, "run", tools.run)
    return tools


@pytest.fixture
def recorded() -> Callable[[str], str]:
    return lambda name: (RECORDED / name).read_text()


@pytest.fixture
def make_ctx() -> Callable[..., CheckContext]:
    return _make_ctx


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES

"""Recorded tool outputs and a stand-in for process.run, so the quality adapters run in-process."""

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
from atlas_ci.process import ProcessResult
from atlas_ci.settings import CheckSettings, GateSettings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "quality"
DIRTY = FIXTURES / "dirty"
RECORDED = FIXTURES / "recorded"
MANIFEST: dict[str, Any] = json.loads((RECORDED / "manifest.json").read_text())


def _recorded(name: str) -> tuple[str, int]:
    """A real tool output and its exit status; its absolute paths point into the dirty fixture."""
    meta = MANIFEST[name]
    return (RECORDED / name).read_text().replace(meta["root"], str(DIRTY)), meta["returncode"]


def _make_ctx(
    check: Check,
    *,
    root: Path = DIRTY,
    paths: tuple[str, ...] = ("src",),
    exclude: tuple[str, ...] = (),
    settings: CheckSettings | None = None,
) -> CheckContext:
    project = ProjectInfo(
        root=root, paths=paths, exclude=exclude, python=sys.executable, report_dir=root / "reports"
    )
    return CheckContext(
        project=project,
        settings=settings or check.settings_model(),
        gate_settings=GateSettings(),
    )


@dataclass
class Response:
    stdout: str = ""
    returncode: int = 0
    stderr: str = ""
    timed_out: bool = False
    truncated: bool = False


REAL_RUN = process.run
# Calls that choose the files (the file set's git listing, ruff's own discovery) run for real:
# the adapters under test name the files the real tools pick.
REAL = ("git", "--show-files")


@dataclass
class FakeTools:
    """Answers process.run by the first argv word that matches; `--version` gets `version`."""

    responses: dict[str, Response] = field(default_factory=dict)
    version: str = "tool 9.8.7"
    calls: list[list[str]] = field(default_factory=list)

    def respond(self, word: str, stdout: str = "", returncode: int = 0, **kw: Any) -> None:
        self.responses[word] = Response(stdout, returncode, **kw)

    def run(self, argv: Sequence[str], **kw: Any) -> ProcessResult:
        if argv[0] == REAL[0] or REAL[1] in argv:
            return REAL_RUN(argv, **kw)
        self.calls.append(list(argv))
        if argv[-1] == "--version":
            return ProcessResult(tuple(argv), 0, self.version, "", 0.01)
        for word, r in self.responses.items():
            if word in argv:
                _write_mypy_junit(argv, r.returncode)
                return ProcessResult(
                    tuple(argv), r.returncode, r.stdout, r.stderr, 0.01, r.timed_out, r.truncated
                )
        raise AssertionError(f"unexpected command {argv}")

    def tool_calls(self) -> list[list[str]]:
        return [c for c in self.calls if c[-1] != "--version"]


def _write_mypy_junit(argv: Sequence[str], returncode: int) -> None:
    """What mypy writes at the end of every completed run when given --junit-xml."""
    if "--junit-xml" not in argv or returncode not in (0, 1):
        return
    path = Path(argv[list(argv).index("--junit-xml") + 1])
    path.write_text(
        f'<testsuite errors="0" failures="{returncode}" name="mypy" skips="0" tests="1">'
        '<testcase classname="mypy" name="mypy-py3"/></testsuite>'
    )


@pytest.fixture
def fake_tools(monkeypatch: pytest.MonkeyPatch) -> FakeTools:
    tools = FakeTools()
    monkeypatch.setattr(process, "run", tools.run)
    return tools


@pytest.fixture
def recorded() -> Callable[[str], tuple[str, int]]:
    return _recorded


@pytest.fixture
def make_ctx() -> Callable[..., CheckContext]:
    return _make_ctx


@pytest.fixture
def dirty() -> Path:
    return DIRTY

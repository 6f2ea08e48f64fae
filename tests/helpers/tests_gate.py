"""Helpers for the tests gate's own tests: fixture projects, a gate run, a fake process.run."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_ci import config, plan, runner
from atlas_ci.model import CheckResult
from atlas_ci.process import ProcessResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tests_gate"
RECORDED = FIXTURES / "recorded"


def gate_config(data: dict[str, Any] | None = None) -> Any:
    """The tests gate's settings as the config loader builds them (with tests.coverage's keys)."""
    model = config.config_model().model_validate({"gates": {"tests": data or {}}})
    return model.gates.tests  # type: ignore[attr-defined]


def copy_fixture(name: str, dest: Path) -> Path:
    """Copy (or lay over) a fixture project; returns the destination root."""
    shutil.copytree(FIXTURES / name, dest, dirs_exist_ok=True)
    return dest


def run_gate(
    root: Path, *, only: Sequence[str] = (), config_text: str | None = None, base: str | None = None
) -> dict[str, CheckResult]:
    """Plan and run the tests gate the way `atlas-ci gate tests` does, without the CLI."""
    if config_text is not None:
        (root / "atlas-ci.toml").write_text(config_text)
    cfg = config.load(root)
    planned = plan.select(plan.all_checks(cfg, ["tests"]), only, ())
    project = config.project_info(cfg, root, root / "reports", base)
    return {r.check: r for r in runner.run(planned, project, jobs=4)}


def git(root: Path, *args: str) -> str:
    argv = [
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.invalid",
        "-c",
        "commit.gpgsign=false",
        *args,
    ]
    return subprocess.run(argv, cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def located(path: Path, text: str) -> int:
    """1-based number of the first line containing `text`: expectations follow the source."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@dataclass
class FakeRun:
    """Stands in for process.run: `--version` gets a version, other calls the next queued answer."""

    answers: list[Callable[[list[str]], ProcessResult]] = field(default_factory=list)
    calls: list[tuple[list[str], dict[str, str]]] = field(default_factory=list)

    def __call__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        timeout: float,
        env: dict[str, str] | None = None,
        **_: object,
    ) -> ProcessResult:
        args = list(argv)
        if args[-1] == "--version":
            return ProcessResult(tuple(args), 0, "pytest 9.9.1\n", "", 0.1)
        self.calls.append((args, dict(env or {})))
        return self.answers.pop(0)(args)


def collected(
    items: Sequence[tuple[str, Sequence[str]]], errors: Sequence[tuple[str, Sequence[str]]] = ()
) -> Callable[[list[str]], ProcessResult]:
    """A canned collection pass: writes what the plugin would, (path, categories) per test."""

    def respond(argv: list[str]) -> ProcessResult:
        raw = next(a.split("=", 1)[1] for a in argv if a.startswith("--atlas-ci-collect="))
        out = {"items": [list(i) for i in items], "errors": [list(e) for e in errors]}
        Path(json.loads(raw)["out"]).write_text(json.dumps(out))
        return ProcessResult(tuple(argv), 0, "", "", 0.2)

    return respond


def answer(
    code: int,
    stdout: str = "",
    stderr: str = "",
    *,
    timed_out: bool = False,
    junit: Path | None = None,
) -> Callable[[list[str]], ProcessResult]:
    """A canned run; with `junit`, that recorded file is copied to where --junitxml points."""

    def respond(argv: list[str]) -> ProcessResult:
        if junit is not None:
            target = next(a.split("=", 1)[1] for a in argv if a.startswith("--junitxml="))
            Path(target).write_bytes(junit.read_bytes())
        return ProcessResult(tuple(argv), code, stdout, stderr, 0.5, timed_out=timed_out)

    return respond

"""gate_args.py and the quick path: a quiet gate command line read without Typer gives the
request Typer gives, any other line goes to Typer, and errors end as Typer's path ends them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from atlas_ci import cli_execute, gate_args
from atlas_ci.cli import app
from atlas_ci.pipeline import GateRequest

pytestmark = pytest.mark.unit

READ_HERE = [
    ["gate", "quality", "-q"],
    ["gate", "all", "--quiet", "--only", "lint", "--skip=types"],
    ["gate", "security", "-q", "--report-dir", "out", "--config", "ci.toml"],
    ["gate", "quality", "--only", "lint", "-q", "--only=quality.format", "--skip", "types"],
    # The last --report-dir and --config win, as with click.
    ["gate", "quality", "-q", "--report-dir=a", "--report-dir", "b/c", "--config=x.toml"],
    ["gate", "nonsense", "-q"],  # the pipeline judges the target, on either path
]

LEFT_TO_TYPER = [
    ["gate", "quality"],  # not quiet: the normal path prints a table
    ["gate", "quality", "-q", "--no-cache"],
    ["gate", "quality", "-q", "--changed"],
    ["gate", "quality", "-q", "--jobs", "2"],
    ["gate", "quality", "-q", "-c", "ci.toml"],  # a short alias
    ["gate", "quality", "-q", "--only"],  # a value is missing
    ["gate", "quality", "-q", "--only", "-q"],
    ["gate", "quality", "-q", "--only="],  # an empty value
    ["gate", "quality", "-q", "--report-dir=-x"],
    ["gate", "quality", "-q", "--only", "li\udcfft"],  # bytes that are not UTF-8
    ["gate", "quality", "-q", "--"],
    ["gate", "quality", "-q", "--help"],
    ["gate", "-q", "quality"],
    ["gate", "-q"],
    ["deploy-check", "-q"],
    ["gate"],
    [],
]


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[GateRequest]:
    """Requests reach `execute` and stop there; the working directory is a project root."""
    (tmp_path / "atlas-ci.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    seen: list[GateRequest] = []

    def execute(request: GateRequest, quiet: bool) -> int:
        assert quiet
        seen.append(request)
        return 0

    monkeypatch.setattr(cli_execute, "execute", execute)
    return seen


@pytest.mark.parametrize("args", READ_HERE)
def test_a_line_read_here_gives_the_request_typer_gives(
    args: list[str], captured: list[GateRequest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["atlas-ci", *args])
    assert gate_args.parse(args) is not None
    assert cli_execute.run_quiet(args) == 0
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    quick, typer_made = captured
    assert quick == typer_made
    assert quick.replay_args == tuple(args)


@pytest.mark.parametrize("args", LEFT_TO_TYPER)
def test_any_other_line_is_left_to_typer(args: list[str], captured: list[GateRequest]) -> None:
    assert gate_args.parse(args) is None
    assert cli_execute.run_quiet(args) is None
    assert captured == []


def _entry(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        "from atlas_ci import __main__ as entry\n"
        f"sys.argv = ['atlas-ci', *{args!r}]\n"
        "code = entry._run(sys.argv[1:])\n"
        "print(code, 'typer' in sys.modules)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_error_ends_as_on_typers_path_and_typer_is_never_loaded(tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text("")
    quick = _entry(["gate", "quality", "-q", "--config", "missing.toml"], tmp_path)
    typer_path = _entry(["gate", "quality", "-q", "-c", "missing.toml"], tmp_path)
    assert quick.stdout.split() == ["2", "False"], quick.stderr
    assert typer_path.stdout.split() == ["2", "True"], typer_path.stderr
    assert "missing.toml" in quick.stderr
    assert quick.stderr == typer_path.stderr

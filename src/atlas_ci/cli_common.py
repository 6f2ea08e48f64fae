"""What every command shares: the option types, the project root and config, error exits."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from atlas_ci.config import LoadedConfig

# Options shared by every command that runs checks (gate, deploy-check): one definition each.
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file (default: atlas-ci.toml, else [tool.atlas-ci] in pyproject.toml, "
        "in the project root: the nearest ancestor holding one, else the git top level).",
    ),
]
OnlyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--only", help="Run only this check (gate.check, a bare name or a gate); repeatable."
    ),
]
SkipOpt = Annotated[
    list[str] | None,
    typer.Option("--skip", help="Skip this check (gate.check, a bare name or a gate); repeatable."),
]
ReportDirOpt = Annotated[
    Path | None,
    typer.Option("--report-dir", help="Where reports go (default: [reports] dir, else reports/)."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or table.")]


@contextlib.contextmanager
def errors_to_exit() -> Iterator[None]:
    """Our own errors become one message and the documented exit code; never a traceback."""
    from atlas_ci import cli_execute
    from atlas_ci.errors import AtlasCIError

    try:
        yield
    except AtlasCIError as exc:
        raise typer.Exit(cli_execute.failed(exc)) from None


def _root(cwd: Path) -> Path:
    from atlas_ci import config as config_mod

    return config_mod.find_root(cwd)


def _load(config: Path | None) -> tuple[LoadedConfig, Path]:
    """The config of the project the working directory belongs to, and that project's root."""
    from atlas_ci import config as config_mod

    cwd = Path.cwd()
    root = _root(cwd)
    return config_mod.load(root, cwd / config if config else None), root

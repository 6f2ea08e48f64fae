"""The commands that inspect the setup: list, doctor, and config validate|show|schema."""

from __future__ import annotations

import json

import typer

from atlas_ci.cli_common import ConfigOpt, _load, errors_to_exit

# Its commands are added to the main app (list, doctor) and `config` is its own group.
inspect_app = typer.Typer(rich_markup_mode=None)
config_app = typer.Typer(
    help="Validate, show or describe the configuration.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@inspect_app.command("list")
def list_checks(config: ConfigOpt = None) -> None:
    """Every gate and check: enabled, disabled, not implemented or unavailable; tool and version."""
    from atlas_ci import console, inventory

    with errors_to_exit():
        cfg, root = _load(config)
        rows = inventory.rows(cfg, root)
    console.print_inventory(
        console.make_console(),
        [(r.check, r.state, r.tool or "-", r.version_shown) for r in rows],
    )


@inspect_app.command()
def doctor(config: ConfigOpt = None) -> None:
    """Is the config valid, and is each enabled check implemented and its tool installed?"""
    from atlas_ci import console, inventory

    with errors_to_exit():
        cfg, root = _load(config)
        rows = inventory.rows(cfg, root, enabled_only=True)
    out = console.make_console()
    console.print_text(out, f"config: {cfg.source or 'none found, using defaults'} (valid)")
    for r in rows:
        console.print_text(out, f"{r.check:<28} {r.tool or '-':<16} {r.doctor_state}")
    problems = inventory.problems(rows)
    for line in problems:
        console.print_text(out, f"problem: {line}")
    raise typer.Exit(3 if problems else 0)


@config_app.command("validate")
def config_validate(config: ConfigOpt = None) -> None:
    """Exit 0 when the config is valid, 2 with a message naming file, key and line when not."""
    with errors_to_exit():
        cfg, _ = _load(config)
    typer.echo(f"{cfg.source or 'no config file (defaults)'}: valid")


@config_app.command("show")
def config_show(config: ConfigOpt = None) -> None:
    """The effective config, defaults filled in, as JSON (credentials in it redacted)."""
    from atlas_ci import redact

    with errors_to_exit():
        cfg, _ = _load(config)
    # A webhook URL or token in the config must not reach a CI log through `config show`.
    typer.echo(redact.text(json.dumps(cfg.model.model_dump(mode="json"), indent=2)))


@config_app.command("schema")
def config_schema() -> None:
    """The JSON Schema of the config file."""
    from atlas_ci import config as config_mod

    typer.echo(json.dumps(config_mod.json_schema(), indent=2))

"""Which repository files the bundle carries besides the distributions: units and config files."""

from __future__ import annotations

from atlas_ci.checks.deploy.build import DeployContext
from atlas_ci.checks.deploy.common import matching_files
from atlas_ci.checks.deploy.systemd import DEFAULT_UNITS, SystemdSettings
from atlas_ci.errors import CheckError


def unit_patterns(ctx: DeployContext) -> tuple[str, ...]:
    systemd = getattr(ctx.gate_settings, "systemd", None)
    if isinstance(systemd, SystemdSettings) and systemd.units:
        return systemd.units
    return DEFAULT_UNITS


def unit_paths(ctx: DeployContext) -> list[str]:
    return matching_files(ctx, unit_patterns(ctx))


def config_paths(ctx: DeployContext) -> list[str]:
    """The selected environment's configuration files; a listed file that is missing is an error."""
    gate = ctx.gate_settings
    listed = gate.config_files.get(gate.environment, ())
    missing = [p for p in listed if not (ctx.root / p).is_file()]
    if missing:
        raise CheckError(f"configuration for '{gate.environment}' not found: {', '.join(missing)}")
    if gate.config_files and gate.environment not in gate.config_files:
        known = ", ".join(sorted(gate.config_files))
        raise CheckError(f"no configuration for environment '{gate.environment}' (known: {known})")
    return list(listed)

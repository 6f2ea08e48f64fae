"""Which checks a command runs: gates, `--only`/`--skip` selection, and what config disables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from atlas_ci import gates
from atlas_ci.checks.base import Check, ProjectInfo, check_id
from atlas_ci.config import LoadedConfig
from atlas_ci.errors import ConfigError
from atlas_ci.gates import GateSpec, registry
from atlas_ci.settings import CheckSettings, GateSettings


@dataclass(frozen=True)
class Planned:
    check: Check
    settings: CheckSettings
    gate_settings: GateSettings
    # Set when the check will not run: it is reported `skipped` with this reason.
    skip_reason: str | None = None
    # The project as this check sees it, when not the run's (a changed-files run narrows it).
    project: ProjectInfo | None = None

    @property
    def id(self) -> str:
        return check_id(self.check)


def gate_checks(spec: GateSpec, gate_settings: GateSettings) -> list[tuple[Check, CheckSettings]]:
    pairs: list[tuple[Check, CheckSettings]] = []
    if spec.expand is not None:
        pairs.extend(spec.expand(gate_settings))
    for check in spec.checks:
        settings = getattr(gate_settings, check.name, None)
        pairs.append(
            (check, settings if isinstance(settings, CheckSettings) else check.settings_model())
        )
    return pairs


def all_checks(config: LoadedConfig, gate_names: Sequence[str] | None = None) -> list[Planned]:
    """Every check of the given gates (None: all) with settings; disabled ones carry a reason."""
    out: list[Planned] = []
    for name, spec in registry(gate_names).items():
        gate_settings = config.gate(name)
        for check, settings in gate_checks(spec, gate_settings):
            reason = None
            if not gate_settings.enabled:
                reason = f"gate '{name}' disabled in config"
            elif not settings.enabled:
                reason = "disabled in config"
            out.append(Planned(check, settings, gate_settings, reason))
    return out


def _matches(selector: str, planned: Planned) -> bool:
    """A selector is a check id (gate.check), a bare check name, or a gate name."""
    return selector in (planned.id, planned.check.name, planned.check.gate)


SKIPPED_BY_FLAG = "skipped with --skip"


def select(planned: list[Planned], only: Sequence[str], skip: Sequence[str]) -> list[Planned]:
    """Apply `--only` and `--skip`; a selector matching nothing is a usage error, not a no-op,
    and so is a selection that leaves no check to run (`--only lint --skip lint`)."""
    for selector in [*only, *skip]:
        _check_selector(selector, planned)
    chosen = [_skip_if(p, skip) for p in planned if not only or _any_match(only, p)]
    if (only or skip) and all(p.skip_reason == SKIPPED_BY_FLAG for p in chosen):
        _nothing_left(only, skip)
    return chosen


def _any_match(selectors: Sequence[str], planned: Planned) -> bool:
    return any(_matches(s, planned) for s in selectors)


def _skip_if(planned: Planned, skip: Sequence[str]) -> Planned:
    return replace(planned, skip_reason=SKIPPED_BY_FLAG) if _any_match(skip, planned) else planned


def _nothing_left(only: Sequence[str], skip: Sequence[str]) -> None:
    flags = " ".join([*(f"--only {s}" for s in only), *(f"--skip {s}" for s in skip)])
    raise ConfigError(f"{flags} leaves no check to run")


def _check_selector(selector: str, planned: list[Planned]) -> None:
    hits = [p.id for p in planned if _matches(selector, p)]
    if not hits:
        known = ", ".join(p.id for p in planned) or "none"
        raise ConfigError(f"no check named '{selector}' in the selected gates (known: {known})")
    is_gate = any(p.check.gate == selector for p in planned)
    if "." not in selector and len(hits) > 1 and not is_gate:
        raise ConfigError(f"'{selector}' is ambiguous: {', '.join(hits)}; use gate.check")


def gate_names(target: str) -> list[str]:
    names = list(gates.gate_names())
    if target == "all":
        return names
    if target not in names:
        raise ConfigError(f"unknown gate '{target}' (known: {', '.join(names)}, all)")
    return [target]

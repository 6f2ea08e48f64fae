"""atlas-ci's own service rules on a parsed unit: not root, no new privileges, limits, restarts.

systemd-analyze scores hardening but does not insist on resource limits or a restart policy,
and it scores running as root as one item among eighty; a release gate names each of these.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas_ci.checks.deploy.unitfile import UnitFile, is_true
from atlas_ci.model import Severity

SERVICE = "Service"
ROOT_USERS = frozenset({"root", "0"})
UNLIMITED = frozenset({"", "infinity"})


@dataclass(frozen=True)
class Problem:
    rule_id: str
    message: str
    line: int | None
    severity: Severity


def check_unit(unit: UnitFile) -> list[Problem]:
    """Every rule's problem, in rule order (each at the line that sets it, else the section)."""
    where = unit.section_line(SERVICE)
    problems = [
        _not_root(unit, where),
        _no_new_privileges(unit, where),
        _limit(unit, where, ("MemoryMax", "MemoryHigh"), "memory-limit", "memory"),
        _limit(unit, where, ("TasksMax",), "tasks-limit", "the number of tasks"),
        _limit(unit, where, ("LimitNOFILE",), "nofile-limit", "open files"),
        _restart(unit, where),
    ]
    return [p for p in problems if p is not None]


def _not_root(unit: UnitFile, where: int | None) -> Problem | None:
    dynamic = unit.last(SERVICE, "DynamicUser")
    if dynamic is not None and is_true(dynamic.value):
        return None
    user = unit.last(SERVICE, "User")
    if user is not None and user.value not in ROOT_USERS:
        return None
    line = user.line if user is not None else where
    how = f"User={user.value}" if user is not None else "no User= or DynamicUser=yes"
    return Problem(
        "run-as-root",
        f"the service runs as root ({how}); set User= to an unprivileged account or "
        "DynamicUser=yes",
        line,
        Severity.HIGH,
    )


def _no_new_privileges(unit: UnitFile, where: int | None) -> Problem | None:
    entry = unit.last(SERVICE, "NoNewPrivileges")
    if entry is not None and is_true(entry.value):
        return None
    return Problem(
        "no-new-privileges",
        "NoNewPrivileges=yes is not set: the service's processes may gain privileges "
        "(setuid binaries, file capabilities)",
        entry.line if entry is not None else where,
        Severity.HIGH,
    )


def _limit(
    unit: UnitFile, where: int | None, keys: tuple[str, ...], rule: str, what: str
) -> Problem | None:
    entries = [e for key in keys if (e := unit.last(SERVICE, key)) is not None]
    if any(e.value.lower() not in UNLIMITED for e in entries):
        return None
    names = " or ".join(f"{k}=" for k in keys)
    return Problem(
        rule,
        f"no limit on {what}: set {names} so a leak or a flood cannot exhaust the host",
        entries[0].line if entries else where,
        Severity.MEDIUM,
    )


def _restart(unit: UnitFile, where: int | None) -> Problem | None:
    entry = unit.last(SERVICE, "Restart")
    if entry is not None and entry.value.lower() not in {"", "no"}:
        return None
    return Problem(
        "restart-policy",
        "no restart policy: set Restart=on-failure (or always) so a crash does not leave "
        "the service down",
        entry.line if entry is not None else where,
        Severity.MEDIUM,
    )

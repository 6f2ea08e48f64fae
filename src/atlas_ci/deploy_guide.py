"""DEPLOY.md: the step-by-step guide of one bundle, generated from its facts (no clock, no host).

Every command names this bundle's files, unit, paths and URLs, so the guide cannot drift from
what was built. Releases get a virtualenv of their own under `<venv parent>/releases/<version>`
and the configured venv path is a symlink to the live one: rolling back is re-pointing it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from atlas_ci.bundle import GUIDE, MANIFEST, SUMS, Facts, UnitFacts


def render(facts: Facts) -> str:
    sections = [
        _header(facts),
        _contents(facts),
        _verify(facts),
        _account(facts),
        _install(facts),
        _unit(facts),
        _configure(facts),
        _start(facts),
        _checks(facts),
        _smoke(facts),
        _backup(facts),
        _rollback(facts),
    ]
    return "\n".join(s for s in sections if s)


def _releases(facts: Facts) -> str:
    return str(PurePosixPath(facts.service.venv).parent / "releases")


def _release(facts: Facts) -> str:
    return f"{_releases(facts)}/{facts.version}"


def _unit_name(facts: Facts) -> str:
    return facts.units[0].name if facts.units else f"{facts.service.name}.service"


def _code(*lines: str) -> str:
    return "```sh\n" + "\n".join(lines) + "\n```\n"


def _header(facts: Facts) -> str:
    rows = "\n".join(f"| `{check}` | {status} |" for check, status in sorted(facts.checks.items()))
    return (
        f"# Deploying {facts.name} {facts.version} ({facts.environment})\n\n"
        f"Bundle of commit `{facts.commit}`, built {facts.build_time} "
        f"(SOURCE_DATE_EPOCH={facts.epoch}) by `atlas-ci deploy-check`. Run the steps in order "
        f"on the target host, from inside this directory (`{facts.dirname}/`), as a user who "
        "may use sudo. Every command is for this bundle; a step that fails stops the deployment: "
        "go to **Roll back**.\n\n"
        "Pre-deployment validation (deploy gate) for this bundle:\n\n"
        "| check | status |\n|---|---|\n" + rows + "\n"
    )


def _contents(facts: Facts) -> str:
    lines = ["## Contents\n", f"- `{SUMS}`: SHA-256 of every file; `{MANIFEST}`: the facts below"]
    for a in facts.artifacts:
        lines.append(
            f"- `dist/{a.wheel.name}`, `dist/{a.sdist.name}`: {a.name} {a.version}; "
            f"`sbom/{a.sbom.name}`: its CycloneDX SBOM"
        )
    lines += [f"- `systemd/{u.name}`: the unit" for u in facts.units]
    lines += [f"- `config/{facts.environment}/{rel}`" for _, rel in facts.config_files]
    lines += [f"- `reports/{g}.json`: the {g} gate's report" for g in sorted(facts.evidence)]
    return "\n".join(lines) + "\n"


def _verify(facts: Facts) -> str:
    return "## 1. Verify the bundle\n\n" + _code(
        f"cd {facts.dirname}",
        f"sha256sum -c {SUMS}          # every line must say OK",
        f"grep '\"commit\"' {MANIFEST}   # must be {facts.commit}",
    )


def _account(facts: Facts) -> str:
    unit = facts.units[0] if facts.units else None
    state = facts.service.state_dir
    if unit is not None and unit.dynamic_user:
        return (
            "## 2. Service account and state directory\n\n"
            f"`{unit.name}` uses `DynamicUser=yes`: systemd allocates a transient user at each "
            f"start, and `StateDirectory={unit.state_directory or facts.service.name}` creates "
            f"`{state}` owned by it (mode 0700). There is no account to create. Check that "
            "nothing else owns the path:\n\n" + _code(f"ls -ld {state} 2>/dev/null || true")
        )
    user = facts.service.user or (unit.user if unit else None) or facts.service.name
    return "## 2. Service account and state directory\n\n" + _code(
        f"sudo useradd --system --no-create-home --shell /usr/sbin/nologin {user}",
        f"sudo install -d -o {user} -g {user} -m 0700 {state}",
    )


def _install(facts: Facts) -> str:
    wheel = facts.service_artifact.wheel.name
    release, venv = _release(facts), facts.service.venv
    scripts = facts.service_artifact.scripts
    check = [f"{venv}/bin/{scripts[0]} --version"] if scripts else []
    return (
        "## 3. Install into a virtualenv\n\n"
        f"Each release gets its own virtualenv; `{venv}` is a symlink to the live one.\n\n"
        + _code(
            f"sudo python3 -m venv {release}",
            f"sudo {release}/bin/pip install --no-input dist/{wheel}",
            f"readlink {venv} || true        # note the previous release, for a roll back",
            f"sudo ln -sfn {release} {venv}",
            *check,
        )
    )


def _unit(facts: Facts) -> str:
    lines = [
        f"sudo install -m 0644 systemd/{u.name} /etc/systemd/system/{u.name}" for u in facts.units
    ]
    lines += [f"sudo systemctl enable {_unit_name(facts)}"]
    return "## 4. Install and enable the unit\n\n" + _code(*lines)


def _configure(facts: Facts) -> str:
    title = f"## 5. Configure ({facts.environment})\n\n"
    lines = [
        f"sudo install -D -m 0644 config/{facts.environment}/{rel} /etc/systemd/system/{rel}"
        for _, rel in facts.config_files
    ]
    lines += [
        f"sudo systemd-analyze verify /etc/systemd/system/{_unit_name(facts)}",
        "sudo systemctl daemon-reload",
    ]
    note = "" if facts.config_files else f"No {facts.environment} configuration files.\n\n"
    return title + note + _code(*lines)


def _start(facts: Facts) -> str:
    unit = _unit_name(facts)
    return "## 6. Start\n\n" + _code(
        f"sudo systemctl restart {unit}   # starts it, or restarts an upgraded one",
        f"systemctl is-active {unit}      # active",
        f"systemctl status {unit} --no-pager",
    )


def _checks(facts: Facts) -> str:
    s = facts.service
    return "## 7. Check health, readiness, metrics and logs\n\n" + _code(
        f"curl -fsS {s.url}{s.health_path}            # 200: the process answers",
        f"curl -fsS {s.url}{s.ready_path}             # 200: ready (503: not yet, or broken)",
        f"curl -fsS {s.url}{s.metrics_path} | head    # Prometheus text",
        f"journalctl -u {_unit_name(facts)} -o cat -n 20   # structured (JSON) log lines",
    )


def _smoke(facts: Facts) -> str:
    return (
        "## 8. Smoke check\n\n"
        "From a host with atlas-ci installed (the probe sends a few requests and a short load):\n\n"
        + _code(
            f"atlas-ci smoke --url {facts.service.url} --load-seconds 10 "
            f"--report-dir smoke-{facts.version}",
            "echo $?                            # 0: go; anything else: roll back",
        )
    )


def _backup(facts: Facts) -> str:
    db = facts.service.database
    if db is None:
        return ""
    backup = f"/var/backups/{facts.service.name}"
    saved = f"{backup}/before-{facts.version}.db"
    unit = _unit_name(facts)
    return (
        "## Database backup (before every upgrade) and restore\n\n"
        "Back up before step 6 of an upgrade. The backup uses SQLite's online backup, so it is "
        "consistent even while the service runs:\n\n"
        + _code(
            f"sudo install -d -m 0700 {backup}",
            f'sudo sqlite3 {db} ".backup {saved}"   # sqlite3: the Debian package sqlite3',
            f"sudo {facts.service.venv}/bin/{_cli(facts)} check --db {saved}   # integrity: ok",
        )
        + "\nRestore (the service must be stopped; the WAL files belong to the replaced file):\n\n"
        + _code(
            f"sudo systemctl stop {unit}",
            f"sudo rm -f {db}-wal {db}-shm",
            f"sudo cp {saved} {db}",
            f"sudo systemctl start {unit}",
        )
    )


def _cli(facts: Facts) -> str:
    scripts = facts.service_artifact.scripts
    return scripts[0] if scripts else facts.service.name


def _rollback(facts: Facts) -> str:
    unit, venv = _unit_name(facts), facts.service.venv
    return (
        "## Roll back\n\n"
        "To the previous release (the `readlink` of step 3). If its virtualenv is gone, verify "
        "and install the previous version's bundle with its own DEPLOY.md (steps 1 and 3), then "
        "come back here.\n\n"
        + _code(
            f"sudo systemctl stop {unit}",
            f"sudo ln -sfn {_releases(facts)}/PREVIOUS_VERSION {venv}",
            "# the previous bundle's unit and configuration, from its directory:",
            f"sudo install -m 0644 ../{facts.name}-PREVIOUS_VERSION/systemd/{unit} "
            f"/etc/systemd/system/{unit}",
            "sudo systemctl daemon-reload",
            f"sudo systemctl start {unit}",
            f"systemctl is-active {unit}",
        )
        + (
            "\nIf this release changed the database, restore the backup taken before it "
            "(**Database backup**, Restore) before starting.\n"
            if facts.service.database
            else ""
        )
        + "\nThen repeat steps 7 and 8 against the previous release.\n"
    )


__all__ = ["GUIDE", "UnitFacts", "render"]

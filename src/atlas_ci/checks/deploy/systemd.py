"""deploy.systemd: systemd-analyze's exposure score and verify, plus atlas-ci's own unit rules.

`security --offline=true` scores a unit file without a running systemd; its JSON lists each
setting's exposure but not the overall score, which only the text output's summary line gives,
so both are read. `verify` is run against a staged root (the distribution's unit directory and
a stand-in for every Exec binary) so that "binary not installed here" is never its only
complaint and a real mistake in the unit still shows.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import tempfile
from pathlib import Path

from pydantic import Field

from atlas_ci import process
from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding, result
from atlas_ci.checks.deploy import unit_rules, unitfile
from atlas_ci.checks.deploy.common import matching_files, run, work_dir
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.checks.toolkit import ANY_EXIT, Tool
from atlas_ci.errors import CheckError, ToolNotFoundError
from atlas_ci.model import CheckResult, Finding, Metric, Severity, Status
from atlas_ci.settings import CheckSettings

DEFAULT_UNITS = ("**/deploy/**/*.service",)
INSTALL_HINT = "install the Debian package `systemd` (apt-get install systemd) or set `command`"
SYSTEM_UNIT_DIRS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))
OVERALL = re.compile(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)")
EXEC_KEYS = ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecStopPost", "ExecReload")
WORST_SHOWN = 5


class SystemdSettings(CheckSettings):
    units: tuple[str, ...] | None = Field(
        default=None,
        description="Globs of the unit files to check (repository-relative; default: every "
        "*.service under a deploy/ directory).",
    )
    max_exposure: float = Field(
        default=2.0,
        ge=0,
        le=10,
        description="Highest `systemd-analyze security` exposure accepted (0 safest, 10 worst).",
    )
    verify: bool = Field(default=True, description="Also run `systemd-analyze verify`.")


SYSTEMD_ANALYZE = Tool("systemd-analyze", ("systemd-analyze",))


SystemdContext = CheckContext[SystemdSettings, DeployGateSettings]


class Systemd:
    gate = "deploy"
    name = "systemd"
    tool = "systemd-analyze"
    settings_model = SystemdSettings
    exclusive = False

    def version(self, project: ProjectInfo) -> str | None:
        return SYSTEMD_ANALYZE.version(project.root)

    def run(self, ctx: SystemdContext) -> CheckResult:
        settings = ctx.settings
        tool = SYSTEMD_ANALYZE.using(settings.command)
        try:
            process.resolve(tool.argv[:1])
        except ToolNotFoundError:
            raise CheckError(f"{tool.argv[0]} not found; {INSTALL_HINT}") from None
        units = matching_files(ctx, settings.units or DEFAULT_UNITS)
        if not units:
            if settings.units is None:
                return result(self, Status.SKIPPED, "no *.service file under a deploy/ directory")
            raise CheckError(f"no unit file matches {', '.join(settings.units)}")
        findings: list[Finding] = []
        metrics: list[Metric] = []
        for unit in units:
            unit_findings, exposure = self._one(ctx, tool, unit, settings)
            findings += unit_findings
            metrics.append(exposure)
        return judged(
            self,
            findings,
            metrics,
            version=tool.version(ctx.root),
            reason_ok=f"{len(units)} unit(s) hardened: {_scores(metrics)}",
        )

    def _one(
        self, ctx: SystemdContext, tool: Tool, unit: str, settings: SystemdSettings
    ) -> tuple[list[Finding], Metric]:
        text = _read(ctx.root / unit)
        parsed = unitfile.parse(text)
        findings = [
            make_finding(
                self,
                ctx.root,
                rule_id=p.rule_id,
                message=f"{unit}: {p.message}",
                path=unit,
                line=p.line,
                severity=p.severity,
                tags=("systemd", "hardening"),
            )
            for p in unit_rules.check_unit(parsed)
        ]
        exposure, worst = security(ctx, tool, ctx.root / unit)
        metric = Metric(
            name=f"exposure {unit}",
            value=exposure,
            threshold=settings.max_exposure,
            direction="max",
        )
        if exposure > settings.max_exposure:
            findings.append(self._exposure_finding(ctx, unit, exposure, worst, settings))
        if settings.verify:
            findings += self._verify(ctx, tool, unit, text, parsed)
        return findings, metric

    def _exposure_finding(
        self,
        ctx: SystemdContext,
        unit: str,
        exposure: float,
        worst: list[str],
        settings: SystemdSettings,
    ) -> Finding:
        return make_finding(
            self,
            ctx.root,
            rule_id="exposure",
            message=f"{unit}: systemd-analyze security exposure {exposure:g} > "
            f"{settings.max_exposure:g}; worst settings: {', '.join(worst) or 'none listed'}",
            path=unit,
            severity=Severity.HIGH,
            tags=("systemd", "hardening"),
        )

    def _verify(
        self, ctx: SystemdContext, tool: Tool, unit: str, text: str, parsed: unitfile.UnitFile
    ) -> list[Finding]:
        with tempfile.TemporaryDirectory(dir=work_dir(ctx)) as tmp:
            staged = stage_root(Path(tmp), Path(unit).name, text, parsed)
            # verify exits non-zero on some problems and 0 on others: every line it prints counts.
            res = run(ctx, tool, ["verify", f"--root={tmp}", str(staged)], ok_codes=ANY_EXIT)
            lines = [ln.strip() for ln in (res.stdout + res.stderr).splitlines() if ln.strip()]
            if not lines and res.returncode != 0:
                lines = [f"exited {res.returncode} without a message"]
            return [self._verify_finding(ctx, unit, ln, str(staged), tmp) for ln in lines]

    def _verify_finding(
        self, ctx: SystemdContext, unit: str, line: str, staged: str, tmp: str
    ) -> Finding:
        at: int | None = None
        prefix = re.match(rf"^{re.escape(staged)}:(\d+): ", line)
        if prefix:
            at, line = int(prefix.group(1)), line[prefix.end() :]
        return make_finding(
            self,
            ctx.root,
            rule_id="verify",
            message=f"{unit}: systemd-analyze verify: {line.replace(tmp, '<staged root>')}",
            path=unit,
            line=at,
            severity=Severity.MEDIUM,
            tags=("systemd",),
        )


def security(ctx: SystemdContext, tool: Tool, unit: Path) -> tuple[float, list[str]]:
    """The unit's overall exposure and its worst-scoring settings, from an offline analysis."""
    base = ["security", "--offline=true", "--no-pager"]
    text = run(ctx, tool, [*base, str(unit)])
    match = OVERALL.search(text.stdout + text.stderr)
    if match is None:
        raise CheckError(f"systemd-analyze security printed no overall exposure for {unit.name}")
    data = run(ctx, tool, [*base, "--json=short", str(unit)])
    return float(match.group(1)), worst_settings(data.stdout)


def worst_settings(text: str) -> list[str]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        raise CheckError("systemd-analyze security --json printed no JSON") from None
    if not isinstance(items, list):
        raise CheckError("systemd-analyze security --json printed no list of settings")
    scored: list[tuple[float, str]] = []
    for item in items:
        if isinstance(item, dict) and item.get("exposure") not in (None, ""):
            try:
                scored.append((float(item["exposure"]), str(item.get("name", "?"))))
            except (TypeError, ValueError):
                raise CheckError("systemd-analyze security --json: unreadable exposure") from None
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [f"{name} ({value:g})" for value, name in scored[:WORST_SHOWN]]


def stage_root(root: Path, name: str, text: str, parsed: unitfile.UnitFile) -> Path:
    """A root holding the distribution's units, this unit, and a stub for each Exec binary."""
    system_dir = next((d for d in SYSTEM_UNIT_DIRS if d.is_dir()), None)
    if system_dir is not None:
        shutil.copytree(system_dir, root / "usr/lib/systemd/system", symlinks=True)
    unit_dir = root / "etc/systemd/system"
    unit_dir.mkdir(parents=True, exist_ok=True)
    (unit_dir / name).write_text(text, encoding="utf-8")
    for binary in exec_binaries(parsed):
        stub = root / binary.lstrip("/")
        if stub.exists() or stub.is_symlink():
            continue
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
        stub.chmod(0o755)
    return unit_dir / name


def exec_binaries(parsed: unitfile.UnitFile) -> list[str]:
    """Absolute program paths of the Exec*= lines, without systemd's prefix characters."""
    found = []
    for key in EXEC_KEYS:
        for entry in parsed.values("Service", key):
            try:
                words = shlex.split(entry.value)
            except ValueError:
                continue
            program = words[0].lstrip("-@:+!") if words else ""
            if program.startswith("/") and ".." not in Path(program).parts:
                found.append(program)
    return found


def _scores(metrics: list[Metric]) -> str:
    return ", ".join(f"{m.name.removeprefix('exposure ')} {m.value:g}" for m in metrics)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckError(f"cannot read unit file {path.name}: {exc}") from None

"""What `atlas-ci deploy-check` adds to the deploy gate: its options, the bundle, the go/no-go.

The gate itself runs through the ordinary pipeline; its options reach the checks as config
overrides (`--from` is `[gates.deploy.reports] from_dir`, and so on). Afterwards the bundle is
assembled from the same build (the checks' shared build is reused, never redone) and only on a
go: a no-go never leaves a deployable-looking bundle behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from atlas_ci import bundle
from atlas_ci import config as config_mod
from atlas_ci.bundle import Artifact, Facts, UnitFacts
from atlas_ci.checks.base import CheckContext, ProjectInfo
from atlas_ci.checks.deploy import build, bundle_inputs, evidence, sbom, unitfile
from atlas_ci.checks.deploy.reports import ReportsSettings
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.config import LoadedConfig
from atlas_ci.errors import AtlasCIError, ConfigError
from atlas_ci.model import Report, Status

# Checks whose outputs the bundle is made of: without them passing there is nothing to ship.
BUNDLE_NEEDS = ("deploy.package", "deploy.sbom", "deploy.secrets")
EVIDENCE_DIR = "evidence"


@dataclass(frozen=True)
class DeployOptions:
    bundle: Path | None = None
    environment: str | None = None
    from_dir: Path | None = None
    run_gates: bool = False

    def overrides(self, evidence_dir: Path | None = None) -> tuple[tuple[str, object], ...]:
        """Dotted config keys set by the command line (it wins over the config file)."""
        out: list[tuple[str, object]] = []
        if self.environment is not None:
            out.append(("gates.deploy.environment", self.environment))
        if self.bundle is not None:
            out.append(("gates.deploy.bundle", str(self.bundle)))
        source = evidence_dir if self.run_gates else self.from_dir
        if source is not None:
            out.append(("gates.deploy.reports.from_dir", str(source)))
        return tuple(out)


def validate_options(opts: DeployOptions) -> None:
    if opts.run_gates and opts.from_dir is not None:
        raise ConfigError("--from and --run-gates exclude each other: give one source of evidence")


def evidence_dir(report_dir: Path) -> Path:
    """Where --run-gates writes the other gates' reports (inside the report directory)."""
    return report_dir / EVIDENCE_DIR


def deploy_context(
    cfg: LoadedConfig, project: ProjectInfo
) -> CheckContext[ReportsSettings, DeployGateSettings]:
    gate = cfg.gate("deploy")
    if not isinstance(gate, DeployGateSettings):
        raise AtlasCIError("the deploy gate's settings are not the deploy gate's model")
    reports = getattr(gate, "reports", None)
    settings = reports if isinstance(reports, ReportsSettings) else ReportsSettings()
    return CheckContext(project=project, settings=settings, gate_settings=gate)


def bundle_blocker(report: Report, exit_code: int) -> str | None:
    """Why no bundle is written (None: write it)."""
    if exit_code != 0:
        return "no-go: the bundle is written only when every deploy check passed"
    statuses = {c.check: c.status for c in report.checks}
    missing = [c for c in BUNDLE_NEEDS if statuses.get(c) is not Status.PASSED]
    if missing:
        return f"the bundle needs {', '.join(missing)} to have run and passed"
    return None


def _evidence(
    ctx: CheckContext[ReportsSettings, DeployGateSettings], commit: str
) -> dict[str, Path]:
    if ctx.settings.from_dir is None:
        return {}
    found = evidence.select(ctx.root / ctx.settings.from_dir, ctx.settings.require, commit)
    return {g: e.path for g, e in found.items()}


def _config_files(
    ctx: CheckContext[ReportsSettings, DeployGateSettings],
) -> tuple[tuple[Path, str], ...]:
    environment = ctx.gate_settings.environment
    return tuple(
        (ctx.root / p, bundle.config_target(p, environment))
        for p in bundle_inputs.config_paths(ctx)
    )


def facts(ctx: CheckContext[ReportsSettings, DeployGateSettings], report: Report) -> Facts:
    """Everything the bundle and DEPLOY.md are made from, read from this run's own outputs."""
    gate = ctx.gate_settings
    built = build.ensure(ctx)
    artifacts = tuple(_artifact(ctx, d) for d in built.dists)
    commit = report.commit or "unknown"
    service = _service_artifact(gate, artifacts)
    return Facts(
        name=service.name,
        version=service.version,
        commit=commit,
        epoch=built.epoch,
        environment=gate.environment,
        service=gate.service,
        artifacts=(service, *(a for a in artifacts if a is not service)),
        units=tuple(_unit(ctx.root / p) for p in bundle_inputs.unit_paths(ctx)),
        config_files=_config_files(ctx),
        evidence=_evidence(ctx, commit),
        checks={c.check: c.status.value for c in report.checks if c.gate == "deploy"},
    )


def write_bundle(cfg: LoadedConfig, project: ProjectInfo, report: Report) -> Path:
    ctx = deploy_context(cfg, project)
    target = ctx.gate_settings.bundle
    if target is None:
        raise AtlasCIError("no bundle directory: give --bundle DIR or [gates.deploy] bundle")
    return bundle.write(facts(ctx, report), project.root / target)


def load(
    root: Path, config_path: Path | None, overrides: tuple[tuple[str, object], ...]
) -> LoadedConfig:
    return config_mod.with_overrides(config_mod.load(root, config_path), overrides)


def _artifact(
    ctx: CheckContext[ReportsSettings, DeployGateSettings], d: build.Distribution
) -> Artifact:
    if d.wheel is None or d.sdist is None:
        raise AtlasCIError(f"{d.label} was not built: nothing to bundle")
    return Artifact(
        name=d.name,
        version=d.version,
        wheel=d.wheel,
        sdist=d.sdist,
        sbom=sbom.sbom_path(ctx, d),
        scripts=d.scripts,
    )


def _service_artifact(gate: DeployGateSettings, artifacts: tuple[Artifact, ...]) -> Artifact:
    wanted = gate.service.distribution
    for a in artifacts:
        if wanted in (None, a.name):
            return a
    raise AtlasCIError(
        f"[gates.deploy.service] distribution '{wanted}' is not among the built ones"
    )


def _unit(path: Path) -> UnitFacts:
    parsed = unitfile.parse(path.read_text(encoding="utf-8"))
    dynamic = parsed.last("Service", "DynamicUser")
    user = parsed.last("Service", "User")
    state = parsed.last("Service", "StateDirectory")
    return UnitFacts(
        source=path,
        name=path.name,
        dynamic_user=dynamic is not None and unitfile.is_true(dynamic.value),
        user=user.value if user else None,
        state_directory=state.value if state else None,
    )


# ---- the command's steps around the gate run ----

# Runs one gate the way `atlas-ci gate` does: (target, report_dir, overrides) -> exit code.
GateRunner = Callable[[str, Path | None, tuple[tuple[str, object], ...]], int]


def run(
    opts: DeployOptions,
    root: Path,
    config_path: Path | None,
    report_dir: Path | None,
    run_gate: GateRunner,
) -> tuple[int, list[str]]:
    """--run-gates first (their exit codes are evidence, judged by deploy.reports), then the
    deploy gate, then the bundle and the go/no-go summary. Returns the exit code and notes."""
    validate_options(opts)
    cfg = config_mod.load(root, config_path)
    _known_environment(cfg, opts.environment)
    reports_dir = root / (report_dir or Path(cfg.reports.dir))
    evidence = evidence_dir(reports_dir)
    if opts.run_gates:
        for gate in _required(cfg):
            run_gate(gate, evidence / gate, ())
    code = run_gate("deploy", report_dir, opts.overrides(evidence))
    if code in (2, 130):  # usage error (nothing ran) or interrupted: no bundle, no verdict
        return code, []
    return finish(load(root, config_path, opts.overrides(evidence)), root, reports_dir, code)


def _nothing_checked(report: Report, code: int) -> bool:
    """A go/no-go that checked nothing must not say go."""
    ran = [c for c in report.checks if c.gate == "deploy" and c.status is not Status.SKIPPED]
    return code == 0 and not ran


def _bundle(
    ctx: CheckContext[ReportsSettings, DeployGateSettings], report: Report, code: int, root: Path
) -> tuple[Path | None, str | None, list[str]]:
    """(bundle written, why not, notes): the bundle only for a go with a bundle directory."""
    if ctx.gate_settings.bundle is None:
        return None, None, []
    blocker = bundle_blocker(report, code)
    if blocker is not None:
        return None, blocker, [f"bundle not written: {blocker}"]
    written = bundle.write(facts(ctx, report), root / ctx.gate_settings.bundle)
    return written, None, [f"wrote bundle {_shown(written, root)}"]


def finish(cfg: LoadedConfig, root: Path, report_dir: Path, code: int) -> tuple[int, list[str]]:
    from atlas_ci import deploy_summary, reporting

    report = _read_report(report_dir)
    notes: list[str] = []
    if _nothing_checked(report, code):
        code = 3
        notes.append("nothing was checked: every deploy check was skipped or disabled")
    ctx = deploy_context(cfg, config_mod.project_info(cfg, root, report_dir))
    written, blocker, bundle_notes = _bundle(ctx, report, code, root)
    notes += bundle_notes
    summary = deploy_summary.render(
        report,
        code,
        evidence_links(ctx, report, report_dir),
        bundle=os.path.relpath(written, report_dir) if written else None,
        bundle_note=blocker,
    )
    if "markdown" in cfg.reports.formats:
        reporting.write_atomic(report_dir / reporting.FILES["markdown"], summary)
    notes.append(f"deploy readiness: {deploy_summary.decision(report, code)}")
    return code, notes


def evidence_links(
    ctx: CheckContext[ReportsSettings, DeployGateSettings], report: Report, report_dir: Path
) -> dict[str, list[tuple[str, str]]]:
    """Per check, (label, link relative to summary.md) of the files that back its verdict."""
    links: dict[str, list[tuple[str, str]]] = {}
    for c in report.checks:
        links[c.check] = [(Path(a).name, a) for a in c.artifacts]
    with contextlib.suppress(AtlasCIError, OSError):
        links["deploy.systemd"] = [
            (p, os.path.relpath(ctx.root / p, report_dir)) for p in bundle_inputs.unit_paths(ctx)
        ]
    if ctx.settings.from_dir is not None and report.commit is not None:
        with contextlib.suppress(AtlasCIError, OSError):
            found = evidence.select(
                ctx.root / ctx.settings.from_dir, ctx.settings.require, report.commit
            )
            links["deploy.reports"] = [
                (f"{g} report", os.path.relpath(e.path, report_dir)) for g, e in found.items()
            ]
    return links


def _known_environment(cfg: LoadedConfig, environment: str | None) -> None:
    gate = cfg.gate("deploy")
    known = gate.config_files if isinstance(gate, DeployGateSettings) else {}
    if environment is not None and known and environment not in known:
        raise ConfigError(
            f"--environment {environment}: no such environment in [gates.deploy.config_files] "
            f"(known: {', '.join(sorted(known))})"
        )


def _required(cfg: LoadedConfig) -> tuple[str, ...]:
    reports = getattr(cfg.gate("deploy"), "reports", None)
    return reports.require if isinstance(reports, ReportsSettings) else ReportsSettings().require


def _read_report(report_dir: Path) -> Report:
    path = report_dir / "atlas-ci.json"
    try:
        return Report.model_validate_json(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise AtlasCIError(
            f'deploy-check needs its JSON report ({path}; keep "json" in [reports] formats): '
            f"{type(exc).__name__}"
        ) from None


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

"""security.dependencies: pip-audit's JSON over requirements, the project or an environment.

Fails closed: a dependency pip-audit skipped or could not look up makes the check `error` (pip-audit
itself reports "No known vulnerabilities found" and exits 0 when every lookup failed).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Self

from pydantic import Field, model_validator

from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    python_module,
    result,
)
from atlas_ci.checks.security import audit_report
from atlas_ci.checks.security.audit_report import Dep, IgnoreRule
from atlas_ci.checks.security.policy import SecurityGateSettings, fail_on
from atlas_ci.checks.toolkit import ANY_EXIT, Tool, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Metric, Status
from atlas_ci.settings import CheckSettings

if TYPE_CHECKING:
    from atlas_ci.checks.security.advisories import AdvisoryDB
    from atlas_ci.checks.security.dependency_sources import Found
    from atlas_ci.checks.security.manifests import Declaration

# packaging, http.server and the manifest parsers load only when this check runs (start-up time).

Source = Literal["requirements", "project", "environment"]


class DependenciesSettings(CheckSettings):
    source: Source | None = Field(
        default=None,
        description="What to audit: `requirements` files, the `project` (pyproject.toml "
        "dependencies, resolved by pip-audit) or the project's interpreter `environment`. "
        "Default: requirements when listed, else project.",
    )
    requirements: tuple[str, ...] = Field(default=(), description="Requirements files to audit.")
    no_deps: bool = Field(
        default=False,
        description="Audit only the pinned requirements themselves (pip-audit --no-deps "
        "--disable-pip): no resolution, so every requirement must be pinned with ==.",
    )
    service: Literal["pypi", "osv"] = "pypi"
    osv_url: str | None = Field(default=None, description="An OSV-compatible /v1/query URL.")
    advisory_db: str | None = Field(
        default=None, description="A directory of OSV records (JSON or YAML) for air-gapped CI."
    )
    ignore: tuple[IgnoreRule, ...] = ()
    allow_unaudited: tuple[str, ...] = Field(
        default=(), description="Packages accepted as unauditable (e.g. private ones)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problem = next((message for broken, message in self._conflicts() if broken), None)
        if problem is not None:
            raise ValueError(problem)
        return self

    def _conflicts(self) -> tuple[tuple[bool, str], ...]:
        """(broken, message) for each rule, in the order they are reported: the first one wins."""
        requirements, source = bool(self.requirements), self.source
        return (
            (
                source == "requirements" and not requirements,
                "source = 'requirements' needs `requirements` files",
            ),
            (
                requirements and source not in (None, "requirements"),
                f"`requirements` cannot be combined with source = '{source}'",
            ),
            (self.no_deps and not requirements, "`no_deps` applies only to `requirements` files"),
            (bool(self.osv_url) and self.service != "osv", "`osv_url` needs service = 'osv'"),
            (
                bool(self.advisory_db and self.osv_url),
                "set either `advisory_db` or `osv_url`, not both",
            ),
        )

    @property
    def effective_source(self) -> Source:
        return self.source or ("requirements" if self.requirements else "project")


class Dependencies:
    gate = "security"
    name = "dependencies"
    tool = "pip-audit"
    settings_model = DependenciesSettings
    exclusive = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return python_module("pip_audit")

    def version(self, project: ProjectInfo) -> str | None:
        return Tool(self.tool, tuple(self.default_command(project)), "pip-audit").version(
            project.root
        )

    def run(self, ctx: CheckContext[DependenciesSettings, SecurityGateSettings]) -> CheckResult:
        settings = ctx.settings
        tool = Tool(self.tool, tuple(self.default_command(ctx.project)), "pip-audit")
        tool = tool.using(settings.command)
        version = tool.version(ctx.root)
        found = self._discovered(ctx, settings)
        if isinstance(found, str):
            return result(self, Status.SKIPPED, found, tool_version=version)
        if found is not None and found.mode == "requirements":
            settings = settings.model_copy(
                update={"source": "requirements", "requirements": found.files}
            )
        db = load_db(ctx.root, settings.advisory_db)
        with serve(db) as osv_url:
            env = environment(ctx, settings, loopback=osv_url is not None)
            args = audit_args(ctx, settings, osv_url)
            timeout = settings.timeout
            res = run_tool(tool, args, cwd=ctx.root, timeout=timeout, env=env, ok_codes=ANY_EXIT)
        if not res.stdout.strip():
            raise CheckError(no_report_reason(res.returncode, res.output_tail, settings))
        deps = audit_report.parse(res.stdout)
        return self.judge(ctx, settings, deps, db, version, found=found)

    def _discovered(
        self, ctx: CheckContext[DependenciesSettings, SecurityGateSettings], s: DependenciesSettings
    ) -> Found | str | None:
        """What declares the dependencies when the config does not say (None: it does)."""
        from atlas_ci.checks.security import dependency_sources

        if s.source is not None or s.requirements:
            return None
        reports = (ctx.root / ctx.project.report_dir).resolve()
        return dependency_sources.discover(ctx.root, reports, s.timeout)

    def judge(
        self,
        ctx: CheckContext[DependenciesSettings, SecurityGateSettings],
        settings: DependenciesSettings,
        deps: list[Dep],
        db: AdvisoryDB | None,
        version: str | None,
        *,
        found: Found | None = None,
    ) -> CheckResult:
        if not deps:
            raise CheckError(
                f"nothing audited: pip-audit found no dependencies ({settings.effective_source})"
            )
        audited = [d for d in deps if d.skip_reason is None]
        unaudited = audit_report.unaudited_deps(deps, settings.allow_unaudited)
        judgement = vulnerabilities(self, ctx, settings, deps, db, found=found)
        metrics = audit_report.metrics(len(audited), len(unaudited), judgement)
        note = f"; suppressed: {'; '.join(judgement.suppressed)}" if judgement.suppressed else ""
        if unaudited:
            return result(
                self,
                Status.ERROR,
                audit_report.unaudited_reason(unaudited, audited) + note,
                findings=tuple(judgement.findings),
                metrics=metrics,
                tool_version=version,
            )
        against = "the offline advisory_db" if db else f"the {settings.service} service"
        return self._verdict(
            judgement,
            metrics,
            version,
            note,
            reason_ok=f"{len(audited)} dependencies audited against {against}: "
            "no known vulnerabilities",
        )

    def _verdict(
        self,
        judgement: audit_report.Judgement,
        metrics: tuple[Metric, ...],
        version: str | None,
        note: str,
        reason_ok: str,
    ) -> CheckResult:
        """Every dependency audited: the findings decide, and the reason names them."""
        res = judged(self, judgement.findings, metrics, version=version, reason_ok=reason_ok)
        headline = audit_report.vulnerable_reason(judgement.findings) if judgement.findings else ""
        return res.model_copy(update={"reason": (headline or res.reason) + note})


def vulnerabilities(
    check: Dependencies,
    ctx: CheckContext[DependenciesSettings, SecurityGateSettings],
    settings: DependenciesSettings,
    deps: list[Dep],
    db: AdvisoryDB | None,
    *,
    found: Found | None = None,
) -> audit_report.Judgement:
    """Findings located at their declaring line, and the ignores that applied."""
    from atlas_ci.checks.security import manifests

    index = declarations(ctx.root, settings)
    if found is not None and found.manifest and found.declared:
        index.update(manifests.manifest_index(ctx.root, found.manifest, found.declared))
    fallback = found.manifest if found is not None and found.declared else None
    return audit_report.judge(
        check,
        ctx,
        deps,
        rules=settings.ignore,
        locate=lambda n: locate(index, n, settings, ctx, fallback),
        severity_of=db.severity_of if db else lambda _ids: None,
        today=dt.date.today(),
        threshold=fail_on(ctx),
    )


def load_db(root: Path, folder: str | None) -> AdvisoryDB | None:
    from atlas_ci.checks.security import advisories

    return advisories.load(root / folder) if folder else None


@contextmanager
def serve(db: AdvisoryDB | None) -> Iterator[str | None]:
    """The loopback OSV endpoint's URL for the run when an advisory directory is configured."""
    from atlas_ci.checks.security import osv_server

    with osv_server.serving(db) if db else nullcontext(None) as url:
        yield url


def audit_args(
    ctx: CheckContext, settings: DependenciesSettings, local_osv: str | None
) -> list[str]:
    args = ["-f", "json", "--progress-spinner", "off", "--desc", "on", "--aliases", "on"]
    if local_osv:
        args += ["-s", "osv", "--osv-url", local_osv]
    else:
        args += ["-s", settings.service]
        if settings.osv_url:
            args += ["--osv-url", settings.osv_url]
    source = settings.effective_source
    if source == "requirements":
        for name in settings.requirements:
            if not (ctx.root / name).is_file():
                raise CheckError(f"requirements file not found: {name}")
            args += ["-r", name]
        if settings.no_deps:
            args += ["--no-deps", "--disable-pip"]
    elif source == "project":
        args.append(".")
    else:
        args.append("--skip-editable")
    return args


def environment(
    ctx: CheckContext, settings: DependenciesSettings, loopback: bool
) -> dict[str, str]:
    env: dict[str, str] = {}
    if loopback:
        # The loopback endpoint must never be sent through a configured HTTP proxy.
        for name in ("NO_PROXY", "no_proxy"):
            env[name] = ",".join(p for p in (os.environ.get(name), "127.0.0.1,localhost") if p)
    if settings.effective_source == "environment":
        # pip-audit lists the packages of whichever interpreter this names (its pip-api backend).
        env["PIPAPI_PYTHON_LOCATION"] = ctx.project.python
    return env


def declarations(root: Path, settings: DependenciesSettings) -> dict[str, Declaration]:
    from atlas_ci.checks.security import manifests

    if settings.effective_source == "requirements":
        return manifests.requirements_index(root, list(settings.requirements))
    return manifests.pyproject_index(root)


def locate(
    index: dict[str, Declaration],
    name: str,
    settings: DependenciesSettings,
    ctx: CheckContext,
    manifest: str | None = None,
) -> Declaration | None:
    """The declaring line, else the manifest itself (a transitive dependency), else nothing."""
    from packaging.utils import canonicalize_name

    from atlas_ci.checks.security.manifests import Declaration

    found = index.get(canonicalize_name(name))
    if found is not None:
        return found
    source = settings.effective_source
    if manifest is not None:  # declared by setup.py/setup.cfg: a transitive one points there
        return Declaration(manifest, None)
    if source == "requirements":
        return Declaration(settings.requirements[0], None)
    if source == "project" and (ctx.root / "pyproject.toml").is_file():
        return Declaration("pyproject.toml", None)
    return None


def no_report_reason(code: int, tail: str, settings: DependenciesSettings) -> str:
    """pip-audit ends with a traceback when the service is down: its last line says why."""
    last = (tail.strip().splitlines() or [""])[-1]
    if "ConnectionError" in tail or "ConnectTimeout" in tail:
        where = settings.osv_url or f"the {settings.service} service"
        return f"pip-audit could not reach {where} (exit {code}): {last}"
    return f"pip-audit exited {code} without a report: {last}"

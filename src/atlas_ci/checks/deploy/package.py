"""deploy.package: each distribution builds, passes twine/check-wheel-contents/validate-pyproject,
installs into a fresh venv, and its console scripts start there.

twine and validate-pyproject only print text; atlas-ci reads their one documented shape per
file (`Checking <file>: PASSED|FAILED` blocks; `[ERROR] ...` lines) and nothing else of it.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field

from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding, relpath
from atlas_ci.checks.deploy import build
from atlas_ci.checks.deploy.build import Distribution
from atlas_ci.checks.deploy.common import run
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.checks.toolkit import Tool, clean, error_line
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity
from atlas_ci.settings import CheckSettings

TWINE_BLOCK = re.compile(r"^Checking (?P<file>.+?): (?P<verdict>PASSED|FAILED)(?P<rest>.*)$")
WHEEL_PROBLEM = re.compile(r"^(?P<file>.+?): (?P<code>[EW]\d{3}): (?P<message>.+)$")
# Wide enough that twine's rich console does not wrap its messages mid-sentence.
WIDE = {"COLUMNS": "200", "NO_COLOR": "1"}


class PackageSettings(CheckSettings):
    twine: bool = Field(default=True, description="Run `twine check --strict`.")
    wheel_contents: bool = Field(default=True, description="Run check-wheel-contents.")
    wheel_contents_ignore: tuple[str, ...] = Field(
        default=(), description="check-wheel-contents codes to ignore (e.g. W002)."
    )
    validate_pyproject: bool = Field(default=True, description="Run validate-pyproject.")
    script_timeout: float = Field(
        default=60.0, gt=0, description="Seconds each console script gets to answer --version."
    )


PackageContext = CheckContext[PackageSettings, DeployGateSettings]
TWINE = Tool("twine", ("twine",), distribution="twine")
WHEEL_CONTENTS = Tool(
    "check-wheel-contents", ("check-wheel-contents",), distribution="check-wheel-contents"
)
VALIDATE_PYPROJECT = Tool(
    "validate-pyproject", ("validate-pyproject",), distribution="validate-pyproject"
)


class Package:
    gate = "deploy"
    name = "package"
    tool = "build"
    settings_model = PackageSettings
    exclusive = False

    def version(self, project: ProjectInfo) -> str | None:
        return build.BUILD.version(project.root)

    def run(self, ctx: PackageContext) -> CheckResult:
        settings = ctx.settings
        findings: list[Finding] = []
        if settings.validate_pyproject:
            for path in ctx.gate_settings.distributions:
                findings += self._validate_pyproject(ctx, path)
        built = build.ensure(ctx)
        for dist in built.dists:
            findings += self._judge(ctx, settings, dist)
        labels = ", ".join(d.label for d in built.dists)
        return judged(
            self,
            findings,
            version=self.version(ctx.project),
            reason_ok=f"built, checked and installed: {labels}",
            artifacts=tuple(
                relpath(p, ctx.project.report_dir) for d in built.dists for p in d.artifacts
            ),
        )

    def _judge(
        self, ctx: PackageContext, settings: PackageSettings, dist: Distribution
    ) -> list[Finding]:
        pyproject = _pyproject(dist.path)
        if dist.build_error is not None:
            return [
                self._finding(ctx, "build-failed", f"{dist.path}: {dist.build_error}", pyproject)
            ]
        found: list[Finding] = []
        if settings.twine:
            found += self._twine(ctx, dist)
        if settings.wheel_contents:
            found += self._wheel_contents(ctx, settings, dist)
        if dist.install_error is not None:
            found.append(self._finding(ctx, "install-failed", dist.install_error, pyproject))
        elif dist.venv is not None:
            found += [
                self._finding(ctx, "script-does-not-start", problem, pyproject)
                for script in dist.scripts
                if (problem := start_problem(ctx, settings, dist.venv, script)) is not None
            ]
        return found

    def _validate_pyproject(self, ctx: PackageContext, path: str) -> list[Finding]:
        pyproject = _pyproject(path)
        if not (ctx.root / pyproject).is_file():
            return []
        res = run(ctx, VALIDATE_PYPROJECT, [str(ctx.root / pyproject)], ok_codes=(0, 1))
        if res.returncode == 0:
            return []
        text = res.stdout + "\n" + res.stderr
        errors = [ln.strip() for ln in text.splitlines() if ln.startswith("[ERROR]")]
        message = "; ".join(dict.fromkeys(errors)) or tail(text, 400)
        return [self._finding(ctx, "invalid-pyproject", f"{pyproject}: {message}", pyproject)]

    def _twine(self, ctx: PackageContext, dist: Distribution) -> list[Finding]:
        files = [str(p) for p in dist.artifacts]
        res = run(
            ctx, TWINE, ["--no-color", "check", "--strict", *files], ok_codes=(0, 1), env=WIDE
        )
        problems = twine_failures(res.stdout + "\n" + res.stderr)
        if res.returncode != 0 and not problems:
            problems = {"?": error_line(res) or tail(res.output_tail, 400)}
        return [
            self._finding(
                ctx,
                "twine-check",
                f"twine check --strict {Path(name).name}: {message}",
                _pyproject(dist.path),
            )
            for name, message in problems.items()
        ]

    def _wheel_contents(
        self, ctx: PackageContext, settings: PackageSettings, dist: Distribution
    ) -> list[Finding]:
        assert dist.wheel is not None  # noqa: S101 - only built distributions get here
        args = ["--no-config", str(dist.wheel)]
        if settings.wheel_contents_ignore:
            args[1:1] = ["--ignore", ",".join(settings.wheel_contents_ignore)]
        res = run(ctx, WHEEL_CONTENTS, args, ok_codes=(0, 1))
        found = []
        for line in res.stdout.splitlines():
            match = WHEEL_PROBLEM.match(line.strip())
            if match:
                message = f"{dist.wheel.name}: {match['code']} {match['message']}"
                found.append(
                    self._finding(ctx, f"wheel-{match['code']}", message, _pyproject(dist.path))
                )
        if res.returncode != 0 and not found:
            found.append(
                self._finding(ctx, "wheel-contents", error_line(res), _pyproject(dist.path))
            )
        return found

    def _finding(self, ctx: PackageContext, rule: str, message: str, path: str) -> Finding:
        return make_finding(
            self,
            ctx.root,
            rule_id=rule,
            message=message,
            path=path if (ctx.root / path).is_file() else None,
            severity=Severity.HIGH,
            tags=("packaging",),
        )


def twine_failures(text: str) -> dict[str, str]:
    """File -> the messages twine printed for it, for each file it did not pass cleanly."""
    failures: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for raw in [*text.splitlines(), "Checking <end>: PASSED"]:
        match = TWINE_BLOCK.match(raw.strip())
        if match is None:
            if current is not None and raw.strip():
                lines.append(raw.strip())
            continue
        if current is not None:
            failures[current] = " ".join(lines) or "failed"
        failing = match["verdict"] == "FAILED" or "warning" in match["rest"].lower()
        current, lines = (match["file"] if failing else None), []
    return failures


def start_problem(
    ctx: PackageContext, settings: PackageSettings, venv: Path, script: str
) -> str | None:
    """None when `script --version` (or else `--help`) exits 0 in the fresh venv."""
    program = Tool(script, (str(venv / "bin" / script),))
    last = ""
    for flag in ("--version", "--help"):
        try:
            run(ctx, program, [flag], cwd=venv, timeout=settings.script_timeout)
        except CheckError as exc:  # timed out, killed, exited non-zero: the standard words
            last = str(exc)
            continue
        return None
    return f"console script {script} does not start in a fresh venv ({last})"


def tail(text: str, limit: int) -> str:
    text = clean(text).strip()
    return text if len(text) <= limit else "..." + text[-limit:]


def _pyproject(path: str) -> str:
    return "pyproject.toml" if path in (".", "") else f"{path.strip('/')}/pyproject.toml"

"""security.secrets: detect-secrets over the repository's files; a secret's value is never reported.

Only detect-secrets' JSON is read (it carries a SHA-1 of each secret, never the value); the tool's
raw output is never quoted in a reason, since a crash message could echo a line of a scanned file.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import Field, field_validator

from atlas_ci import cache_replay, redact
from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, python_module, result
from atlas_ci.checks.security import repo_files
from atlas_ci.checks.security.policy import SecurityGateSettings
from atlas_ci.checks.security.secrets_report import (
    Hit,
    baseline_keys,
    found_values,
    load_scan,
    to_findings,
)
from atlas_ci.checks.toolkit import Tool, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Status
from atlas_ci.process import ProcessResult
from atlas_ci.settings import CheckSettings

# Files per detect-secrets run: keeps argv far below the kernel's limit on big repositories.
BATCH = 400


class SecretsSettings(CheckSettings):
    baseline: str | None = Field(
        default=None,
        description="A detect-secrets baseline (e.g. .secrets.baseline): secrets recorded "
        "there are not findings, and its plugin and filter settings are used for the scan.",
    )
    patterns: dict[str, str] = Field(
        default_factory=dict,
        description="Extra detectors: name -> regular expression (a match is a secret).",
    )
    exclude: tuple[str, ...] = Field(
        default=(),
        description="Paths not to scan, gitignore-style like [project] exclude (which also "
        "applies): `name.py` matches at any depth, `dir/` a directory, `/x` at the root.",
    )

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"pattern '{name}' is not a valid regular expression: {exc}"
                ) from None
        return value


SecretsContext = CheckContext[SecretsSettings, SecurityGateSettings]


def secrets_tool(project: ProjectInfo) -> Tool:
    argv = python_module("detect_secrets", project)
    return Tool("detect-secrets", tuple(argv), distribution="detect-secrets")


class Secrets:
    gate, name, tool = "security", "secrets", "detect-secrets"
    settings_model, exclusive = SecretsSettings, False

    def run(self, ctx: SecretsContext) -> CheckResult:
        settings = ctx.settings
        tool = secrets_tool(ctx.project).using(settings.command)
        baseline = baseline_path(ctx.root, settings.baseline)
        files = files_to_scan(ctx, settings, baseline)
        version = tool.version(ctx.root)
        if not files:
            return result(self, Status.SKIPPED, "no files to scan", tool_version=version)
        with tempfile.TemporaryDirectory(prefix="atlas-ci-secrets-") as tmp:
            plugin = write_plugin(Path(tmp), settings.patterns)
            hits = [
                hit
                for batch in batches(files, BATCH)
                for hit in scan(ctx, tool, batch, plugin=plugin, baseline=baseline, tmp=Path(tmp))
            ]
        # Allowed or not, a secret's value must not leak through another check's output; a
        # result served from the cache feeds the values again from these notes (`replay`).
        redact.remember(found_values(ctx.root, hits))
        cache_replay.note(*(dataclasses.asdict(h) for h in hits))
        known = baseline_keys(baseline) if baseline else set()
        fresh = [h for h in hits if (h.path, h.hashed_secret) not in known]
        findings = to_findings(self, ctx, fresh)
        allowed = len(hits) - len(fresh)
        note = f"; {allowed} known secret(s) allowed by the baseline" if allowed else ""
        return judged(
            self, findings, version=version, reason_ok=f"no secrets in {len(files)} file(s){note}"
        )

    def version(self, project: ProjectInfo) -> str | None:
        return secrets_tool(project).version(project.root)

    def replay(self, root: Path, result: CheckResult, notes: tuple[cache_replay.Note, ...]) -> None:
        """A cached result's secrets, read again from the unchanged files its notes name."""
        redact.remember(found_values(root, [Hit(**n) for n in notes]))


def baseline_path(root: Path, configured: str | None) -> Path | None:
    if configured is None:
        return None
    path = root / configured
    if not path.is_file():
        raise CheckError(f"secrets baseline not found: {configured}")
    return path


def files_to_scan(
    ctx: SecretsContext, settings: SecretsSettings, baseline: Path | None
) -> list[str]:
    skip = [*ctx.project.exclude, *settings.exclude]
    # Our own reports and the baseline (a file of hashes) are not sources of secrets.
    for path in (ctx.project.report_dir, baseline):
        rel = repo_files.inside(path, ctx.root) if path is not None else None
        if rel and rel != ".":
            skip.append(rel)
    listed = repo_files.list_files(ctx.root, ctx.settings.timeout)
    if ctx.project.files is not None:  # a changed-files run: only those
        wanted = set(ctx.project.files)
        listed = [name for name in listed if name in wanted]
    return repo_files.select(listed, skip)


def batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def scan(
    ctx: SecretsContext,
    tool: Tool,
    files: Sequence[str],
    *,
    plugin: Path | None,
    baseline: Path | None,
    tmp: Path,
) -> list[Hit]:
    """One detect-secrets run; -n: never send a candidate secret to a third party to verify it."""
    args = ["scan", "-n"]
    if plugin is not None:
        args += ["-p", str(plugin)]
    out_file: Path | None = None
    if baseline is not None:
        # `scan --baseline` rewrites the baseline it is given: hand it a throwaway copy.
        out_file = tmp / "baseline.json"
        shutil.copyfile(baseline, out_file)
        args += ["--baseline", str(out_file)]
    res = run_tool(
        tool,
        [*args, "--", *files],
        cwd=ctx.root,
        timeout=ctx.settings.timeout,
        detail=withheld,
    )
    text = out_file.read_text(encoding="utf-8") if out_file else res.stdout
    return load_scan(text, ctx.root, source="detect-secrets output")


def withheld(res: ProcessResult) -> str:
    """What a failed run may say about itself: its output could quote a scanned line."""
    return f"{error_kind(res.stderr)} (its output is withheld: it may quote a scanned line)".strip()


def error_kind(stderr: str) -> str:
    """The exception class name of a crash, which is safe to show (its message may not be)."""
    if re.search(r"No module named '?detect_secrets", stderr):
        return "detect-secrets is not installed (pip install detect-secrets)"
    match = re.search(r"^(\w+(?:\.\w+)*(?:Error|Exception))\b", stderr, re.MULTILINE)
    return f"raised {match.group(1)}" if match else ""


def write_plugin(tmp: Path, patterns: dict[str, str]) -> Path | None:
    """User patterns become a detect-secrets plugin, so allowlist pragmas and baselines apply."""
    if not patterns:
        return None
    lines = ["import re", "", "from detect_secrets.plugins.base import RegexBasedDetector", ""]
    for index, (name, pattern) in enumerate(sorted(patterns.items())):
        # repr() makes each value a Python literal: config text can never become code.
        lines += [
            "",
            f"class AtlasCiPattern{index}(RegexBasedDetector):",
            f"    secret_type = {('Custom pattern: ' + name)!r}",
            f"    denylist = [re.compile({pattern!r})]",
            "",
        ]
    path = tmp / "atlas_ci_patterns.py"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path

"""quality.complexity: radon's cyclomatic complexity and maintainability index, from its JSON."""

from __future__ import annotations

import concurrent.futures as cf
import contextvars
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from atlas_ci.checks import sources
from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding
from atlas_ci.checks.quality import radon_files
from atlas_ci.checks.quality.radon_data import Block, Module, parse_cc, parse_mi
from atlas_ci.checks.toolkit import Tool, argv_chunks, load_json, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Metric, Severity, fingerprint
from atlas_ci.settings import CheckSettings, GateSettings

RADON = Tool("radon", ("radon",), distribution="radon")
# radon's own `mi` is quadratic in a statement's length (see fast_mi); radon_pass computes both
# radon's numbers from radon's library in one parse per file, so its version is radon's.
FAST_MI = Tool(
    "radon", (sys.executable, "-m", "atlas_ci.checks.quality.radon_pass"), distribution="radon"
)
MEMO_DIR = ".atlas-ci/cache/radon-memo"
CC_ARGS = ["cc", "-j", "-n", "A", "-x", "F", "--show-closures"]
CC_RULE = "cyclomatic-complexity"
MI_RULE = "maintainability-index"


class ComplexitySettings(CheckSettings):
    max_complexity: int = Field(
        default=10,
        ge=1,
        description="A function or method whose cyclomatic complexity is above this is a finding.",
    )
    min_maintainability: float = Field(
        default=20.0,
        ge=0,
        le=100,
        description="A module whose maintainability index (0-100) is below this is a finding.",
    )
    memo: bool = Field(
        default=True,
        description="Remember each file's numbers by its content (in .atlas-ci/cache/radon-memo, "
        "like ruff's and mypy's own caches), so an unchanged file is not measured again "
        "when the result cache cannot serve the check; `--no-cache` turns it off for a run.",
    )


class Complexity:
    gate, name, tool = "quality", "complexity", RADON.name
    settings_model, exclusive = ComplexitySettings, False

    def run(self, ctx: CheckContext[ComplexitySettings, GateSettings]) -> CheckResult:
        settings = ctx.settings
        radon = RADON.using(settings.command)
        files = radon_files.select(ctx.project, settings.timeout)
        if not files:
            return sources.nothing_to_check(self, ctx.project)
        cc, mi = run_cc_mi(ctx, radon, files)
        blocks = parse_cc(cc, ctx.root)
        modules = parse_mi(mi, ctx.root)
        if not modules:
            raise CheckError(f"radon found no Python files in {', '.join(ctx.project.paths)}")
        findings = [
            *complexity_findings(self, ctx, blocks, settings.max_complexity),
            *maintainability_findings(self, ctx, modules, settings.min_maintainability),
        ]
        return judged(
            self,
            findings,
            metrics(blocks, settings.max_complexity),
            version=radon.version(ctx.root),
            reason_ok=f"{len(blocks)} functions within complexity {settings.max_complexity}",
        )

    def version(self, project: ProjectInfo) -> str | None:
        return RADON.version(project.root)


def both(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run the two tool calls at once (each in the caller's context, so its notes are kept)."""
    with cf.ThreadPoolExecutor(max_workers=2, thread_name_prefix="radon") as pool:
        a = pool.submit(contextvars.copy_context().run, first)
        b = pool.submit(contextvars.copy_context().run, second)
        return a.result(), b.result()


def run_cc_mi(
    ctx: CheckContext[ComplexitySettings, GateSettings], radon: Tool, files: Sequence[str]
) -> tuple[Any, Any]:
    """radon cc's and radon mi's JSON: from one pass over the files with radon's library
    (checks/quality/radon_pass.py, radon's numbers) unless `command` pins a radon of the
    project's choosing, whose two commands then run at once."""
    if not ctx.settings.command:
        cc: dict[str, Any] = {}
        mi: dict[str, Any] = {}
        remember = ctx.settings.memo and ctx.project.memos
        memo = ["--memo", str(ctx.root / MEMO_DIR)] if remember else []
        for part in run_radon(ctx, FAST_MI, memo, files, merge=False):
            if set(part) != {"cc", "mi"} or not all(isinstance(v, dict) for v in part.values()):
                raise CheckError("radon printed JSON of an unexpected shape: top level")
            cc.update(part["cc"])
            mi.update(part["mi"])
        return cc, mi
    # Every rank is asked for explicitly: a display filter in the project's radon config
    # (cc_min, mi_min) must not hide blocks from the policy below.
    return both(
        lambda: run_radon(ctx, radon, CC_ARGS, files),
        lambda: run_radon(ctx, radon, ["mi", "-j", "-n", "A", "-x", "C"], files),
    )


def run_radon(
    ctx: CheckContext, radon: Tool, command: list[str], files: Sequence[str], *, merge: bool = True
) -> Any:
    """radon's JSON for the files (one run per argv-sized chunk; radon judges each file alone):
    merged into one object, or with `merge=False` the list of each run's."""
    neutral: Path | None = None
    names = list(files)
    if radon is not FAST_MI:
        # radon's CLI reads pyproject.toml, setup.cfg and radon.cfg from its working directory
        # through configparser with interpolation: any bare `%` in an unrelated [tool.*] string
        # crashes it. It runs from an empty directory instead, on absolute paths; every option
        # atlas-ci's policy depends on is passed explicitly anyway.
        neutral = (ctx.root / ctx.project.report_dir / ".radon-cwd").resolve()
        neutral.mkdir(parents=True, exist_ok=True)
        names = [str(ctx.root.resolve() / name) for name in files]
    parts: list[dict[str, Any]] = []
    for n, chunk in enumerate(argv_chunks(names)):
        res = run_tool(
            radon,
            [*command, *chunk],
            cwd=neutral or ctx.root,
            timeout=ctx.settings.timeout,
            # radon's own CLI runs twice at once (cc, mi): only the one-pass radon_pass is slotted.
            early=f"quality.complexity#{n}" if radon is FAST_MI else None,
        )
        shown = "radon" if radon is FAST_MI else f"radon {command[0]}"
        parts.append(load_json(res.stdout, dict[str, Any], tool=shown))
    if not merge:
        return parts
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    return merged


def complexity_findings(
    check: Complexity, ctx: CheckContext, blocks: Sequence[Block], limit: int
) -> list[Finding]:
    return [
        make_finding(
            check,
            ctx.root,
            rule_id=CC_RULE,
            path=b.path,
            line=b.line,
            severity=Severity.MEDIUM,
            message=f"{b.kind} '{b.name}' has cyclomatic complexity {b.complexity} (max {limit})",
            help_text="Split the function into smaller ones or simplify its branching.",
        )
        for b in blocks
        if b.complexity > limit
    ]


def maintainability_findings(
    check: Complexity, ctx: CheckContext, modules: Sequence[Module], limit: float
) -> list[Finding]:
    return [
        make_finding(
            check,
            ctx.root,
            rule_id=MI_RULE,
            path=m.path,
            severity=Severity.MEDIUM,
            message=f"module maintainability index {m.mi:.1f} is below {limit:g}",
            help_text="Radon's maintainability index (0-100) falls with size, complexity and "
            "sparse comments.",
            # The index moves with every edit; the module itself is the finding's identity.
            fingerprint=fingerprint(MI_RULE, m.path, ""),
        )
        for m in modules
        if m.mi < limit
    ]


def metrics(blocks: Sequence[Block], limit: int) -> list[Metric]:
    scores = [b.complexity for b in blocks]
    average = sum(scores) / len(scores) if scores else 0.0
    return [
        Metric(
            name="max_complexity", value=max(scores, default=0), threshold=limit, direction="max"
        ),
        Metric(name="average_complexity", value=round(average, 2)),
    ]

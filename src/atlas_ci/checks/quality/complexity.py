"""quality.complexity: radon's cyclomatic complexity and maintainability index, from its JSON."""

from __future__ import annotations

import concurrent.futures as cf
import contextvars
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import Field

from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding
from atlas_ci.checks.quality.common import excluded
from atlas_ci.checks.quality.radon_data import Block, Module, parse_cc, parse_mi
from atlas_ci.checks.toolkit import Tool, load_json, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Metric, Severity, fingerprint
from atlas_ci.settings import CheckSettings, GateSettings

RADON = Tool("radon", ("radon",), distribution="radon")
# radon's own `mi` is quadratic in a statement's length (see fast_mi); radon_pass computes both
# radon's numbers from radon's library in one parse per file, so its version is radon's.
FAST_MI = Tool(
    "radon", (sys.executable, "-m", "atlas_ci.checks.quality.radon_pass"), distribution="radon"
)
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


class Complexity:
    gate, name, tool = "quality", "complexity", RADON.name
    settings_model, exclusive = ComplexitySettings, False

    def run(self, ctx: CheckContext[ComplexitySettings, GateSettings]) -> CheckResult:
        settings = ctx.settings
        radon = RADON.using(settings.command)
        cc, mi = run_cc_mi(ctx, radon)
        patterns = ctx.project.exclude
        blocks = [b for b in parse_cc(cc, ctx.root) if not excluded(b.path, patterns)]
        modules = [m for m in parse_mi(mi, ctx.root) if not excluded(m.path, patterns)]
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


def run_cc_mi(ctx: CheckContext, radon: Tool) -> tuple[Any, Any]:
    """radon cc's and radon mi's JSON: from one pass over the files with radon's library
    (checks/quality/radon_pass.py, radon's numbers) unless `command` pins a radon of the
    project's choosing, whose two commands then run at once."""
    if not ctx.settings.command:
        both_json = run_radon(ctx, FAST_MI, [])
        if not isinstance(both_json, dict) or set(both_json) != {"cc", "mi"}:
            raise CheckError("radon printed JSON of an unexpected shape: top level")
        return both_json["cc"], both_json["mi"]
    # Every rank is asked for explicitly: a display filter in the project's radon config
    # (cc_min, mi_min) must not hide blocks from the policy below.
    return both(
        lambda: run_radon(ctx, radon, ["cc", "-j", "-n", "A", "-x", "F", "--show-closures"]),
        lambda: run_radon(ctx, radon, ["mi", "-j", "-n", "A", "-x", "C"]),
    )


def run_radon(ctx: CheckContext, radon: Tool, command: list[str]) -> Any:
    if radon is FAST_MI:
        args = [*command, *radon_filters(ctx.project.exclude), *ctx.project.paths]
        res = run_tool(radon, args, cwd=ctx.root, timeout=ctx.settings.timeout)
    else:
        # radon's CLI reads pyproject.toml, setup.cfg and radon.cfg from its working directory
        # through configparser with interpolation: any bare `%` in an unrelated [tool.*] string
        # crashes it. It runs from an empty directory instead, on absolute paths; every option
        # atlas-ci's policy depends on is passed explicitly anyway.
        neutral = (ctx.root / ctx.project.report_dir / ".radon-cwd").resolve()
        neutral.mkdir(parents=True, exist_ok=True)
        root = str(ctx.root.resolve())
        paths = [str(ctx.root.resolve() / p) for p in ctx.project.paths]
        args = [*command, *radon_filters(ctx.project.exclude, root), *paths]
        res = run_tool(radon, args, cwd=neutral, timeout=ctx.settings.timeout)
    return load_json(res.stdout, object, tool=f"radon {command[0]}" if command else "radon")


def radon_filters(patterns: Sequence[str], root: str | None = None) -> list[str]:
    """The project's exclude as radon's -e (path globs) and -i (directory names) lists.

    radon splits both lists on commas, so a pattern holding one is left to the post-filter.
    """
    globs: list[str] = []
    dirs: list[str] = []
    for raw in patterns:
        pattern = raw.removeprefix("./").rstrip("/")
        if not pattern or "," in pattern:
            continue
        if "/" in pattern:  # anchored at the root, like ruff's exclude
            anchored = f"{root}/{pattern}" if root else pattern
            globs += [anchored, f"{anchored}/*"]
        else:
            globs += [pattern, f"*/{pattern}", f"{pattern}/*", f"*/{pattern}/*"]
            dirs.append(pattern)
    args = ["-e", ",".join(globs)] if globs else []
    return args + (["-i", ",".join(dirs)] if dirs else [])


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

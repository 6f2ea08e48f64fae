"""The check contract and the plain helpers adapters share (no base class to inherit from)."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, runtime_checkable

from typing_extensions import TypeVar

from atlas_ci import model
from atlas_ci.checks import toolkit
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Location, Metric, Severity, Status
from atlas_ci.settings import CheckSettings, GateSettings

# Defaults: a bare `CheckContext` (plain settings models) still type-checks for code not yet typed.
S_co = TypeVar("S_co", bound=CheckSettings, default=CheckSettings, covariant=True)
G_co = TypeVar("G_co", bound=GateSettings, default=GateSettings, covariant=True)


@dataclass(frozen=True)
class ProjectInfo:
    """What the checks need to know about the repository under test."""

    root: Path
    paths: tuple[str, ...]
    exclude: tuple[str, ...]
    python: str
    report_dir: Path
    base_ref: str | None = None
    # A changed-files run (--changed, pre-commit): the only repository files to look at.
    files: tuple[str, ...] | None = None
    # The user set `paths`: finding no file there is an error, while atlas-ci's own default
    # paths finding none (an empty repository) makes the file-based checks skipped.
    paths_configured: bool = False
    # False under --no-cache: a check's own per-file memo (quality.complexity's) is neither
    # read nor written either, so every number is computed afresh.
    memos: bool = True


@dataclass(frozen=True)
class CheckContext(Generic[S_co, G_co]):
    """Everything one check run gets: the project, its own settings and its gate's settings.

    Generic in both settings types, so a check reads `ctx.settings.max_complexity` with no cast:
    the planner validated them with the check's `settings_model` and the gate's model.
    """

    project: ProjectInfo
    settings: S_co
    gate_settings: G_co
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.project.root

    def command(self, default: Sequence[str]) -> list[str]:
        """The configured `command` prefix, or the check's default invocation."""
        return list(self.settings.command or default)


AnyContext = CheckContext[Any, Any]


@runtime_checkable
class Check(Protocol):
    """A check: addressed as `gate.name`, runs one tool, returns one CheckResult."""

    @property
    def gate(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def tool(self) -> str:
        """The program's name, as shown by `atlas-ci list` and in SARIF."""
        ...

    @property
    def settings_model(self) -> type[CheckSettings]: ...
    @property
    def exclusive(self) -> bool:
        """Exclusive checks (benchmarks, load tests) run alone so others cannot skew timings."""
        ...

    def version(self, project: ProjectInfo) -> str | None:
        """The tool's version (for `list`, `doctor` and reports); None when it is not installed."""
        ...

    def run(self, ctx: AnyContext) -> CheckResult:
        """Run the tool and judge its output (a check types ctx with its own settings models)."""
        ...


def check_id(check: Check) -> str:
    return f"{check.gate}.{check.name}"


def python_module(module: str, project: ProjectInfo | None = None) -> list[str]:
    """`python -m module` in the project's interpreter (or atlas-ci's own when none given)."""
    return [project.python if project else sys.executable, "-m", module]


def tool_version(argv: Sequence[str], root: Path) -> str | None:
    """First version-looking token of `argv --version` (cached); None when absent or silent."""
    return toolkit.version_call(tuple(argv), str(root))


# ---- result builders: a skip and an error are data too ----


def result(
    check: Check,
    status: Status,
    reason: str = "",
    *,
    tool_version: str | None = None,
    findings: Sequence[Finding] = (),
    metrics: Sequence[Metric] = (),
    artifacts: Sequence[str] = (),
    duration: float = 0.0,
) -> CheckResult:
    return CheckResult(
        check=check_id(check),
        gate=check.gate,
        status=status,
        reason=reason,
        duration=duration,
        tool=check.tool,
        tool_version=tool_version,
        findings=tuple(findings),
        metrics=tuple(metrics),
        artifacts=tuple(artifacts),
    )


def judged(
    check: Check,
    findings: Sequence[Finding],
    metrics: Sequence[Metric] = (),
    *,
    version: str | None = None,
    reason_ok: str = "",
    extra_fail: str = "",
    artifacts: Sequence[str] = (),
) -> CheckResult:
    """passed or failed, from the blocking findings and the metrics' thresholds."""
    reasons = _failure_reasons(findings, metrics)
    if extra_fail:
        reasons.append(extra_fail)
    return result(
        check,
        Status.FAILED if reasons else Status.PASSED,
        "; ".join(reasons) if reasons else reason_ok,
        findings=tuple(findings),
        metrics=tuple(metrics),
        tool_version=version,
        artifacts=tuple(artifacts),
    )


def _failure_reasons(findings: Sequence[Finding], metrics: Sequence[Metric]) -> list[str]:
    blocking = sum(1 for f in findings if f.blocking)
    reasons = [f"{blocking} finding(s)"] if blocking else []
    for m in metrics:
        if metric_breached(m):
            op = "<" if m.direction == "min" else ">"
            reasons.append(f"{m.name} {_fmt(m.value)}{m.unit} {op} {_fmt(m.threshold)}{m.unit}")
    return reasons


def _fmt(v: float | None) -> str:
    if v is None:
        return "?"
    return f"{v:g}" if abs(v) >= 0.01 or v == 0 else f"{v:.3g}"


def metric_breached(m: Metric) -> bool:
    if m.threshold is None or m.direction is None:
        return False
    return m.value > m.threshold if m.direction == "max" else m.value < m.threshold


# ---- locations and fingerprints ----


def relpath(path: str | Path, root: Path) -> str:
    """Repository-relative POSIX path (tools print absolute or ./-prefixed paths)."""
    return _relpath(str(path), str(root))


@functools.lru_cache(maxsize=4096)
def _relpath(path: str, root: str) -> str:
    # Cached: a tool names the same few files in thousands of findings, and resolving a path
    # stats every component of it (a fifth of a second per thousand findings).
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(Path(root).resolve())
        except ValueError:
            return p.as_posix()
    return Path(os.path.normpath(p)).as_posix()


def line_text(root: Path, path: str, start: int | None, end: int | None = None) -> str:
    """The flagged source line(s), for fingerprints; empty when the file cannot be read."""
    if start is None:
        return ""
    # String joins and os.stat: thousands of findings make a Path object per call count.
    file = os.path.join(root, path)
    try:
        st = os.stat(file)
        lines = _file_lines(file, st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        return ""
    return "\n".join(lines[start - 1 : (end or start)])


@functools.lru_cache(maxsize=64)
def _file_lines(path: str, mtime_ns: int, size: int, inode: int) -> tuple[str, ...]:
    """A file's lines, read once however many findings it holds (keyed by its stat, so an
    edited file is read again)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return tuple(handle.read().splitlines())


def make_finding(
    check: Check,
    root: Path,
    *,
    rule_id: str,
    message: str,
    path: str | None,
    line: int | None = None,
    end_line: int | None = None,
    start_column: int | None = None,
    end_column: int | None = None,
    severity: Severity = Severity.MEDIUM,
    help_uri: str | None = None,
    help_text: str | None = None,
    tags: Sequence[str] = (),
    blocking: bool = True,
    fingerprint: str | None = None,
) -> Finding:
    """A Finding with a content-based fingerprint (stable when unrelated lines move).

    `path` is repository-relative (see `relpath`); a tool reporting a file outside the repository
    did not check what it was asked to, so that is the check's error, not a finding.
    """
    location = None
    if path is not None:
        _inside_repo(path, check)
        location = Location(
            path=path,
            start_line=line,
            end_line=end_line,
            start_column=start_column,
            end_column=end_column,
        )
    if fingerprint is None:
        content = line_text(root, path, line, end_line) if path else ""
        fingerprint = model.fingerprint(rule_id, path or "", content or message)
    return Finding(
        check=check_id(check),
        tool=check.tool,
        rule_id=rule_id,
        message=message,
        severity=severity,
        location=location,
        fingerprint=fingerprint,
        help_uri=help_uri,
        help_text=help_text,
        tags=tuple(tags),
        blocking=blocking,
    )


def _inside_repo(path: str, check: Check) -> None:
    if path.startswith("/") or path == ".." or path.startswith("../"):
        raise CheckError(
            f"{check.tool} reported a finding outside the repository ({toolkit.clean(path)[:200]})"
        )


def short_hash(value: str, root: Path) -> str:
    """A short tag for a secret value, keyed per repository (see `redact.secret_tag`)."""
    from atlas_ci.redact import secret_tag

    return secret_tag(value, root)

"""The check contract and the plain helpers adapters share (no base class to inherit from)."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable

from atlas_ci import process
from atlas_ci.model import CheckResult, Finding, Location, Metric, Status
from atlas_ci.settings import CheckSettings, GateSettings

S = TypeVar("S", bound=CheckSettings)
G = TypeVar("G", bound=GateSettings)


@dataclass(frozen=True)
class ProjectInfo:
    """What the checks need to know about the repository under test."""

    root: Path
    paths: tuple[str, ...]
    exclude: tuple[str, ...]
    python: str
    report_dir: Path
    base_ref: str | None = None


@dataclass(frozen=True)
class CheckContext:
    """Everything one check run gets: the project, its own settings and its gate's settings."""

    project: ProjectInfo
    settings: CheckSettings
    gate_settings: GateSettings
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.project.root

    def settings_as(self, model: type[S]) -> S:
        if not isinstance(self.settings, model):
            raise TypeError(f"expected {model.__name__}, got {type(self.settings).__name__}")
        return self.settings

    def gate_settings_as(self, model: type[G]) -> G:
        if not isinstance(self.gate_settings, model):
            raise TypeError(f"expected {model.__name__}, got {type(self.gate_settings).__name__}")
        return self.gate_settings

    def command(self, default: Sequence[str]) -> list[str]:
        """The configured `command` prefix, or the check's default invocation."""
        return list(self.settings.command or default)

    def run(
        self, argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> process.ProcessResult:
        return process.run(argv, cwd=cwd or self.root, timeout=self.settings.timeout, env=env)


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

    def default_command(self, project: ProjectInfo) -> list[str]:
        """argv prefix that starts the tool when the config sets no `command`."""
        ...

    def version(self, project: ProjectInfo) -> str | None:
        """The tool's version (for `list`, `doctor` and reports); None when it is not installed."""
        ...

    def run(self, ctx: CheckContext) -> CheckResult:
        """Run the tool and judge its output."""
        ...


def check_id(check: Check) -> str:
    return f"{check.gate}.{check.name}"


def python_module(module: str, project: ProjectInfo | None = None) -> list[str]:
    """`python -m module` in the project's interpreter (or atlas-ci's own when none given)."""
    return [project.python if project else sys.executable, "-m", module]


def tool_version(argv: Sequence[str], root: Path, timeout: float = 30.0) -> str | None:
    """First version-looking token of `argv --version`; None when the tool is absent or silent."""
    try:
        res = process.run([*argv, "--version"], cwd=root, timeout=timeout)
    except Exception:
        return None
    if res.returncode != 0:
        return None
    match = re.search(r"\d+\.\d+(?:\.\d+)?(?:[\w.+-]*)", res.stdout + res.stderr)
    return match.group(0) if match else None


# ---- result builders: a skip and an error are data too ----


def result(ctx_or_check: Check, status: Status, reason: str = "", **kw: object) -> CheckResult:
    c = ctx_or_check
    return CheckResult.model_validate(
        {
            "check": check_id(c),
            "gate": c.gate,
            "status": status,
            "reason": reason,
            "tool": c.tool,
            **kw,
        }
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
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(root.resolve())
        except ValueError:
            return p.as_posix()
    return Path(os.path.normpath(p)).as_posix()


def line_text(root: Path, path: str, start: int | None, end: int | None = None) -> str:
    """The flagged source line(s), for fingerprints; empty when the file cannot be read."""
    if start is None:
        return ""
    try:
        lines = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[start - 1 : (end or start)])


def make_finding(
    check: Check,
    root: Path,
    *,
    rule_id: str,
    message: str,
    path: str | None,
    line: int | None = None,
    **kw: object,
) -> Finding:
    """A Finding with a content-based fingerprint (stable when unrelated lines move)."""
    from atlas_ci.model import fingerprint

    location = None
    if path is not None:
        loc_kw = {k: kw.pop(k) for k in ("end_line", "start_column", "end_column") if k in kw}
        location = Location(path=path, start_line=line, **loc_kw)  # type: ignore[arg-type]
    content = line_text(root, path, line, location.end_line if location else None) if path else ""
    fp = fingerprint(rule_id, path or "", content or message)
    return Finding.model_validate(
        {
            "check": check_id(check),
            "tool": check.tool,
            "rule_id": rule_id,
            "message": message,
            "location": location,
            "fingerprint": fp,
            **kw,
        }
    )


def short_hash(value: str) -> str:
    """A short, non-reversible tag for a secret value, so two reports can be compared safely."""
    return hashlib.sha256(value.encode()).hexdigest()[:12]

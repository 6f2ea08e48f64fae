"""A changed-files run: file-based checks see only the changed files; whole-program findings
may be filtered to the changed lines.

File-based checks get a ProjectInfo whose `paths` are the changed Python files inside the
configured paths (ruff, radon and bandit all accept files as well as directories), and whose
`files` restricts the secrets scan. A check with nothing left to look at is skipped with the
reason. Whole-program checks (quality.types, tests) run on the whole project: what a change
breaks may be reported in a file that did not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from atlas_ci import fileset
from atlas_ci.changes import ChangeSet
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.model import CheckResult, Finding, Status
from atlas_ci.plan import Planned

PYTHON_CHECKS = frozenset(
    {"quality.lint", "quality.format", "quality.complexity", "security.bandit"}
)
FILE_CHECKS = PYTHON_CHECKS | {"security.secrets"}
PYTHON_SUFFIXES = (".py", ".pyi")


def inside(path: str, configured: Sequence[str]) -> bool:
    """Is a repository-relative path one of the configured paths or under one of them?"""
    return fileset.under(path, configured)


def scoped(project: ProjectInfo, changes: ChangeSet, check: str) -> ProjectInfo:
    """The project as one file-based check sees it in a changed-files run."""
    kept = fileset.select(changes.files, project.exclude)
    if check in PYTHON_CHECKS:
        kept = [f for f in kept if f.endswith(PYTHON_SUFFIXES) and inside(f, project.paths)]
        return replace(project, paths=tuple(kept), files=tuple(kept))
    # The secrets scan reads the whole file set, not `paths`; paths is narrowed as well so
    # that whatever is keyed on it (the result cache) tells the two runs apart.
    return replace(project, paths=tuple(kept), files=tuple(kept))


def restrict(planned: list[Planned], project: ProjectInfo, changes: ChangeSet) -> list[Planned]:
    """File-based checks limited to the change set; skipped when it leaves them nothing."""
    out: list[Planned] = []
    for p in planned:
        if p.id not in FILE_CHECKS or p.skip_reason is not None:
            out.append(p)
            continue
        view = scoped(project, changes, p.id)
        if not view.paths:
            kind = "Python files" if p.id in PYTHON_CHECKS else "files"
            reason = f"no {kind} to check among the files {changes.description}"
            out.append(replace(p, skip_reason=reason))
        else:
            out.append(replace(p, project=view))
    return out


def noted(
    results: Sequence[CheckResult], planned: Sequence[Planned], changes: ChangeSet
) -> list[CheckResult]:
    """Each narrowed check's reason says what it looked at and against which base."""
    narrowed = {p.id: p.project for p in planned if p.project is not None}
    out = []
    for res in results:
        view = narrowed.get(res.check)
        if view is None or res.status is Status.SKIPPED:
            out.append(res)
            continue
        note = f"only {len(view.paths)} file(s), {changes.description}"
        out.append(res.model_copy(update={"reason": f"{res.reason}; {note}"}))
    return out


def on_changed_lines(results: Sequence[CheckResult], changes: ChangeSet) -> list[CheckResult]:
    """Whole-program checks' findings kept only where they lie on a changed line."""
    if changes.lines is None:
        return list(results)
    return [r if r.check in FILE_CHECKS else _filtered(r, changes) for r in results]


def _on_change(f: Finding, changes: ChangeSet) -> bool:
    loc = f.location
    return loc is not None and changes.touches(loc.path, loc.start_line, loc.end_line)


def _breached(res: CheckResult) -> bool:
    return any(
        m.threshold is not None
        and m.direction is not None
        and (m.value > m.threshold if m.direction == "max" else m.value < m.threshold)
        for m in res.metrics
    )


def _filtered(res: CheckResult, changes: ChangeSet) -> CheckResult:
    if res.status in (Status.ERROR, Status.SKIPPED) or not res.findings:
        return res
    kept = tuple(f for f in res.findings if _on_change(f, changes))
    dropped = len(res.findings) - len(kept)
    if not dropped:
        return res
    note = f"{dropped} finding(s) off the changed lines not shown (files {changes.description})"
    update: dict[str, object] = {"findings": kept, "reason": f"{res.reason}; {note}"}
    if _cleared(res, kept):
        update["status"] = Status.PASSED
    return res.model_copy(update=update)


def _cleared(res: CheckResult, kept: tuple[Finding, ...]) -> bool:
    """It failed on findings, and none of its blocking ones touch a changed line: it passes."""
    was_blocking = any(f.blocking for f in res.findings)
    cleared = was_blocking and not any(f.blocking for f in kept)
    return res.status is Status.FAILED and cleared and not _breached(res)

"""Read pytest's JUnit XML (xunit1 family, which carries each test's file and line)."""

from __future__ import annotations

import re

# Only the file this run's own pytest wrote is parsed, never input from elsewhere.
import xml.etree.ElementTree as ET  # nosec B405
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from atlas_ci.errors import CheckError

Outcome = Literal["passed", "failed", "error", "skipped"]
# A traceback entry: "tests/test_a.py:12: AssertionError" (long) or "...:12: in test_x" (short).
_ENTRY = re.compile(r"^(?P<path>\S[^\n]*?\.py):(?P<line>\d+):(?: |$)", re.MULTILINE)
COLLECTION_FAILURE = "collection failure"
# A test can fail and then error in teardown: the failure is what matters most.
_DETAILS: tuple[tuple[str, Outcome], ...] = (
    ("failure", "failed"),
    ("error", "error"),
    ("skipped", "skipped"),
)


@dataclass(frozen=True)
class Case:
    nodeid: str
    file: str | None
    line: int | None  # 1-based
    outcome: Outcome
    message: str = ""
    text: str = ""

    @property
    def is_collection_error(self) -> bool:
        return self.outcome == "error" and self.message == COLLECTION_FAILURE


@dataclass(frozen=True)
class Suite:
    cases: tuple[Case, ...]
    duration: float

    def count(self, outcome: Outcome) -> int:
        return sum(1 for c in self.cases if c.outcome == outcome)

    @property
    def problems(self) -> tuple[Case, ...]:
        return tuple(c for c in self.cases if c.outcome in ("failed", "error"))


def parse(path: Path) -> Suite:
    try:
        root = ET.parse(path).getroot()  # noqa: S314  # nosec B314
    except (OSError, ET.ParseError) as exc:
        raise CheckError(f"cannot read pytest's JUnit XML {path.name}: {exc}") from exc
    if root.tag not in ("testsuite", "testsuites"):
        raise CheckError(f"{path.name} is not JUnit XML (root element <{root.tag}>)")
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    cases = tuple(_case(tc) for s in suites for tc in s.iter("testcase"))
    return Suite(cases=cases, duration=sum(_float(s.get("time")) for s in suites))


def _case(tc: ET.Element) -> Case:
    file = tc.get("file") or None
    outcome: Outcome = "passed"
    detail: ET.Element | None = None
    for tag, kind in _DETAILS:
        found = tc.find(tag)
        if found is not None:
            outcome, detail = kind, found
            break
    text = (detail.text or "") if detail is not None else ""
    return Case(
        nodeid=nodeid(tc.get("classname", ""), tc.get("name", ""), file),
        file=file,
        line=_failure_line(text, file) or _def_line(tc.get("line")),
        outcome=outcome,
        message=detail.get("message", "") if detail is not None else "",
        text=text,
    )


def nodeid(classname: str, name: str, file: str | None) -> str:
    """pytest's node id, rebuilt the way its JUnit writer split it (module.Class + name)."""
    if not file:
        return f"{classname}::{name}" if classname else name
    if not classname:  # a collection error: the "test" is the module itself
        return file
    module = file.removesuffix(".py").replace("/", ".")
    if classname.startswith(module + "."):
        return "::".join([file, *classname[len(module) + 1 :].split("."), name])
    return f"{file}::{name}"


def _failure_line(text: str, file: str | None) -> int | None:
    """The test's own line that failed: the first traceback entry in its file.

    pytest starts a test's traceback at the test function, so that entry is the failing assert, or
    the call into the helper that failed; later entries in the same file would be inside helpers.
    A fixture's error starts in the fixture, which is as precise as it gets.
    """
    if not file:
        return None
    for match in _ENTRY.finditer(text):
        if match["path"] == file or match["path"].endswith("/" + file):
            line = int(match["line"])
            return line if line > 0 else None
    return None


def _def_line(raw: str | None) -> int | None:
    # xunit1 writes pytest's 0-based `location` line: the line of the test's `def`, minus one.
    try:
        return int(raw) + 1 if raw is not None else None
    except ValueError:
        return None


def _float(raw: str | None) -> float:
    try:
        return float(raw) if raw else 0.0
    except ValueError:
        return 0.0

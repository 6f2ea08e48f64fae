"""Tool text made safe to show: control and ANSI sequences stripped, the one line that explains."""

from __future__ import annotations

import re
from typing import Literal

# ECMA-48: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \), other two-byte escapes; the
# 8-bit C1 forms of CSI and OSC too. A terminal would act on any of them (colour, title, cursor).
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# What is left of C0 and C1 after the sequences: everything but tab and line feed goes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Lines that frame an error rather than state it: traceback frames and their source lines,
# pytest's separators and location prefixes, "During handling...", bare punctuation.
_NOISE = (
    re.compile(r"^Traceback\b"),
    re.compile(r"^File \".*\", line \d+"),
    re.compile(r"^(?:[-=_!*~.^ ]{3,}.*[-=_!*~]{3,}|[-=_!*~^ .]+)$"),
    re.compile(r"^(?:During handling of the above exception|The above exception was the direct)"),
    re.compile(r"^(?:\^+|~+|\.\.\.)$"),
    re.compile(r"^(?:raise|return|yield|await|from|import|def|class|if|for|with)\b.*[^:.!]$"),
)
# An error stated in so many words: "SomethingError: ...", "error: ...", "E   ...", "fatal ...".
_STATEMENT = re.compile(
    r"^(?:E\s+)?(?:[\w.]*(?:Error|Exception|Warning|Exit|Interrupt)\b"
    r"|(?i:error|fatal|critical|failed|failure|cannot|could not|unable|no such|invalid|usage)"
    r"(?:\b|:))"
)

# A traceback's last line: unindented `module.ClassName: message` (or the bare class name).
_RAISED = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit|Interrupt|Failure)\b")


def clean(text: str) -> str:
    """`text` without ANSI/OSC escapes or control characters; CR and CRLF become LF."""
    if not _CONTROL.search(text):
        return text  # the common case: one scan, nothing to strip (ESC, CR are controls too)
    text = _ANSI.sub("", text.replace("\r\n", "\n"))
    return _CONTROL.sub("", text.replace("\r", "\n"))


def first_meaningful_line(
    text: str, limit: int = 300, *, fallback: Literal["first", "last"] = "first"
) -> str:
    """The line a person would quote to say what went wrong, cleaned and at most `limit` long.

    The first line that states an error ("...Error: ...", "error: ...", pytest's "E   ..."), else
    the first (or, with `fallback="last"`, the last: a tool's final words) line that is not
    traceback framing; a traceback's own frames and source excerpts are never chosen over the
    message they lead to. Empty when the text holds nothing but noise.
    """
    raw = clean(text).splitlines()
    chosen = _final_exception(raw) or _stated(raw, fallback)
    return _bounded(re.sub(r"^E\s+", "", chosen), limit)


def _stated(lines: list[str], fallback: Literal["first", "last"]) -> str:
    content = [ln for ln in map(str.strip, lines) if ln and not _is_noise(ln)]
    if not content:
        return ""
    stated = next((ln for ln in content if _STATEMENT.search(ln)), None)
    return stated or content[0 if fallback == "first" else -1]


def _is_noise(line: str) -> bool:
    return any(p.search(line) for p in _NOISE)


def _final_exception(lines: list[str]) -> str | None:
    """After a Python traceback, the exception it ended in (the last of a chain is what was
    raised to the top; the frames before it are where, not what)."""
    starts = [i for i, ln in enumerate(lines) if ln.startswith("Traceback (most recent call last)")]
    if not starts:
        return None
    tail = lines[starts[-1] + 1 :]
    return next((ln.strip() for ln in tail if _RAISED.match(ln)), None)


def _bounded(line: str, limit: int) -> str:
    return line if len(line) <= limit else line[: limit - 3] + "..."


def headline(reason: str, limit: int = 160) -> str:
    """One line for a table or an annotation: a reason's first line, and when the reason goes
    on with a tool's output, the meaningful line of that output rather than where it was cut."""
    lines = [ln for ln in clean(reason).strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    head = lines[0].strip()
    if len(lines) == 1 and not _NOISE_TAIL.search(head):
        return _bounded(head, limit)
    prefix, sep, start = head.partition(": ")
    rest = [start, *lines[1:]] if sep else lines[1:]
    detail = first_meaningful_line("\n".join(rest), limit)
    if not detail or detail in head:
        return _bounded(head, limit)
    return _bounded(f"{prefix}: {detail}" if sep else f"{head}: {detail}", limit)


# A one-line reason whose tail is a traceback frame ('...", line 195'): the tool's text was cut.
_NOISE_TAIL = re.compile(r": .*\", line \d+(?:, in \S+)?$")


def duration(seconds: float) -> str:
    """A run's or check's duration as the summary shows it: "4.2s", or "3m 05s" from a minute."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02d}s"

"""The statements of radon's raw analysis from one regular-expression scan, without tokenize.

Why: fast_mi cuts the token stream of a file's stripped lines into statements and applies radon's
counting rules to each; Python 3.11's tokenize is pure Python and was most of the index's time.
The rules only need, per statement: its rows, how many comments it holds, whether it is a lone
comment or a lone string (and whether that string spans lines), and for the logical-line count
whether it holds a `:` and ends with one. Strings, comments, brackets, `:`, `;`, line
continuations and newlines are all a scanner has to tell apart for that; names, numbers and
other operators are runs of "something else".

What it does not decide, it hands back: a statement with a `;` or a backslash continuation is
returned as `Tokenize` (fast_mi tokenizes just those lines, as radon tokenizes each statement on
its own), and anything unexpected — an unterminated string, a stray backslash, a statement left
open at the end — raises `Unsure`, and fast_mi tokenizes the whole file as before. Tests compare
the two paths on real code (this repository, the standard library) and on tricky constructs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_PREFIX = r"(?:[bB][rR]?|[rR][bBfF]?|[uU]|[fF][rR]?)?"
_STRING = (
    _PREFIX + r"(?:'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'(?:[^'\\\n]|\\[\s\S])*'"
    r'|"(?:[^"\\\n]|\\[\s\S])*")'
)
_SCAN = re.compile(
    rf"(?P<s>{_STRING})"
    r"|(?P<c>#[^\n]*)"
    r"|(?P<n>\n)"
    r"|(?P<k>\\\n)"
    r"|(?P<o>[(\[{])"
    r"|(?P<x>[)\]}])"
    r"|(?P<w>:=)"
    r"|(?P<col>:)"
    r"|(?P<semi>;)"
    r"|(?P<t>[^\s'\"#()\[\]{}:;\\]+)"
    r"|(?P<bad>[\\'\"])"
)


class Unsure(Exception):
    """The scan met something it does not model: tokenize the whole file instead."""


@dataclass(frozen=True)
class Statement:
    """One statement as radon's loop cuts it, with what its counting rules look at."""

    start: int  # first row, 1-based
    end: int  # last row
    comments: int
    # "comment" (a lone comment), "string" (a lone one-line string), "docstring" (a lone
    # string over several rows) or "code".
    kind: str
    lloc: int


@dataclass(frozen=True)
class Tokenize:
    """Rows whose statement needs tokenize's own tokens (a `;` or a line continuation)."""

    start: int
    end: int


@dataclass
class _Open:
    """The statement being scanned."""

    start: int
    comments: int = 0
    kept: int = 0  # tokens other than comments and newlines (a run of "something else": one)
    first: str = ""  # the first token's group: "s" a string, "c" a comment, "col", "t"
    first_multiline: bool = False
    colon: bool = False
    ends_with_colon: bool = False
    hard: bool = False  # holds `;` or a continuation

    def add(self, group: str, text: str) -> None:
        if not self.first:
            self.first, self.first_multiline = group, "\n" in text
        if group == "c":
            self.comments += 1
            return
        self.kept += 1
        self.colon = self.colon or group == "col"
        self.ends_with_colon = group == "col"

    def close(self, end: int) -> Statement | Tokenize:
        if self.hard:
            return Tokenize(self.start, end)
        return Statement(self.start, end, self.comments, self._kind(), self._lloc())

    def _kind(self) -> str:
        if self.first == "c":
            return "comment"
        if self.first == "s" and self.kept == 1 and not self.comments:
            return "docstring" if self.first_multiline else "string"
        return "code"

    def _lloc(self) -> int:
        # radon's rule: 2 when code follows a `:` (`if x: return`), else 1, 0 for no code.
        if self.colon:
            return 1 if self.ends_with_colon else 2
        return 1 if self.kept else 0


# A line with none of these holds no comment, continuation or `;`: string methods read it.
_SPECIAL = re.compile(r"[#\\;]")
# Strings that open and close on one line without a backslash: masked before reading a line.
_LINE_STRING = re.compile(
    _PREFIX + r"(?:'''(?:[^']|'(?!''))*'''"
    r'|"""(?:[^"]|"(?!""))*"""'
    r"|'[^'\n]*'"
    r'|"[^"\n]*")'
)
# Stands for a masked string: never in a source ast.parse accepts.
_MASK = "\x00"


class _Scanner:
    """Walks the stripped lines: plain lines by string methods, the rest token by token."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.text = "\n".join(lines) + "\n"
        self.out: list[Statement | Tokenize] = []
        self.row, self.depth, self.pos = 1, 0, 0
        self.current = _Open(1)

    def run(self) -> list[Statement | Tokenize]:
        while self.row <= len(self.lines):
            line = self.lines[self.row - 1]
            masked = self._plain(line)
            if masked is None:
                self.pos = self._tokens(self.pos)
            else:
                self._code(masked)
                self.pos += len(line) + 1
                self._newline()
        if self.depth or self.current.first or self.current.hard or self.pos != len(self.text):
            raise Unsure
        return self.out

    @staticmethod
    def _plain(line: str) -> str | None:
        """The line with its strings masked, or None when it needs the token walk."""
        if _SPECIAL.search(line):
            return None
        if "'" not in line and '"' not in line:
            return line
        masked = _LINE_STRING.sub(_MASK, line)
        return None if "'" in masked or '"' in masked else masked

    def _code(self, code: str) -> None:
        """A line of code without comments, continuations or `;`, strings masked."""
        if not code:
            return
        st = self.current
        if not st.first:
            st.first = "s" if code[0] == _MASK else "t"
        st.kept += 1 if code == _MASK else 2
        st.colon = st.colon or code.count(":") > code.count(":=")
        st.ends_with_colon = code[-1] == ":"
        opened = code.count("(") + code.count("[") + code.count("{")
        self.depth += opened - code.count(")") - code.count("]") - code.count("}")
        if self.depth < 0:
            raise Unsure

    def _newline(self) -> None:
        if self.depth == 0:
            self.out.append(self.current.close(self.row))
            self.current = _Open(self.row + 1)
        self.row += 1

    def _tokens(self, pos: int) -> int:
        """Token by token from `pos` to the end of the line (strings may span lines); returns
        the offset after the newline."""
        for match in _SCAN.finditer(self.text, pos):
            group = match.lastgroup or "bad"
            if group == "n":
                self._newline()
                return match.end()
            self._token(group, match)
        raise Unsure

    def _token(self, group: str, match: re.Match[str]) -> None:
        st = self.current
        if group == "bad":
            raise Unsure
        if group in ("k", "semi"):
            st.hard = True
            self.row += group == "k"
            return
        if group == "o":
            self.depth += 1
        elif group == "x":
            self.depth = max(0, self.depth - 1)
        value = match.group()
        st.add("t" if group in ("o", "x", "w") else group, value)
        if group == "s":
            self.row += value.count("\n")


def statements(lines: Sequence[str]) -> list[Statement | Tokenize]:
    """The statements of stripped `lines` (joined by newlines), in order; `Unsure` when the
    scan cannot vouch for its reading."""
    if not lines:
        raise Unsure
    return _Scanner(lines).run()

"""GitHub code scanning's `primaryLocationLineHash`, computed exactly as the codeql-action does.

A port of codeql-action `src/fingerprints.ts` (`hash()`): a rolling hash over the first BLOCK_SIZE
non-blank characters counted from the start of each line, with 64-bit two's-complement wraparound
(the `long` package's `Long`), printed as unsigned hex with a `:n` suffix counting earlier
identical hashes. Same input, same value: alerts keep their identity whoever fills it in.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from atlas_ci.model import CheckResult, Finding, Report
from atlas_ci.reporters.paths import repo_relative

BLOCK_SIZE = 100
MOD = 37
_MASK = (1 << 64) - 1
# Long.ONE multiplied by MOD BLOCK_SIZE times, wrapping like Long does.
_FIRST_MOD = pow(MOD, BLOCK_SIZE, 1 << 64)
_LF = 10
# The action appends charCode 65535 as an end-of-file marker before flushing with zeros.
_EOF = 65535
# Hashing is pure Python (a few tenths of a second per MB); bigger files fall back to a
# fingerprint-derived key.
MAX_FILE_BYTES = 4_000_000


def line_hashes(text: str, upto: int | None = None) -> dict[int, str]:
    """Line number (1-based) -> "hex:count", for each line (and the one after a final EOL).

    With `upto`, lines 1..upto only: a line's hash reads the BLOCK_SIZE characters from its
    start and its count the lines before it, so the rest of a long file need not be hashed.
    """
    # Hot loop (one pass per character): plain locals, no calls except once per line.
    mod, first_mod, mask, lf = MOD, _FIRST_MOD, _MASK, _LF
    window = [0] * BLOCK_SIZE
    # The line number starting at each window slot, or -1: mirrors the action's `lineNumbers`.
    starts = [-1] * BLOCK_SIZE
    out: dict[int, str] = {}
    seen: dict[str, int] = {}
    hash_, index, line, line_start = 0, 0, 0, True
    for code in _codes(text, upto):
        start = starts[index]
        if start != -1:
            # The window now holds BLOCK_SIZE characters from that line's start: its hash is final.
            _record(out, seen, start, hash_)
            if start == upto:
                break
            starts[index] = -1
        if line_start:
            line += 1
            starts[index] = line
        line_start = code == lf
        hash_ = (mod * hash_ + code - first_mod * window[index]) & mask
        window[index] = code
        index = (index + 1) % BLOCK_SIZE
    return out


def _record(out: dict[int, str], seen: dict[str, int], line: int, hash_: int) -> None:
    """Store one line's hash with the `:n` count of identical hashes emitted before it."""
    value = format(hash_, "x")
    seen[value] = seen.get(value, 0) + 1
    out[line] = f"{value}:{seen[value]}"


def _codes(text: str, upto: int | None = None) -> list[int]:
    """The character codes the action feeds its hash, end marker and zero flush included.

    Spaces and tabs do not count; CRLF counts as one LF and a lone CR as LF. A CRLF's LF is
    skipped only right after the CR (a space in between makes it a second line end), so CRLF
    must be folded before the blanks are dropped. The BLOCK_SIZE trailing zeros push every
    pending line start through the window, like the action's final loop.
    """
    folded = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    if upto is not None:
        # BLOCK_SIZE characters from line `upto`'s start are all its hash reads; the one after
        # them is where the loop records it.
        cut = _line_start(folded, upto) + BLOCK_SIZE + 1
        if cut < len(folded):
            return _utf16_units(folded[:cut])
    return [*_utf16_units(folded), _EOF, *([0] * BLOCK_SIZE)]


def _line_start(text: str, line: int) -> int:
    """The offset where 1-based `line` starts (len(text) when the text has fewer lines)."""
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset


def _utf16_units(text: str) -> list[int]:
    """The string as JavaScript sees it (`charCodeAt`): UTF-16 code units, astral chars as pairs."""
    if text.isascii():
        return list(text.encode("ascii"))
    # Native byte order so the array reads the units back as they were written.
    encoding = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
    return array("H", text.encode(encoding, errors="surrogatepass")).tolist()


def file_line_hashes(
    path: Path, max_bytes: int = MAX_FILE_BYTES, upto: int | None = None
) -> dict[int, str] | None:
    """Hashes of a file's lines, or None when it is missing, unreadable, a directory or too big.

    The action decodes with Node's `Buffer.toString()`: UTF-8, invalid bytes become U+FFFD and a
    byte-order mark is kept as a character; `errors="replace"` on plain "utf-8" does the same.
    """
    data = readable(path, max_bytes)
    return line_hashes(decoded(data), upto) if data is not None else None


def readable(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes | None:
    """The file's bytes, or None when it is missing, unreadable, a directory or too big."""
    try:
        if not path.is_file() or path.stat().st_size > max_bytes:
            return None
        return path.read_bytes()
    except OSError:
        return None


def decoded(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _unhashed(f: Finding, root: Path) -> str | None:
    """The repository path of a located finding still without a hash, else None."""
    if f.location is None or f.line_hash:
        return None
    return repo_relative(f.location.path, root)


def _line(f: Finding) -> int:
    return (f.location.start_line if f.location else None) or 1


def _needed(findings: Iterable[Finding], root: Path) -> dict[str, int]:
    """Each file to hash with the last line a finding in it needs."""
    needed: dict[str, int] = {}
    for f in findings:
        rel = _unhashed(f, root)
        if rel is not None:
            needed[rel] = max(needed.get(rel, 1), _line(f))
    return needed


class Remembered(Protocol):
    """Line hashes remembered by file content (linehash_memo.py)."""

    def hashes(self, path: Path, upto: int) -> Mapping[int, str] | None: ...

    def save(self) -> None: ...


def _file_hashes(
    root: Path, rel: str, upto: int, memo: Remembered | None = None
) -> Mapping[int, str] | None:
    """A file's line hashes up to line `upto`; None outside the root (`..`, a symlink)."""
    path = root / rel
    if not path.resolve().is_relative_to(root.resolve()):
        return None
    return memo.hashes(path, upto) if memo is not None else file_line_hashes(path, upto=upto)


def attach(report: Report, root: Path) -> Report:
    """The report with each located finding's `line_hash` filled in from the file in `root`.

    This is the one place the line hashes read source files, before any reporter runs: the
    SARIF reporter then renders from the Report alone. Each file is hashed at most once; a
    file outside the root (through `..` or a symlink), missing or too big gets no hash.
    """
    gates = tuple(
        g.model_copy(update={"checks": tuple(attach_results(g.checks, root))}) for g in report.gates
    )
    return report.model_copy(update={"gates": gates})


def attach_results(
    results: Sequence[CheckResult], root: Path, memo: Remembered | None = None
) -> list[CheckResult]:
    """`attach` for check results (a finding hashed already keeps its hash: results cached
    with their hashes are not read again); with `memo`, unchanged files' hashes are read from
    it and new ones are added to it."""
    findings = (f for c in results for f in c.findings)
    needed = _needed(findings, root).items()
    hashes = {rel: _file_hashes(root, rel, upto, memo) for rel, upto in needed}
    if memo is not None:
        memo.save()
    if not hashes:
        return list(results)

    def hashed(f: Finding) -> Finding:
        rel = _unhashed(f, root)
        found = hashes.get(rel) if rel is not None else None
        value = found.get(_line(f)) if found is not None else None
        return f.model_copy(update={"line_hash": value}) if value else f

    return [
        c.model_copy(update={"findings": tuple(hashed(f) for f in c.findings)}) for c in results
    ]

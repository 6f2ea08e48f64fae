"""GitHub code scanning's `primaryLocationLineHash`, computed exactly as the codeql-action does.

A port of codeql-action `src/fingerprints.ts` (`hash()`): a rolling hash over the first BLOCK_SIZE
non-blank characters counted from the start of each line, with 64-bit two's-complement wraparound
(the `long` package's `Long`), printed as unsigned hex with a `:n` suffix counting earlier
identical hashes. Same input, same value: alerts keep their identity whoever fills it in.
"""

from __future__ import annotations

from pathlib import Path

BLOCK_SIZE = 100
MOD = 37
_MASK = (1 << 64) - 1
# Long.ONE multiplied by MOD BLOCK_SIZE times, wrapping like Long does.
_FIRST_MOD = pow(MOD, BLOCK_SIZE, 1 << 64)
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13
# The action appends charCode 65535 as an end-of-file marker before flushing with zeros.
_EOF = 65535
# Hashing is pure Python (~1 s per few MB); bigger files fall back to a fingerprint-derived key.
MAX_FILE_BYTES = 4_000_000


def line_hashes(text: str) -> dict[int, str]:
    """Line number (1-based) -> "hex:count", for each line (and the one after a final EOL)."""
    window = [0] * BLOCK_SIZE
    # The line number starting at each window slot, or -1: mirrors the action's `lineNumbers`.
    starts = [-1] * BLOCK_SIZE
    out: dict[int, str] = {}
    seen: dict[str, int] = {}
    state = _State()

    def emit() -> None:
        value = format(state.hash, "x")
        seen[value] = seen.get(value, 0) + 1
        out[starts[state.index]] = f"{value}:{seen[value]}"
        starts[state.index] = -1

    def update(code: int) -> None:
        begin = window[state.index]
        window[state.index] = code
        state.hash = (MOD * state.hash + code - _FIRST_MOD * begin) & _MASK
        state.index = (state.index + 1) % BLOCK_SIZE

    for unit in (*_utf16_units(text), _EOF):
        # Spaces, tabs and the LF of a CRLF do not count; a lone CR counts as LF.
        if unit in (_SPACE, _TAB) or (state.prev_cr and unit == _LF):
            state.prev_cr = False
            continue
        state.prev_cr = unit == _CR
        code = _LF if state.prev_cr else unit
        if starts[state.index] != -1:
            emit()
        if state.line_start:
            state.line_start = False
            state.line += 1
            starts[state.index] = state.line
        if code == _LF:
            state.line_start = True
        update(code)
    for _ in range(BLOCK_SIZE):
        if starts[state.index] != -1:
            emit()
        update(0)
    return out


class _State:
    """The mutable cursor of one hashing pass (kept together so the closures can share it)."""

    __slots__ = ("hash", "index", "line", "line_start", "prev_cr")

    def __init__(self) -> None:
        self.hash = 0
        self.index = 0
        self.line = 0
        self.line_start = True
        self.prev_cr = False


def _utf16_units(text: str) -> list[int]:
    """The string as JavaScript sees it (`charCodeAt`): UTF-16 code units, astral chars as pairs."""
    if text.isascii():
        return [ord(c) for c in text]
    raw = text.encode("utf-16-be", errors="surrogatepass")
    return [(raw[i] << 8) | raw[i + 1] for i in range(0, len(raw), 2)]


def file_line_hashes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> dict[int, str] | None:
    """Hashes of a file's lines, or None when it is missing, unreadable, a directory or too big.

    The action decodes with Node's `Buffer.toString()`: UTF-8, invalid bytes become U+FFFD and a
    byte-order mark is kept as a character; `errors="replace"` on plain "utf-8" does the same.
    """
    try:
        if not path.is_file() or path.stat().st_size > max_bytes:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return line_hashes(data.decode("utf-8", errors="replace"))

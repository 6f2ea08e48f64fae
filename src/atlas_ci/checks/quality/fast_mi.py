"""radon's maintainability index in time proportional to the code, with radon's own numbers.

Why: `radon mi` spends its time in `radon.raw.analyze`, which finds each statement's extent by
re-tokenizing a growing buffer until tokenize stops complaining (`_get_all_tokens`): a statement
of n lines costs n tokenizations of up to n lines, O(n^2). A 4,000-line data literal took minutes
here while `radon cc` on the same file took a second.

What this does instead: tokenize the file's stripped lines once (radon analyzes `line.strip()` of
every `str.splitlines()` line, so there is no indentation to track), cut the token stream where
radon's loop would stop — a NEWLINE or NL token outside any bracket — and apply radon's counting
rules (comments, single-line comments and docstrings, multi-line strings, blank and source lines,
logical lines) to each statement's tokens. The Halstead volume and cyclomatic complexity come
from fast_cc's walk (radon's visitors' rules, checked against them) and the index formula is
radon's public API (`mi_compute`, `mi_rank`), so the index equals `radon mi`'s; tests compare
both on real code, including the data modules radon is slow on.

Run as `python -m atlas_ci.checks.quality.fast_mi [-e GLOBS] [-i DIRS] [--no-multi] PATH...`
(radon's options, found the way `radon mi` finds files); it prints radon mi's JSON (`{path:
{"mi": float, "rank": str} | {"error": str}}`), so the check reads it like any tool's machine
output, under the adapter kit's timeout and output cap. radon's own file discovery is not
imported: importing `radon.cli` reads the project's config files with configparser
interpolation, which a bare `%` in an unrelated `[tool.*]` string crashes.
"""

from __future__ import annotations

import ast
import fnmatch
import io
import itertools
import json
import os
import sys
import tokenize
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from atlas_ci.checks.quality import fast_raw

OPEN, CLOSE = "([{", ")]}"
IGNORED = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)
ENDS = (tokenize.ENDMARKER, tokenize.NL, tokenize.NEWLINE)


@dataclass(frozen=True)
class Raw:
    """The counts of `radon.raw.analyze` that the index uses, plus the rest for comparison."""

    loc: int
    lloc: int
    sloc: int
    comments: int
    multi: int
    blank: int
    single_comments: int


def _depth(tok: tokenize.TokenInfo, depth: int) -> int:
    if tok.type != tokenize.OP:
        return depth
    if tok.string in OPEN:
        return depth + 1
    return max(0, depth - 1) if tok.string in CLOSE else depth


def _statements(
    lines: Sequence[str],
) -> Iterator[tuple[list[tokenize.TokenInfo], list[str]]]:
    """(tokens, stripped lines) of each statement, in the extents radon's loop finds."""
    text = "\n".join(lines) + "\n"
    depth, start_row, current = 0, 1, []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.ENDMARKER:
                break
            current.append(tok)
            depth = _depth(tok, depth)
            if tok.type in (tokenize.NEWLINE, tokenize.NL) and depth == 0:
                end_row = tok.start[0]
                yield current, list(lines[start_row - 1 : end_row])
                start_row, current = end_row + 1, []
    except tokenize.TokenError as exc:
        raise SyntaxError(f"SyntaxError at line: {start_row}") from exc
    # Lines tokenize did not reach with a token of their own: radon sees each as a blank line.
    for row in range(start_row, len(lines) + 1):
        yield [], [lines[row - 1]]


def _single(kind: int, tokens: Sequence[tokenize.TokenInfo]) -> bool:
    return bool(tokens) and tokens[0].type == kind and all(t.type in ENDS for t in tokens[1:])


def _is_op(tok: tokenize.TokenInfo, text: str) -> bool:
    return tok.type == tokenize.OP and tok.string == text


def _logical_part(part: Sequence[tokenize.TokenInfo], last: bool) -> int:
    kept = [t for t in part if t.type not in IGNORED]
    # radon's token list ends with ENDMARKER; only the last `;`-part holds it.
    size = len(kept) + (1 if last else 0)
    colons = [j for j, t in enumerate(kept) if _is_op(t, ":")]
    if colons:
        return 2 - (colons[-1] == size - 2)
    return 1 if kept else 0


def _logical(tokens: Sequence[tokenize.TokenInfo]) -> int:
    """radon's logical-line rule: per `;`-separated part, 0 (nothing), 1, or 2 when a colon is
    followed by more code on the same statement (`if x: return`)."""
    parts: list[list[tokenize.TokenInfo]] = [[]]
    for tok in tokens:
        if _is_op(tok, ";"):
            parts.append([])
        else:
            parts[-1].append(tok)
    return sum(_logical_part(p, i == len(parts) - 1) for i, p in enumerate(parts))


def _lines(parsed: Sequence[str]) -> tuple[int, int]:
    """(non-empty, empty) lines."""
    full = sum(1 for line in parsed if line)
    return full, len(parsed) - full


def _kind(tokens: Sequence[tokenize.TokenInfo]) -> str:
    """radon's reading of a statement: a lone comment or one-line string, a multi-line string
    (a docstring), or code."""
    if _single(tokenize.COMMENT, tokens):
        return "single"
    if _single(tokenize.STRING, tokens):
        return "single" if tokens[0].start[0] == tokens[0].end[0] else "multi"
    return "code"


# fast_raw's statement kinds as radon's counting rules read them.
_KINDS = {"comment": "single", "string": "single", "docstring": "multi", "code": "code"}
_FIELDS = ("lloc", "comments", "single", "multi", "blank", "sloc")


def _count(counts: dict[str, int], comments: int, kind: str, parsed: Sequence[str]) -> None:
    """radon's per-statement rules: comments, single/multi-line strings, source and blanks."""
    counts["comments"] += comments
    full, empty = _lines(parsed)
    if kind == "single":
        counts["single"] += 1
    else:
        counts["multi" if kind == "multi" else "sloc"] += full
        counts["blank"] += empty


def _count_tokens(
    counts: dict[str, int], tokens: Sequence[tokenize.TokenInfo], parsed: Sequence[str]
) -> None:
    _count(counts, sum(1 for t in tokens if t.type == tokenize.COMMENT), _kind(tokens), parsed)
    counts["lloc"] += _logical(tokens)


def _raw(counts: dict[str, int]) -> Raw:
    loc = counts["sloc"] + counts["blank"] + counts["multi"] + counts["single"]
    return Raw(
        loc,
        counts["lloc"],
        counts["sloc"],
        counts["comments"],
        counts["multi"],
        counts["blank"],
        counts["single"],
    )


def analyze_tokens(source: str) -> Raw:
    """What `radon.raw.analyze(source)` returns, in one tokenize pass (the reference path)."""
    counts = dict.fromkeys(_FIELDS, 0)
    for tokens, parsed in _statements([line.strip() for line in source.splitlines()]):
        _count_tokens(counts, tokens, parsed)
    return _raw(counts)


def analyze(source: str) -> Raw:
    """What `radon.raw.analyze(source)` returns: fast_raw's scan, tokenize where it is unsure."""
    lines = [line.strip() for line in source.splitlines()]
    try:
        found = fast_raw.statements(lines)
    except fast_raw.Unsure:
        return analyze_tokens(source)
    counts = dict.fromkeys(_FIELDS, 0)
    for statement in found:
        parsed = lines[statement.start - 1 : statement.end]
        if isinstance(statement, fast_raw.Tokenize):
            for tokens, part in _statements(parsed):
                _count_tokens(counts, tokens, part)
        else:
            _count(counts, statement.comments, _KINDS[statement.kind], parsed)
            counts["lloc"] += statement.lloc
    return _raw(counts)


def mi(source: str, multi: bool = True) -> float:
    """`radon.metrics.mi_visit(source, multi)`, with the raw counts from `analyze` above and
    the complexity and Halstead volume from fast_cc's walk (both equal radon's)."""
    from atlas_ci.checks.quality import fast_cc

    found = fast_cc.analyse(ast.parse(source))
    return mi_of(source, found.total_complexity, found.halstead.volume, multi)


def mi_of(source: str, complexity: int, volume: float, multi: bool = True) -> float:
    """The index from a module's total complexity and Halstead volume (fast_cc's walk, shared
    with `radon cc`'s blocks in radon_pass, so each file is parsed and walked once)."""
    from radon.metrics import mi_compute

    raw = analyze(source)
    comment_lines = raw.comments + (raw.multi if multi else 0)
    comments = comment_lines / float(raw.sloc) * 100 if raw.sloc != 0 else 0
    return float(mi_compute(volume, complexity, raw.lloc, comments))


# Below this many files a process pool costs more than it saves.
PARALLEL_MIN = 16


def _one(name: str, multi: bool) -> dict[str, object]:
    from radon.metrics import mi_rank

    try:
        score = mi(Path(name).read_text(encoding="utf-8"), multi)
    except (SyntaxError, ValueError, OSError, UnicodeDecodeError) as exc:
        return {"error": str(exc)}
    return {"mi": score, "rank": mi_rank(score)}


def report(
    paths: Sequence[str], multi: bool = True, *, workers: int | None = None
) -> dict[str, dict[str, object]]:
    """Each file's index, in `paths` order; files are spread over a process pool when there
    are many (each file's number is computed alone, so the pool cannot change it)."""
    jobs = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if jobs <= 1 or len(paths) < PARALLEL_MIN:
        return {name: _one(name, multi) for name in paths}
    import concurrent.futures as cf  # only when there is a pool to start (it imports logging)

    chunk = max(1, len(paths) // (jobs * 4))
    with cf.ProcessPoolExecutor(max_workers=jobs) as pool:
        scores = list(pool.map(_one, paths, itertools.repeat(multi), chunksize=chunk))
    return dict(zip(paths, scores, strict=True))


def _python_file(path: str) -> bool:
    if path.endswith(".py"):
        return True
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            first = handle.readline()
    except OSError:
        return False
    return first.startswith("#!") and "python" in first


def _kept(names: Iterable[str], patterns: Sequence[str]) -> list[str]:
    return [n for n in names if all(not fnmatch.fnmatch(n, p) for p in patterns)]


def discover(paths: Sequence[str], exclude: Sequence[str], ignore: Sequence[str]) -> list[str]:
    """The files `radon mi PATH... -e EXCLUDE -i IGNORE` analyzes, in its order (radon's
    `iter_filenames`: hidden directories always ignored, exclude globs on normalized paths)."""
    ignored = [".*", *ignore]
    found: list[str] = []
    for path in paths:
        if not os.path.isdir(path):
            found += _kept([path], exclude)
            continue
        for top, dirs, files in os.walk(path):
            dirs[:] = _kept(dirs, ignored)
            full = [os.path.normpath(os.path.join(top, f)) for f in files]
            found += [
                f
                for f in _kept(full, exclude)
                if not os.path.basename(f).startswith(".") and _python_file(f)
            ]
    return found


def _split(value: str) -> list[str]:
    return [p for p in value.split(",") if p]


def options(argv: Sequence[str]) -> tuple[list[str], list[str], list[str], bool]:
    """(paths, exclude globs, ignored directories, multi) from radon's own options."""
    args = list(argv)
    multi = "--no-multi" not in args
    args = [a for a in args if a != "--no-multi"]
    exclude: list[str] = []
    ignore: list[str] = []
    paths: list[str] = []
    while args:
        arg = args.pop(0)
        if arg in ("-e", "-i") and args:
            (exclude if arg == "-e" else ignore).extend(_split(args.pop(0)))
        else:
            paths.append(arg)
    return paths, exclude, ignore, multi


def main(argv: Sequence[str]) -> int:
    paths, exclude, ignore, multi = options(argv)
    json.dump(report(discover(paths, exclude, ignore), multi), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

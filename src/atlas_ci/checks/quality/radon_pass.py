"""radon's cyclomatic complexity and maintainability index of every file, in one pass per file.

Why: `quality.complexity` used to start `radon cc` and the index (fast_mi) as two processes that
each read and parsed every file. Here each file is read and parsed once; one walk of that tree
(fast_cc, radon's visitors' rules) gives both the blocks `radon cc` lists (closures and inner
classes added like `radon cc --show-closures`, sorted like its default `-o SCORE`) and the total
complexity and Halstead volume the index uses; the raw counts come as in fast_mi. Files are
spread over a process pool, the biggest first.

Run as `python -m atlas_ci.checks.quality.radon_pass [-e GLOBS] [-i DIRS] [--no-multi]
[--memo DIR] PATH...` (radon's options, files found like `radon cc`/`radon mi` find them; with
`--memo` a file whose content was measured before is read from DIR: radon_memo.py); it prints
`{"cc": <what radon cc -j -n A -x F --show-closures prints>, "mi": <what radon mi -j prints>}`.
radon's CLI modules are not imported: `radon.cli` reads the project's config files with
configparser interpolation, which a bare `%` in an unrelated `[tool.*]` string crashes.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from radon.complexity import SCORE, add_inner_blocks, cc_rank, sorted_results
from radon.metrics import mi_rank
from radon.visitors import Function

from atlas_ci.checks.quality import fast_cc, fast_mi, radon_memo

# Below this many files a process pool costs more than it saves.
PARALLEL_MIN = 16
# The fields `radon cc -j` writes for a block (radon.cli.tools.cc_to_dict).
_FIELDS = tuple(f for f in Function._fields if f not in ("is_method", "closures"))

Entry = dict[str, Any]


def cc_to_dict(block: Any) -> Entry:
    """One block as `radon cc -j` writes it (radon.cli.tools.cc_to_dict)."""
    kind = "class"
    if isinstance(block, Function):
        kind = "method" if block.is_method else "function"
    out: Entry = {"type": kind, "rank": cc_rank(block.complexity)}
    for name in _FIELDS:
        value = getattr(block, name, None)
        if value is not None:
            out[name] = value
    for key in ("methods", "closures"):
        if hasattr(block, key):
            out[key] = [cc_to_dict(b) for b in getattr(block, key)]
    return out


def _error(exc: BaseException) -> Entry:
    return {"error": str(exc)}


Pair = tuple[list[Entry] | Entry, Entry]
# (digest of the bytes read, or None when the file could not be read; the file's two entries)
Measured = tuple[str | None, list[Entry] | Entry, Entry]


def _entries(source: str, multi: bool) -> Pair:
    try:
        found = fast_cc.analyse(ast.parse(source))
        blocks = [cc_to_dict(b) for b in sorted_results(add_inner_blocks(found.blocks), SCORE)]
    except Exception as exc:  # radon's own rule: the file's error, not a crash
        return _error(exc), _error(exc)
    try:
        score = fast_mi.mi_of(source, found.total_complexity, found.halstead.volume, multi)
    except Exception as exc:  # as above, for the index alone
        return blocks, _error(exc)
    return blocks, {"mi": score, "rank": mi_rank(score)}


def measure(name: str, multi: bool = True) -> Measured:
    """The file's digest and (`radon cc` entry, `radon mi` entry); a failure is that file's
    error entry, as radon reports it (radon turns any exception into the file's error)."""
    try:
        data = Path(name).read_bytes()
        # Decoded as radon reads a file: UTF-8, universal newlines.
        source = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
    except (OSError, UnicodeDecodeError) as exc:
        return None, _error(exc), _error(exc)
    return hashlib.sha256(data).hexdigest(), *_entries(source, multi)


def _size(name: str) -> int:
    try:
        return os.stat(name).st_size
    except OSError:
        return 0


def _measure_all(paths: Sequence[str], multi: bool, jobs: int) -> list[Measured]:
    """Each file measured alone (so the pool cannot change a number), in `paths` order; many
    files go to a process pool, biggest first so one large module does not finish last alone."""
    if jobs <= 1 or len(paths) < PARALLEL_MIN:
        return [measure(n, multi) for n in paths]
    import concurrent.futures as cf  # only when there is a pool to start

    order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
    with cf.ProcessPoolExecutor(max_workers=jobs) as pool:
        done = pool.map(measure, [paths[i] for i in order], [multi] * len(order))
        by_index = dict(zip(order, done, strict=True))
    return [by_index[i] for i in range(len(paths))]


def results(
    paths: Sequence[str],
    multi: bool = True,
    *,
    workers: int | None = None,
    memo: radon_memo.Memo | None = None,
) -> list[Pair]:
    """Each file's entries, in `paths` order: from the memo for content measured before, the
    rest measured now (and remembered, unless it is a file's error)."""
    jobs = workers if workers is not None else min(os.cpu_count() or 1, 4)
    pairs = _recalled(paths, memo) if memo is not None else {}
    todo = [i for i in range(len(paths)) if i not in pairs]
    measured = _measure_all([paths[i] for i in todo], multi, jobs)
    pairs.update((i, (blocks, index)) for i, (_, blocks, index) in zip(todo, measured, strict=True))
    if memo is not None:
        memo.put_all(_worth_keeping(measured))
    return [pairs[i] for i in range(len(paths))]


def _worth_keeping(measured: Sequence[Measured]) -> dict[str, Pair]:
    """What the memo keeps: every file read and measured, not a file's error (which may be
    the moment's: a file being written)."""
    return {
        digest: (blocks, index)
        for digest, blocks, index in measured
        if digest is not None and "error" not in blocks and "error" not in index
    }


def _recalled(paths: Sequence[str], memo: radon_memo.Memo) -> dict[int, Pair]:
    """The memo's entries for the files (by index) whose content it holds."""
    found: dict[int, Pair] = {}
    for i, name in enumerate(paths):
        digest = radon_memo.digest_of(name)
        hit = memo.get(digest) if digest else None
        if hit is not None:
            found[i] = hit
    return found


def report(
    paths: Sequence[str],
    multi: bool = True,
    *,
    workers: int | None = None,
    memo: radon_memo.Memo | None = None,
) -> Entry:
    """`{"cc": ..., "mi": ...}` as radon's two commands print them."""
    cc: Entry = {}
    mi: Entry = {}
    found = results(paths, multi, workers=workers, memo=memo)
    for name, (blocks, index) in zip(paths, found, strict=True):
        # `radon cc` leaves out a file with no block at all.
        if blocks:
            cc[name] = blocks
        mi[name] = index
    return {"cc": cc, "mi": mi}


def _memo_option(argv: Sequence[str]) -> tuple[list[str], Path | None]:
    args = list(argv)
    if "--memo" in args:
        at = args.index("--memo")
        if at + 1 < len(args):
            folder = Path(args[at + 1])
            del args[at : at + 2]
            return args, folder
    return args, None


def main(argv: Sequence[str]) -> int:
    # A parsed module is a tree without cycles: reference counting frees it, and the cyclic
    # collector would only rescan the nodes as they are made (a third of the parse time here).
    # The forked workers inherit this.
    gc.disable()
    args, folder = _memo_option(argv)
    paths, exclude, ignore, multi = fast_mi.options(args)
    memo = radon_memo.Memo(folder, multi) if folder is not None else None
    found = report(fast_mi.discover(paths, exclude, ignore), multi, memo=memo)
    # One write: json.dump would write each of its ~100k pieces to stdout on its own.
    sys.stdout.write(json.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

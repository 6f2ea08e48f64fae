"""The files quality.complexity names to radon: the file set's, chosen the way radon walks a tree.

radon analyzes each file named on its command line; walking a directory itself it skips hidden
directories and files and keeps `.py` files plus scripts whose first line is a python `#!`
(radon/cli/tools.py: `iter_filenames`, `explore_directories`, `_is_python_file`). Notebooks are
left out as radon leaves them out without `--include-ipynb`. The same rules applied to the file
set keep radon's blocks what `radon cc <paths>` reports, minus atlas-ci's `exclude`.
"""

from __future__ import annotations

from pathlib import Path

from atlas_ci.checks import sources
from atlas_ci.checks.base import ProjectInfo


def select(project: ProjectInfo, timeout: float) -> list[str]:
    return [
        name
        for name in sources.listed(project, timeout)
        if not sources.hidden_below(name, project.paths) and python_source(project.root / name)
    ]


def python_source(path: Path) -> bool:
    if path.suffix == ".py":
        return True
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            first = handle.readline(4096)
    except OSError:
        return False
    return first.startswith("#!") and "python" in first

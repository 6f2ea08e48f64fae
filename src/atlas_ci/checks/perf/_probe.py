"""pytest plugin for the perf gate: which modules did this side import from the head's tree?

Loaded into the base side's pytest (as `_atlas_ci_probe`, a copy of this file, importing nothing
from atlas_ci). An editable install of the project points the interpreter at the head's tree, so
without `pythonpath` the base side would quietly benchmark the head's code and every comparison
would pass. At the end of the session the modules whose file lies under $ATLAS_CI_PROBE_ROOT (but
not under the interpreter's own prefix, nor under $ATLAS_CI_PROBE_SELF: the side's own tree and
the plugins' directory, os.pathsep-separated) are
written to $ATLAS_CI_PROBE_OUT as {module: file}.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    out, root = os.environ.get("ATLAS_CI_PROBE_OUT"), os.environ.get("ATLAS_CI_PROBE_ROOT")
    if not out or not root:
        return
    forbidden = [Path(root).resolve()]
    allowed = [Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    own = os.environ.get("ATLAS_CI_PROBE_SELF", "")
    allowed += [Path(p).resolve() for p in own.split(os.pathsep) if p]
    hits = {}
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str):
            continue
        path = Path(file).resolve()
        if _inside(path, forbidden) and not _inside(path, allowed):
            hits[name] = str(path)
    Path(out).write_text(json.dumps(hits), encoding="utf-8")

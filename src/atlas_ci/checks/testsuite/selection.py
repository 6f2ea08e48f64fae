"""Which tests a category runs: the collection roots and the selection plugin's arguments."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from atlas_ci.checks.testsuite.settings import CategorySettings

PLUGIN_DIR = Path(__file__).parent / "pytest_plugin"
PLUGIN = "atlas_ci_select"


def normalize(path: str) -> str:
    """A config path as the plugin compares it: POSIX, relative, no './', '' for the root itself."""
    clean = PurePosixPath(path.replace(os.sep, "/")).as_posix().strip("/")
    return "" if clean == "." else clean


def collection_roots(root: Path, categories: Mapping[str, CategorySettings]) -> list[str]:
    """Every category's existing paths, nested ones dropped: marked tests may be under any of them.

    Empty when no path exists or one is the root itself: pytest then collects from its own
    `testpaths` (or the rootdir), which a plain `pytest` in the repository would also do.
    """
    found: list[str] = []
    for spec in categories.values():
        for raw in spec.paths:
            path = normalize(raw)
            if path not in found and (root / path).exists():
                found.append(path)
    if "" in found:
        return []
    return [p for p in found if not any(p.startswith(q + "/") for q in found if q != p)]


def spec(root: Path, categories: Mapping[str, CategorySettings]) -> dict[str, object]:
    """What the plugin needs to sort tests: the root and every category's paths and marker."""
    return {
        "root": str(root.resolve()),
        "categories": {
            n: {"paths": [normalize(p) for p in s.paths], "marker": s.marker}
            for n, s in categories.items()
        },
    }


def plugin_args(category: str, root: Path, categories: Mapping[str, CategorySettings]) -> list[str]:
    """`-p atlas_ci_select --atlas-ci-select=<spec>`: the plugin drops other categories' tests."""
    data = {**spec(root, categories), "category": category}
    return ["-p", PLUGIN, f"--atlas-ci-select={json.dumps(data, separators=(',', ':'))}"]


def collect_args(root: Path, categories: Mapping[str, CategorySettings], out: Path) -> list[str]:
    """`-p atlas_ci_select --atlas-ci-collect=<spec>`: the plugin writes each test's categories."""
    data = {**spec(root, categories), "out": str(out)}
    return ["-p", PLUGIN, f"--atlas-ci-collect={json.dumps(data, separators=(',', ':'))}"]


def plugin_env() -> dict[str, str]:
    """PYTHONPATH with the plugin's directory first, keeping whatever the caller had."""
    current = os.environ.get("PYTHONPATH", "")
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(PLUGIN_DIR), current) if p)}

"""The result cache on a fixture: cold, warm (all cached), one file changed (re-run, equal)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.cli import atlas_ci

GOOD = "def add(a: int, b: int) -> int:\n    return a + b\n"


def checks(root: Path) -> dict[str, dict[str, object]]:
    rep = json.loads((root / "reports" / "atlas-ci.json").read_text())
    return {c["check"]: c for g in rep["gates"] for c in g["checks"]}


def comparable(check: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in check.items() if k not in ("duration", "cached")}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text(GOOD)
    (tmp_path / "src" / "pkg" / "b.py").write_text("import os\n\n\n" + GOOD.replace("add", "sub"))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def test_warm_runs_are_cached_and_a_changed_file_reruns_with_equal_findings(repo: Path) -> None:
    cold = atlas_ci("gate", "quality", "-q", cwd=repo)
    assert cold.returncode == 1, cold.stderr  # the unused import in b.py
    first = checks(repo)
    assert not any(c["cached"] for c in first.values())

    warm = atlas_ci("gate", "quality", "-q", cwd=repo)
    assert warm.returncode == 1
    second = checks(repo)
    assert all(c["cached"] for c in second.values()), {k: c["cached"] for k, c in second.items()}
    assert {k: comparable(c) for k, c in second.items()} == {
        k: comparable(c) for k, c in first.items()
    }

    (repo / "src" / "pkg" / "b.py").write_text("import os\nimport sys\n\n\n" + GOOD)
    changed = atlas_ci("gate", "quality", "-q", cwd=repo)
    third = checks(repo)
    assert not any(c["cached"] for c in third.values())
    fresh = atlas_ci("gate", "quality", "-q", "--no-cache", cwd=repo)
    assert changed.returncode == fresh.returncode == 1
    assert {k: comparable(c) for k, c in checks(repo).items()} == {
        k: comparable(c) for k, c in third.items()
    }
    lint = third["quality.lint"]["findings"]
    assert sorted(f["rule_id"] for f in lint) == ["F401", "F401"]  # type: ignore[index]


def test_no_cache_neither_reads_nor_writes(repo: Path) -> None:
    # quality.complexity's per-file memo included: --no-cache computes every number afresh.
    atlas_ci(
        "gate", "quality", "--only", "lint", "--only", "complexity", "-q", "--no-cache", cwd=repo
    )
    assert checks(repo)["quality.complexity"]["status"] == "passed"
    assert not (repo / ".atlas-ci" / "cache").exists()
    atlas_ci("gate", "quality", "--only", "lint", "--only", "complexity", "-q", cwd=repo)
    # Without --no-cache: the per-file memos (radon's numbers, the lint finding's line hashes).
    assert list((repo / ".atlas-ci" / "cache" / "radon-memo").glob("*/*.json"))
    assert list((repo / ".atlas-ci" / "cache" / "linehash").glob("*/*.json"))

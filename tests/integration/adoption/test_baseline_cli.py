"""Baseline and ratchet through the real CLI: adopt a repo with findings, then tighten it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers.cli import atlas_ci

# Sorted, so that the only findings are the ten unused imports (F401), not the import order.
MODULES = ["glob", "json", "math", "os", "random", "re", "shutil", "string", "sys", "time"]
BODY = "\n\ndef add(a: int, b: int) -> int:\n    return a + b\n"


def lint_findings(root: Path) -> list[dict[str, object]]:
    rep = json.loads((root / "reports" / "atlas-ci.json").read_text())
    (lint,) = [c for g in rep["gates"] for c in g["checks"] if c["check"] == "quality.lint"]
    return lint["findings"]  # type: ignore[no-any-return]


def test_ten_findings_baselined_then_a_new_one_moved_lines_and_a_stale_entry(
    tmp_path: Path,
) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    module = tmp_path / "src" / "pkg" / "__init__.py"
    imports = "".join(f"import {m}\n" for m in MODULES)
    module.write_text(imports + BODY)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    args = ("gate", "quality", "--only", "lint", "-q", "--no-cache")

    assert atlas_ci(*args, cwd=tmp_path).returncode == 1  # ten F401 findings
    res = atlas_ci("baseline", "update", "quality", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    saved = json.loads((tmp_path / ".atlas-ci" / "baseline.json").read_text())
    assert len(saved["checks"]["quality.lint"]["findings"]) == 10

    assert atlas_ci(*args, cwd=tmp_path).returncode == 0
    assert all(f["baselined"] for f in lint_findings(tmp_path))

    # Lines inserted above every finding: still the same ten, still baselined.
    module.write_text('"""Docs."""\n\n# moved\n' + imports + BODY)
    assert atlas_ci(*args, cwd=tmp_path).returncode == 0

    # One new finding fails, and it is the only blocking one.
    module.write_text("".join(f"import {m}\n" for m in sorted([*MODULES, "pathlib"])) + BODY)
    assert atlas_ci(*args, cwd=tmp_path).returncode == 1
    blocking = [f for f in lint_findings(tmp_path) if f["blocking"]]
    assert [f["message"] for f in blocking] == ["`pathlib` imported but unused"]

    # A fixed finding leaves a stale entry, reported; --prune tightens the file.
    module.write_text("".join(f"import {m}\n" for m in MODULES[1:]) + BODY)
    assert atlas_ci(*args, cwd=tmp_path).returncode == 0
    reason = json.loads((tmp_path / "reports" / "atlas-ci.json").read_text())["gates"][0]["checks"][
        0
    ]["reason"]
    assert "1 stale baseline entry" in reason
    atlas_ci("baseline", "update", "quality", "--prune", cwd=tmp_path)
    saved = json.loads((tmp_path / ".atlas-ci" / "baseline.json").read_text())
    assert len(saved["checks"]["quality.lint"]["findings"]) == 9


def test_coverage_one_point_below_its_baseline_fails(tmp_path: Path) -> None:
    (tmp_path / "calc").mkdir()
    (tmp_path / "tests").mkdir()
    code = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    (tmp_path / "calc" / "__init__.py").write_text(code)
    (tmp_path / "tests" / "test_calc.py").write_text(
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
    )
    (tmp_path / "atlas-ci.toml").write_text(
        '[project]\npaths = ["calc"]\n[gates.tests.coverage]\nmin = 10\n'
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert atlas_ci("baseline", "update", "tests", cwd=tmp_path).returncode == 0
    saved = json.loads((tmp_path / ".atlas-ci" / "baseline.json").read_text())
    floor = saved["checks"]["tests.coverage"]["metrics"]["coverage"]["value"]
    assert atlas_ci("gate", "tests", "-q", cwd=tmp_path).returncode == 0
    # More uncovered code: coverage falls by more than a point, still far above `min`.
    (tmp_path / "calc" / "__init__.py").write_text(code + "\n\ndef mul(a, b):\n    return a * b\n")
    res = atlas_ci("gate", "tests", "-q", cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    rep = json.loads((tmp_path / "reports" / "atlas-ci.json").read_text())
    cov = next(c for g in rep["gates"] for c in g["checks"] if c["check"] == "tests.coverage")
    value = next(m["value"] for m in cov["metrics"] if m["name"] == "coverage")
    assert value <= floor - 1
    assert "worse than its baseline" in cov["reason"]

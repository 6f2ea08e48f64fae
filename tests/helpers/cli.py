"""Run the real `atlas-ci` as a subprocess, the way users and CI do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def atlas_ci(
    *args: str, cwd: Path, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None) if not (env and "GITHUB_ACTIONS" in env) else None
    return subprocess.run(
        [sys.executable, "-m", "atlas_ci", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )


def report(root: Path, name: str = "reports") -> dict[str, Any]:
    return json.loads((root / name / "atlas-ci.json").read_text())


def checks(rep: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["check"]: c for g in rep["gates"] for c in g["checks"]}


def write_config(root: Path, text: str) -> Path:
    path = root / "atlas-ci.toml"
    path.write_text(text)
    return path

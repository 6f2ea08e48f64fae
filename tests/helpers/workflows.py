"""Load GitHub workflow and action YAML the way the runner reads it (`on:` stays a string)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
WORKFLOW_NAMES = (
    "ci.yml",
    "reliability-testing.yml",
    "deployment.yml",
    "smoke-test.yml",
    "bulletproof-ci.yml",
)
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    # YAML 1.1 reads the key `on` as the boolean true; GitHub reads it as "on".
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(job id, step) for every step of a workflow, or ("action", step) for a composite action."""
    if "runs" in doc:
        for step in doc["runs"]["steps"]:
            yield "action", step
        return
    for job_id, job in doc["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def run_text(doc: dict[str, Any]) -> str:
    return "\n".join(str(s.get("run", "")) for _, s in steps(doc))

"""Security findings reach code scanning: security-severity and tags in SARIF GitHub accepts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers.cli import REPO, SHARED_SCHEMA, atlas_ci

FIXTURES = REPO / "tests" / "fixtures" / "security"


def test_security_sarif_carries_severity_and_tags_and_validates(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "bandit_repo", root)
    shutil.copytree(FIXTURES / "workflows_repo" / ".github", root / ".github")
    res = atlas_ci("gate", "security", "--only", "bandit", "--only", "workflows", cwd=root)
    assert res.returncode == 1, res.stdout + res.stderr
    sarif = json.loads((root / "reports" / "atlas-ci.sarif").read_text())
    runs = {run["automationDetails"]["id"]: run for run in sarif["runs"]}
    assert set(runs) == {"atlas-ci/security.bandit/", "atlas-ci/security.workflows/"}
    for run in runs.values():
        assert run["results"], run["automationDetails"]["id"]
        rules = run["tool"]["driver"]["rules"]
        for rule in rules:
            score = rule["properties"]["security-severity"]
            assert isinstance(score, str)
            assert 0.0 <= float(score) <= 10.0
            assert "security" in rule["properties"]["tags"]
            assert rule["help"]["text"]
    bandit_tags = {
        t
        for r in runs["atlas-ci/security.bandit/"]["tool"]["driver"]["rules"]
        for t in r["properties"]["tags"]
    }
    assert any(t.startswith("CWE-") for t in bandit_tags)
    if not SHARED_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SHARED_SCHEMA} (../shared is absent)")
    import jsonschema

    schema = json.loads(SHARED_SCHEMA.read_text())
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(sarif))
    assert errors == []

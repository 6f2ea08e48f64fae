"""What a run leaves behind: SARIF for code scanning, JSON per check, summary, Actions output."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import REPO, SHARED_SCHEMA, atlas_ci, checks, report

from atlas_ci import console
from atlas_ci.model import CheckResult, Status

DIRTY = REPO / "tests" / "fixtures" / "quality" / "dirty"


@pytest.fixture(scope="module")
def dirty_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = tmp_path_factory.mktemp("dirty") / "repo"
    shutil.copytree(DIRTY, root)
    summary = root.parent / "step-summary.md"
    res = atlas_ci(
        "gate",
        "quality",
        cwd=root,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    return root, res


def _sarif(root: Path) -> dict[str, Any]:
    return json.loads((root / "reports" / "atlas-ci.sarif").read_text())


def test_sarif_validates_against_the_official_schema(dirty_run: tuple[Path, Any]) -> None:
    if not SHARED_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SHARED_SCHEMA} (../shared is absent)")
    import jsonschema

    schema = json.loads(SHARED_SCHEMA.read_text())
    validator_cls = jsonschema.validators.validator_for(schema)
    errors = list(validator_cls(schema).iter_errors(_sarif(dirty_run[0])))
    assert errors == []


def test_sarif_results_are_relative_located_and_hashed(dirty_run: tuple[Path, Any]) -> None:
    root, res = dirty_run
    assert res.returncode == 1, res.stdout + res.stderr
    sarif = _sarif(root)
    ids = [run["automationDetails"]["id"] for run in sarif["runs"]]
    assert len(ids) == len(set(ids))
    total = 0
    for run in sarif["runs"]:
        for result in run["results"]:
            total += 1
            loc = result["locations"][0]["physicalLocation"]
            uri = loc["artifactLocation"]["uri"]
            assert not uri.startswith(("/", "file:")), uri
            assert ".." not in uri.split("/")
            assert loc["region"]["startLine"] >= 1
            assert result["partialFingerprints"]["primaryLocationLineHash"]
    reported = sum(len(c["findings"]) for c in checks(report(root)).values())
    assert total == reported > 0


def test_a_passing_tool_keeps_its_run(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ok.py").write_text('"""Fine."""\n\nX = 1\n')
    res = atlas_ci("gate", "quality", "--only", "lint", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    runs = _sarif(tmp_path)["runs"]
    assert [r["automationDetails"]["id"] for r in runs] == ["atlas-ci/quality.lint/"]
    assert runs[0]["results"] == []


def test_json_report_carries_the_contract_fields(dirty_run: tuple[Path, Any]) -> None:
    rep = report(dirty_run[0])
    for key in ("schema_version", "tool_version", "commit", "config_digest", "status", "gates"):
        assert key in rep
    for check in checks(rep).values():
        for key in ("status", "reason", "duration", "tool", "tool_version", "findings", "metrics"):
            assert key in check
        assert check["tool_version"], check["check"]


def test_github_actions_annotations_and_step_summary(dirty_run: tuple[Path, Any]) -> None:
    root, res = dirty_run
    assert "::error file=" in res.stdout or "::warning file=" in res.stdout
    summary = (root.parent / "step-summary.md").read_text()
    assert "quality.lint" in summary
    assert summary == (root / "reports" / "summary.md").read_text() + "\n"


def test_plain_console_without_a_terminal(dirty_run: tuple[Path, Any]) -> None:
    _, res = dirty_run
    assert "\x1b[" not in res.stdout
    assert "quality.types" in res.stdout
    assert "wrote reports/atlas-ci.sarif" in res.stdout


def test_live_progress_on_a_terminal_shows_running_checks() -> None:
    buffer = io.StringIO()
    con = console.Console(file=buffer, force_terminal=True, width=100)
    progress = console.Progress(con, total=2)
    progress.started("quality.lint")
    rendered = io.StringIO()
    console.Console(file=rendered, width=100).print(progress._render())
    assert "running quality.lint" in rendered.getvalue()
    assert "0/2 done" in rendered.getvalue()
    progress.finished(CheckResult(check="quality.lint", gate="quality", status=Status.PASSED))
    assert "quality.lint" in buffer.getvalue()
    assert progress.running == {}

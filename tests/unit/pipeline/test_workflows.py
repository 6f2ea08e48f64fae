"""The five workflows and the composite action say what the pipeline design and issue 14 ask."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from helpers.workflows import REPO, SHA_PIN, WORKFLOW_NAMES, WORKFLOWS, load, run_text, steps

ACTION = REPO / "action.yml"
# Artifact name prefix -> retention days, as the pipeline design sets them (CI_CONFIGURATION.md).
RETENTION = {
    "security-": 90,
    "deploy-": 90,
    "tests-": 14,
    "quality-": 14,
    "smoke-": 14,
    "perf-": 30,
    "reliability-": 30,
}


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return {name: load(WORKFLOWS / name) for name in WORKFLOW_NAMES}


def test_exactly_the_five_workflows_exist() -> None:
    assert sorted(p.name for p in WORKFLOWS.glob("*.y*ml")) == sorted(WORKFLOW_NAMES)


def _cron(doc: dict[str, Any]) -> list[str]:
    return [s["cron"] for s in doc["on"].get("schedule", [])]


def test_ci_triggers(docs: dict[str, dict[str, Any]]) -> None:
    on = docs["ci.yml"]["on"]
    assert on["push"] == {"branches": ["main", "develop"]}
    assert on["pull_request"] == {"branches": ["main"]}
    assert _cron(docs["ci.yml"]) == ["0 2 * * *"]
    assert "workflow_dispatch" in on


def test_reliability_triggers(docs: dict[str, dict[str, Any]]) -> None:
    on = docs["reliability-testing.yml"]["on"]
    assert on["push"] == {"branches": ["main", "develop"]}
    assert on["pull_request"] == {"branches": ["main"]}
    assert _cron(docs["reliability-testing.yml"]) == ["0 */6 * * *"]
    assert "workflow_dispatch" in on


def test_deployment_triggers_tags_and_environment_choice(docs: dict[str, dict[str, Any]]) -> None:
    on = docs["deployment.yml"]["on"]
    assert on["push"] == {"tags": ["v*"]}
    env_input = on["workflow_dispatch"]["inputs"]["environment"]
    assert env_input["type"] == "choice"
    assert env_input["options"] == ["staging", "production"]
    # The bundle job runs inside the chosen GitHub environment (its protection rules apply).
    assert "inputs.environment" in docs["deployment.yml"]["jobs"]["guide"]["environment"]


def test_smoke_and_bulletproof_triggers(docs: dict[str, dict[str, Any]]) -> None:
    smoke = docs["smoke-test.yml"]
    assert _cron(smoke) == ["*/30 * * * *"]
    assert set(smoke["on"]) == {"schedule", "workflow_dispatch"}
    assert set(docs["bulletproof-ci.yml"]["on"]) == {"pull_request"}


def _supported_pythons() -> list[str]:
    """Every minor version from requires-python's floor to the newest released (3.14)."""
    spec = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    floor = re.fullmatch(r">=3\.(\d+)", spec)
    assert floor, spec
    return [f"3.{m}" for m in range(int(floor.group(1)), 15)]


def test_ci_matrix_is_os_by_python_by_category(docs: dict[str, dict[str, Any]]) -> None:
    from conftest import CATEGORIES

    matrix = docs["ci.yml"]["jobs"]["tests"]["strategy"]["matrix"]
    assert matrix["os"] == ["ubuntu-latest", "ubuntu-22.04"]
    assert matrix["python"] == _supported_pythons()
    assert matrix["category"] == list(CATEGORIES)
    assert docs["ci.yml"]["jobs"]["tests"]["runs-on"] == "${{ matrix.os }}"


def test_ci_jobs_cover_the_design(docs: dict[str, dict[str, Any]]) -> None:
    jobs = docs["ci.yml"]["jobs"]
    assert set(jobs) >= {
        "security",
        "dependencies",
        "tests",
        "merge",
        "quality",
        "perf",
        "production-check",
    }
    uses = [s.get("uses", "") for _, s in steps({"jobs": {"security": jobs["security"]}})]
    assert any(u.startswith("github/codeql-action/init@") for u in uses)
    assert any(u.startswith("github/codeql-action/analyze@") for u in uses)
    sec_init = next(
        s for _, s in steps(docs["ci.yml"]) if "codeql-action/init" in s.get("uses", "")
    )
    assert sec_init["with"]["languages"] == "python"
    assert "atlas-ci gate security" in _job_runs(jobs["security"])
    assert "security.dependencies" in _job_runs(jobs["dependencies"])
    assert "security.safety" in _job_runs(jobs["dependencies"])
    assert "atlas-ci report merge" in _job_runs(jobs["merge"])
    assert jobs["merge"]["needs"] == ["tests"]
    assert "gate perf --base" in _job_runs(jobs["perf"])
    assert "atlas-ci deploy-check --from" in _job_runs(jobs["production-check"])
    assert set(jobs["production-check"]["needs"]) >= {"security", "merge", "quality", "perf"}


def _job_runs(job: dict[str, Any]) -> str:
    return run_text({"jobs": {"j": job}})


def test_other_workflows_call_the_designed_commands(docs: dict[str, dict[str, Any]]) -> None:
    rel = docs["reliability-testing.yml"]["jobs"]
    assert rel["reliability"]["strategy"]["matrix"]["check"] == ["endurance", "load", "recovery"]
    assert "atlas-ci gate reliability" in _job_runs(rel["reliability"])
    assert "atlas-ci report merge" in _job_runs(rel["summary"])
    assert rel["summary"]["needs"] == ["reliability"]
    dep = docs["deployment.yml"]["jobs"]
    assert list(dep) == ["validate", "build", "scan", "guide", "summary"]
    assert "--bundle" in _job_runs(dep["guide"])
    assert "atlas-ci smoke --url" in run_text(docs["smoke-test.yml"])
    assert "vars.SMOKE_URL" in str(docs["smoke-test.yml"]["jobs"]["smoke"]["env"])
    assert "tests.reliability" in run_text(docs["bulletproof-ci.yml"])


def _all_docs(docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {**docs, "action.yml": load(ACTION)}


def test_every_artifact_has_its_kinds_retention(docs: dict[str, dict[str, Any]]) -> None:
    seen = 0
    for name, doc in docs.items():
        for job, step in steps(doc):
            if not step.get("uses", "").startswith("actions/upload-artifact@"):
                continue
            artifact = step["with"]["name"]
            prefix = next((p for p in RETENTION if artifact.startswith(p)), None)
            assert prefix, f"{name}:{job}: artifact {artifact!r} is of no known kind"
            assert step["with"]["retention-days"] == RETENTION[prefix], (name, job, artifact)
            seen += 1
    assert seen == 14  # every upload in the five workflows was checked


def test_quality_job_names_the_action_artifact_and_retention(
    docs: dict[str, dict[str, Any]],
) -> None:
    step = next(s for _, s in steps(docs["ci.yml"]) if s.get("uses") == "./")
    assert step["with"]["artifact-name"].startswith("quality-")
    assert int(step["with"]["retention-days"]) == RETENTION["quality-"]


def test_every_action_is_pinned_to_one_sha_with_its_release(
    docs: dict[str, dict[str, Any]],
) -> None:
    pins: dict[str, set[str]] = {}
    for name, doc in _all_docs(docs).items():
        for _, step in steps(doc):
            uses = step.get("uses")
            if uses is None or uses == "./":
                continue
            assert SHA_PIN.match(uses), f"{name}: {uses} is not pinned to a commit"
            repo, sha = uses.split("@")
            pins.setdefault(repo.split("/")[0] + "/" + repo.split("/")[1], set()).add(sha)
    assert all(len(shas) == 1 for shas in pins.values()), pins
    for path in [*(WORKFLOWS / n for n in WORKFLOW_NAMES), ACTION]:
        for line in path.read_text().splitlines():
            if re.search(r"uses: [^.].*@[0-9a-f]{40}", line):
                assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{path.name}: {line.strip()}"


def test_permissions_are_least_privilege(docs: dict[str, dict[str, Any]]) -> None:
    for name, doc in docs.items():
        assert doc["permissions"] == {}, name
        for job_id, job in doc["jobs"].items():
            perms = job.get("permissions")
            assert isinstance(perms, dict), f"{name}:{job_id} has no job-level permissions"
            writes = {k for k, v in perms.items() if v == "write"}
            uploads_sarif = any(
                "upload-sarif" in s.get("uses", "")
                or "codeql-action" in s.get("uses", "")
                or s.get("uses") == "./"
                for s in job.get("steps", [])
            )
            assert writes <= ({"security-events"} if uploads_sarif else set()), (name, job_id)
            assert set(perms.values()) <= {"read", "write", "none"}


def test_checkouts_do_not_persist_credentials(docs: dict[str, dict[str, Any]]) -> None:
    count = 0
    for name, doc in docs.items():
        for job, step in steps(doc):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, (name, job)
                count += 1
    assert count >= 15


def test_no_expression_inside_run(docs: dict[str, dict[str, Any]]) -> None:
    for name, doc in _all_docs(docs).items():
        for job, step in steps(doc):
            assert "${{" not in str(step.get("run", "")), f"{name}:{job}: {step.get('name')}"


def test_action_interface() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert set(inputs) >= {
        "gate",
        "args",
        "python-version",
        "config",
        "upload-sarif",
        "report-dir",
        "retention-days",
    }
    assert inputs["upload-sarif"]["default"] == "true"
    assert set(action["outputs"]) == {"status", "exit-code", "sarif"}
    runs = run_text(action)
    assert '-m venv "${VENV}"' in runs
    assert "RUNNER_TEMP" in str(action) or "runner.temp" in str(action)
    uses = [s.get("uses", "") for _, s in steps(action)]
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    setup = next(s for _, s in steps(action) if "setup-python" in s.get("uses", ""))
    # The project's python on PATH stays the project's.
    assert setup["with"]["update-environment"] is False


def test_ci_configuration_documents_every_workflow() -> None:
    text = (REPO / ".github" / "CI_CONFIGURATION.md").read_text()
    for name in WORKFLOW_NAMES:
        assert f"## {name}" in text
    for fact in ("ubuntu-22.04", "20.04", "3.11", ">=3.11", "90", "14", "30", "action.yml"):
        assert fact in text


def test_workflow_paths_are_under_the_repo() -> None:
    assert all(isinstance(p, Path) and p.is_file() for p in (WORKFLOWS / n for n in WORKFLOW_NAMES))

"""SBOM validation and the deny_licenses policy, on a recorded cyclonedx-py SBOM of Atlas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers.deploy import FIXTURES, make_ctx

from atlas_ci.checks.deploy.build import Distribution
from atlas_ci.checks.deploy.sbom import Sbom, SbomSettings, licence_ids, validate
from atlas_ci.errors import CheckError

RECORDED = FIXTURES / "recorded" / "atlas-service.cdx.json"


def test_recorded_sbom_validates() -> None:
    bom = validate(RECORDED)
    assert {c["name"] for c in bom["components"]} >= {"starlette", "uvicorn", "prometheus_client"}


def test_invalid_sbom_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cdx.json"
    data = json.loads(RECORDED.read_text())
    data["components"] = "not a list"
    bad.write_text(json.dumps(data))
    with pytest.raises(CheckError, match=r"is not valid CycloneDX 1\.6"):
        validate(bad)


def test_licence_ids_read_ids_and_expressions() -> None:
    assert licence_ids({"licenses": [{"license": {"id": "MIT"}}]}) == {"mit"}
    expression = {"licenses": [{"expression": "Apache-2.0 AND BSD-2-Clause"}]}
    assert licence_ids(expression) == {"apache-2.0", "bsd-2-clause"}


def test_denied_licences_name_each_component(tmp_path: Path) -> None:
    shutil.copy(RECORDED, tmp_path / "x.json")
    components = validate(tmp_path / "x.json")["components"]
    ctx = make_ctx(Sbom(), tmp_path)
    dist = Distribution(path="atlas", name="atlas-service", version="0.1.0")
    settings = SbomSettings(deny_licenses=("BSD-2-Clause", "GPL-3.0-only"))
    found = Sbom()._licences(ctx, dist, components, settings)
    assert [f.message for f in found] == [
        "atlas-service ships prometheus_client 0.26.0, licensed bsd-2-clause (denied)"
    ]

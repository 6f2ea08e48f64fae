"""Smoke run of the load profile: ~10 s of headless Locust with zero failures."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from atlas.testing import AtlasProcess

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        importlib.util.find_spec("locust") is None,
        reason="locust is not installed (pip install -e './atlas[load]')",
    ),
]

LOCUSTFILE = Path(__file__).resolve().parents[3] / "atlas" / "locustfile.py"


def test_locust_profile_runs_clean(atlas_server: AtlasProcess, tmp_path: Path) -> None:
    prefix = tmp_path / "stats"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            "10",
            "--spawn-rate",
            "5",
            "--run-time",
            "10s",
            "--stop-timeout",
            "5",
            "--host",
            atlas_server.base_url,
            "--only-summary",
            "--csv",
            str(prefix),
            "--exit-code-on-error",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    report = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, report
    with (tmp_path / "stats_stats.csv").open(newline="") as fh:
        rows = {row["Name"]: row for row in csv.DictReader(fh)}
    total = rows["Aggregated"]
    assert int(total["Failure Count"]) == 0, report
    assert int(total["Request Count"]) > 100, report
    # Every kind of request in the mix was exercised.
    for name in ("/places [POST]", "/places/{id}", "/places/near", "/places?tag"):
        assert int(rows[name]["Request Count"]) > 0, name
    failures = (tmp_path / "stats_failures.csv").read_text().strip().splitlines()
    assert len(failures) <= 1, failures  # header only

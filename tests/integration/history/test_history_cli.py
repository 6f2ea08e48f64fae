"""Run history end to end: five real gate runs, `atlas-ci history`, the HTML page in Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from helpers.cli import atlas_ci

REPO = Path(__file__).resolve().parents[3]
SCHEMA = REPO / "docs" / "history-summary.schema.json"
CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"
DIRTY = "import os\n\n\n" + CLEAN  # F401: an unused import
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="module")
def five_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One commit; runs 2 and 3 see an uncommitted lint error (so the same commit fails, then
    passes: flaky), runs 1, 4 and 5 are clean."""
    root = tmp_path_factory.mktemp("history")
    (root / "src" / "calc").mkdir(parents=True)
    module = root / "src" / "calc" / "__init__.py"
    module.write_text(CLEAN)
    git(root, "init", "-q")
    git(root, "-c", "user.email=a@b", "-c", "user.name=a", "add", "-A")
    git(root, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "init")
    for i in range(5):
        module.write_text(DIRTY if i in (1, 2) else CLEAN)
        res = atlas_ci("gate", "quality", "--only", "lint", "--only", "complexity", "-q", cwd=root)
        assert res.returncode == (1 if i in (1, 2) else 0), res.stderr
    return root


def test_history_shows_rates_the_flaky_check_and_sparklines(five_runs: Path) -> None:
    res = atlas_ci("history", cwd=five_runs)
    assert res.returncode == 0, res.stderr
    lines: dict[str, str] = {}
    for line in res.stdout.splitlines():  # the checks table comes before the metrics table
        if line.startswith("quality"):
            lines.setdefault(line.split()[0], line)
    lint = lines["quality.lint"].split()
    assert lint[1:4] == ["5", "60%", "yes"]
    complexity = lines["quality.complexity"].split()
    assert complexity[1:3] == ["5", "100%"]
    assert "yes" not in complexity
    assert re.search(r"quality\.complexity max_complexity\s+1\s+▅▅▅▅▅", res.stdout)
    assert res.stdout.startswith("5 run(s)")


def test_history_json_validates_against_its_documented_schema(five_runs: Path) -> None:
    res = atlas_ci("history", "--format", "json", cwd=five_runs)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    lint = next(c for c in doc["checks"] if c["check"] == "quality.lint")
    assert (lint["passed"], lint["failed"], lint["flaky"]) == (3, 2, True)
    md = atlas_ci("history", "--format", "markdown", "--last", "2", cwd=five_runs)
    assert "| quality.lint | 2 | 100% |" in md.stdout


def test_report_html_renders_in_chromium_with_five_points_per_chart(
    five_runs: Path, tmp_path: Path
) -> None:
    res = atlas_ci("report", "html", cwd=five_runs)
    assert res.returncode == 0, res.stderr
    page = five_runs / "reports" / "report.html"
    assert page.is_file()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`; `make browser`)")
    profile = tmp_path / "profile"
    run = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert ":CONSOLE" not in run.stderr, run.stderr[-2000:]  # no console message, let alone error
    dom = run.stdout
    charts = re.findall(r'<svg class="chart" data-series="([^"]+)".*?</svg>', dom, re.DOTALL)
    assert {"success rate (%)", "duration (s)"} <= set(charts)
    for chart in re.findall(r'<svg class="chart".*?</svg>', dom, re.DOTALL):
        assert chart.count('class="point"') == 5
    # The page's own script counted the points in the rendered document.
    assert f'data-rendered="{5 * len(charts)}"' in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1200,1600",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # text, a table and charts, not a blank page


def test_two_concurrent_runs_append_two_whole_lines(five_runs: Path) -> None:
    history = five_runs / ".atlas-ci" / "history.jsonl"
    before = history.read_bytes().splitlines()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "atlas_ci",
                "gate",
                "quality",
                "--only",
                "lint",
                "-q",
                "--report-dir",
                f"reports-{i}",
            ],
            cwd=five_runs,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    after = history.read_bytes().splitlines()
    assert len(after) == len(before) + 2
    assert all(json.loads(line)["schema"] == 1 for line in after)

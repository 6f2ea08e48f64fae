"""The result cache keeps the redaction whole: a warm run whose secrets scan comes from the cache
still redacts what the scan found, the cache holds nothing a report may not, and a run served
wholly from the cache never loads detect-secrets.

The planted value matches only a custom pattern, so only the scan's own findings (remembered by
`redact.remember`) can redact it where a failing test prints it bare; no detector knows it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.cli import atlas_ci

pytestmark = pytest.mark.integration

# Assembled at test time: no literal here is token-shaped.
INTERNAL = "ACME" + "-" + "7F3A9C2E" + "5B1D8E4F" + "0A6C3B9D"


def _repo(root: Path) -> Path:
    (root / "src" / "app").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "atlas-ci.toml").write_text(
        '[project]\npaths = ["src", "tests"]\n\n'
        '[gates.security.secrets]\npatterns = { internal = "ACME-[0-9A-F]{24}" }\n'
    )
    (root / "src" / "app" / "__init__.py").write_text(f'"""App."""\n\nTOKEN = "{INTERNAL}"\n')
    (root / "tests" / "test_app.py").write_text(
        "import sys\nfrom pathlib import Path\n\n"
        'sys.path.insert(0, str(Path(__file__).parents[1] / "src"))\n\n'
        "from app import TOKEN\n\n\n"
        "def test_token() -> None:\n"
        '    assert TOKEN == "", f"the token is {TOKEN} here"\n'
    )
    # What running the tests leaves (bytecode, coverage data) is ignored, as in any project.
    (root / ".gitignore").write_text(
        "__pycache__/\n.pytest_cache/\n.coverage*\nreports/\n.atlas-ci/\n"
    )
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def _checks(root: Path) -> dict[str, dict[str, object]]:
    rep = json.loads((root / "reports" / "atlas-ci.json").read_text())
    return {c["check"]: c for g in rep["gates"] for c in g["checks"]}


def _leaks(root: Path, *outputs: str) -> list[str]:
    files = [p for d in ("reports", ".atlas-ci") for p in (root / d).rglob("*") if p.is_file()]
    found = [p.relative_to(root).as_posix() for p in files if INTERNAL.encode() in p.read_bytes()]
    return found + [f"output {i}" for i, out in enumerate(outputs) if INTERNAL in out]


def test_a_cached_secrets_scan_still_redacts_its_values(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    run = ("gate", "all", "--only", "security.secrets", "--only", "tests.unit")
    cold = atlas_ci(*run, cwd=root, timeout=600)
    first = _checks(root)
    assert first["security.secrets"]["status"] == "failed", first["security.secrets"]
    assert first["tests.unit"]["status"] == "failed", first["tests.unit"]
    assert not first["security.secrets"]["cached"]
    assert list((root / ".atlas-ci" / "cache" / "security.secrets").glob("*.json"))

    warm = atlas_ci(*run, cwd=root, timeout=600)
    second = _checks(root)
    assert second["security.secrets"]["cached"]  # the scan did not run...
    assert not second["tests.unit"]["cached"]  # ...the test, printing the value, did
    messages = " ".join(str(f) for f in second["tests.unit"]["findings"])  # type: ignore[attr-defined]
    assert "the token is [redacted] here" in messages
    assert not _leaks(root, cold.stdout, cold.stderr, warm.stdout, warm.stderr)


def test_a_run_served_from_the_cache_does_not_load_the_detectors(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "mod.py").write_text('"""Mod."""\n\n\ndef f() -> int:\n    return 1\n')
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    gate = ("gate", "quality", "--only", "lint", "--only", "format", "-q")
    cold = atlas_ci(*gate, cwd=root, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert cold.returncode == 0, cold.stdout + cold.stderr
    warm = atlas_ci(*gate, cwd=root, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert all(c["cached"] for c in _checks(root).values())
    # The import log proves the point both ways: loaded when a check ran, not when none did.
    assert "detect_secrets" in cold.stderr
    assert "detect_secrets" not in warm.stderr


def test_text_found_clean_before_skips_the_detectors_and_a_secret_still_goes(
    tmp_path: Path,
) -> None:
    """The edit loop with the real ruff: after an edit, a run whose findings' text the
    detectors all found clean before does not load detect-secrets; a new finding holding a
    token-shaped name loads them, is redacted, and is redacted again in the next run (a line
    holding a found value is never remembered clean)."""
    token = "ghp_" + "4fT9qLm2Xv8Rk1Wz" + "Hc7Np3Bs6Yd0Ge5Ja2Uo"  # assembled: never a literal
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    mod = root / "src" / "mod.py"
    mod.write_text(
        '"""Mod."""\n\nimport os\n\n\ndef render_table_of_contents() -> int:\n    return 1\n'
    )
    (root / ".gitignore").write_text("reports/\n.atlas-ci/\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    gate = ("gate", "quality", "--only", "lint", "-q")
    env = {"PYTHONPROFILEIMPORTTIME": "1"}

    def run(edit: str) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
        mod.write_text(mod.read_text() + edit)
        done = atlas_ci(*gate, cwd=root, env=env)
        lint = _checks(root)["quality.lint"]
        assert lint["status"] == "failed", lint
        assert not lint["cached"]
        return done, lint

    cold, _ = run("")
    assert "detect_secrets" in cold.stderr  # nothing remembered yet
    assert list((root / ".atlas-ci" / "cache" / "redaction").rglob("*.json"))
    edited, _ = run("# an edit\n")
    assert "detect_secrets" not in edited.stderr  # the same findings: their text is known
    leaked, lint = run(f"\nVALUE = {token}\n")
    assert "detect_secrets" in leaked.stderr
    assert "[redacted]" in json.dumps(lint["findings"])
    again, lint = run("# another edit\n")
    assert "detect_secrets" in again.stderr  # the dirty line is read every time
    assert "[redacted]" in json.dumps(lint["findings"])
    files = [p for d in ("reports", ".atlas-ci") for p in (root / d).rglob("*") if p.is_file()]
    assert not [p for p in files if token.encode() in p.read_bytes()]
    outputs = (cold, edited, leaked, again)
    assert not [o for o in outputs if token in o.stdout or token in o.stderr]

"""security.secrets against real detect-secrets: every planted secret found, no value ever shown.

The secrets are generated at test time from fragments and a seeded random source, so this file holds
nothing a scanner (this repository's own gate included) would flag.
"""

from __future__ import annotations

import random
import string
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report

from atlas_ci.model import Status

pytestmark = pytest.mark.integration

ALNUM = string.ascii_letters + string.digits


def planted(seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)

    def text(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    return {
        "aws_id": "AK" + "IA" + text(string.ascii_uppercase + string.digits, 16),
        "aws_secret": text(ALNUM + "/+", 40),
        "github": "gh" + "p_" + text(ALNUM, 36),
        "pem_body": "\n".join(text(ALNUM, 64) for _ in range(4)),
    }


def write_repo(root: Path, secrets: dict[str, str]) -> dict[str, tuple[str, int]]:
    """The fixture files; returns where each secret sits (path, line)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "app").mkdir()
    (root / "app" / "settings.py").write_text(
        '"""Settings."""\n'
        f'aws_access_key_id = "{secrets["aws_id"]}"\n'
        f'aws_secret_access_key = "{secrets["aws_secret"]}"\n'
    )
    begin, end = "-----BEGIN RSA " + "PRIVATE KEY-----", "-----END RSA " + "PRIVATE KEY-----"
    (root / "deploy_key.pem").write_text(f"{begin}\n{secrets['pem_body']}\n{end}\n")
    (root / "ci.env").write_text(f"# CI\nGITHUB_TOKEN={secrets['github']}\n")
    (root / "clean.py").write_text("def add(a, b):\n    return a + b\n")
    return {
        "aws_id": ("app/settings.py", 2),
        "aws_secret": ("app/settings.py", 3),
        "pem": ("deploy_key.pem", 1),
        "github": ("ci.env", 2),
    }


def values(secrets: dict[str, str]) -> list[str]:
    # The PEM body's lines are the secret material of the key.
    return [
        secrets["aws_id"],
        secrets["aws_secret"],
        secrets["github"],
        *secrets["pem_body"].splitlines(),
    ]


@pytest.fixture
def repo(tmp_path, git_repo):
    secrets = planted()
    root = tmp_path / "repo"
    where = write_repo(root, secrets)
    git_repo(root)
    return root, secrets, where


def test_each_planted_secret_is_a_finding_and_no_value_leaks(repo, run_check):
    root, secrets, where = repo
    res = run_check("secrets", root)
    assert res.status is Status.FAILED
    got = {(f.rule_id, f.location.path, f.location.start_line) for f in res.findings}
    assert got == {
        ("aws-access-key", *where["aws_id"]),
        ("aws-access-key", *where["aws_secret"]),
        ("private-key", *where["pem"]),
        ("github-token", *where["github"]),
    }
    dumped = res.model_dump_json()
    for value in values(secrets):
        assert value not in dumped
    assert res.tool_version is not None


def test_baseline_and_inline_allowlist_are_honoured(repo, run_check):
    root, secrets, _ = repo
    # A baseline made by detect-secrets itself, knowing only the private key.
    baseline = subprocess.run(
        [sys.executable, "-m", "detect_secrets", "scan", "-n", "deploy_key.pem"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (root / ".secrets.baseline").write_text(baseline)
    token_line = f"GITHUB_TOKEN={secrets['github']}  # pragma: allowlist secret\n"
    (root / "ci.env").write_text(f"# CI\n{token_line}")
    res = run_check("secrets", root, baseline=".secrets.baseline")
    assert res.status is Status.FAILED
    assert {f.location.path for f in res.findings} == {"app/settings.py"}
    assert len(res.findings) == 2


def test_a_baseline_covering_everything_passes(repo, run_check):
    root, _, _ = repo
    files = ["app/settings.py", "deploy_key.pem", "ci.env"]
    baseline = subprocess.run(
        [sys.executable, "-m", "detect_secrets", "scan", "-n", *files],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (root / "known.baseline").write_text(baseline)
    res = run_check("secrets", root, baseline="known.baseline")
    assert res.status is Status.PASSED
    assert "known secret(s) allowed by the baseline" in res.reason


def test_user_patterns_ignored_files_and_exclusions(repo, run_check):
    root, _, _ = repo
    token = "itk_" + "0123456789abcdef" * 2
    (root / "notes.txt").write_text(f"internal {token}\n")
    (root / ".gitignore").write_text("local.txt\n")
    (root / "local.txt").write_text(f"internal {token}\n")  # ignored by git: not scanned
    res = run_check(
        "secrets",
        root,
        patterns={"internal-token": r"itk_[0-9a-f]{32}"},
        exclude=("app", "*.pem", "ci.env"),
    )
    assert [(f.rule_id, f.location.path) for f in res.findings] == [
        ("custom-pattern-internal-token", "notes.txt")
    ]
    assert token not in res.model_dump_json()


def test_outside_git_the_tree_is_walked(tmp_path, run_check):
    secrets = planted(seed=11)
    where = write_repo(tmp_path / "plain", secrets)
    (tmp_path / "plain" / ".venv").mkdir()
    (tmp_path / "plain" / ".venv" / "leak.env").write_text(f"GITHUB_TOKEN={secrets['github']}\n")
    res = run_check("secrets", tmp_path / "plain")
    assert {(f.location.path, f.location.start_line) for f in res.findings} == set(where.values())


def test_cli_output_and_reports_never_carry_a_secret(repo):
    root, secrets, _ = repo
    proc = atlas_ci("gate", "security", "--only", "secrets", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert checks(report(root))["security.secrets"]["status"] == "failed"
    texts = [proc.stdout, proc.stderr]
    texts += [p.read_text(errors="replace") for p in (root / "reports").rglob("*") if p.is_file()]
    assert len(texts) > 3  # json, sarif and markdown at least
    for value in values(secrets):
        assert all(value not in text for text in texts)

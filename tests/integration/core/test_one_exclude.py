"""`exclude` means one thing for every file-based check: the real CLI on a repository holding the
same module (a lint error, a format error, a type error, a complex function, a bandit finding and
a secret) four times, three of them excluded by gitignore-style patterns of three kinds.

The four copies are identical, so the one copy reported shows each check finds the problems;
the three it does not report are gone only because `exclude` removed them. The secret is built
at test time from fragments: this file holds nothing a scanner would flag.
"""

from __future__ import annotations

import random
import string
import subprocess
from pathlib import Path

import pytest
from helpers.cli import atlas_ci, checks, report, write_config

pytestmark = pytest.mark.integration

CHECKS = {
    "quality.lint": "F401",
    "quality.format": "unformatted",
    "quality.types": "return-value",
    "quality.complexity": "cyclomatic-complexity",
    "security.bandit": "B602",
    "security.secrets": None,
}
KEPT = "src/pkg/bad.py"
EXCLUDED = ("src/pkg/_urls.py", "src/pkg/gen/api_pb2.py", "src/pkg/legacy/old.py")
PATTERNS = ("_urls.py", "*_pb2.py", "src/pkg/legacy/**")


def _token() -> str:
    rng = random.Random(7)
    return (
        "gh" + "p_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))
    )


def _module() -> str:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
    return (
        '"""One problem for each check."""\n\n'
        "import os\n"
        "import subprocess\n\n"
        f'TOKEN = "{_token()}"\n'
        "spaced=1\n\n\n"
        f"def branchy(x: int) -> int:\n{branches}    return -1\n\n\n"
        "def typed() -> int:\n"
        '    return "text"\n\n\n'
        "def run(cmd: str) -> None:\n"
        "    subprocess.call(cmd, shell=True)\n"
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    for rel in (KEPT, *EXCLUDED):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(_module())
    excluded = ", ".join(f'"{p}"' for p in PATTERNS)
    write_config(root, f'[project]\npaths = ["src"]\nexclude = [{excluded}]\n')
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def test_every_check_reports_only_the_file_no_pattern_excludes(repo):
    only = [arg for check in CHECKS for arg in ("--only", check)]
    proc = atlas_ci("gate", "all", *only, cwd=repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = checks(report(repo))
    for check, rule in CHECKS.items():
        res = found[check]
        assert res["status"] == "failed", (check, res["reason"])
        paths = {f["location"]["path"] for f in res["findings"]}
        assert paths == {KEPT}, (check, paths)
        if rule is not None:
            assert rule in {f["rule_id"] for f in res["findings"]}, (check, res["findings"])

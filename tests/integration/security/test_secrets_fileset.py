"""security.secrets scans the repository's own files: never a virtual environment, and `exclude`
means what it means for every check (gitignore-style: `_urls.py` matches at any depth).

Secrets are built at test time from fragments, so this file holds nothing a scanner would flag.
"""

from __future__ import annotations

import random
import string
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atlas_ci.checks.base import ProjectInfo
from atlas_ci.checks.security import SecurityGateSettings
from atlas_ci.model import CheckResult, Status
from atlas_ci.plan import Planned
from atlas_ci.runner import run_one

from .conftest import check_named

pytestmark = pytest.mark.integration

VENV_FILES = 3000


def _token(seed: int) -> str:
    rng = random.Random(seed)
    return (
        "gh" + "p_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))
    )


def _scan(root: Path, exclude: tuple[str, ...]) -> tuple[CheckResult, float]:
    check = check_named("secrets")
    project = ProjectInfo(
        root=root,
        paths=("src",),
        exclude=exclude,
        python=sys.executable,
        report_dir=root / "reports",
    )
    started = time.perf_counter()
    res = run_one(Planned(check, check.settings_model(), SecurityGateSettings()), project)
    return res, time.perf_counter() - started


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    (root / "src" / "pkg" / "core.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "src" / "pkg" / "_urls.py").write_text(f'TOKEN = "{_token(1)}"\n')
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "src"], cwd=root, check=True)
    # An untracked, not ignored environment, as `python -m venv .venv` leaves it.
    site = root / ".venv" / "lib" / "python3" / "site-packages"
    site.mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    for i in range(VENV_FILES):
        (site / f"mod_{i}.py").write_text(f"VALUE_{i} = {i}\n")
    (site / "leak.py").write_text(f'TOKEN = "{_token(2)}"\n')
    # Any directory holding pyvenv.cfg is an environment, whatever its name.
    other = root / "tools-env"
    other.mkdir()
    (other / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (other / "leak.py").write_text(f'TOKEN = "{_token(3)}"\n')
    return root


def test_neither_the_venv_nor_an_excluded_file_is_reported(repo):
    res, with_venv = _scan(repo, ("_urls.py",))
    assert res.status is Status.PASSED, res.reason
    assert res.findings == ()
    assert res.reason == "no secrets in 2 file(s)"  # src/pkg/__init__.py and core.py
    for rel in (".venv", "tools-env"):
        subprocess.run(["rm", "-rf", str(repo / rel)], check=True)
    again, without_venv = _scan(repo, ("_urls.py",))
    # The same files are scanned either way: the venv costs one git listing, not a scan.
    assert again.reason == res.reason
    print(f"secrets scan: {with_venv:.2f}s with the venv, {without_venv:.2f}s without")


def test_without_the_exclusion_the_secret_is_found_at_any_depth(repo):
    res, _ = _scan(repo, ())
    assert res.status is Status.FAILED
    assert {f.location.path for f in res.findings} == {"src/pkg/_urls.py"}

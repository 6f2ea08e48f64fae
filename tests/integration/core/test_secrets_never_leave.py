"""Secrets never leave: planted credentials appear in no byte of output, reports or summary.

The fixture repository is built at test time and every token-shaped value is assembled by
concatenation here, so this repository never holds one. Two kinds of planting: values written
whole into the fixture's files (security.secrets finds them; the redaction pass then knows them),
and values that only exist once the fixture's code runs (a failing assertion's message, an
import-time exception): only the detectors over tool text can catch those.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import atlas_ci

pytestmark = pytest.mark.integration

# Assembled from pieces: no literal here is token-shaped.
AWS_ID = "AKIA" + "Q7ZX3V5N8B2M4K6J"
AWS_SECRET = "wJalrXUtnF" + "EMI/K7MDENG/" + "bPxRfiCY9q3Z" + "x8Yw2K"  # pragma: allowlist secret
GITHUB = "ghp_" + "4fT9qLm2Xv8Rk1Wz" + "Hc7Np3Bs6Yd0Ge5Ja2Uo"
SLACK = (
    "https://hooks.slack.com/services/" + "T0A1B2C3D" + "/B4E5F6G7H/" + "x9Y8z7W6v5U4t3S2r1Q0p9O8"
)
URL_PASSWORD = "Zq8" + "pLm3" + "vRt9Wx2"  # pragma: allowlist secret
DB_URL = "postgres://deploy:" + URL_PASSWORD + "@db.internal:5432/app"
PEM_BODY = [
    # pragma: allowlist nextline secret - built at run time, not a credential
    "MIIEpAIBAAKCAQEA" + "3Tz2mdBzPq8WnK4jLr7VxYc9Ga1Hs5Ue0Bo6Fi" + "2Nd8Rl4Jk7Mw3Xp",
    "Qy5Zt1Vb9Gc4Hn7Jm2" + "Kp6Lr0Sx3Wd8Fe5Ua1" + "Tb4Ys9Ni2Oh6Pg0Rc3",
]
PEM = "\n".join(
    ["-----BEGIN RSA " + "PRIVATE KEY-----", *PEM_BODY, "-----END RSA " + "PRIVATE KEY-----"]
)
# Only assembled at run time inside the fixture: no scanner can find them in its files.
RUNTIME_GITHUB = "ghp_" + "Rz5Kq1Wm8Tn3Qe6T" + "Yb7Xc2Vd6Fg9Hj4Lp0Sa"
RUNTIME_URL_PASSWORD = "Ux4" + "Ne7" + "qWs2Kd9Z"  # pragma: allowlist secret

PLANTED = {
    "aws access key id": AWS_ID,
    "aws secret access key": AWS_SECRET,
    "github token": GITHUB,
    "slack webhook": SLACK,
    "password in a url": URL_PASSWORD,
    "pem body line 1": PEM_BODY[0],
    "pem body line 2": PEM_BODY[1],
    "runtime github token": RUNTIME_GITHUB,
    "runtime url password": RUNTIME_URL_PASSWORD,
}


# perf would only time the fixture's (absent) benchmarks: nothing it emits carries tool text.
SKIP = ("--skip", "perf.benchmarks", "--skip", "perf.memory")


def _split(value: str) -> str:
    """A Python expression that builds `value` from two halves (so no scanner sees it whole)."""
    half = len(value) // 2
    return f"{value[:half]!r} + {value[half:]!r}"


def build_fixture(root: Path) -> None:
    (root / "src/app").mkdir(parents=True)
    (root / "tests/unit").mkdir(parents=True)
    # One category; the import error must not stop the failing test from running and reporting.
    (root / "atlas-ci.toml").write_text(
        '[project]\npaths = ["src", "tests"]\n\n'
        '[gates.tests.categories.unit]\nargs = ["--continue-on-collection-errors"]\n\n'
        + "".join(
            f"[gates.tests.categories.{name}]\nenabled = false\n\n"
            for name in ("integration", "observability", "reliability")
        )
        + "[gates.tests.coverage]\nmin = 0\n"
    )
    (root / "src/app/__init__.py").write_text('"""App."""\n')
    (root / "src/app/settings.py").write_text(
        '"""Settings with committed credentials (the thing security.secrets is for)."""\n\n'
        f'AWS_ACCESS_KEY_ID = "{AWS_ID}"\n'
        f'aws_secret_access_key = "{AWS_SECRET}"\n'
        f'GITHUB_TOKEN = "{GITHUB}"\n'
        f'SLACK_WEBHOOK = "{SLACK}"\n'
        f'DATABASE_URL = "{DB_URL}"\n'
    )
    (root / "src/app/deploy_key.pem").write_text(PEM + "\n")
    (root / "src/app/broken.py").write_text(
        '"""Raises at import time with a credential in its message."""\n\n'
        f"raise RuntimeError('cannot reach ' + 'https://ops:' + {_split(RUNTIME_URL_PASSWORD)}"
        " + '@vault.internal/')\n"
    )
    (root / "tests/unit/test_app.py").write_text(
        '"""A failing test whose assertion message carries tokens."""\n\n'
        "from app import settings\n\n\n"
        "def test_token_matches() -> None:\n"
        f"    runtime = {_split(RUNTIME_GITHUB)}\n"
        "    assert settings.GITHUB_TOKEN == runtime, (\n"
        '        f"token {settings.GITHUB_TOKEN} != {runtime}, key {settings.AWS_ACCESS_KEY_ID}"\n'
        "    )\n\n\n"
        "def test_url() -> None:\n"
        '    assert settings.DATABASE_URL.endswith("/other"), settings.DATABASE_URL\n\n\n'
        "def test_config_is_empty() -> None:\n"
        "    hook, secret = settings.SLACK_WEBHOOK, settings.aws_secret_access_key\n"
        '    assert not hook, f"webhook {hook} secret {secret}"\n\n\n'
        "def test_key_is_not_committed() -> None:\n"
        "    from pathlib import Path\n\n"
        '    key = (Path(settings.__file__).parent / "deploy_key.pem").read_text()\n'
        "    assert not key, key\n"
    )
    (root / "tests/unit/test_import.py").write_text(
        '"""Imports the module that raises at import time."""\n\n'
        "from app import broken  # noqa: F401\n\n\n"
        "def test_never_runs() -> None:\n"
        "    pass\n"
    )
    (root / "conftest.py").write_text(
        "import sys\nfrom pathlib import Path\n\n"
        'sys.path.insert(0, str(Path(__file__).parent / "src"))\n'
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "fixture"], cwd=root, check=True)


def _leaks(blobs: dict[str, bytes]) -> list[str]:
    return [
        f"{what} in {where}"
        for where, data in blobs.items()
        for what, value in PLANTED.items()
        if value.encode() in data
    ]


@pytest.mark.parametrize("github_actions", [False, True], ids=["local", "github-actions"])
def test_no_planted_value_in_any_byte_out(tmp_path: Path, github_actions: bool) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    build_fixture(root)
    summary = tmp_path / "step-summary.md"
    summary.write_text("")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    if github_actions:
        env["GITHUB_ACTIONS"] = "true"
    res = atlas_ci("gate", "all", *SKIP, cwd=root, env=env, timeout=600)

    reports = root / "reports"
    files = {
        p.relative_to(root).as_posix(): p.read_bytes() for p in reports.rglob("*") if p.is_file()
    }
    assert len(files) >= 5, sorted(files)
    blobs = {"stdout": res.stdout.encode(), "stderr": res.stderr.encode(), **files}
    blobs["step summary"] = summary.read_bytes()
    assert not _leaks(blobs), _leaks(blobs)

    # The test is only worth something if the secrets really went through every channel: the
    # gates ran, the secrets were found, the failing test and the import error were reported.
    # 3 when a gate without anything to judge here errors (deploy: the fixture builds nothing).
    assert res.returncode in (1, 3), res.stdout + res.stderr
    report = json.loads(files["reports/atlas-ci.json"])
    checks = {c["check"]: c for g in report["gates"] for c in g["checks"]}
    assert checks["security.secrets"]["status"] == "failed"
    assert len(checks["security.secrets"]["findings"]) >= 5
    assert checks["tests.unit"]["status"] == "failed"
    assert {f["rule_id"] for f in checks["tests.unit"]["findings"]} == {"test-failed", "test-error"}
    for name in ("security.bandit", "tests.coverage", "quality.lint", "quality.types"):
        assert checks[name]["status"] in ("passed", "failed"), (name, checks[name])
    junit = files["reports/junit/unit.xml"]
    assert b"AssertionError" in junit
    assert b"RuntimeError: cannot reach https://ops:[redacted]@vault.internal/" in junit
    assert "reports/coverage/coverage.json" in files
    if github_actions:
        assert "::error file=tests/unit/test_app.py" in res.stdout
        assert summary.read_text().startswith("# atlas-ci: ")
        assert "tests.unit" in summary.read_text()

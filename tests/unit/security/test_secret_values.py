"""security.secrets tells the redaction pass what the secrets it found are (in memory only)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from atlas_ci.checks.security.secrets_report import Hit, found_values

pytestmark = pytest.mark.unit

GITHUB = "ghp_" + "4fT9qLm2Xv8Rk1Wz" + "Hc7Np3Bs6Yd0Ge5Ja2Uo"
KEYWORD_VALUE = "Zq8" + "pLm3" + "vRt9Wx2"
BODY = "MIIEpAIBAAKCAQEA" + "3Tz2mdBzPq8WnK4jLr7VxYc9Ga1Hs5Ue0Bo6Fi"  # pragma: allowlist secret


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - detect-secrets' own hash


def test_values_come_from_the_flagged_lines(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text(
        f'TOKEN = "{GITHUB}"\npassword = "{KEYWORD_VALUE}"\nname = "not a secret"\n'
    )
    (tmp_path / "id_rsa").write_text(
        "-----BEGIN RSA " + f"PRIVATE KEY-----\n{BODY}\n" + "-----END RSA " + "PRIVATE KEY-----\n"
    )
    hits = [
        # detect-secrets hashes only the `ghp` prefix of a GitHub token: the line still gives it.
        Hit("conf.py", 1, "GitHub Token", sha1("ghp")),
        Hit("conf.py", 2, "Secret Keyword", sha1(KEYWORD_VALUE)),
        Hit("id_rsa", 1, "Private Key", sha1("BEGIN RSA PRIVATE KEY")),  # pragma: allowlist secret
        Hit("gone.py", 3, "Secret Keyword", sha1("x")),
    ]
    values = found_values(tmp_path, hits)
    assert {GITHUB, KEYWORD_VALUE, BODY} <= values
    assert not any("not a secret" in v for v in values)


def test_a_password_bandit_quotes_is_redacted_everywhere_after(recorded, make_ctx, fixtures):
    from atlas_ci import redact
    from atlas_ci.checks.security.sast import Bandit, load_report, parse

    redact.forget()
    value = "<not-a-real-password>"
    assert redact.known_only(f"echo {value}") == f"echo {value}"
    parse(
        load_report(recorded("bandit.json")),
        Bandit(),
        make_ctx(Bandit(), root=fixtures / "bandit_repo"),
    )
    assert redact.known_only(f"echo {value}") == "echo [redacted]"
    redact.forget()

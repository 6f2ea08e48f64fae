"""deploy.secrets' allow list: a known false positive stays visible, advisory, with a reason."""

from __future__ import annotations

from atlas_ci.checks.deploy.secrets import Allowed, _allowed
from atlas_ci.model import Finding, Location


def finding(path: str, rule: str = "basic-auth-credentials") -> Finding:
    return Finding(
        check="deploy.secrets",
        tool="detect-secrets",
        rule_id=rule,
        message=f"Basic Auth Credentials at {path}:3 [secret #abc]",
        location=Location(path=path, start_line=3),
    )


ALLOW = (Allowed(path="*/pkg/doc.py", rule="basic-auth-credentials", reason="a documented shape"),)


def test_allowed_finding_is_advisory_with_the_reason() -> None:
    got = _allowed(finding("x-1.0.whl/pkg/doc.py"), ALLOW)
    assert got.blocking is False
    assert got.message.endswith("(allowed: a documented shape)")


def test_other_rules_and_paths_still_block() -> None:
    assert _allowed(finding("x-1.0.whl/pkg/doc.py", "aws-access-key"), ALLOW).blocking
    assert _allowed(finding("x-1.0.whl/pkg/.env"), ALLOW).blocking

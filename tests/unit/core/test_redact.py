"""redact.py: known values in every encoding, private keys, detectors, the pure Report pass,
the per-repository keyed tag, and the pass over tool files in the report directory."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlas_ci import redact, redact_artifacts
from atlas_ci.model import CheckResult, Finding, GateResult, Location, Report, Status

pytestmark = pytest.mark.unit

# Token-shaped values are assembled, never written whole in this repository.
GITHUB = "ghp_" + "4fT9qLm2Xv8Rk1Wz" + "Hc7Np3Bs6Yd0Ge5Ja2Uo"
AWS_ID = "AKIA" + "Q7ZX3V5N8B2M4K6J"
PASSWORD = "Zq8" + "pLm3" + 'vRt9<&>"x'  # pragma: allowlist secret
PEM = "\n".join(
    [
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "MIIEpAIBAAKC" + "AQEA3Tz2mdBz",
        "-----END RSA " + "PRIVATE KEY-----",
    ]
)


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    redact.forget()
    yield
    redact.forget()


def test_known_values_are_replaced_in_every_encoding() -> None:
    redact.remember([PASSWORD, "short"])
    escaped = [
        PASSWORD,
        json.dumps(PASSWORD)[1:-1],
        "Zq8pLm3vRt9&lt;&amp;&gt;&quot;x",
        repr(PASSWORD)[1:-1],
        "Zq8pLm3vRt9%3C%26%3E%22x",
    ]
    for form in escaped:
        assert redact.known_only(f"a {form} b") == "a [redacted] b", form
    # Too short to substitute in free text without blanking ordinary words.
    assert redact.known_only("a short story") == "a short story"


def test_detectors_catch_what_no_scan_reported() -> None:
    out = redact.text(f"token {GITHUB} key {AWS_ID} db https://u:{'hunter' + '2pass'}@h/x")
    assert GITHUB not in out
    assert AWS_ID not in out
    assert "hunter2pass" not in out
    assert out.startswith("token [redacted] key [redacted]")


def test_private_key_blocks_go_whole_even_unterminated() -> None:
    out = redact.text(f"key:\n{PEM}\nafter")
    assert out == "key:\n[redacted]\nafter"
    cut = PEM.rsplit("\n", 1)[0]
    assert "MIIEpAIBAAKC" not in redact.text(f"E   AssertionError: {cut!r}")


def test_ordinary_tool_text_is_left_alone() -> None:
    lines = [
        'src/app.py:12: error: Argument 1 to "f" has incompatible type "str"  [arg-type]',
        "E501 Line too long (120 > 100)",
        "coverage 81.5% < 90%",
        "version 4.5.6.7 of 127.0.0.1",
    ]
    assert [redact.text(ln) for ln in lines] == lines


def _report(reason: str, message: str, fingerprint: str = "ab" * 16) -> Report:
    finding = Finding(
        check="tests.unit",
        tool="pytest",
        rule_id="test-failed",
        message=message,
        location=Location(path="tests/test_a.py", start_line=3),
        fingerprint=fingerprint,
    )
    check = CheckResult(
        check="tests.unit", gate="tests", status=Status.FAILED, reason=reason, findings=(finding,)
    )
    gate = GateResult(gate="tests", status=Status.FAILED, checks=(check,))
    return Report(
        tool_version="0",
        config_digest="cd" * 16,
        started_at="2026-01-01T00:00:00+00:00",
        duration=1.0,
        status=Status.FAILED,
        gates=(gate,),
    )


def test_report_pass_is_pure_and_reaches_every_string() -> None:
    redact.remember([PASSWORD])
    fingerprint = "0123456789abcdef0123456789abcdef"  # pragma: allowlist secret
    before = _report(
        f"\x1b[31mfailed with {PASSWORD}\x1b[0m", f"assert '{GITHUB}' == x", fingerprint
    )
    after = redact.report(before)
    assert after is not before
    assert PASSWORD in before.checks[0].reason  # the input is unchanged
    dumped = after.model_dump_json()
    assert PASSWORD not in dumped
    assert GITHUB not in dumped
    assert after.checks[0].reason == "failed with [redacted]"
    assert after.checks[0].findings[0].message == "assert '[redacted]' == x"
    # atlas-ci's own identities are never mistaken for secrets.
    assert after.checks[0].findings[0].fingerprint == fingerprint
    assert after.config_digest == before.config_digest
    assert after.checks[0].status is Status.FAILED


def test_a_clean_report_comes_back_as_is() -> None:
    rep = _report("1 finding(s)", "line too long")
    assert redact.report(rep) is rep


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_tag_is_keyed_per_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(redact.SALT_ENV, raising=False)
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        root.mkdir()
        _git(root, "init", "-q")
        (root / "f").write_text(root.name)
        _git(root, "add", "f")
        _git(root, "commit", "-qm", "root")
    tag_a = redact.secret_tag("hunter2", a)
    assert tag_a == redact.secret_tag("hunter2", a)
    assert len(tag_a) == redact.TAG_LENGTH
    assert tag_a != redact.secret_tag("hunter2", b)
    assert tag_a != redact.secret_tag("hunter3", a)
    # Not a git repository: keyed by its absolute path.
    (tmp_path / "c").mkdir()
    (tmp_path / "d").mkdir()
    tag_c = redact.secret_tag("hunter2", tmp_path / "c")
    assert tag_c not in (tag_a, redact.secret_tag("hunter2", tmp_path / "d"))
    monkeypatch.setenv(redact.SALT_ENV, "team-secret")
    salted = redact.secret_tag("hunter2", a)
    assert salted not in (tag_a, tag_c)
    assert salted == redact.secret_tag("hunter2", b)  # one salt: comparable across repositories


def test_tool_files_are_scrubbed_and_links_never_followed(tmp_path: Path) -> None:
    redact.remember([PASSWORD])
    reports, outside = tmp_path / "reports", tmp_path / "outside"
    (reports / "junit").mkdir(parents=True)
    outside.mkdir()
    junit = reports / "junit" / "unit.xml"
    junit.write_text(f'<failure message="token {GITHUB}">{json.dumps(PASSWORD)[1:-1]}</failure>\n')
    os.chmod(junit, 0o644)
    (reports / "coverage").mkdir()
    binary = reports / "coverage" / ".coverage"
    binary.write_bytes(b"SQLite\0" + PASSWORD.encode() + b"\0tail")
    target = outside / "kept.xml"
    target.write_text(f"token {GITHUB}\n")
    (reports / "junit" / "link.xml").symlink_to(target)
    own = reports / "atlas-ci.json"
    own.write_text(f'{{"fingerprint": "{"9f" * 16}"}}\n')
    history = reports / "notes.json"
    history.write_text(f'{{"id": "{"9f" * 16}", "leak": "{PASSWORD}"}}\n')

    changed = redact_artifacts.scrub(reports, skip={"atlas-ci.json"})

    assert changed == ["coverage/.coverage", "junit/unit.xml", "notes.json"]
    assert junit.read_text() == '<failure message="token [redacted]">[redacted]</failure>\n'
    assert oct(junit.stat().st_mode & 0o777) == "0o644"
    data = binary.read_bytes()
    assert PASSWORD.encode() not in data
    assert len(data) == len(b"SQLite\0" + PASSWORD.encode() + b"\0tail")
    assert target.read_text() == f"token {GITHUB}\n"  # outside the report dir: untouched
    assert (reports / "junit" / "link.xml").is_symlink()
    assert own.read_text() == f'{{"fingerprint": "{"9f" * 16}"}}\n'
    # Files that are not a tool's get the known values only: their ids stay intact.
    assert history.read_text() == f'{{"id": "{"9f" * 16}", "leak": "[redacted]"}}\n'
    assert not list(reports.rglob(".atlas-ci-redact.*"))


def test_every_keyword_assignment_in_a_long_text_is_found() -> None:
    values = [f"Vq{n}x" + "Lm3vRt9Wx2" for n in range(50)]
    text = "\n".join(f'line {n}: password = "{v}"' for n, v in enumerate(values))
    out = redact.artifact_text(text)
    assert not [v for v in values if v in out]
    assert out.count("[redacted]") == 50


def test_data_artifacts_keep_their_hashes_text_artifacts_get_the_detectors(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "deploy").mkdir(parents=True)
    sbom = reports / "deploy" / "sbom.json"
    # pragma: allowlist nextline secret - built at run time, not a credential
    digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    sbom.write_text(f'{{"hashes": [{{"alg": "SHA-256", "content": "{digest}"}}]}}\n')
    log = reports / "deploy" / "build.log"
    log.write_text(f"uploading with token {GITHUB}\n")
    artifacts = {"deploy/sbom.json", "deploy/build.log"}
    assert redact_artifacts.scrub(reports, artifacts) == ["deploy/build.log"]
    assert digest in sbom.read_text()
    assert log.read_text() == "uploading with token [redacted]\n"


def _walked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every string the redaction's fix is asked about, in order."""
    seen: list[str] = []
    real = redact._Scrubber.fix

    def spy(self: redact._Scrubber, value: str, is_free: bool) -> str:
        seen.append(value)
        return real(self, value, is_free)

    monkeypatch.setattr(redact._Scrubber, "fix", spy)
    return seen


def test_the_report_pass_leaves_the_findings_results_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redact.remember([PASSWORD])
    rep = _report("failed", f"assert {PASSWORD} == x")
    (done,) = redact.results(list(rep.checks))
    assert done.findings[0].message == "assert [redacted] == x"
    # The report as the pipeline builds it: the redacted results, plus a baselined copy of
    # the finding that carries text added after `results` (here a known value).
    added = done.findings[0].model_copy(update={"message": f"baselined, was {PASSWORD}"})
    check = done.model_copy(update={"findings": (done.findings[0], added)})
    gate = rep.gates[0].model_copy(update={"checks": (check,)})
    seen = _walked(monkeypatch)
    out = redact.report(rep.model_copy(update={"gates": (gate,)}), detect=False)
    assert out.checks[0].findings[0] is done.findings[0]
    assert "assert [redacted] == x" not in seen  # passed as it was: not read again
    assert f"baselined, was {PASSWORD}" in seen  # the copy is new text: read
    assert out.checks[0].findings[1].message == "baselined, was [redacted]"


def test_a_value_remembered_after_results_is_still_redacted_in_the_report() -> None:
    rep = _report("failed", f"assert {PASSWORD} == x")
    done = redact.results(list(rep.checks))
    assert done[0].findings[0].message == f"assert {PASSWORD} == x"  # not yet known
    redact.remember([PASSWORD])
    gate = rep.gates[0].model_copy(update={"checks": tuple(done)})
    out = redact.report(rep.model_copy(update={"gates": (gate,)}), detect=False)
    assert out.checks[0].findings[0].message == "assert [redacted] == x"

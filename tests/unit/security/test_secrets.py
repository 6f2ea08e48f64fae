"""security.secrets: detect-secrets JSON into findings without values, baselines, user patterns."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import ValidationError

from atlas_ci.checks.base import short_hash
from atlas_ci.checks.security.repo_files import excluded
from atlas_ci.checks.security.secrets_report import Hit, baseline_keys, load_scan, to_findings
from atlas_ci.checks.security.secrets_scan import (
    Secrets,
    SecretsSettings,
    error_kind,
    write_plugin,
)
from atlas_ci.errors import CheckError
from atlas_ci.model import Severity, Status

pytestmark = pytest.mark.unit


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - detect-secrets' own hash


def scan_json(entries: dict[str, list[tuple[str, int, str]]]) -> str:
    """The shape `detect-secrets scan` prints (version 1.5), built from (type, line, value)."""
    results = {
        name: [
            {
                "type": kind,
                "filename": name,
                "hashed_secret": sha1(value),
                "is_verified": False,
                "line_number": line,
            }
            for kind, line, value in items
        ]
        for name, items in entries.items()
    }
    return json.dumps(
        {
            "version": "1.5.0",
            "plugins_used": [],
            "filters_used": [],
            "results": results,
            "generated_at": "2026-01-01T00:00:00Z",
        }
    )


def test_one_finding_per_secret_line_with_every_detector_named(make_ctx, tmp_path):
    text = scan_json(
        {
            "conf.py": [
                ("Secret Keyword", 2, "v1"),
                ("AWS Access Key", 2, "v1"),
                ("Base64 High Entropy String", 2, "v1"),
                ("AWS Access Key", 1, "v2"),
            ],
            "id_rsa": [("Private Key", 1, "v3")],
        }
    )
    hits = load_scan(text, tmp_path, source="test")
    findings = to_findings(Secrets(), make_ctx(Secrets(), root=tmp_path), hits)
    got = {(f.rule_id, f.location.path, f.location.start_line, f.severity) for f in findings}
    assert got == {
        ("aws-access-key", "conf.py", 1, Severity.HIGH),
        ("aws-access-key", "conf.py", 2, Severity.HIGH),
        ("private-key", "id_rsa", 1, Severity.HIGH),
    }
    line2 = next(f for f in findings if f.location.start_line == 2)
    assert "Base64 High Entropy String" in line2.message
    assert "Secret Keyword" in line2.message
    assert f"#{short_hash(sha1('v1'), tmp_path)}" in line2.message
    assert set(line2.tags) == {"security", "secret", "CWE-798"}


def test_heuristic_only_hits_are_medium(make_ctx, tmp_path):
    hits = [Hit("a.py", 3, "Hex High Entropy String", sha1("x"))]
    (finding,) = to_findings(Secrets(), make_ctx(Secrets(), root=tmp_path), hits)
    assert (finding.rule_id, finding.severity, finding.blocking) == (
        "hex-high-entropy-string",
        Severity.MEDIUM,
        True,
    )
    (finding,) = to_findings(Secrets(), make_ctx(Secrets(), root=tmp_path, fail_on="high"), hits)
    assert finding.blocking is False


def test_fingerprint_does_not_depend_on_the_line_number(make_ctx, tmp_path):
    ctx = make_ctx(Secrets(), root=tmp_path)
    (a,) = to_findings(Secrets(), ctx, [Hit("a.py", 3, "GitHub Token", sha1("t"))])
    (b,) = to_findings(Secrets(), ctx, [Hit("a.py", 30, "GitHub Token", sha1("t"))])
    assert a.fingerprint == b.fingerprint


def test_baseline_keys_are_file_and_hash_pairs(tmp_path):
    (tmp_path / ".secrets.baseline").write_text(scan_json({"x.py": [("Secret Keyword", 4, "s")]}))
    assert baseline_keys(tmp_path / ".secrets.baseline") == {("x.py", sha1("s"))}


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"results": []}', '{"results": {"a": [{"type": "x"}]}}']
)
def test_unreadable_scan_output_is_an_error_that_quotes_nothing(text, tmp_path):
    with pytest.raises(CheckError) as info:
        load_scan(text, tmp_path, source="detect-secrets output")
    assert text not in str(info.value)


def test_crash_reason_names_the_exception_class_only():
    stderr = 'Traceback...\nValueError: bad line "token=abc123-secret-ish"\n'
    kind = error_kind(stderr)
    assert kind == "raised ValueError"
    assert "abc123" not in kind


def test_a_missing_module_is_named_as_such():
    kind = error_kind("/venv/bin/python: No module named detect_secrets\n")
    assert kind == "detect-secrets is not installed (pip install detect-secrets)"


def test_user_patterns_become_a_plugin_whose_strings_cannot_escape(tmp_path):
    hostile = "x\"]\nimport os\nos.system('true')#"
    path = write_plugin(tmp_path, {"weird'name": hostile, "internal": r"itk_[0-9a-f]{20}"})
    namespace: dict[str, object] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - generated here
    classes = {n: c for n, c in namespace.items() if n.startswith("AtlasCiPattern")}
    assert {c.secret_type for c in classes.values()} == {  # type: ignore[attr-defined]
        "Custom pattern: weird'name",
        "Custom pattern: internal",
    }
    patterns = {c.denylist[0].pattern for c in classes.values()}  # type: ignore[attr-defined]
    assert patterns == {hostile, r"itk_[0-9a-f]{20}"}
    assert write_plugin(tmp_path, {}) is None


def test_an_invalid_user_pattern_is_a_config_error():
    with pytest.raises(ValidationError, match="pattern 'broken'"):
        SecretsSettings(patterns={"broken": "(unclosed"})


def test_exclusion_globs_and_directories():
    assert excluded("tests/fixtures/a/b.py", ["tests/fixtures"])
    assert excluded("tests/fixtures/a/b.py", ["tests/fixtures/"])
    assert excluded("docs/x.md", ["*.md"])
    assert not excluded("tests/fixturesmore/a.py", ["tests/fixtures"])
    assert not excluded("src/a.py", ["tests"])


def test_run_scans_git_listed_files_without_verification(fake_tools, make_ctx, tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "gone.py").write_text("")
    (tmp_path / "gone.py").unlink()  # listed by git (deleted, not staged) but absent
    fake_tools.respond("ls-files", "a.py\0gone.py\0")
    fake_tools.respond("scan", scan_json({"a.py": [("GitHub Token", 1, "t")]}))
    res = Secrets().run(make_ctx(Secrets(), root=tmp_path))
    assert res.status is Status.FAILED
    scan = next(c for c in fake_tools.tool_calls() if "scan" in c)
    assert "-n" in scan
    assert scan[scan.index("--") + 1 :] == ["a.py"]


def test_nonzero_exit_is_an_error_that_withholds_output(fake_tools, make_ctx, tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    fake_tools.respond("ls-files", "a.py\0")
    fake_tools.respond("scan", "", returncode=1, stderr="KeyError: 'token=zzz-leaky-value'")
    with pytest.raises(CheckError) as info:
        Secrets().run(make_ctx(Secrets(), root=tmp_path))
    assert "zzz-leaky-value" not in str(info.value)
    assert "KeyError" in str(info.value)

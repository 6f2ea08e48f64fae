"""SARIF reporter: schema-valid, one run per check, GitHub's identity keys and upload limits."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema.validators import validator_for

from atlas_ci.linehash import attach, line_hashes
from atlas_ci.model import Severity, Status
from atlas_ci.reporters import sarif
from atlas_ci.reporters.sarif_limits import Limits

pytestmark = pytest.mark.unit

SCHEMA = Path(__file__).resolve().parents[3].parent / "shared/schemas/sarif-schema-2.1.0.json"
HASH = re.compile(r"^[0-9a-f]{1,16}:[1-9][0-9]*$")


def _render(report: Any, root: Path, **kw: Any) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(report, root, **kw))
    return log


def _validate(log: dict[str, Any]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text())
    validator = validator_for(schema)
    validator.check_schema(schema)
    errors = sorted(validator(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])


def _results(log: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for run in log["runs"] for r in run["results"]]


def _uri(result: dict[str, Any]) -> str:
    uri: str = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    return uri


def _region(result: dict[str, Any]) -> dict[str, Any]:
    region: dict[str, Any] = result["locations"][0]["physicalLocation"]["region"]
    return region


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src/app.py").write_text("import os\nx = eval(input())\nprint(x)\n")
    return tmp_path


@pytest.fixture
def mixed(build: Any) -> Any:
    """A realistic report: failed, passed-clean, passed-with-advisory, errored, skipped."""
    bandit = build.finding(
        "security.bandit",
        "B307",
        "Use of possibly insecure function eval",
        line=2,
        severity=Severity.HIGH,
        tool="bandit",
        tags=("CWE-78",),
        help_uri="https://bandit.readthedocs.io/en/latest/blacklists/blacklist_calls.html",
    )
    advisory = build.finding(
        "security.secrets",
        "KeywordDetector",
        "Secret Keyword",
        line=3,
        severity=Severity.LOW,
        tool="detect-secrets",
        blocking=False,
    )
    return build.report(
        build.check(
            "security.bandit", Status.FAILED, [bandit], tool="bandit", tool_version="1.7.9"
        ),
        build.check("security.secrets", Status.PASSED, [advisory], tool="detect-secrets"),
        build.check("quality.lint", Status.PASSED, tool_version="0.6.9"),
        build.check("quality.types", Status.ERROR, reason="mypy crashed", tool="mypy"),
        build.check("tests.unit", Status.SKIPPED, reason="disabled", tool="pytest"),
    )


def test_valid_against_the_official_schema(mixed: Any, repo: Path) -> None:
    log = _render(mixed, repo)
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://")
    _validate(log)


def test_one_run_per_check_errored_and_skipped_contribute_none(mixed: Any, repo: Path) -> None:
    runs = _render(mixed, repo)["runs"]
    ids = [r["automationDetails"]["id"] for r in runs]
    assert ids == [
        "atlas-ci/security.bandit/",
        "atlas-ci/security.secrets/",
        "atlas-ci/quality.lint/",
    ]
    assert len(set(ids)) == len(ids)
    lint = runs[2]
    assert lint["results"] == []
    assert lint["tool"]["driver"] == {
        "name": "ruff",
        "rules": [],
        "version": "0.6.9",
        "informationUri": "https://docs.astral.sh/ruff/",
    }
    assert all(r["invocations"] == [{"executionSuccessful": True}] for r in runs)
    assert all(r["originalUriBaseIds"]["%SRCROOT%"].keys() == {"description"} for r in runs)


def test_security_rules_carry_numeric_security_severity(mixed: Any, repo: Path) -> None:
    runs = _render(mixed, repo)["runs"]
    b307 = runs[0]["tool"]["driver"]["rules"][0]
    assert b307["id"] == "B307"
    assert b307["properties"]["security-severity"] == "8.0"
    assert b307["properties"]["tags"] == ["security", "CWE-78"]
    assert b307["helpUri"].startswith("https://bandit.readthedocs.io/")
    assert b307["help"]["text"] == "Use of possibly insecure function eval"
    secret = runs[1]["tool"]["driver"]["rules"][0]
    assert float(secret["properties"]["security-severity"]) == 2.0
    assert "security-severity" not in json.dumps(runs[2])


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "2.0"),
        (Severity.INFO, "note", "0.0"),
    ],
)
def test_severity_maps_to_level_and_score(
    build: Any, repo: Path, severity: Severity, level: str, score: str
) -> None:
    f = build.finding("security.bandit", "B101", "assert used", severity=severity)
    log = _render(build.report(build.check("security.bandit", Status.FAILED, [f])), repo)
    run = log["runs"][0]
    assert run["results"][0]["level"] == level
    assert run["tool"]["driver"]["rules"][0]["properties"]["security-severity"] == score
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == level


def test_results_point_at_their_rule_and_carry_identity_keys(build: Any, repo: Path) -> None:
    findings = [build.finding(rule_id=r, line=n) for n, r in enumerate(["E1", "E2", "E1"], 1)]
    log = _render(build.report(build.check("quality.lint", Status.FAILED, findings)), repo)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["E1", "E2"]
    for result, finding in zip(run["results"], findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule_id
        assert result["fingerprints"] == {"atlas-ci/v1": finding.fingerprint}
        assert result["message"]["text"] == finding.message


def test_line_hash_is_computed_from_the_file_in_the_repo(build: Any, repo: Path) -> None:
    f = build.finding(
        "security.bandit", "B307", "eval", line=2, end_line=2, start_column=5, end_column=22
    )
    report = attach(build.report(build.check("security.bandit", Status.FAILED, [f])), repo)
    result = _results(_render(report, repo))[0]
    expected = line_hashes((repo / "src/app.py").read_text())[2]
    assert result["partialFingerprints"] == {"primaryLocationLineHash": expected}
    assert _uri(result) == "src/app.py"
    assert (
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    )
    assert _region(result) == {"startLine": 2, "endLine": 2, "startColumn": 5, "endColumn": 22}


def test_unreadable_file_still_gets_a_line_hash_key(build: Any, repo: Path) -> None:
    missing = build.finding(path="src/gone.py", line=4)
    beyond = build.finding(path="src/app.py", line=99, rule_id="E2")
    report = build.report(build.check("quality.lint", Status.FAILED, [missing, beyond]))
    log = _render(attach(report, repo), repo)
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in _results(log)]
    assert all(HASH.match(h) for h in hashes)
    assert hashes[0] != hashes[1]
    assert _region(_results(log)[0]) == {"startLine": 4}


def test_location_less_findings_point_at_the_config_file(build: Any, repo: Path) -> None:
    a = build.finding("security.dependencies", "PYSEC-1", "jinja2 vulnerable", path=None)
    b = build.finding("security.dependencies", "PYSEC-2", "urllib3 vulnerable", path=None)
    report = build.report(build.check("security.dependencies", Status.FAILED, [a, b]))
    default = _results(_render(report, repo))
    assert [_uri(r) for r in default] == ["atlas-ci.toml", "atlas-ci.toml"]
    assert all(_region(r) == {"startLine": 1} for r in default)
    # Distinct findings on the same synthetic line must not collapse into one alert.
    keys = {r["partialFingerprints"]["primaryLocationLineHash"] for r in default}
    assert len(keys) == 2
    configured = _results(_render(report, repo, config_path=str(repo / "pyproject.toml")))
    assert _uri(configured[0]) == "pyproject.toml"


@pytest.mark.parametrize(
    ("path", "line", "expected"),
    [
        ("/etc/passwd", 3, ("atlas-ci.toml", 1)),
        ("../outside.py", 3, ("atlas-ci.toml", 1)),
        ("src/../../outside.py", 3, ("atlas-ci.toml", 1)),
        ("./src/app.py", 3, ("src/app.py", 3)),
        ("src\\app.py", 3, ("src/app.py", 3)),
        ("docs/my file#1.md", None, ("docs/my%20file%231.md", 1)),
        ("C:/Users/x/app.py", 2, ("atlas-ci.toml", 1)),
    ],
)
def test_uris_are_relative_and_never_escape_the_root(
    build: Any, repo: Path, path: str, line: int | None, expected: tuple[str, int]
) -> None:
    f = build.finding(path=path, line=line)
    log = _render(build.report(build.check("quality.lint", Status.FAILED, [f])), repo)
    result = _results(log)[0]
    assert (_uri(result), _region(result)["startLine"]) == expected


def test_absolute_path_inside_the_root_becomes_relative(build: Any, repo: Path) -> None:
    f = build.finding(path=str(repo / "src/app.py"), line=2)
    log = _render(build.report(build.check("quality.lint", Status.FAILED, [f])), repo)
    assert _uri(_results(log)[0]) == "src/app.py"
    assert str(repo) not in json.dumps(log)
    for r in _results(log):
        parts = urlsplit(_uri(r))
        assert parts.scheme == ""
        assert not parts.path.startswith("/")
        assert ".." not in parts.path


def test_results_beyond_25000_per_run_are_truncated_with_a_note(build: Any, repo: Path) -> None:
    many = [build.finding(rule_id="E1", message="m", line=n % 3 + 1) for n in range(25_010)]
    critical = build.finding(rule_id="E9", message="worst", severity=Severity.CRITICAL)
    log = _render(build.report(build.check("quality.lint", Status.FAILED, [*many, critical])), repo)
    run = log["runs"][0]
    assert len(run["results"]) == 25_000
    assert run["properties"]["atlas-ci/dropped-results"] == 11
    assert run["results"][0]["ruleId"] == "E9"  # the most severe survive the cut
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("11 result(s) left out" in n["message"]["text"] for n in notes)


def test_more_than_20_runs_drop_empty_runs_first(build: Any, repo: Path) -> None:
    checks = [build.check(f"quality.c{i:02d}", Status.PASSED) for i in range(22)]
    checks[5] = build.check("quality.c05", Status.FAILED, [build.finding("quality.c05")])
    checks[21] = build.check("quality.c21", Status.FAILED, [build.finding("quality.c21")])
    log = _render(build.report(*checks), repo)
    ids = [r["automationDetails"]["id"] for r in log["runs"]]
    assert len(ids) == 20
    assert "atlas-ci/quality.c05/" in ids
    assert "atlas-ci/quality.c21/" in ids
    assert ids == sorted(ids)  # report order kept
    note = log["runs"][-1]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert "quality.c19, quality.c20" in note
    _validate(log)


def test_more_than_20_runs_with_results_merge_the_overflow(build: Any, repo: Path) -> None:
    checks = [
        build.check(f"quality.c{i:02d}", Status.FAILED, [build.finding(f"quality.c{i:02d}")])
        for i in range(23)
    ]
    log = _render(build.report(*checks), repo)
    runs = log["runs"]
    assert len(runs) == 20
    assert len(_results(log)) == 23
    last = runs[-1]
    assert last["automationDetails"]["id"] == "atlas-ci/merged/"
    assert last["properties"]["atlas-ci/merged-checks"] == [f"quality.c{i}" for i in range(19, 23)]
    assert [r["ruleId"] for r in last["results"]] == [f"quality.c{i}/E501" for i in range(19, 23)]
    assert len({r["automationDetails"]["id"] for r in runs}) == 20
    _validate(log)


def test_gzipped_size_limit_truncates_progressively(build: Any, repo: Path) -> None:
    findings = [
        build.finding(rule_id=f"R{n % 50}", message=f"finding {n} {n * 7919 % 104729:x}", line=1)
        for n in range(3000)
    ]
    limits = Limits(max_gzip_bytes=30_000)
    text = sarif.render(
        build.report(build.check("quality.lint", Status.FAILED, findings)), repo, limits=limits
    )
    assert len(gzip.compress(text.encode(), compresslevel=6)) < 30_000
    run = json.loads(text)["runs"][0]
    kept = len(run["results"])
    assert 0 < kept < 3000
    assert run["properties"]["atlas-ci/dropped-results"] == 3000 - kept
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("gzipped SARIF under 30000 bytes" in n for n in notes)


def test_rule_tags_are_capped_and_help_text_always_present(build: Any, repo: Path) -> None:
    f = build.finding("security.bandit", "B1", "", tags=tuple(f"t{i}" for i in range(30)))
    log = _render(build.report(build.check("security.bandit", Status.FAILED, [f])), repo)
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(rule["properties"]["tags"]) == 20
    assert rule["properties"]["tags"][0] == "security"
    assert rule["help"]["text"] == "B1"
    assert _results(log)[0]["message"]["text"] == "B1"
    _validate(log)


def test_no_runs_when_nothing_ran(build: Any, repo: Path) -> None:
    log = _render(build.report(build.check("quality.lint", Status.ERROR, reason="x")), repo)
    assert log["runs"] == []
    _validate(log)


def test_render_is_pure_it_reads_no_file(
    build: Any, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = build.finding(line=2)
    report = attach(build.report(build.check("quality.lint", Status.FAILED, [f])), repo)
    expected = line_hashes((repo / "src/app.py").read_text())[2]
    assert report.checks[0].findings[0].line_hash == expected

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the SARIF reporter read a file")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(Path, "read_text", refuse)
    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    result = _results(_render(report, repo))[0]
    assert result["partialFingerprints"] == {"primaryLocationLineHash": expected}


def test_without_attach_the_key_comes_from_the_finding_not_the_file(build: Any, repo: Path) -> None:
    f = build.finding(line=2)
    result = _results(_render(build.report(build.check("quality.lint", Status.FAILED, [f])), repo))
    assert (
        result[0]["partialFingerprints"]["primaryLocationLineHash"]
        != (line_hashes((repo / "src/app.py").read_text())[2])
    )


def test_attach_never_hashes_a_file_outside_the_root(build: Any, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "src").mkdir(parents=True)
    (tmp_path / "secret.py").write_text("x = 1\n")
    (root / "src/link.py").symlink_to(tmp_path / "secret.py")
    findings = [build.finding(path="src/link.py"), build.finding(path="../secret.py")]
    report = attach(build.report(build.check("quality.lint", Status.FAILED, findings)), root)
    assert [f.line_hash for f in report.checks[0].findings] == [None, None]

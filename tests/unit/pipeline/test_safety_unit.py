"""security.safety on recorded output: banner-wrapped JSON parsed, the database rules enforced."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ci.checks.security import GATE
from atlas_ci.checks.security import safety as mod
from atlas_ci.errors import CheckError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "safety"


def test_registered_in_the_security_gate_and_off_by_default() -> None:
    check = next(c for c in GATE.checks if c.name == "safety")
    assert check.tool == "safety"
    assert mod.SafetySettings().enabled is False


def test_recorded_output_with_deprecation_banners_parses() -> None:
    report = mod.parse((FIXTURES / "recorded-check-stdout.txt").read_text())
    assert sorted(report.scanned_packages) == ["jinja2", "requests"]
    (vuln,) = report.vulnerabilities
    assert vuln.package_name == "jinja2"
    assert vuln.cve == "CVE-2020-28493"
    assert vuln.fixed_versions == ["2.11.3"]
    assert mod._severity(vuln).value == "medium"


@pytest.mark.parametrize("text", ["", "DEPRECATED banner only\n", "{not json\n", '{"a": 1}\n'])
def test_unreadable_output_is_an_error(text: str) -> None:
    with pytest.raises(CheckError, match="safety"):
        mod.parse(text)


def test_neither_database_nor_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CheckError, match="SAFETY_API_KEY"):
        mod.database_args(tmp_path, None, {})


def test_the_key_alone_selects_the_service_and_stays_off_the_command_line(tmp_path: Path) -> None:
    key = "k" + "e" * 20
    assert mod.database_args(tmp_path, None, {"SAFETY_API_KEY": key}) == []


def test_a_database_directory_must_be_in_safetys_format(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "insecure.json").write_text("{}")
    with pytest.raises(CheckError, match=r"no insecure_full\.json"):
        mod.database_args(tmp_path, "db", {})
    (tmp_path / "db" / "insecure_full.json").write_text("{}")
    assert mod.database_args(tmp_path, "db", {}) == ["--db", str(tmp_path / "db")]

"""Statuses, fingerprints, check selection and exit codes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from atlas_ci import config, plan, reporting
from atlas_ci.errors import ConfigError
from atlas_ci.model import CheckResult, Status, fingerprint, worst


def test_worst_status_orders_error_failed_passed_skipped() -> None:
    assert worst([Status.PASSED, Status.ERROR, Status.FAILED]) is Status.ERROR
    assert worst([Status.PASSED, Status.FAILED, Status.SKIPPED]) is Status.FAILED
    assert worst([Status.SKIPPED, Status.PASSED]) is Status.PASSED
    assert worst([Status.SKIPPED, Status.SKIPPED]) is Status.SKIPPED
    assert worst([]) is Status.SKIPPED


def test_fingerprint_ignores_whitespace_but_not_rule_path_or_content() -> None:
    base = fingerprint("E1", "a.py", "x = 1")
    assert fingerprint("E1", "a.py", "  x   =  1 ") == base
    assert fingerprint("E2", "a.py", "x = 1") != base
    assert fingerprint("E1", "b.py", "x = 1") != base
    assert fingerprint("E1", "a.py", "x = 2") != base


def _results(*statuses: Status) -> list[CheckResult]:
    return [
        CheckResult(check=f"quality.c{i}", gate="quality", status=s) for i, s in enumerate(statuses)
    ]


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ((Status.PASSED, Status.SKIPPED), 0),
        ((Status.SKIPPED,), 0),
        ((Status.PASSED, Status.FAILED), 1),
        ((Status.FAILED, Status.ERROR), 3),
        ((Status.ERROR,), 3),
    ],
)
def test_exit_codes(statuses: tuple[Status, ...], code: int) -> None:
    report = reporting.build(
        _results(*statuses), digest="d", started=datetime.now(UTC), duration=0.0, commit=None
    )
    assert reporting.exit_code(report) == code


def test_interrupted_report_exits_130() -> None:
    report = reporting.build(
        _results(Status.PASSED),
        digest="d",
        started=datetime.now(UTC),
        duration=0.0,
        commit=None,
        interrupted=True,
    )
    assert reporting.exit_code(report) == 130


def test_select_only_skip_and_bare_names(tmp_path: Path) -> None:
    cfg = config.load(tmp_path)
    everything = plan.all_checks(cfg, ["quality"])
    only = plan.select(everything, ["lint"], [])
    assert [p.id for p in only] == ["quality.lint"]
    skipped = plan.select(everything, [], ["quality.lint"])
    assert next(p for p in skipped if p.id == "quality.lint").skip_reason == "skipped with --skip"


def test_unknown_selector_is_a_usage_error(tmp_path: Path) -> None:
    cfg = config.load(tmp_path)
    with pytest.raises(ConfigError, match="no check named 'nope'"):
        plan.select(plan.all_checks(cfg, ["quality"]), ["nope"], [])


def test_unknown_gate_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="unknown gate"):
        plan.gate_names("speed")


def test_disabled_check_and_gate_are_skipped_with_reason(tmp_path: Path) -> None:
    (tmp_path / "atlas-ci.toml").write_text(
        "[gates.quality.lint]\nenabled = false\n[gates.deploy]\nenabled = false\n"
    )
    planned = {p.id: p for p in plan.all_checks(config.load(tmp_path))}
    assert planned["quality.lint"].skip_reason == "disabled in config"
    assert planned["deploy.systemd"].skip_reason == "gate 'deploy' disabled in config"


def test_report_path_cannot_escape_report_dir(tmp_path: Path) -> None:
    assert reporting.inside(tmp_path, "atlas-ci.json") == (tmp_path / "atlas-ci.json").resolve()
    with pytest.raises(ConfigError):
        reporting.inside(tmp_path, "../outside.json")


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "r" / "a.json"
    reporting.write_atomic(target, "{}")
    reporting.write_atomic(target, '{"x": 1}')
    assert target.read_text() == '{"x": 1}'
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_list_rows_never_call_a_not_implemented_or_unavailable_check_enabled() -> None:
    from atlas_ci.inventory import Row

    def row(**kw: object) -> Row:
        base: dict[str, object] = {
            "check": "g.c",
            "enabled": True,
            "note": "",
            "tool": "t",
            "version": "1.0",
            "implemented": True,
        }
        return Row(**{**base, **kw})  # type: ignore[arg-type]

    assert row().state == "yes"
    assert row(implemented=False, version=None).state == "no (not implemented)"
    assert row(implemented=False, version=None).version_shown == "-"
    assert "not implemented" in row(implemented=False, version=None).doctor_state
    assert row(version=None).state == "no (unavailable: t not found)"
    assert "NOT FOUND" in row(version=None).doctor_state
    assert row(enabled=False, note="disabled in config").state == "no (disabled in config)"
    # A check without a tool of its own is available.
    assert row(tool="", version=None).state == "yes"


def test_select_takes_a_gate_name_and_refuses_an_empty_selection(tmp_path: Path) -> None:
    cfg = config.load(tmp_path)
    everything = plan.all_checks(cfg, ["quality", "security"])
    skipped = plan.select(everything, [], ["security"])
    assert {p.id for p in skipped if p.skip_reason == "skipped with --skip"} == {
        p.id for p in everything if p.check.gate == "security"
    }
    only = plan.select(everything, ["quality"], [])
    assert {p.check.gate for p in only} == {"quality"}
    with pytest.raises(ConfigError, match="leaves no check to run"):
        plan.select(everything, ["lint"], ["lint"])
    with pytest.raises(ConfigError, match="leaves no check to run"):
        plan.select(everything, ["quality"], ["quality"])

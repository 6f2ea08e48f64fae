"""The unit-file reader and atlas-ci's own service rules, on in-memory units."""

from __future__ import annotations

from pathlib import Path

from atlas_ci.checks.deploy import unit_rules, unitfile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "deploy" / "units"


def problems(text: str) -> dict[str, int | None]:
    return {p.rule_id: p.line for p in unit_rules.check_unit(unitfile.parse(text))}


def test_parser_keeps_lines_repeats_and_continuations() -> None:
    text = "# c\n[Service]\nExecStart=/bin/a \\\n  --flag\nUser=a\n; c\nUser=b\n[Install]\nX=1\n"
    unit = unitfile.parse(text)
    start = unit.last("Service", "ExecStart")
    assert start is not None
    assert (start.value, start.line) == ("/bin/a --flag", 3)
    assert [e.value for e in unit.values("Service", "User")] == ["a", "b"]
    assert unit.section_line("Service") == 2
    assert unit.section_line("Install") == 8


def test_root_unit_without_nnp_or_memory_limit_has_a_problem_per_rule_at_its_line() -> None:
    assert problems((FIXTURES / "root.service").read_text()) == {
        "run-as-root": 7,  # User=root
        "no-new-privileges": 5,  # missing: reported at [Service]
        "memory-limit": 5,
    }


def test_missing_user_and_restart_no_are_reported() -> None:
    text = "[Service]\nExecStart=/bin/x\nRestart=no\nNoNewPrivileges=no\nMemoryMax=infinity\n"
    assert problems(text) == {
        "run-as-root": 1,
        "no-new-privileges": 4,
        "memory-limit": 5,
        "tasks-limit": 1,
        "nofile-limit": 1,
        "restart-policy": 3,
    }


def test_a_hardened_unit_has_no_problem() -> None:
    text = (
        "[Service]\nDynamicUser=yes\nNoNewPrivileges=true\nMemoryHigh=1G\nTasksMax=8\n"
        "LimitNOFILE=64\nRestart=on-failure\n"
    )
    assert problems(text) == {}
    assert problems(text.replace("DynamicUser=yes", "User=svc")) == {}

"""The security gate: its registry entry, its `fail_on` setting and the blocking rule."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from atlas_ci.checks.security import GATE, SecurityGateSettings
from atlas_ci.checks.security.policy import is_blocking
from atlas_ci.config import validate
from atlas_ci.model import Severity

pytestmark = pytest.mark.unit


def test_the_gate_lists_its_five_checks_with_their_tools():
    assert [(c.name, c.tool) for c in GATE.checks] == [
        ("bandit", "bandit"),
        ("secrets", "detect-secrets"),
        ("dependencies", "pip-audit"),
        ("workflows", "zizmor"),
        ("safety", "safety"),  # optional: off by default
    ]
    assert GATE.settings_model is SecurityGateSettings
    assert all(c.gate == "security" for c in GATE.checks)


@pytest.mark.parametrize(
    ("severity", "threshold", "blocks"),
    [
        (Severity.INFO, "low", False),
        (Severity.LOW, "low", True),
        (Severity.LOW, "medium", False),
        (Severity.MEDIUM, "medium", True),
        (Severity.HIGH, "critical", False),
        (Severity.CRITICAL, "critical", True),
    ],
)
def test_blocking_is_at_or_above_fail_on(severity, threshold, blocks):
    assert is_blocking(severity, threshold) is blocks


def test_fail_on_defaults_to_medium_and_rejects_other_words():
    assert SecurityGateSettings().fail_on == "medium"
    with pytest.raises(ValidationError):
        SecurityGateSettings(fail_on="info")


def test_config_keys_reach_the_checks_settings():
    model = validate(
        {
            "gates": {
                "security": {
                    "fail_on": "high",
                    "bandit": {"min_severity": "low"},
                    "secrets": {
                        "baseline": ".secrets.baseline",
                        "patterns": {"tok": "tok_[a-z]{8}"},
                    },
                    "dependencies": {
                        "requirements": ["requirements.txt"],
                        "ignore": [{"id": "PYSEC-1", "reason": "r", "expires": "2030-01-01"}],
                    },
                    "workflows": {"persona": "auditor"},
                }
            }
        },
        None,
    )
    security = model.gates.security  # type: ignore[attr-defined]
    assert security.fail_on == "high"
    assert security.bandit.min_severity == "low"
    assert security.secrets.patterns == {"tok": "tok_[a-z]{8}"}
    assert security.dependencies.ignore[0].id == "PYSEC-1"
    assert security.workflows.persona == "auditor"

"""The machine-readable report (atlas-ci.json): the Report model, every field, as indented JSON."""

from __future__ import annotations

from atlas_ci.model import Report


def render(report: Report) -> str:
    """schema_version, tool version, commit, config digest and per check: status, reason, duration,
    tool name and version, findings, metrics, artifacts (all fields of the model, none computed)."""
    return report.model_dump_json(indent=2) + "\n"

"""The text `atlas-ci init` writes: an atlas-ci.toml fitted to the facts, and the workflows."""

from __future__ import annotations

import json
from importlib import resources

from atlas_ci import __version__
from atlas_ci.init_detect import Facts

# The actions the generated workflows use, pinned to the same commits as atlas-ci's own workflows.
PINS = {
    "CHECKOUT": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2",
    "SETUP_PYTHON": "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0",
    "UPLOAD": "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02  # v4.6.2",
    "DOWNLOAD": "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093  # v4.3.0",
    "UPLOAD_SARIF": "github/codeql-action/upload-sarif@"
    "ce28f5bb42b7a9f2c824e633a3f6ee835bab6858  # v3.29.0",
}


def _toml_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def config(facts: Facts) -> str:
    """atlas-ci.toml: only what differs from the defaults, each with why it is there."""
    parts = [
        "# Written by `atlas-ci init` from what it found in this repository; edit freely.",
        "# `atlas-ci config show` prints every key with its default.",
        "",
        "[project]",
        f"paths = {_toml_list(facts.paths)}",
    ]
    parts += _tests(facts)
    parts += _perf(facts)
    parts += [
        "",
        "# Needs the command that starts the service on a loopback port, e.g.",
        '# argv = ["python", "-m", "app", "--port", "{port}"], under [gates.reliability.service].',
        "[gates.reliability]",
        "enabled = false",
    ]
    parts += _deploy(facts)
    return "\n".join(parts) + "\n"


def _tests(facts: Facts) -> list[str]:
    if not facts.categories:
        return ["", "# No tests/ or test/ directory was found.", "[gates.tests]", "enabled = false"]
    lines = []
    if facts.markers:
        lines += ["", f"# Declared pytest markers: {', '.join(facts.markers)}."]
    for cat in facts.categories:
        default_path = "tests" if cat.name == "unit" else f"tests/{cat.name}"
        custom = cat.name not in ("unit", "integration", "observability", "reliability")
        if cat.path == default_path and not custom:
            continue
        lines += ["", f"[gates.tests.categories.{cat.name}]", f"paths = [{json.dumps(cat.path)}]"]
        lines.append(f"marker = {json.dumps(cat.marker)}")
    return lines


def _perf(facts: Facts) -> list[str]:
    if facts.benchmarks is None:
        return ["", "# No benchmarks directory was found.", "[gates.perf]", "enabled = false"]
    return ["", "[gates.perf.benchmarks]", f"paths = [{json.dumps(facts.benchmarks)}]"]


def _deploy(facts: Facts) -> list[str]:
    lines = [""]
    if not facts.buildable:
        lines += [
            "# No pyproject.toml or setup.py: there is no package to build, scan or bundle.",
            "[gates.deploy.package]",
            "enabled = false",
            "",
            "[gates.deploy.sbom]",
            "enabled = false",
            "",
            "[gates.deploy.secrets]",
            "enabled = false",
            "",
        ]
    if facts.units:
        lines += [
            "[gates.deploy.service]",
            f"name = {json.dumps(facts.service)}",
            "",
            "[gates.deploy.systemd]",
            f"units = {_toml_list(facts.units)}",
        ]
    else:
        lines += [
            "# No systemd unit (*.service) was found.",
            "[gates.deploy.systemd]",
            "enabled = false",
        ]
    return lines


def workflows(facts: Facts, action: str) -> dict[str, str]:
    """Workflow file name -> text; deployment and smoke only for a service with a unit."""
    values = {**PINS, "ACTION": action, "VERSION": __version__, **_values(facts)}
    values["SETUP"] = _fill(_template("setup-steps.yml"), values).rstrip("\n")
    values["PERF"] = _fill(_template("perf-job.yml"), values) if facts.benchmarks else ""
    names = ["ci.yml"] + (["deployment.yml", "smoke-test.yml"] if facts.units else [])
    out = {}
    for name in names:
        target = "atlas-ci.yml" if name == "ci.yml" else name
        out[target] = _fill(_template(name), values).rstrip("\n") + "\n"
    return out


def _values(facts: Facts) -> dict[str, str]:
    categories = [c.name for c in facts.categories] or ["unit"]
    return {
        "BRANCH": facts.default_branch,
        "PYTHON": facts.python,
        "INSTALL": " ".join(facts.install),
        "CATEGORIES": ", ".join(categories),
        "SERVICE": facts.service or "the service",
    }


def _template(name: str) -> str:
    return resources.files("atlas_ci").joinpath("templates", name).read_text(encoding="utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text

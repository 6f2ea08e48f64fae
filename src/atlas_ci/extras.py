"""Which extra of atlas-ci brings which tool: the install hint `doctor` gives for a missing one."""

from __future__ import annotations

# Tools of the built-in checks that come with an extra rather than with atlas-ci itself
# (pyproject.toml's [project.optional-dependencies]); anything else is a core dependency.
EXTRA_OF_TOOL = {
    "locust": "load",
    "build": "deploy",
    "cyclonedx-py": "deploy",
    "twine": "deploy",
    "check-wheel-contents": "deploy",
    "validate-pyproject": "deploy",
    "scipy": "perf",
    "safety": "safety",
}
# Tools no pip package provides: the hint names the system package instead.
SYSTEM_TOOLS = {"systemd-analyze": "systemd (the distribution's package)"}


def install_hint(tool: str) -> str:
    """How to get `tool`: the extra that brings it, the system package, or pip."""
    if tool in SYSTEM_TOOLS:
        return f"install {SYSTEM_TOOLS[tool]}"
    if extra := EXTRA_OF_TOOL.get(tool):
        return f"install the `{extra}` extra: `pip install 'atlas-ci[{extra}]'`"
    return f"install it with `pip install {tool}`"


# Modules the checks import lazily that come with an extra: a check that finds one missing is
# `error` with this hint, not a traceback.
EXTRA_OF_MODULE = {
    "scipy": "perf",
    "numpy": "perf",
    "locust": "load",
    "matplotlib": "load",
    "twine": "deploy",
    "cyclonedx": "deploy",
}


def missing_module(exc: ModuleNotFoundError) -> str | None:
    """The reason for a check whose extra is not installed, or None for any other import."""
    top = (exc.name or "").split(".", 1)[0]
    extra = EXTRA_OF_MODULE.get(top)
    if extra is None:
        return None
    return f"{top} is not installed; install the `{extra}` extra: `pip install 'atlas-ci[{extra}]'`"


def hint_for(name: str, distribution: str | None) -> str:
    """The hint for a tool known by its name and, maybe, the distribution that ships it."""
    known = name in EXTRA_OF_TOOL or name in SYSTEM_TOOLS
    return install_hint(name if known or not distribution else distribution)

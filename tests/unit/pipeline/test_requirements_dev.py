"""requirements-dev.txt pins exactly pyproject's `dev` extra, each at a version the extra allows."""

from __future__ import annotations

import tomllib

from helpers.workflows import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in (REPO / "requirements-dev.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        spec = list(req.specifier)
        assert len(spec) == 1, f"not pinned: {line}"
        assert spec[0].operator == "==", f"not pinned: {line}"
        assert canonicalize_name(req.name) not in pins, f"listed twice: {req.name}"
        pins[canonicalize_name(req.name)] = spec[0].version
    return pins


def test_requirements_dev_pins_exactly_the_dev_extra() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    dev = {
        canonicalize_name(Requirement(r).name): Requirement(r)
        for r in project["optional-dependencies"]["dev"]
    }
    pins = _pins()
    assert sorted(pins) == sorted(dev), (
        "requirements-dev.txt and the dev extra list different packages"
    )
    for name, req in dev.items():
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} does not satisfy the dev extra's {req.specifier}"
        )

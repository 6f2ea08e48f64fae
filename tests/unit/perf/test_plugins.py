"""Loading atlas-ci's pytest plugins, and the verdict of the import probe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlas_ci.checks.perf import plugins
from atlas_ci.errors import CheckError

pytestmark = pytest.mark.unit


def test_harness_installs_the_plugins_first_on_the_path(tmp_path: Path) -> None:
    args, env, probe = plugins.harness(
        {"PYTHONPATH": "/x"},
        tmp_path,
        [plugins.MEMORY],
        tree=tmp_path / "tree",
        foreign=None,
        tag="t",
    )
    assert args == ["-p", plugins.MEMORY]
    assert probe is None
    directory = tmp_path / "plugins"
    assert env["PYTHONPATH"] == f"{directory}:/x"
    assert (directory / f"{plugins.MEMORY}.py").read_text().startswith('"""pytest plugin')


def test_harness_adds_the_probe_on_a_side_with_a_foreign_tree(tmp_path: Path) -> None:
    args, env, probe = plugins.harness(
        {}, tmp_path, [], tree=tmp_path / "base", foreign=tmp_path / "head", tag="base-1"
    )
    assert args == ["-p", plugins.PROBE]
    assert probe == tmp_path / "probe-base-1.json"
    assert env["ATLAS_CI_PROBE_ROOT"] == str(tmp_path / "head")
    assert str(tmp_path / "base") in env["ATLAS_CI_PROBE_SELF"].split(":")


def test_the_probe_passes_when_nothing_leaked(tmp_path: Path) -> None:
    out = tmp_path / "probe.json"
    out.write_text("{}")
    plugins.check_probe(out, "base")
    plugins.check_probe(None, "base")


def test_the_probe_names_what_was_imported_from_the_head(tmp_path: Path) -> None:
    out = tmp_path / "probe.json"
    out.write_text(
        json.dumps(
            {
                "atlas.storage": "/repo/atlas/src/atlas/storage.py",
                "atlas": "/repo/atlas/src/atlas/__init__.py",
            }
        )
    )
    with pytest.raises(CheckError, match=r"base side imported the head's code \(atlas, e\.g\."):
        plugins.check_probe(out, "base")

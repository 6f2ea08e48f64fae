"""The registry: explicit built-in families, no import cycle, stand-ins marked as such."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from atlas_ci import gates
from atlas_ci.checks.spec import NotImplementedCheck, is_implemented

FAMILIES = ("security", "testsuite", "quality", "perf", "reliability", "deploy")


def test_the_families_import_without_the_registry() -> None:
    # A fresh interpreter: a family importing gates.py back would load it here (the old cycle).
    imports = "".join(f"import atlas_ci.checks.{family}\n" for family in FAMILIES)
    code = (
        imports
        + "import sys\nassert 'atlas_ci.gates' not in sys.modules, 'a family imported gates'\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert res.returncode == 0, res.stderr


def test_the_built_in_gates_come_in_report_order() -> None:
    assert (
        list(gates.BUILT_IN)
        == [gates.spec(name).name for name in gates.BUILT_IN]
        == [
            "security",
            "tests",
            "quality",
            "perf",
            "reliability",
            "deploy",
        ]
    )


def test_stand_ins_say_they_are_not_implemented_and_real_checks_do() -> None:
    everything = [c for spec in gates.registry().values() for c in spec.checks]
    stand_ins = [c for c in everything if isinstance(c, NotImplementedCheck)]
    assert all(not is_implemented(c) for c in stand_ins)
    assert all(is_implemented(c) for c in everything if not isinstance(c, NotImplementedCheck))
    assert is_implemented(NotImplementedCheck("deploy", "x")) is False


def test_a_run_of_one_gate_imports_only_that_gate(tmp_path: Path) -> None:
    # A fresh interpreter: loading the config for `gate quality` must not import other families.
    code = (
        "import sys\nfrom pathlib import Path\nfrom atlas_ci import config, plan\n"
        "cfg = config.load(Path('.'), None, frozenset({'quality'}))\n"
        "assert [p.id for p in plan.all_checks(cfg, ['quality'])][:1] == ['quality.lint']\n"
        "others = ('security', 'testsuite', 'perf', 'reliability', 'deploy')\n"
        "loaded = [f for f in others if 'atlas_ci.checks.' + f in sys.modules]\n"
        "assert 'atlas_ci.checks.quality.gate' in sys.modules\n"
        "assert loaded == [], loaded\n"
        "assert cfg.gate('deploy').enabled\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr


def test_every_gate_is_listed_without_loading_one() -> None:
    assert gates.gate_names()[: len(gates.BUILT_IN)] == tuple(gates.BUILT_IN)


def test_a_gates_checks_all_start_at_once_by_default(tmp_path: Path) -> None:
    import os

    from atlas_ci import config, pipeline, plan

    cfg = config.load(tmp_path, None, frozenset({"quality"}))
    planned = plan.all_checks(cfg, ["quality"])
    assert pipeline.default_jobs(planned) == max(os.cpu_count() or 1, 4)
    skipped = plan.select(planned, (), ("lint", "format"))
    assert pipeline.default_jobs(skipped) == max(os.cpu_count() or 1, 2)

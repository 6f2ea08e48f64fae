"""Loading atlas-ci's own pytest plugins (_memplugin, _instrplugin, _probe) into a pytest.

Each is a standalone file copied into a temporary directory put first on PYTHONPATH, so the
project's interpreter needs nothing from atlas_ci, and a base worktree of atlas-ci itself cannot
shadow them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from atlas_ci.errors import CheckError

HERE = Path(__file__).parent
MEMORY = "_atlas_ci_memplugin"
PROBE = "_atlas_ci_probe"
INSTR = "_atlas_ci_instrplugin"
SOURCES = {MEMORY: "_memplugin.py", PROBE: "_probe.py", INSTR: "_instrplugin.py"}


def install(workdir: Path, names: Sequence[str]) -> Path:
    directory = workdir / "plugins"
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = (HERE / SOURCES[name]).read_text(encoding="utf-8")
        (directory / f"{name}.py").write_text(source, encoding="utf-8")
    return directory


def harness(
    env: dict[str, str],
    workdir: Path,
    names: Sequence[str],
    *,
    tree: Path,
    foreign: Path | None,
    tag: str,
) -> tuple[list[str], dict[str, str], Path | None]:
    """pytest arguments and environment that load `names` (plus the import probe when the side
    must not import from `foreign`), and where the probe will write."""
    names = [*names, PROBE] if foreign is not None else list(names)
    if not names:
        return [], env, None
    directory = install(workdir, names)
    path = os.pathsep.join(p for p in (str(directory), env.get("PYTHONPATH")) if p)
    out = workdir / f"probe-{tag}.json" if foreign is not None else None
    extra = {"PYTHONPATH": path}
    if out is not None:
        out.unlink(missing_ok=True)
        own = os.pathsep.join((str(tree), str(directory)))
        extra |= {
            "ATLAS_CI_PROBE_OUT": str(out),
            "ATLAS_CI_PROBE_ROOT": str(foreign),
            "ATLAS_CI_PROBE_SELF": own,
        }
    args = [arg for name in names for arg in ("-p", name)]
    return args, {**env, **extra}, out


def check_probe(out: Path | None, label: str) -> None:
    """CheckError when the side imported project code from the head's tree: the comparison would
    measure the head against itself."""
    if out is None or not out.is_file():
        return
    try:
        hits: Any = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CheckError(f"unreadable import probe {out.name}: {exc}") from exc
    if not hits:
        return
    top = sorted({str(name).split(".")[0] for name in hits})
    sample = next(iter(hits.values()))
    raise CheckError(
        f"the {label} side imported the head's code ({', '.join(top)}, e.g. {sample}), probably "
        "through an editable install: set [gates.perf.benchmarks] pythonpath to the directories "
        'that hold them (e.g. ["src"]), so that each side imports its own tree'
    )

"""Instruction counts per benchmark: pytest-codspeed under valgrind's callgrind, one dump each.

The side's pytest runs as `valgrind --tool=callgrind --instr-atstart=no -- python -m pytest
--codspeed --codspeed-mode=simulation ...`: callgrind instruments nothing until pytest-codspeed's
client requests switch it on around one (warm, see _instrplugin) call of a benchmark, then dumps
the counters as `callgrind.out.<pid>.<part>` with `desc: Trigger: Client Request: <uri>` and a
`totals:` line (the Ir event: instructions executed). Instructions do not depend on the load of
the machine, so both sides may run at the same time; the hash seed is fixed (PYTHONHASHSEED, set
for every side) and both sides use the same interpreter.

PYTHONMALLOC=malloc: with pymalloc the count of an allocating loop is bimodal. The same warm call
of a 70,000-step integer loop counted 55,874,741 or 59,013,151 instructions depending only on the
size of the environment (one more byte in one variable flips it): pymalloc empties and re-inits a
pool on every iteration when the loop's int is alone in its pool, about 45 instructions a step, and
whether it is alone depends on everything allocated before. The system allocator's per-size
caches cost the same every time: 71,804,891 instructions for the same call with environments of
0 to 5 extra bytes (one run 291 fewer). Head and base differ in paths and environment, so only
the latter makes their counts comparable. The figures are instructions with the system allocator.

GLIBC_TUNABLES (ALLOCATOR): the system allocator is bimodal too, over a whole process. Atlas's
near_search counted 28,349,660 or 29,189,473 instructions on identical code, process by process:
the difference was all glibc's (malloc_consolidate 514,145 in one mode and absent in the other,
_int_malloc 1.35M against 0.89M), because whether fastbins hold chunks to merge depends on
everything the process freed before, timing-dependent reprs included. Without fastbins
(mxfast=0) and with fixed mmap and trim thresholds (glibc otherwise moves them as it frees) eight
processes agreed within 0.035% (28,655,858 to 28,666,029). Other libcs ignore the variable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_ci.checks.base import CheckContext
from atlas_ci.checks.perf import plugins
from atlas_ci.checks.perf.runs import Side, pytest_args, pytest_tool, run_pytest
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.toolkit import Tool, bad_exit
from atlas_ci.errors import CheckError

OUT_ENV = "ATLAS_CI_INSTR_OUT"
TRIGGER = "desc: Trigger: Client Request: "
# A dump of pytest-codspeed's own metadata, not of a benchmark.
METADATA = "Metadata: "
_TOTALS = re.compile(r"^totals:\s+(\d+)", re.MULTILINE)
# Coverage started in the child (coverage's subprocess patch) would be counted too, and slows
# valgrind tenfold: perf measures the code, not the tracer.
NO_COVERAGE = {"COVERAGE_PROCESS_START": "", "COVERAGE_PROCESS_CONFIG": ""}
ALLOCATOR = ":".join(
    (
        "glibc.malloc.mxfast=0",
        "glibc.malloc.mmap_threshold=131072",
        "glibc.malloc.trim_threshold=131072",
    )
)


@dataclass(frozen=True)
class Dump:
    uri: str
    instructions: int


def parse_dump(text: str) -> Dump | None:
    """The benchmark and its instruction count in one callgrind dump; None for dumps that are
    not a benchmark's (program termination, pytest-codspeed's metadata)."""
    uri = next((line[len(TRIGGER) :] for line in text.splitlines() if line.startswith(TRIGGER)), "")
    if not uri or uri.startswith(METADATA):
        return None
    totals = _TOTALS.findall(text)
    if not totals:
        raise CheckError(f"callgrind dump for {uri} has no totals line")
    return Dump(uri.strip(), int(totals[-1]))


def read_dumps(directory: Path) -> list[Dump]:
    dumps = []
    for path in sorted(directory.glob("callgrind.out.*"), key=_part):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CheckError(f"unreadable callgrind dump {path.name}: {exc}") from exc
        dump = parse_dump(text)
        if dump is not None:
            dumps.append(dump)
    return dumps


def _part(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in path.name.split(".")[2:] if p.isdigit())


def match(dumps: Sequence[Dump], warmed: Sequence[str]) -> dict[str, int]:
    """Instructions per node id. pytest-codspeed names a benchmark by its path relative to the git
    top level, atlas-ci by the node id relative to the side's tree: the URI ends with the node id.
    A count that no warm-up preceded (a `@pytest.mark.benchmark` test, or a fixture that lost the
    race with pytest-codspeed's) is an error: it would carry one-time costs that vary by a percent
    between runs."""
    counts: dict[str, int] = {}
    for dump in dumps:
        node = next((n for n in warmed if dump.uri == n or dump.uri.endswith(f"/{n}")), None)
        if node is None:
            raise CheckError(
                f"callgrind measured {dump.uri} without atlas-ci's warm-up call (only tests "
                "that use the `benchmark` fixture are supported with timer = 'instructions')"
            )
        if node in counts:
            raise CheckError(f"callgrind measured {node} twice in one run")
        counts[node] = dump.instructions
    return counts


def valgrind_args(out_dir: Path) -> list[str]:
    return [
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out_dir / 'callgrind.out.%p'}",
        # Its own messages only: the program's output stays the program's.
        "--quiet",
        "--",
    ]


def tunables(existing: str) -> str:
    """The project's own tunables kept; ours after them, so that ours win where both set one."""
    return ":".join(t for t in (existing, ALLOCATOR) if t)


@dataclass(frozen=True)
class CountRun:
    counts: dict[str, int]
    note: str = ""


def run_counts(
    ctx: CheckContext,
    side: Side,
    targets: Sequence[str],
    *,
    settings: BenchmarkSettings,
    workdir: Path,
    tag: str,
) -> CountRun:
    """One measurement of every benchmark in `targets` on one side: instructions per call."""
    if not targets:
        return CountRun({}, f"none of the benchmark paths exist on {side.label}")
    out_dir = workdir / f"callgrind-{tag}"
    out_dir.mkdir(parents=True)
    warm_file = workdir / f"warm-{tag}.json"
    load, env, probe = plugins.harness(
        side.env, workdir, [plugins.INSTR], tree=side.tree, foreign=side.foreign, tag=tag
    )
    opts = [*load, "-p", "no:benchmark", "--codspeed", "--codspeed-mode=simulation"]
    pytest = pytest_tool(ctx)
    tool = Tool("pytest under valgrind", (settings.valgrind,), None)
    args = [*valgrind_args(out_dir), *pytest.argv, *pytest_args(side, targets, opts, settings.args)]
    env = {
        **env,
        **NO_COVERAGE,
        "PYTHONMALLOC": "malloc",
        "GLIBC_TUNABLES": tunables(env.get("GLIBC_TUNABLES", "")),
        "CODSPEED_ENV": "atlas-ci",
        # pytest-codspeed writes its results and environment there, not into the project.
        "CODSPEED_PROFILE_FOLDER": str(workdir / f"codspeed-{tag}"),
        OUT_ENV: str(warm_file),
    }
    res = run_pytest(ctx, tool, args, side, env=env, ok_codes=(0,))
    plugins.check_probe(probe, side.label)
    if res.returncode != 0:  # the base side only: run_pytest raised for the head
        return CountRun({}, f"on {side.label}: {bad_exit(tool, res)}")
    return CountRun(match(read_dumps(out_dir), _warmed(warm_file, side.label)))


def _warmed(path: Path, label: str) -> list[str]:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        return [str(n) for n in data["warmed"]]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise CheckError(
            f"pytest under callgrind on {label} left no warm-up record ({exc}): is pytest-codspeed "
            "installed in the project's interpreter, and pytest >= 9.1?"
        ) from exc

"""timer = "instructions": reading (recorded) callgrind dumps and judging instruction counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from atlas_ci.checks.perf import callgrind, instructions
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.perf.stats import Sample, Verdict
from atlas_ci.errors import CheckError

pytestmark = pytest.mark.unit

# Dumps of `valgrind --tool=callgrind --instr-atstart=no` around pytest-codspeed 5.0.4 (the cost
# table cut): the benchmark's, pytest-codspeed's metadata marker and the program's termination.
RECORDED = Path(__file__).parents[2] / "fixtures" / "perf"
NODE = "test_d.py::test_work"


def counts(*values: int) -> Sample:
    return instructions.counts_sample(values)


def test_a_recorded_dump_gives_the_benchmark_and_its_instruction_total() -> None:
    text = (RECORDED / "callgrind.out.14084.2").read_text()
    assert callgrind.parse_dump(text) == callgrind.Dump("/work/repo/test_d.py::test_work", 71804891)


def test_markers_and_the_termination_dump_are_not_benchmarks(tmp_path: Path) -> None:
    for name in ("callgrind.out.14084.1", "callgrind.out.14084"):
        assert callgrind.parse_dump((RECORDED / name).read_text()) is None
    for name in ("callgrind.out.14084", "callgrind.out.14084.1", "callgrind.out.14084.2"):
        shutil.copy(RECORDED / name, tmp_path / name)
    dumps = callgrind.read_dumps(tmp_path)
    assert [d.instructions for d in dumps] == [71804891]


def test_a_benchmark_dump_without_totals_is_an_error() -> None:
    text = (RECORDED / "callgrind.out.14084.2").read_text().replace("totals:", "nothing:")
    with pytest.raises(CheckError, match="no totals line"):
        callgrind.parse_dump(text)


def test_uris_relative_to_the_git_top_match_node_ids_relative_to_the_tree() -> None:
    dumps = [callgrind.Dump("sub/bench/test_a.py::test_x[1]", 10), callgrind.Dump("b.py::t", 5)]
    assert callgrind.match(dumps, ["bench/test_a.py::test_x[1]", "b.py::t"]) == {
        "bench/test_a.py::test_x[1]": 10,
        "b.py::t": 5,
    }


def test_a_count_taken_without_the_warm_up_is_an_error() -> None:
    # pytest-codspeed also measures `@pytest.mark.benchmark` tests, without atlas-ci's warm-up.
    with pytest.raises(CheckError, match="without atlas-ci's warm-up"):
        callgrind.match([callgrind.Dump("b.py::t", 5)], ["b.py::other"])
    with pytest.raises(CheckError, match="twice in one run"):
        callgrind.match([callgrind.Dump("b.py::t", 5)] * 2, ["b.py::t"])


def test_one_allocator_mode_is_set_for_glibc_and_a_projects_own_tunables_are_kept() -> None:
    assert callgrind.tunables("") == callgrind.ALLOCATOR
    assert "glibc.malloc.mxfast=0" in callgrind.ALLOCATOR.split(":")
    mine = "glibc.malloc.arena_max=2"
    assert callgrind.tunables(mine) == f"{mine}:{callgrind.ALLOCATOR}"


def test_valgrind_runs_callgrind_with_instrumentation_off_until_a_benchmark(tmp_path: Path) -> None:
    argv = callgrind.valgrind_args(tmp_path)
    assert argv[:2] == ["--tool=callgrind", "--instr-atstart=no"]
    assert f"--callgrind-out-file={tmp_path}/callgrind.out.%p" in argv
    assert argv[-1] == "--"


def judge(head: Sample, base: Sample) -> Verdict:
    return instructions.judge_counts({NODE: (head, base)}, min_effect=0.02, max_noise=0.001)[NODE]


def test_identical_counts_pass_and_five_percent_more_fails() -> None:
    same = judge(counts(71_804_891, 71_804_600), counts(71_804_891, 71_804_891))
    assert same.outcome == "ok"
    assert same.unit == "instructions"
    more = judge(counts(75_395_136, 75_395_136), counts(71_804_891, 71_804_891))
    assert more.outcome == "regressed"
    assert "ratio 1.05000: base 71,804,891, head 75,395,136 instructions per call" in more.reason


def test_growth_exactly_at_the_threshold_is_not_past_it_and_the_ratio_is_exact() -> None:
    v = judge(counts(102_000_000, 102_000_000), counts(100_000_000, 100_000_000))
    assert v.outcome == "ok"
    assert "ratio 1.02000" in v.reason
    assert judge(counts(102_000_001, 102_000_001), counts(100_000_000, 100_000_000)).outcome == (
        "regressed"
    )


def test_two_measurements_that_disagree_past_max_noise_cannot_be_judged() -> None:
    v = judge(counts(100_000_000, 100_200_000), counts(100_000_000, 100_000_000))
    assert v.outcome == "inconclusive"
    assert "head's measurements differ: 100,000,000 and 100,200,000" in v.reason
    assert "not deterministic" in v.reason
    # Noise on the base side cannot hide a clear regression either: it is an error, not a pass.
    assert judge(counts(200, 200), counts(100, 150)).outcome == "inconclusive"


def test_a_benchmark_measured_once_on_a_side_is_not_judged() -> None:
    ev = instructions.evaluate(
        {NODE: counts(5, 5)}, {NODE: counts(5)}, min_effect=0.02, max_noise=0.001
    )
    assert ev.verdicts[NODE].outcome == "inconclusive"
    assert ev.unit == "instructions"


def test_measurements_run_each_side_twice(tmp_path: Path) -> None:
    from atlas_ci.checks.perf.runs import make_side

    seen: list[str] = []

    def measure(side, targets, tag):  # type: ignore[no-untyped-def]
        seen.append(tag)
        return callgrind.CountRun({NODE: 100 if side.label == "base" else 103})

    sides = [(make_side("head", tmp_path, []), ["b"]), (make_side("base", tmp_path, []), ["b"])]
    samples, _ = instructions.measure_sides(measure, sides)
    assert sorted(seen) == ["base-0", "base-1", "head-0", "head-1"]
    assert samples["head"][NODE].times == (103.0, 103.0)
    ev = instructions.evaluate(samples["head"], samples["base"], min_effect=0.02, max_noise=0.001)
    assert ev.verdicts[NODE].outcome == "regressed"


def test_min_effect_defaults_to_two_percent_for_instructions_and_ten_for_timers() -> None:
    s = BenchmarkSettings()
    assert (s.effect("instructions"), s.effect("cpu"), s.effect("wall")) == (0.02, 0.10, 0.10)
    assert BenchmarkSettings(min_effect=0.05).effect("instructions") == 0.05
    assert s.timer == "auto"
    assert s.on_inconclusive == "error"

"""quality.complexity: radon's recorded cc/mi JSON, thresholds, metrics and exclusion."""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import pytest

from atlas_ci.checks.quality import radon_files
from atlas_ci.checks.quality.complexity import Complexity, ComplexitySettings
from atlas_ci.checks.quality.radon_data import parse_cc, parse_mi
from atlas_ci.errors import CheckError
from atlas_ci.model import Status

pytestmark = pytest.mark.unit
FAST_MI_MODULE = "atlas_ci.checks.quality.radon_pass"
FILES = [
    f"src/dirty/{name}.py" for name in ("__init__", "complex_me", "fmt_me", "lint_me", "types_me")
]


def _both(cc: str, mi: str) -> str:
    """radon_pass's output: radon cc's and radon mi's JSON side by side."""
    return f'{{"cc": {cc}, "mi": {mi}}}'


def _respond(fake_tools, recorded, cc="radon_cc.json", mi="radon_mi.json"):
    fake_tools.respond("cc", *recorded(cc))
    fake_tools.respond("mi", *recorded(mi))
    fake_tools.respond(FAST_MI_MODULE, _both(recorded(cc)[0], recorded(mi)[0]))


def test_recorded_cc_lists_every_function_method_and_class_once(recorded, dirty):
    blocks = parse_cc(json.loads(recorded("radon_cc.json")[0]), dirty)
    got = sorted((b.path, b.name, b.line, b.complexity) for b in blocks)
    assert got == [
        ("src/dirty/complex_me.py", "Shape", 30, 3),  # the class's own score, as `radon cc` shows
        ("src/dirty/complex_me.py", "Shape.area", 31, 2),
        ("src/dirty/complex_me.py", "branchy", 4, 14),
        ("src/dirty/fmt_me.py", "add", 4, 1),
        ("src/dirty/lint_me.py", "answer", 6, 1),
        ("src/dirty/types_me.py", "caller", 8, 1),
        ("src/dirty/types_me.py", "double", 4, 1),
    ]


def test_closures_are_walked_and_named_after_their_function(dirty):
    inner = {"type": "function", "name": "inner", "lineno": 3, "col_offset": 4, "complexity": 12}
    outer = {
        "type": "function",
        "name": "outer",
        "lineno": 1,
        "col_offset": 0,
        "complexity": 2,
        "closures": [inner],
    }
    blocks = parse_cc({"src/m.py": [outer]}, dirty)
    assert {(b.name, b.complexity) for b in blocks} == {("outer", 2), ("outer.inner", 12)}


def test_recorded_mi_lists_every_module(recorded, dirty):
    modules = {m.path: m.mi for m in parse_mi(json.loads(recorded("radon_mi.json")[0]), dirty)}
    assert set(modules) == {
        "src/dirty/__init__.py",
        "src/dirty/complex_me.py",
        "src/dirty/fmt_me.py",
        "src/dirty/lint_me.py",
        "src/dirty/types_me.py",
    }
    assert 40 < modules["src/dirty/complex_me.py"] < 60


def test_run_flags_functions_above_the_limit_with_metrics(fake_tools, recorded, make_ctx):
    _respond(fake_tools, recorded)
    fake_tools.version = "6.0.1"
    result = Complexity().run(make_ctx(Complexity()))
    assert result.status is Status.FAILED
    (finding,) = result.findings
    assert finding.rule_id == "cyclomatic-complexity"
    assert (finding.location.path, finding.location.start_line) == ("src/dirty/complex_me.py", 4)
    assert "branchy" in finding.message
    assert "14" in finding.message
    metrics = {m.name: m for m in result.metrics}
    assert (metrics["max_complexity"].value, metrics["max_complexity"].threshold) == (14, 10)
    assert metrics["max_complexity"].direction == "max"
    # Six functions and methods (20) plus the class Shape's own score (3), as `radon cc` lists them.
    assert metrics["average_complexity"].value == round(23 / 7, 2)
    assert metrics["average_complexity"].threshold is None
    assert result.tool_version == "6.0.1"


def test_a_higher_limit_passes(fake_tools, recorded, make_ctx):
    _respond(fake_tools, recorded)
    settings = ComplexitySettings(max_complexity=14)
    assert Complexity().run(make_ctx(Complexity(), settings=settings)).status is Status.PASSED


def test_modules_below_the_maintainability_floor_are_findings(fake_tools, recorded, make_ctx):
    _respond(fake_tools, recorded)
    settings = ComplexitySettings(max_complexity=50, min_maintainability=60)
    result = Complexity().run(make_ctx(Complexity(), settings=settings))
    assert result.status is Status.FAILED
    assert [(f.rule_id, f.location.path) for f in result.findings] == [
        ("maintainability-index", "src/dirty/complex_me.py")
    ]


def test_excluded_files_are_never_given_to_radon(fake_tools, recorded, make_ctx):
    _respond(fake_tools, recorded)
    kept = [name for name in FILES if not name.endswith("complex_me.py")]
    Complexity().run(make_ctx(Complexity(), exclude=("complex_me.py",)))
    (call,) = fake_tools.tool_calls()
    assert call[5:] == kept
    # With `command`, radon's own two commands get the same files.
    fake_tools.calls.clear()
    settings = ComplexitySettings(command=("radon",))
    Complexity().run(make_ctx(Complexity(), settings=settings, exclude=("complex_me.py",)))
    (cc_call, mi_call) = calls(fake_tools)
    assert [a.rsplit("/fixtures/quality/dirty/", 1)[-1] for a in mi_call[-len(kept) :]] == kept
    assert [a.rsplit("/fixtures/quality/dirty/", 1)[-1] for a in cc_call[-len(kept) :]] == kept
    assert not any("complex_me" in a for a in cc_call + mi_call)


def test_an_empty_default_selection_is_skipped_and_a_configured_one_an_error(
    fake_tools, make_ctx, tmp_path
):
    (tmp_path / "README.md").write_text("no code here\n")
    result = Complexity().run(make_ctx(Complexity(), root=tmp_path, paths=(".",)))
    assert result.status is Status.SKIPPED
    assert result.reason.startswith("no Python files in .")
    assert fake_tools.tool_calls() == []
    ctx = make_ctx(Complexity(), root=tmp_path, paths=(".",))
    configured = replace(ctx, project=replace(ctx.project, paths_configured=True))
    with pytest.raises(CheckError, match=r"no Python files in the configured paths \(\.\)"):
        Complexity().run(configured)


def test_a_file_radon_cannot_parse_is_a_check_error(fake_tools, recorded, make_ctx):
    _respond(fake_tools, recorded, cc="radon_cc_syntax_error.json")
    with pytest.raises(CheckError, match=r"src/dirty/broken\.py"):
        Complexity().run(make_ctx(Complexity()))


@pytest.mark.parametrize(
    ("cc", "mi", "code"),
    [
        ("garbage", "{}", 0),
        ("{}", "{}", 0),  # no Python file analysed
        ("[]", '{"a.py": {"mi": 50, "rank": "A"}}', 0),
        ('{"a.py": [{"type": "function"}]}', '{"a.py": {"mi": 50, "rank": "A"}}', 0),
        ('{"a.py": [{"type": "lambda", "name": "x"}]}', '{"a.py": {"mi": 50, "rank": "A"}}', 0),
        ("{}", '{"a.py": {"rank": "A"}}', 0),
        ("{}", '{"a.py": {"mi": 50, "rank": "A"}}', 1),
    ],
)
def test_unreadable_output_and_bad_exits_are_check_errors(fake_tools, make_ctx, cc, mi, code):
    fake_tools.respond("cc", cc, code)
    fake_tools.respond("mi", mi, code)
    fake_tools.respond(FAST_MI_MODULE, _both(cc, mi), code)
    # Both ways: the one pass, and radon's own two commands (`command` set).
    for command in (None, ("radon",)):
        with pytest.raises(CheckError):
            Complexity().run(make_ctx(Complexity(), settings=ComplexitySettings(command=command)))


@pytest.mark.parametrize(
    "out", ['{"mi": {}}', "[]", '{"cc": {}, "mi": {}, "x": 1}', '{"cc": 1, "mi": {}}']
)
def test_the_one_pass_output_must_hold_both_reports(fake_tools, make_ctx, out):
    fake_tools.respond(FAST_MI_MODULE, out)
    with pytest.raises(CheckError):
        Complexity().run(make_ctx(Complexity()))


def calls(fake_tools):
    """(cc call, mi call): the two run at once, so their order is not fixed."""
    made = fake_tools.tool_calls()
    cc = next(c for c in made if "cc" in c)
    return cc, next(c for c in made if c is not cc)


def test_every_rank_is_requested_so_radon_config_cannot_hide_blocks(fake_tools, recorded, make_ctx):
    _respond(fake_tools, recorded)
    Complexity().run(make_ctx(Complexity(), settings=ComplexitySettings(command=("radon",))))
    cc_call, mi_call = calls(fake_tools)
    assert cc_call[cc_call.index("-n") + 1 :][:3] == ["A", "-x", "F"]
    assert mi_call[mi_call.index("-n") + 1 :][:3] == ["A", "-x", "C"]
    # From an empty directory (the project's config cannot crash radon), so on absolute paths:
    # the file set's files under src, each named.
    root = make_ctx(Complexity()).root.resolve()
    named = [str(root / name) for name in FILES]
    assert cc_call[-len(FILES) :] == mi_call[-len(FILES) :] == named


def test_without_a_command_one_pass_gives_both(fake_tools, recorded, make_ctx):
    _respond(fake_tools, recorded)
    ctx = make_ctx(Complexity())
    Complexity().run(ctx)
    (call,) = fake_tools.tool_calls()
    memo = str(ctx.root / ".atlas-ci" / "cache" / "radon-memo")
    assert call == [sys.executable, "-m", FAST_MI_MODULE, "--memo", memo, *FILES]
    # `memo = false`: every file is measured again.
    fake_tools.calls.clear()
    Complexity().run(make_ctx(Complexity(), settings=ComplexitySettings(memo=False)))
    (call,) = fake_tools.tool_calls()
    assert call == [sys.executable, "-m", FAST_MI_MODULE, *FILES]


def test_radon_gets_what_its_own_walk_would_pick(tmp_path, make_ctx):
    """.py files and python `#!` scripts; never hidden names below the configured path."""
    files = {
        "pkg/a.py": "x = 1\n",
        "pkg/tool": "#!/usr/bin/env python3\nprint(1)\n",
        "pkg/run.sh": "#!/bin/sh\necho\n",
        "pkg/notes.txt": "text\n",
        "pkg/.hidden.py": "x = 1\n",
        "pkg/.cache/b.py": "x = 1\n",
        "pkg/nb.ipynb": "{}\n",
        "pkg/legacy/c.py": "x = 1\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    project = make_ctx(Complexity(), root=tmp_path, paths=("pkg",)).project
    assert radon_files.select(project, 60) == ["pkg/a.py", "pkg/legacy/c.py", "pkg/tool"]
    narrowed = replace(project, exclude=("legacy/",))
    assert radon_files.select(narrowed, 60) == ["pkg/a.py", "pkg/tool"]


def test_settings_reject_nonsense_thresholds():
    with pytest.raises(ValueError, match="max_complexity"):
        ComplexitySettings(max_complexity=0)
    with pytest.raises(ValueError, match="min_maintainability"):
        ComplexitySettings(min_maintainability=101)

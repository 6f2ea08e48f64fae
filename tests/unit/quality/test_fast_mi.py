"""fast_mi gives `radon mi`'s numbers: raw counts and index equal radon's on real code."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.pool_files import pool_modules
from radon.metrics import mi_visit
from radon.raw import analyze as radon_analyze

from atlas_ci.checks.quality import fast_mi

REPO = Path(__file__).resolve().parents[3]

TRICKY = {
    "semicolons": "a = 1; b = 2\nif a: b = 3; c = 4\n",
    "colon_then_code": "if x: return 0  # c\ntry: 1/0\nexcept Exception: pass\n",
    "docstrings": 'def f():\n    """One line."""\n\n    """\n    Multi\n\n    line\n    """\n',
    "comments": "# a\n  # b\nx = 1  # c\n\n\n",
    "continuation": "x = 1 + \\\n    2\ny = [\n  1,  # one\n\n  2,\n]\n",
    "strings": "s = '''a\nb'''\nt = 'x'; u = \"\"\"\n\"\"\"\n",
    "decorators_lambdas": (
        "@d\ndef g(a: int = {1: 2}[1]) -> dict:\n    return {k: v for k, v in []}\n"
    ),
    "fstrings_and_dict_slices": 'v = f"{a!r:>{w}}" + x[1:2]\nd = {"k": lambda q: q}\n',
    "class_body": "class A:\n    x: int = 1\n\n    def m(self): ...\n",
    "empty": "",
    "only_blank": "\n\n\n",
    "no_trailing_newline": "x = 1\ny = 2",
    "form_feed": "x = 1\n\x0c\ny = 2\n",
    "match": "match p:\n    case {'k': v}:\n        pass\n    case _: pass\n",
    # What fast_raw's scan must tell apart without tokenize.
    "prefixed_strings": "x = rb'a' + Rb\"b\" + u'c' + F'{d}'\nrb'''lone'''\nbr\"x\"\n",
    "hash_and_quotes": "s = '# not a comment'  # but this is: don't\nt = \"it's\"\n# 'quoted'\n",
    "string_first": '"a".join(x)\n"a" "b"\n"""doc""" + y\n"x"  # c\n',
    "multiline_then_code": 'x = """a\nb""" + z\n"""\nlone\n"""\ny = f(\n    """q""",\n)\n',
    "backslashes": "p = 'a\\\\b'\nq = \"c\\\"d\"\nr = '''e\\\nf'''\nt = 'g\\\nh'\n",
    "walrus_and_slices": "if (n := 3) > 2: pass\na[::2]\nb = c[1:]\nd = {1: 2}\ne = (lambda: 0)\n",
    "brackets_over_lines": "x = [\n    1,  # one\n\n    (2,\n     3),\n]\ny = {\n}\n",
    "colon_endings": (
        "class C:\n    def f(self):  # c\n        while x: y()\n    z = {'a':\n         1}\n"
    ),
    "semicolon_in_string": "s = ';'\nt = 'a'; u = 'b:'\nv = \"x\" ; w = 1\n",
}


def raw_tuple(raw: fast_mi.Raw) -> tuple[int, ...]:
    return (raw.loc, raw.lloc, raw.sloc, raw.comments, raw.multi, raw.blank, raw.single_comments)


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_sources_match_radon(name: str) -> None:
    src = TRICKY[name]
    assert raw_tuple(fast_mi.analyze(src)) == tuple(radon_analyze(src))
    assert fast_mi.mi(src) == mi_visit(src, True)
    assert fast_mi.mi(src, multi=False) == mi_visit(src, False)


def test_this_repositorys_code_matches_radon() -> None:
    files = sorted((REPO / "src").rglob("*.py")) + sorted((REPO / "atlas" / "src").rglob("*.py"))
    assert len(files) > 50
    for path in files:
        src = path.read_text(encoding="utf-8")
        assert raw_tuple(fast_mi.analyze(src)) == tuple(radon_analyze(src)), path
        assert fast_mi.mi(src) == mi_visit(src, True), path


def data_module(rows: int) -> str:
    body = "".join(
        f"    'key_{i}': ({i}, 'value {i}', [{i}, {i + 1}]),  # row {i}\n" for i in range(rows)
    )
    return '"""Generated data."""\n\nDATA = {\n' + body + "}\n\n\ndef get(k):\n    return DATA[k]\n"


def test_a_data_literal_matches_radon() -> None:
    # Small enough for radon's quadratic pass to finish quickly; the 4,000-row one is in the
    # speed benchmark.
    src = data_module(100)
    assert raw_tuple(fast_mi.analyze(src)) == tuple(radon_analyze(src))
    assert fast_mi.mi(src) == mi_visit(src, True)


def test_the_command_prints_radon_mi_json_and_finds_files_like_radon(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / ".hidden").mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "sub" / "b.py").write_text("def f(:\n")
    (pkg / ".hidden" / "c.py").write_text("x = 1\n")
    (pkg / "tool").write_text("#!/usr/bin/env python\nx = 1\n")
    (pkg / "skip_me.py").write_text("x = 1\n")
    (pkg / "notes.txt").write_text("x\n")
    res = subprocess.run(
        [sys.executable, "-m", "atlas_ci.checks.quality.fast_mi", "pkg", "-e", "*skip_me*"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(res.stdout)
    assert sorted(out) == ["pkg/a.py", "pkg/sub/b.py", "pkg/tool"]
    assert out["pkg/a.py"] == {"mi": 100.0, "rank": "A"}
    assert "error" in out["pkg/sub/b.py"]
    radon = subprocess.run(
        [sys.executable, "-m", "radon", "mi", "-j", "pkg", "-e", "*skip_me*"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sorted(json.loads(radon.stdout)) == sorted(out)


def test_the_process_pool_gives_the_same_report_in_the_same_order(tmp_path) -> None:
    from atlas_ci.checks.quality import fast_mi

    names = pool_modules(tmp_path, fast_mi.PARALLEL_MIN + 3)
    alone = fast_mi.report(names, workers=1)
    pooled = fast_mi.report(names, workers=2)
    assert list(pooled) == names
    assert pooled == alone
    assert "error" in pooled[str(tmp_path / "broken.py")]


STDLIB = Path(ast.__file__).parent


def test_the_scan_equals_tokenize_on_the_standard_library() -> None:
    from atlas_ci.checks.quality import fast_raw

    names = sorted(STDLIB.glob("*.py"))[::8]
    assert len(names) > 20
    for path in names:
        src = path.read_text(encoding="utf-8")
        assert fast_mi.analyze(src) == fast_mi.analyze_tokens(src), path
        # The scan itself read the file (no silent fallback to tokenize).
        assert fast_raw.statements([line.strip() for line in src.splitlines()]), path

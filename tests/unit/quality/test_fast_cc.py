"""fast_cc's one walk gives exactly what radon's ComplexityVisitor and HalsteadVisitor give."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from radon.complexity import SCORE, add_inner_blocks, sorted_results
from radon.visitors import ComplexityVisitor, HalsteadVisitor

from atlas_ci.checks.quality import fast_cc, radon_pass

REPO = Path(__file__).resolve().parents[3]
STDLIB = Path(ast.__file__).parent

TRICKY = {
    "branches": (
        "def f(a, b=1 if x else 2):\n"
        "    if a and b or c:\n        return 1\n"
        "    elif a is not None < b:\n        return -a\n"
        "    for i in a:\n        pass\n    else:\n        pass\n"
        "    while a:\n        a -= 1\n"
        "    try:\n        g()\n    except ValueError:\n        pass\n"
        "    except (KeyError, OSError):\n        pass\n    else:\n        h()\n"
        "    finally:\n        k()\n"
        "    return [i for i in a if i if not i] or {k: v for k, v in b}\n"
    ),
    "match": (
        "def m(p):\n    match p:\n        case [1, *rest] if rest:\n            return 1\n"
        "        case {'k': v, **kw}:\n            return v\n"
        "        case Point(x=0) | None:\n            return 0\n"
        "        case _:\n            return 2\n"
        "def n(p):\n    match p:\n        case x:\n            return x\n"
    ),
    "nesting": (
        "@deco(a or b)\nclass Outer(Base if x else Other, metaclass=M):\n"
        "    attr = 1 + 2\n    assert attr and x, 'no'\n"
        "    class Inner:\n        def deep(self, x):\n"
        "            def helper(y):\n                return y if y else -y\n"
        "            class Local:\n                def f(self):\n"
        "                    return x or 1\n"
        "            return helper(x) or x and 1\n"
        "    def method(self, a=lambda q: q or 1):\n        if a:\n            return 1\n"
        "        return a\n"
        "    if flag:\n        def conditional(self):\n            return 1 if z else 2\n"
        "async def co(a):\n    async for i in a:\n        await i\n"
        "    async with a as b:\n        return [j async for j in b if j]\n"
        "def last_is_def():\n    x = 1\n    def inner():\n        return x\n"
        "def last_is_assert(v):\n    y = v + 1\n    assert y > 1 and v\n"
    ),
    "operands": (
        "a = 1 + 1.0 + True\nb = x.y * x.y - 'c' % 'c'\nc += not d\n"
        "def f():\n    return x + 1 == 1 != y.z\n"
        "def g():\n    return x + 1\n"
        "e = f'{a!r:>{w}}' + f'{b}'\n"
        "if (n := len(a)) > 10: pass\n"
        "print(*[1 << 2 for _ in ()], **{'a': -1})\n"
    ),
    "module_level_code": (
        "import os\nfrom . import thing as t\nglobal_var = [x for x in range(3) if x]\n"
        "if __name__ == '__main__':\n    while True:\n        break\n"
        "try:\n    import fast\nexcept* ImportError:\n    fast = None\n"
    ),
}


def radon_view(tree: ast.AST) -> tuple[Any, ...]:
    cc = ComplexityVisitor.from_ast(tree)
    hal = HalsteadVisitor.from_ast(tree)
    blocks = [radon_pass.cc_to_dict(b) for b in sorted_results(add_inner_blocks(cc.blocks), SCORE)]
    counts = (hal.distinct_operators, hal.distinct_operands, hal.operators, hal.operands)
    return blocks, cc.total_complexity, counts


def fast_view(tree: ast.AST) -> tuple[Any, ...]:
    found = fast_cc.analyse(tree)
    blocks = [
        radon_pass.cc_to_dict(b) for b in sorted_results(add_inner_blocks(found.blocks), SCORE)
    ]
    h = found.halstead
    counts = (h.distinct_operators, h.distinct_operands, h.operators, h.operands)
    return blocks, found.total_complexity, counts


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_constructs_match_radon(name: str) -> None:
    tree = ast.parse(TRICKY[name])
    assert fast_view(tree) == radon_view(tree)


def test_the_volume_is_radons() -> None:
    from radon.metrics import h_visit_ast

    for src in TRICKY.values():
        tree = ast.parse(src)
        assert fast_cc.analyse(tree).halstead.volume == h_visit_ast(tree).total.volume
    assert fast_cc.analyse(ast.parse("")).halstead.volume == 0


def _same_on(paths: list[Path]) -> int:
    compared = 0
    for path in paths:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            want = radon_view(tree)
        except (SyntaxError, UnicodeDecodeError, RecursionError):
            continue  # neither side gives numbers for it
        assert fast_view(tree) == want, path
        compared += 1
    return compared


def test_this_repositorys_code_matches_radon() -> None:
    files = [p for top in ("src", "tests", "atlas") for p in sorted((REPO / top).rglob("*.py"))]
    assert _same_on(files) > 200


def test_the_standard_library_matches_radon() -> None:
    # Every 6th module of the standard library and its pattern-matching tests (most `match`
    # statements anywhere): about 130 files of every construct the grammar has.
    files = [*sorted(STDLIB.glob("*.py"))[::6], STDLIB / "test" / "test_patma.py"]
    files = [p for p in files if p.exists()]
    assert _same_on(files) > 20

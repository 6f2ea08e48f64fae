"""radon_pass prints what `radon cc -j ... --show-closures` and `radon mi -j` print, in one pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers.pool_files import pool_modules

from atlas_ci.checks.quality import fast_mi, radon_pass

REPO = Path(__file__).resolve().parents[3]
CC = ["cc", "-j", "-n", "A", "-x", "F", "--show-closures"]

NESTED = '''
class Outer:
    """Inner classes, closures, methods: every block radon cc lists."""

    class Inner:
        def deep(self, x):
            def helper(y):
                return y if y else -y
            return helper(x) or x and 1

    def method(self, a):
        if a:
            return 1
        elif a is None:
            return 2
        return [i for i in range(a) if i % 2]


def top(n):
    def closure(m):
        class Local:
            def f(self):
                return m or n
        return Local
    assert n, "n"
    return closure(n) if n > 1 else None


lam = lambda q: q or 1  # noqa: E731
'''


def _json_of(module: str, args: list[str], cwd: Path) -> dict[str, object]:
    res = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    loaded: dict[str, object] = json.loads(res.stdout)
    return loaded


def _radon(args: list[str], cwd: Path) -> dict[str, object]:
    return _json_of("radon", args, cwd)


def _pass(args: list[str], cwd: Path) -> dict[str, object]:
    return _json_of("atlas_ci.checks.quality.radon_pass", args, cwd)


def test_nested_blocks_and_errors_equal_radon_cc_and_mi(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "nested.py").write_text(NESTED)
    (pkg / "empty.py").write_text("")
    (pkg / "broken.py").write_text("def f(:\n")
    (pkg / "skip_me.py").write_text("def g():\n    return 1\n")
    args = ["pkg", "-e", "*skip_me*"]
    out = _pass(args, tmp_path)
    radon = {"cc": _radon([*CC, *args], tmp_path), "mi": _radon(["mi", "-j", *args], tmp_path)}
    assert out == radon
    cc = out["cc"]
    assert isinstance(cc, dict)
    assert "pkg/empty.py" not in cc  # radon cc leaves out a file without blocks
    assert "error" in cc["pkg/broken.py"]


def test_this_repositorys_code_equals_radon_cc_and_mi() -> None:
    out = _pass(["src", "atlas/src"], REPO)
    cc = _radon([*CC, "src", "atlas/src"], REPO)
    assert len(cc) > 50
    # Same files, same blocks in the same order, same numbers. (The index's parity with
    # `radon mi` on this code is test_fast_mi's; radon mi itself takes long on it.)
    assert out["cc"] == cc
    mi = out["mi"]
    assert isinstance(mi, dict)
    assert len(mi) > len(cc) / 2
    some = [name for name in mi if name.startswith("src/atlas_ci/checks/")]
    assert {n: mi[n] for n in some} == fast_mi.report(some, workers=1)


def test_the_process_pool_keeps_the_order_and_the_numbers(tmp_path: Path) -> None:
    names = pool_modules(tmp_path, radon_pass.PARALLEL_MIN + 3)
    alone = radon_pass.report(names, workers=1)
    pooled = radon_pass.report(names, workers=2)
    assert pooled == alone
    assert list(pooled["mi"]) == names
    assert "error" in pooled["mi"][str(tmp_path / "broken.py")]

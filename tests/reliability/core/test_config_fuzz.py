"""Hostile configs: thousands of generated TOML documents never produce a traceback.

Every document is either a valid config or a ConfigError (exit 2) naming the file and a line or a
dotted key. The mix: real tables and keys with wrong values, misspelled tables and keys, arrays
and inline tables nested hundreds deep, integer literals over 4,300 digits, broken TOML, and the
same in pyproject.toml's [tool.atlas-ci] (and its misspelling [tool.atlas_ci]). Most documents go
through the loader in-process (fast); samples go through the CLI, in-process and as a subprocess.
Seeded (derandomize): the same documents on every run, so a failure reproduces.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from atlas_ci import config
from atlas_ci.cli import app
from atlas_ci.errors import ConfigError

TABLES = [
    "project",
    "reports",
    "gates",
    "gates.security",
    "gates.security.bandit",
    "gates.security.secrets",
    "gates.quality",
    "gates.quality.lint",
    "gates.quality.format",
    "gates.quality.types",
    "gates.quality.complexity",
    "gates.tests",
    "gates.tests.categories.unit",
    "gates.tests.categories.extra",
    "gates.tests.coverage",
    "gates.perf",
    "gates.perf.benchmarks",
    "gates.reliability",
    "gates.deploy",
    "gates.qualty.lint",
    "gates.nosuch",
    'gates."quality".lint',
]
KEYS = [
    "enabled",
    "timeout",
    "command",
    "paths",
    "exclude",
    "python",
    "dir",
    "formats",
    "fail_on",
    "workers",
    "marker",
    "args",
    "coverage",
    "min",
    "min_new",
    "allow_empty",
    "exclusive",
    "max_complexity",
    "timeuot",
    "bogus",
    "quality.lint.timeout",
]
_NAME = st.sampled_from(["a", "x_1", "-", "qualityy", "Enabled", "9", "a-b"])
# Strings a config may hold: quotes, escapes, control characters, non-ASCII, brackets.
_STRINGS = [
    '""',
    '"src"',
    '"auto"',
    '"logical"',
    '"many"',
    '"json"',
    '"pdf"',
    '"high"',
    r'"\u0000\n\t"',
    '"caf\u00e9 \u2603 \U0001f600"',
    '"[/bold] [red]"',
    r"'C:\path'",
    "'literal \"quoted\"'",
    '"""multi\nline"""',
    "'''raw\nlines'''",
    r'"a\\"',
    r'"\x"',
]


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(value)
    return text if any(c in text for c in ".e") else text + ".0"


SCALARS = st.one_of(
    st.integers().map(str),
    st.integers(0, 10**30).map(lambda n: f"{n:_}"),
    st.floats().map(_float),
    st.sampled_from(
        [*_STRINGS, "true", "false", "0", "-1", "1979-05-27T07:32:00Z", "07:32:00", "0x1F"]
    ),
)


def _array(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _inline(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k} = {v}" for k, v in pairs) + "}"


# Cheap to draw (a run's time goes to generating, not to loading): one level of arrays and inline
# tables here, hundreds of levels in DEEP.
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3).map(_array),
    st.lists(st.tuples(st.sampled_from(KEYS), SCALARS), max_size=2).map(_inline),
)
DEEP = st.tuples(st.integers(300, 900), st.sampled_from(["[", "{a = "])).map(
    lambda d: d[1] * d[0] + "1" + ("]" if d[1] == "[" else "}") * d[0]
)
HUGE = st.integers(4301, 6000).map(lambda n: "9" * n)
GARBAGE = st.one_of(
    st.text(alphabet="[]{}=\"'#., \\aZ1\u00e9\x00", max_size=20),
    st.sampled_from(["[gates", "= 1", "a = ", "a.b = 1\na.b = 2", "[a]\n[a]", "x = [1,", "\ufeff"]),
)


@st.composite
def lines(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, line): a key = value line, sometimes with a deep, huge or broken value."""
    # Deep values cost the parser a full recursion each: rarer, yet hundreds per run.
    kind = draw(st.sampled_from(["value"] * 12 + ["deep", "huge", "garbage"]))
    if kind == "garbage":
        return kind, draw(GARBAGE)
    key = draw(st.one_of(st.sampled_from(KEYS), _NAME))
    value = draw({"value": VALUES, "deep": DEEP, "huge": HUGE}[kind])
    return kind, f"{key} = {value}"


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str, set[str]]:
    """(file name, text, kinds of line it holds)."""
    in_pyproject = draw(st.integers(0, 4)) == 0
    prefix = draw(st.sampled_from(["tool.atlas-ci.", "tool.atlas-ci.", "tool.atlas_ci."]))
    out: list[str] = ['[project]\nname = "x"'] if in_pyproject else []
    kinds: set[str] = set()
    for _ in range(draw(st.integers(0, 3))):
        table = draw(st.sampled_from(TABLES))
        brackets = draw(st.sampled_from(["[]"] * 5 + ["[[]]", ""]))
        if brackets:
            name = prefix + table if in_pyproject else table
            out.append(f"{brackets[: len(brackets) // 2]}{name}{brackets[len(brackets) // 2 :]}")
        for kind, line in draw(st.lists(lines(), max_size=3)):
            kinds.add(kind)
            out.append(line)
    name = config.PYPROJECT if in_pyproject else config.CONFIG_FILE
    return name, "\n".join(out) + "\n", kinds


def _write(root: Path, name: str, text: str) -> Path:
    for old in (config.PYPROJECT, config.CONFIG_FILE):
        (root / old).unlink(missing_ok=True)
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def _names_file_and_place(message: str, path: Path) -> bool:
    """The message names the file, then a line (`file:N`) or a dotted key (`'a.b'`)."""
    return bool(re.search(re.escape(str(path)) + r"(:\d+|(:\d+)? '[^']+')", message))


def _load_error(root: Path) -> ConfigError | None:
    """The loader's ConfigError, or None for a valid config; anything else propagates."""
    try:
        config.load(root)
    except ConfigError as exc:
        return exc
    return None


def test_thousands_of_generated_configs_load_or_fail_cleanly(tmp_path: Path) -> None:
    seen: Counter[str] = Counter()

    @settings(
        max_examples=2000,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(documents())
    def loads_or_fails_cleanly(doc: tuple[str, str, set[str]]) -> None:
        name, text, kinds = doc
        path = _write(tmp_path, name, text)
        seen["documents"] += 1
        seen.update(kinds)
        error = _load_error(tmp_path)
        if error is None:
            seen["valid"] += 1
            return
        seen["rejected"] += 1
        assert error.file == str(path)
        assert error.line is not None or error.key, str(error)
        assert _names_file_and_place(str(error), path), str(error)

    loads_or_fails_cleanly()
    assert seen["documents"] >= 2000
    # The hard cases really were generated, and both outcomes occurred.
    for kind, least in (("deep", 100), ("huge", 100), ("garbage", 100)):
        assert seen[kind] >= least, seen
    assert seen["valid"] >= 50, seen
    assert seen["rejected"] >= 500, seen


def test_a_sample_through_the_cli_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    codes: Counter[int] = Counter()

    @settings(
        max_examples=150,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(documents())
    def validate(doc: tuple[str, str, set[str]]) -> None:
        name, text, _ = doc
        path = _write(tmp_path, name, text)
        res = runner.invoke(app, ["config", "validate"])
        codes[res.exit_code] += 1
        assert res.exit_code in (0, 2), res.output
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        if res.exit_code == 2:
            assert res.stdout == ""
            assert len(res.stderr.strip().splitlines()) == 1, res.stderr
            assert _names_file_and_place(res.stderr, path), res.stderr

    validate()
    assert codes[2] >= 30, codes


def test_a_sample_through_the_real_cli(tmp_path: Path) -> None:
    """Real subprocesses (slower): a traceback or a crash would show on stderr or as exit 1."""
    codes: Counter[int] = Counter()

    @settings(
        max_examples=10,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(documents())
    def validate(doc: tuple[str, str, set[str]]) -> None:
        name, text, _ = doc
        path = _write(tmp_path, name, text)
        res = subprocess.run(
            [sys.executable, "-m", "atlas_ci", "config", "validate"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "NO_COLOR": "1"},
            check=False,
        )
        codes[res.returncode] += 1
        assert res.returncode in (0, 2), res.stdout + res.stderr
        assert "Traceback" not in res.stderr
        if res.returncode == 2:
            assert len(res.stderr.strip().splitlines()) == 1, res.stderr
            assert _names_file_and_place(res.stderr, path), res.stderr

    validate()
    assert codes[2] >= 3, codes

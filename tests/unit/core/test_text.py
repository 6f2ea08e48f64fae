"""text.py: control and ANSI sequences stripped; the line that explains an error, not a tail."""

from __future__ import annotations

import pytest

from atlas_ci.text import clean, first_meaningful_line, headline

pytestmark = pytest.mark.unit

# What pytest prints when a `filterwarnings` entry names a module that is not installed and
# warnings are errors (recorded from pytest 8 here, frames shortened).
PYTEST_TRIO = """\
Traceback (most recent call last):
  File "/venv/bin/pytest", line 8, in <module>
    sys.exit(console_main())
             ^^^^^^^^^^^^^^
  File "/venv/lib/python3.11/site-packages/_pytest/config/__init__.py", line 1996, in _resolve
    m = __import__(module, None, None, [klass])
        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
ModuleNotFoundError: No module named 'trio'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/pluggy/_execution.py", line 167, in _multicall
    teardown.throw(exception)
  File "/venv/lib/python3.11/site-packages/pluggy/_execution.py", line 195, in _multicall
    raise exception
  File "/venv/lib/python3.11/site-packages/_pytest/config/__init__.py", line 2489, in apply
    warnings.warn(
pytest.PytestConfigWarning: Failed to import filter module 'trio': ignore::trio.TrioDeprecation
"""


def test_ansi_osc_and_control_characters_are_stripped() -> None:
    raw = (
        "\x1b[1;31mred\x1b[0m \x1b]0;title\x07ok\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ "
        "\x00\x07\x9b2Jbell\r\nnext\rover"
    )
    assert clean(raw) == "red oklink bell\nnext\nover"
    assert clean("tab\tand\nnewline stay") == "tab\tand\nnewline stay"


def test_a_traceback_gives_the_exception_it_ended_in() -> None:
    assert first_meaningful_line(PYTEST_TRIO) == (
        "pytest.PytestConfigWarning: Failed to import filter module 'trio': "
        "ignore::trio.TrioDeprecation"
    )


def test_a_tail_cut_from_the_end_still_gives_the_error_not_a_frame() -> None:
    cut = PYTEST_TRIO[PYTEST_TRIO.index("b/python3.11/site-packages/pluggy") :]
    assert first_meaningful_line(cut).startswith("pytest.PytestConfigWarning: Failed to import")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "E   AssertionError: assert 1 == 2\nE    +  where 1 = f()",
            "AssertionError: assert 1 == 2",
        ),
        (
            "checking...\nerror: Cannot find module 'x'\nerror: second",
            "error: Cannot find module 'x'",
        ),
        ("\n\n  something odd happened  \nmore", "something odd happened"),
        ("=== 1 error in 0.1s ===\n", ""),
        ("", ""),
    ],
)
def test_first_meaningful_line(text: str, expected: str) -> None:
    assert first_meaningful_line(text) == expected


def test_first_meaningful_line_is_bounded_and_cleaned() -> None:
    line = first_meaningful_line("\x1b[31mValueError: " + "x" * 500 + "\x1b[0m", limit=50)
    assert len(line) == 50
    assert line.startswith("ValueError: xxx")
    assert line.endswith("...")
    assert "\x1b" not in line


def test_headline_keeps_the_reason_and_picks_the_tool_line() -> None:
    assert headline("3 finding(s)") == "3 finding(s)"
    assert headline("pytest exited 4 (usage error)\n" + PYTEST_TRIO, limit=300) == (
        "pytest exited 4 (usage error): pytest.PytestConfigWarning: Failed to import filter "
        "module 'trio': ignore::trio.TrioDeprecation"
    )
    assert headline("mypy crashed\nTraceback ...") == "mypy crashed"
    assert headline("") == ""

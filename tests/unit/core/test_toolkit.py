"""The adapter kit: one message per way a tool run goes wrong, shapes checked, versions cheap."""

from __future__ import annotations

import stat
import sys
from importlib import metadata
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from typing_extensions import TypedDict

from atlas_ci import process
from atlas_ci.checks import toolkit
from atlas_ci.checks.toolkit import Tool, error_line, load_json, load_json_lines, run_tool
from atlas_ci.errors import CheckError


def script(tmp_path: Path, body: str, name: str = "fake-tool") -> Tool:
    path = tmp_path / name
    path.write_text(f"#!{sys.executable}\nimport os, sys, time\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return Tool("fake", (str(path),))


def run(tool: Tool, tmp_path: Path, *args: str, **kw: object) -> process.ProcessResult:
    return run_tool(tool, list(args), cwd=tmp_path, timeout=kw.pop("timeout", 10), **kw)  # type: ignore[arg-type]


def test_a_complete_run_returns_its_output(tmp_path: Path) -> None:
    res = run(script(tmp_path, "print('[1, 2]')"), tmp_path)
    assert load_json(res.stdout, list[int], tool="fake") == [1, 2]


def test_a_missing_program_names_it_with_the_install_hint(tmp_path: Path) -> None:
    tool = Tool("fake", ("atlas-ci-no-such-program",), distribution="fake-dist")
    with pytest.raises(
        CheckError, match=r"program not found: atlas-ci-no-such-program.*pip install fake-dist"
    ):
        run(tool, tmp_path)


def test_a_file_that_is_not_executable_says_so(tmp_path: Path) -> None:
    path = tmp_path / "plain"
    path.write_text("#!/bin/sh\n")
    with pytest.raises(CheckError, match="is not executable"):
        run(Tool("fake", (str(path),)), tmp_path)


def test_a_missing_interpreter_is_not_a_missing_program(tmp_path: Path) -> None:
    path = tmp_path / "orphan"
    path.write_text("#!/atlas-ci/no/such/interpreter\n")
    path.chmod(0o755)
    with pytest.raises(CheckError, match="its interpreter was not found"):
        run(Tool("fake", (str(path),)), tmp_path)


def test_an_argument_list_too_long_is_named_as_such(tmp_path: Path) -> None:
    tool = script(tmp_path, "pass")
    huge = ["x" * 100_000] * 40  # 4 MB: over any Linux ARG_MAX
    with pytest.raises(CheckError, match="argument list is too long"):
        run(tool, tmp_path, *huge)


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("sys.exit(3)", "fake exited 3"),
        ("os.kill(os.getpid(), 11)", "fake was killed by SIGSEGV"),
        ("os.kill(os.getpid(), 9)", "fake was killed by SIGKILL"),
    ],
)
def test_bad_exits_have_one_message_each(tmp_path: Path, body: str, said: str) -> None:
    with pytest.raises(CheckError, match=said):
        run(script(tmp_path, "print('error: boom', file=sys.stderr)\n" + body), tmp_path)


def test_accepted_exit_codes_are_returned(tmp_path: Path) -> None:
    res = run(script(tmp_path, "sys.exit(1)"), tmp_path, ok_codes=(0, 1))
    assert res.returncode == 1


def test_a_timeout_kills_and_says_how_long(tmp_path: Path) -> None:
    with pytest.raises(CheckError, match=r"fake timed out after 0\.5s"):
        run(script(tmp_path, "time.sleep(30)"), tmp_path, timeout=0.5)


def test_output_over_the_cap_is_an_error_not_a_partial_result(tmp_path: Path) -> None:
    tool = script(tmp_path, "sys.stdout.write('x' * 300_000)")
    with pytest.raises(CheckError, match="results are incomplete"):
        run(tool, tmp_path, output_cap=100_000)


def test_a_check_can_keep_the_tools_words_out(tmp_path: Path) -> None:
    tool = script(tmp_path, "print('error: hunter2', file=sys.stderr); sys.exit(2)")
    with pytest.raises(CheckError) as info:
        run(tool, tmp_path, detail=lambda res: "(output withheld)")
    assert "hunter2" not in str(info.value)
    assert str(info.value) == "fake exited 2: (output withheld)"


def test_the_reason_quotes_the_first_error_line_without_ansi(tmp_path: Path) -> None:
    res = process.ProcessResult(
        ("x",), 1, "", "noise\n\x1b[31mError: the real cause\x1b[0m\ntrailer\n", 0.1
    )
    assert error_line(res) == "Error: the real cause"


class Item(TypedDict):
    name: str
    line: int


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "printed no output"),
        ("   \n", "printed no output"),
        ("garbage", "not JSON"),
        ('{"name": "a"}', "unexpected shape"),
        ('[{"name": "a"}]', "unexpected shape: 0.line"),
        ("[" * 100_000 + "]" * 100_000, "not JSON|too deeply"),
    ],
)
def test_load_json_fails_closed(text: str, said: str) -> None:
    with pytest.raises(CheckError, match=said):
        load_json(text, TypeAdapter(list[Item]), tool="fake")


def test_load_json_accepts_a_plain_type_and_json_lines() -> None:
    assert load_json('{"name": "a", "line": 3}', Item, tool="t") == {"name": "a", "line": 3}
    assert load_json_lines('{"name": "a", "line": 3}\n\n', Item, tool="t") == [
        {"name": "a", "line": 3}
    ]


def test_version_comes_from_metadata_for_atlas_cis_own_tools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_subprocess(*_: object, **__: object) -> None:
        raise AssertionError("a --version subprocess was started")

    monkeypatch.setattr(process, "run", no_subprocess)
    assert Tool("ruff", ("ruff",), "ruff").version() == metadata.version("ruff")
    module = Tool("bandit", (sys.executable, "-m", "bandit"), "bandit")
    assert module.version() == metadata.version("bandit")


def test_a_foreign_program_answers_one_cached_version_call(tmp_path: Path) -> None:
    counter = tmp_path / "calls"
    tool = script(
        tmp_path, f"open({str(counter)!r}, 'a').write('x'); print('fake 1.2.3')", name="fake-v"
    )
    tool = Tool("fake", tool.argv, distribution="ruff")  # not in atlas-ci's environment
    toolkit.version_call.cache_clear()
    assert tool.version(tmp_path) == "1.2.3"
    assert tool.version(tmp_path) == "1.2.3"
    assert counter.read_text() == "x"


def test_a_configured_command_replaces_the_default_argv() -> None:
    tool = Tool("ruff", ("ruff",), "ruff")
    assert tool.using(None) is tool
    assert tool.using(("/opt/ruff", "--x")).argv == ("/opt/ruff", "--x")

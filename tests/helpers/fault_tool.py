"""A fake tool for the fault matrix: it misbehaves in one named way, or prints `kind`'s output.

Run by a small per-case script (tests/reliability/core/test_fault_matrix.py writes it); never
imported by atlas-ci. Every process it leaves behind carries `mark` in its command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, NoReturn

OUTSIDE = "/etc/hosts"
WRONG = {
    "types": '{"a": 1}',
    "complexity": '{"src/app.py": 5}',
    "bandit": '{"results": 5}',
    "secrets": '{"results": []}',
}


def option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
        if arg == name and i + 1 < len(args):
            return args[i + 1]
    return None


def junit(path: str | None, failures: int = 0, case: str = "") -> None:
    """mypy's --junit-xml and pytest's --junitxml files, reduced to what atlas-ci reads."""
    if path:
        case = case or '<testcase classname="t" name="t" file="tests/test_a.py"/>'
        with open(path, "w") as out:
            out.write(
                f'<testsuite name="mypy" tests="1" failures="{failures}" errors="0" skips="0">'
                f"{case}</testsuite>"
            )


def emit(data: Any, code: int = 0) -> NoReturn:
    print(json.dumps(data))
    sys.stdout.flush()
    sys.exit(code)


def clean(kind: str, args: list[str]) -> NoReturn:
    """What the real tool prints when it found nothing."""
    if kind == "types":
        junit(option(args, "--junit-xml"))
        sys.exit(0)
    if kind == "tests":
        junit(option(args, "--junitxml"))
        sys.exit(0)
    if kind == "complexity":
        emit({"src/app.py": []} if args[0] == "cc" else {"src/app.py": {"mi": 90.0, "rank": "A"}})
    if kind == "bandit":
        emit({"results": [], "errors": [], "metrics": {"_totals": {}, "src/app.py": {}}})
    if kind == "secrets":
        emit({"results": {}})
    emit([])  # ruff check, ruff format --check, zizmor


def outside(kind: str, args: list[str]) -> NoReturn:
    """Well-formed output with a finding in a file outside the repository."""
    loc = {"row": 1, "column": 1}
    if kind in ("lint", "format"):
        code = "F401" if kind == "lint" else "unformatted"
        item = {"filename": OUTSIDE, "code": code, "message": "m", "location": loc}
        emit([item], 0 if kind == "lint" else 1)
    if kind == "types":
        junit(option(args, "--junit-xml"), failures=1)
        line = {"file": "../../outside.py", "line": 1, "column": 0, "message": "m"}
        emit({**line, "hint": None, "code": "misc", "severity": "error"}, 1)
    if kind == "complexity":
        block = {"type": "function", "name": "f", "lineno": 1, "col_offset": 0, "complexity": 50}
        emit({OUTSIDE: [block]} if args[0] == "cc" else {OUTSIDE: {"mi": 5.0}})
    if kind == "bandit":
        issue = {
            "test_id": "B101",
            "test_name": "assert_used",
            "issue_text": "t",
            "issue_severity": "HIGH",
            "issue_confidence": "HIGH",
            "filename": OUTSIDE,
            "line_number": 1,
        }
        emit({"results": [issue], "errors": [], "metrics": {"src/app.py": {}}})
    if kind == "secrets":
        emit(
            {
                "results": {
                    OUTSIDE: [{"type": "Secret Keyword", "line_number": 1, "hashed_secret": "ab"}]
                }
            }
        )
    if kind == "workflows":
        where = {
            "symbolic": {"key": {"Local": {"verbatim_path": OUTSIDE}}, "kind": "Primary"},
            "concrete": {"location": {"start_point": loc, "end_point": loc}},
        }
        det = {"severity": "High", "confidence": "High"}
        emit([{"ident": "unpinned-uses", "desc": "d", "locations": [where], "determinations": det}])
    case = f'<testcase classname="t" name="t" file="{OUTSIDE}"><failure message="m"/></testcase>'
    junit(option(args, "--junitxml"), failures=1, case=case)
    sys.exit(1)


def wrong_shape(kind: str, args: list[str]) -> NoReturn:
    if kind == "tests":
        path = option(args, "--junitxml")
        if path:
            with open(path, "w") as out:
                out.write('{"a": 1}')
    print(WRONG.get(kind, '{"a": 1}'))
    sys.exit(0)


def flood() -> NoReturn:
    """1 GiB on stdout, generated here and never stored."""
    chunk = b"x" * (1 << 20)
    for _ in range(1024):
        sys.stdout.buffer.write(chunk)
    sys.exit(0)


def exit_with(code: int, text: str = "") -> Callable[[str, list[str], str], NoReturn]:
    def run(_kind: str, _args: list[str], _mark: str) -> NoReturn:
        if text:
            print(text)
        sys.exit(code)

    return run


def kill_self(signum: int) -> Callable[[str, list[str], str], NoReturn]:
    def run(_kind: str, _args: list[str], _mark: str) -> NoReturn:
        os.kill(os.getpid(), signum)
        time.sleep(60)
        sys.exit(0)

    return run


def hang(_kind: str, _args: list[str], _mark: str) -> NoReturn:
    time.sleep(300)
    sys.exit(0)


def background(kind: str, args: list[str], mark: str) -> NoReturn:
    """`sleep & sleep`: grandchildren in the tool's own process group."""
    script = f"(exec -a {mark} sleep 300) & (exec -a {mark} sleep 300) &"
    subprocess.Popen(["bash", "-c", script])
    clean(kind, args)


def setsid(kind: str, args: list[str], mark: str) -> NoReturn:
    """A new session, outside the tool's process group, holding stdout and stderr open."""
    sleeper = [sys.executable, "-c", "import time; time.sleep(300)", mark]
    subprocess.Popen(sleeper, start_new_session=True)
    clean(kind, args)


def markup(_kind: str, _args: list[str], _mark: str) -> NoReturn:
    sys.stderr.write("error: [/bold] [red]boom[/red] \x1b[31mred\x1b[0m \x1b]0;t\x07 [link]\n")
    sys.exit(2)


MODES: dict[str, Callable[[str, list[str], str], NoReturn]] = {
    "empty": exit_with(0),
    "garbage": exit_with(0, "this is not what atlas-ci asked for"),
    "wrong-shape": lambda kind, args, _mark: wrong_shape(kind, args),
    "segfault": kill_self(11),
    "sigkill": kill_self(9),
    "hang": hang,
    "background": background,
    "setsid": setsid,
    "flood": lambda _kind, _args, _mark: flood(),
    "markup": markup,
    "outside": lambda kind, args, _mark: outside(kind, args),
}


def main(mode: str, kind: str, mark: str) -> None:
    args = sys.argv[1:]
    if "--version" in args:
        print("fake-tool 1.0.0")
        sys.exit(0)
    MODES[mode](kind, args, mark)

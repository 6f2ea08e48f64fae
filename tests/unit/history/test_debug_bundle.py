"""Debug bundles: an errored check's runs (argv, env names, output) written redacted, bounded."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from atlas_ci import debug
from atlas_ci.model import CheckResult, Status


def tool_run(out: str = "out", err: str = "err") -> debug.ToolRun:
    return debug.ToolRun(
        argv=("ruff", "check", "--token=s3cr3t"),
        cwd="/repo",
        returncode=2,
        duration=0.5,
        timed_out=False,
        truncated=False,
        env_names=("HOME", "PATH", "S3CR3T_HOLDER"),
        stdout=out,
        stderr=err,
    )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def scrub(text: str) -> str:
    return text.replace("s3cr3t", "[redacted]")


def test_notes_are_kept_per_check_and_thread() -> None:
    def work(name: str) -> None:
        with debug.capture(name):
            debug.note(tool_run(out=name))

    threads = [threading.Thread(target=work, args=(f"q.c{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        (run,) = debug.take(f"q.c{i}")
        assert run.stdout == f"q.c{i}"
    debug.note(tool_run())  # outside any check: dropped, never raises
    assert debug.take("q.c0") == []


def test_an_errored_check_gets_a_bundle_and_others_do_not(tmp_path: Path) -> None:
    err = CheckResult(
        check="quality.lint",
        gate="quality",
        status=Status.ERROR,
        reason="ruff exited 2: bad s3cr3t",
        tool="ruff",
        tool_version="0.6",
    )
    ok = CheckResult(check="quality.types", gate="quality", status=Status.PASSED)
    with debug.capture("quality.lint"):
        debug.note(tool_run(out="x" * 2_000_000, err="token s3cr3t here"))
    with debug.capture("quality.types"):
        debug.note(tool_run())
    out = debug.write_bundles([err, ok], tmp_path, scrub, write)
    assert out[0].artifacts == ("debug/quality.lint/debug.json",)
    assert out[1] == ok
    bundle = tmp_path / "debug" / "quality.lint"
    facts = json.loads((bundle / "debug.json").read_text())
    assert facts["reason"] == "ruff exited 2: bad [redacted]"
    assert facts["runs"][0]["environment_names"] == ["HOME", "PATH", "S3CR3T_HOLDER"]
    assert facts["runs"][0]["argv"][-1] == "--token=[redacted]"
    assert (bundle / "run-1.stderr.txt").read_text() == "token [redacted] here"
    assert len((bundle / "run-1.stdout.txt").read_bytes()) < debug.MAX_OUTPUT + 200
    assert not (tmp_path / "debug" / "quality.types").exists()
    every_byte = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert b"s3cr3t" not in every_byte

"""Alerts and debug bundles through the real CLI: one redacted payload, verdicts unchanged, and a
debug bundle for an errored check that holds no secret value."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers.cli import atlas_ci

# Built at run time: no token-shaped literal in the repository.
AWS_KEY = "AKIA" + "QWERTYUIOPASDFGH"[:16]
PASSWORD = "hunter2-" + "x7Kp9vQ2mZ"  # pragma: allowlist secret


@contextmanager
def receiver(behaviour: str) -> Iterator[tuple[str, list[bytes]]]:
    bodies: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
            if behaviour == "hang":
                time.sleep(4)
            self.send_response(500 if behaviour == "500" else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    finally:
        server.shutdown()
        server.server_close()


def repo(tmp_path: Path, failing_tool: bool) -> Path:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text("import os\n")  # F401: lint fails
    tool = tmp_path / "fake_types.py"
    # A tool that dies printing credentials: the check errors and its output is kept for debugging.
    tool.write_text(
        "import sys\n"
        f"print('connecting with key {AWS_KEY}')\n"
        f"print('password=' + {PASSWORD!r} + ' rejected', file=sys.stderr)\n"
        "sys.exit(2)\n"
    )
    types = (
        f'[gates.quality.types]\ncommand = ["{sys.executable}", "{tool}"]\n' if failing_tool else ""
    )
    (tmp_path / "atlas-ci.toml").write_text(
        "[notify]\ntimeout = 0.5\nretries = 1\n"
        '[[notify.webhooks]]\nurl_env = "ATLAS_HOOK"\nkind = "json"\n' + types
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def every_byte(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (root / "reports").rglob("*") if p.is_file())


@pytest.mark.parametrize("behaviour", ["ok", "500", "hang"])
def test_a_failing_run_posts_one_payload_and_bad_receivers_change_nothing(
    tmp_path: Path, behaviour: str
) -> None:
    root = repo(tmp_path, failing_tool=False)
    with receiver(behaviour) as (url, bodies):
        res = atlas_ci(
            "gate",
            "quality",
            "--only",
            "lint",
            "-q",
            "--no-cache",
            cwd=root,
            env={"ATLAS_HOOK": url},
        )
    assert res.returncode == 1  # lint failed: the verdict, whatever the receiver did
    rep = json.loads((root / "reports" / "atlas-ci.json").read_text())
    assert rep["status"] == "failed"
    if behaviour == "ok":
        (body,) = bodies
        payload = json.loads(body)
        assert payload["status"] == "failed"
        assert payload["checks"][0]["check"] == "quality.lint"
        assert "warning" not in res.stderr
    else:
        assert len(bodies) == 2  # one attempt and one retry, then a warning
        assert "notify: delivery to $ATLAS_HOOK failed" in res.stderr
        assert url not in res.stderr + res.stdout


def test_an_errored_check_leaves_a_redacted_debug_bundle_and_a_redacted_alert(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, failing_tool=True)
    with receiver("ok") as (url, bodies):
        res = atlas_ci(
            "gate",
            "quality",
            "--only",
            "types",
            "-q",
            "--no-cache",
            cwd=root,
            env={"ATLAS_HOOK": url},
        )
    assert res.returncode == 3
    bundle = root / "reports" / "debug" / "quality.types"
    facts = json.loads((bundle / "debug.json").read_text())
    assert facts["status"] == "error"
    # The check's own runs are recorded too (git's file listing first): find the tool's.
    runs = [i for i, r in enumerate(facts["runs"], 1) if "fake_types.py" in " ".join(r["argv"])]
    assert runs, f"the tool's run is recorded: {facts['runs']}"
    n = runs[0]
    assert "ATLAS_HOOK" in facts["runs"][n - 1]["environment_names"]
    out = (bundle / f"run-{n}.stdout.txt").read_text() + (
        bundle / f"run-{n}.stderr.txt"
    ).read_text()
    assert "connecting with key" in out  # the output is there...
    assert "rejected" in out
    leaked = [s for s in (AWS_KEY, PASSWORD, url) if s.encode() in every_byte(root)]
    assert leaked == []  # ...without the secrets (nor the webhook URL from the environment)
    rep = json.loads((root / "reports" / "atlas-ci.json").read_text())
    (types,) = rep["gates"][0]["checks"]
    assert "debug/quality.types/debug.json" in types["artifacts"]
    (body,) = bodies
    assert AWS_KEY.encode() not in body
    assert PASSWORD.encode() not in body
    assert AWS_KEY not in res.stdout + res.stderr

"""An ephemeral OSV-compatible endpoint on 127.0.0.1 that serves an offline advisory directory.

pip-audit keeps doing its own resolution and matching of results; only the vulnerability lookup is
answered from disk. pip-audit 2.x sends one `POST /v1/query` per dependency (no batch queries).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from atlas_ci.checks.security.advisories import AdvisoryDB

QUERY_PATH = "/v1/query"
MAX_BODY = 1024 * 1024


def answer(db: AdvisoryDB, body: Any) -> dict[str, Any]:
    """The OSV API's reply to one query: `{"vulns": [...]}`, or `{}` when nothing matches."""
    if not isinstance(body, dict):
        raise ValueError("query is not a JSON object")
    package = body.get("package")
    version = body.get("version")
    if not isinstance(package, dict) or not isinstance(version, str):
        raise ValueError("query needs `package` and `version`")
    if package.get("ecosystem") != "PyPI" or not isinstance(package.get("name"), str):
        return {}
    vulns = db.query(package["name"], version)
    return {"vulns": vulns} if vulns else {}


def handler_for(db: AdvisoryDB) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.rstrip("/") != QUERY_PATH:
                self._reply(404, {"message": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._reply(413, {"message": "query too large"})
                return
            try:
                reply = answer(db, json.loads(self.rfile.read(length) or b"null"))
            except ValueError as exc:
                self._reply(400, {"message": str(exc)})
                return
            self._reply(200, reply)

        def _reply(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: atlas-ci never prints from inside a check."""

    return Handler


@contextmanager
def serving(db: AdvisoryDB) -> Iterator[str]:
    """Yield the query URL of a loopback server on a free port; always shut it down after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(db))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="osv-advisory-db", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}{QUERY_PATH}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

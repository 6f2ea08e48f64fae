"""Process plumbing: default data directory, JSON log formatting, metrics, CLI parsing."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest
from atlas.__main__ import build_parser, main
from atlas.logs import JsonFormatter, configure_logging
from atlas.metrics import Metrics
from atlas.server import EXIT_CORRUPT, default_data_dir, default_db_path
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.unit


def test_state_directory_wins() -> None:
    env = {"STATE_DIRECTORY": "/var/lib/atlas:/var/lib/other", "XDG_DATA_HOME": "/x"}
    assert default_data_dir(env) == Path("/var/lib/atlas")
    assert default_db_path(env) == Path("/var/lib/atlas/atlas.db")


def test_xdg_data_home_then_home() -> None:
    assert default_data_dir({"XDG_DATA_HOME": "/data", "HOME": "/h"}) == Path("/data/atlas")
    assert default_data_dir({"HOME": "/h"}) == Path("/h/.local/share/atlas")
    # Relative XDG paths are invalid per the spec and ignored.
    assert default_data_dir({"XDG_DATA_HOME": "rel", "HOME": "/h"}) == Path("/h/.local/share/atlas")


def test_json_formatter_emits_one_object_with_extra_fields() -> None:
    record = logging.LogRecord("atlas.access", logging.INFO, __file__, 1, "request", None, None)
    record.method = "GET"
    record.status = 200
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["event"] == "request"
    assert data["level"] == "info"
    assert data["method"] == "GET"
    assert data["status"] == 200
    assert data["ts"].endswith("Z")


def test_json_formatter_includes_exceptions_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "atlas", logging.ERROR, __file__, 1, "failed", None, __import__("sys").exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["exc_type"] == "ValueError"
    assert "boom" in data["exc"]


def test_configure_logging_routes_uvicorn_through_json() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        configure_logging("info", stream=stream)
        logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    data = json.loads(stream.getvalue())
    assert data["event"] == "Started server process [42]"
    assert "color_message" not in data


def test_metrics_use_a_private_registry_and_render_parseable_text() -> None:
    first, second = Metrics(), Metrics()
    first.observe_request("GET", "/places", 200, 0.01)
    first.observe_db("get", 0.001)
    body, content_type = first.render(None)
    assert content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    requests = [s for s in families["atlas_http_requests"].samples if s.name.endswith("_total")]
    assert [(s.labels, s.value) for s in requests] == [
        ({"method": "GET", "route": "/places", "status": "200"}, 1.0)
    ]
    # Nothing leaked into the second instance.
    body2, _ = second.render(None)
    assert 'route="/places"' not in body2.decode()


def test_parser_defaults() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.db, args.max_body_bytes) == ("127.0.0.1", 8080, None, 65536)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--port", "70000"])
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


def test_check_command_reports_corruption(tmp_path: Path) -> None:
    db = tmp_path / "bad.db"
    db.write_bytes(b"garbage" * 1000)
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    try:
        assert main(["check", "--db", str(db)]) == EXIT_CORRUPT
        assert main(["check", "--db", str(tmp_path / "fresh.db")]) == 0
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)

"""The loopback OSV endpoint: the query API pip-audit speaks, and a clean shutdown."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from atlas_ci.checks.security import advisories, osv_server

pytestmark = pytest.mark.unit


def post(url: str, body: object) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - loopback URL
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.fixture
def db(fixtures):
    return advisories.load(fixtures / "advisories")


def query(name: str, version: str) -> dict[str, object]:
    return {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}


def test_affected_version_gets_the_record_and_others_get_nothing(db):
    with osv_server.serving(db) as url:
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/v1/query")
        status, body = post(url, query("requests", "2.19.0"))
        assert status == 200
        assert [v["id"] for v in body["vulns"]] == ["PYSEC-2018-28"]  # type: ignore[union-attr]
        assert post(url, query("requests", "2.31.0")) == (200, {})
        assert post(
            url, {"package": {"name": "requests", "ecosystem": "npm"}, "version": "2.19.0"}
        ) == (200, {})


def test_bad_requests_are_rejected(db):
    with osv_server.serving(db) as url:
        assert post(url, {"package": "requests"})[0] == 400
        assert post(url, b"{not json")[0] == 400
        assert post(url.replace("/v1/query", "/v1/querybatch"), query("requests", "1"))[0] == 404


def test_the_server_is_gone_after_the_block(db):
    with osv_server.serving(db) as url:
        pass
    with pytest.raises(urllib.error.URLError):
        post(url, query("requests", "2.19.0"))

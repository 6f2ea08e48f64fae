"""/metrics parses as Prometheus text and counts exactly the requests that were made."""

from __future__ import annotations

from collections import Counter

import pytest
from atlas.testing import AtlasProcess, http
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

pytestmark = pytest.mark.observability

# Probes made while waiting for start-up are not part of any test's traffic.
IGNORED_ROUTES = {"/healthz", "/metrics"}


def scrape(server: AtlasProcess) -> dict[str, list[Sample]]:
    resp = http("GET", server.url("/metrics"))
    assert resp.status == 200
    families = text_string_to_metric_families(resp.body.decode("utf-8"))
    return {family.name: family.samples for family in families}


def request_counts(samples: list[Sample]) -> Counter[tuple[str, str, str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for s in samples:
        if s.name == "atlas_http_requests_total" and s.labels["route"] not in IGNORED_ROUTES:
            counts[(s.labels["method"], s.labels["route"], s.labels["status"])] = int(s.value)
    return counts


def make_traffic(server: AtlasProcess) -> Counter[tuple[str, str, str]]:
    """Send a known mix and return what the metrics should say about it."""
    expected: Counter[tuple[str, str, str]] = Counter()
    ids = []
    for i in range(3):
        body = {"name": f"p{i}", "latitude": 10.0 + i, "longitude": 20.0, "tags": ["m"]}
        resp = http("POST", server.url("/places"), json_body=body)
        assert resp.status == 201
        ids.append(resp.json()["id"])
        expected["POST", "/places", "201"] += 1
    for place_id in ids[:2]:
        assert http("GET", server.url(f"/places/{place_id}")).status == 200
        expected["GET", "/places/{place_id:int}", "200"] += 1
    assert http("GET", server.url("/places/987654")).status == 404
    expected["GET", "/places/{place_id:int}", "404"] += 1
    assert http("GET", server.url("/places/near?lat=10&lon=20&radius_km=500")).status == 200
    expected["GET", "/places/near", "200"] += 1
    assert http("GET", server.url("/places?tag=m")).status == 200
    expected["GET", "/places", "200"] += 1
    bad = {"name": "x", "latitude": 100, "longitude": 0}
    assert http("POST", server.url("/places"), json_body=bad).status == 422
    expected["POST", "/places", "422"] += 1
    assert http("PUT", server.url("/places"), body=b"").status == 405
    expected["PUT", "/places", "405"] += 1
    assert http("GET", server.url("/no/such/route")).status == 404
    expected["GET", "<unmatched>", "404"] += 1
    big = b"{" + b" " * (70 * 1024) + b"}"
    headers = {"Content-Type": "application/json"}
    assert http("POST", server.url("/places"), body=big, headers=headers).status == 413
    expected["POST", "/places", "413"] += 1
    assert http("DELETE", server.url(f"/places/{ids[2]}")).status == 204
    expected["DELETE", "/places/{place_id:int}", "204"] += 1
    return expected


def test_request_counter_matches_the_traffic_exactly(atlas_server: AtlasProcess) -> None:
    expected = make_traffic(atlas_server)
    samples = scrape(atlas_server)
    assert request_counts(samples["atlas_http_requests"]) == expected


def test_latency_histogram_agrees_with_the_counter(atlas_server: AtlasProcess) -> None:
    expected = make_traffic(atlas_server)
    samples = scrape(atlas_server)["atlas_http_request_duration_seconds"]
    counts: Counter[tuple[str, str, str]] = Counter()
    buckets: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    for s in samples:
        if s.labels["route"] in IGNORED_ROUTES:
            continue
        key = (s.labels["method"], s.labels["route"], s.labels["status"])
        if s.name.endswith("_count"):
            counts[key] = int(s.value)
        elif s.name.endswith("_bucket"):
            buckets.setdefault(key, []).append((float(s.labels["le"]), s.value))
        elif s.name.endswith("_sum"):
            assert s.value > 0
    assert counts == expected
    for key, series in buckets.items():
        values = [v for _, v in sorted(series)]
        assert values == sorted(values), f"buckets not cumulative for {key}"
        assert values[-1] == counts[key]  # the +Inf bucket holds every observation


def test_database_histogram_counts_each_operation(atlas_server: AtlasProcess) -> None:
    make_traffic(atlas_server)
    samples = scrape(atlas_server)["atlas_db_operation_duration_seconds"]
    ops = {
        s.labels["operation"]: int(s.value)
        for s in samples
        if s.name == "atlas_db_operation_duration_seconds_count"
    }
    # Rejected requests (422, 413, 405, unmatched) never reach the database.
    assert ops == {"integrity_check": 1, "create": 3, "get": 3, "near": 1, "list": 1, "delete": 1}


def test_scrapes_count_themselves_after_they_finish(atlas_server: AtlasProcess) -> None:
    def metrics_count() -> int:
        return sum(
            int(s.value)
            for s in scrape(atlas_server)["atlas_http_requests"]
            if s.name.endswith("_total") and s.labels["route"] == "/metrics"
        )

    assert metrics_count() == 0
    assert metrics_count() == 1
    assert metrics_count() == 2


def test_in_progress_gauge_shows_only_the_scrape_itself(atlas_server: AtlasProcess) -> None:
    make_traffic(atlas_server)
    gauges = {
        (s.labels["method"], s.labels["route"]): s.value
        for s in scrape(atlas_server)["atlas_http_requests_in_progress"]
    }
    assert gauges.pop(("GET", "/metrics")) == 1.0
    assert set(gauges.values()) == {0.0}


def test_openmetrics_is_served_when_asked_for(atlas_server: AtlasProcess) -> None:
    resp = http(
        "GET",
        atlas_server.url("/metrics"),
        headers={"Accept": "application/openmetrics-text; version=1.0.0"},
    )
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("application/openmetrics-text")
    assert resp.body.rstrip().endswith(b"# EOF")

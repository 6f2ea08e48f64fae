"""Prometheus metrics for Atlas, kept in a registry of its own.

A private CollectorRegistry (rather than the library's global one) means that two apps in
one process, such as tests, never share or double-register series, and /metrics shows
exactly what this service measured.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

# Buckets span a cache-hot read (~0.5 ms) to a slow fsync on a busy disk (~2.5 s).
_LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)

# The route label for requests that matched no route; using the raw path instead would
# let any client create unbounded label values by probing random URLs.
UNMATCHED_ROUTE = "<unmatched>"


class Metrics:
    """The service's collectors and their registry."""

    def __init__(self) -> None:
        """Create a fresh registry and register every collector in it."""
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "atlas_http_requests",
            "HTTP requests handled, by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_duration = Histogram(
            "atlas_http_request_duration_seconds",
            "Time from receiving a request to sending the last byte of its response.",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_progress = Gauge(
            "atlas_http_requests_in_progress",
            "HTTP requests currently being handled, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.db_duration = Histogram(
            "atlas_db_operation_duration_seconds",
            "Time spent in a database operation, including waiting for the write lock.",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe_db(self, operation: str, seconds: float) -> None:
        """Record one database operation; matches storage.DbObserver."""
        self.db_duration.labels(operation=operation).observe(seconds)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished HTTP request."""
        labels = {"method": method, "route": route, "status": str(status)}
        self.requests.labels(**labels).inc()
        self.request_duration.labels(**labels).observe(seconds)

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """Return the registry encoded for the scraper's Accept header, and its media type.

        Content negotiation lets Prometheus ask for OpenMetrics while plain clients (curl,
        older scrapers) get the classic text format 0.0.4.
        """
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type

"""Load profile for Atlas: a read-heavy mix that validates every response body.

Mix per simulated user (weights): get by id 40, nearby search 30, list by tag 8,
create 15, delete 3, readiness probe 4. Each user keeps the ids it created so reads hit
real places and deletes never race with another user's reads. Every check looks at the
JSON, not just the status code: a 200 with a wrong body is a failure.

Run: locust -f atlas/locustfile.py --headless -u 20 -r 5 -t 30s --host http://127.0.0.1:8080
"""

from __future__ import annotations

import math
import random
from typing import Any

from locust import HttpUser, between, task

# Places cluster around a handful of real cities, as a registry's data would.
CITIES = [
    (51.5074, -0.1278),
    (48.8566, 2.3522),
    (40.7128, -74.0060),
    (35.6762, 139.6503),
    (-33.8688, 151.2093),
    (-23.5505, -46.6333),
]
TAGS = ["cafe", "museum", "park", "station", "library", "market"]
PLACE_FIELDS = {"id", "name", "latitude", "longitude", "tags", "created_at"}


def _random_point() -> tuple[float, float]:
    lat, lon = random.choice(CITIES)
    return lat + random.uniform(-0.3, 0.3), lon + random.uniform(-0.3, 0.3)


def _is_place(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) >= PLACE_FIELDS
        and isinstance(value["id"], int)
        and -90.0 <= value["latitude"] <= 90.0
        and -180.0 <= value["longitude"] <= 180.0
        and isinstance(value["tags"], list)
    )


class AtlasUser(HttpUser):
    """One client of the registry."""

    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        """Seed a few places so the first reads have something to find."""
        self.my_ids: list[int] = []
        for _ in range(3):
            self.create_place()

    @task(15)
    def create_place(self) -> None:
        """POST /places and check the echo matches what was sent."""
        lat, lon = _random_point()
        tags = random.sample(TAGS, k=random.randint(0, 2))
        payload = {
            "name": f"place {random.randrange(10**9)}",
            "latitude": lat,
            "longitude": lon,
            "tags": tags,
        }
        with self.client.post(
            "/places", json=payload, name="/places [POST]", catch_response=True
        ) as resp:
            if resp.status_code != 201:
                resp.failure(f"expected 201, got {resp.status_code}: {resp.text[:200]}")
                return
            body = resp.json()
            if not _is_place(body):
                resp.failure(f"not a place: {body!r}")
            elif (body["name"], body["latitude"], body["longitude"], body["tags"]) != (
                payload["name"],
                lat,
                lon,
                tags,
            ):
                resp.failure(f"stored place differs from request: {body!r}")
            else:
                self.my_ids.append(body["id"])
                resp.success()

    @task(40)
    def get_place(self) -> None:
        """GET /places/{id} for a place this user owns: must be 200 with that id."""
        if not self.my_ids:
            return
        place_id = random.choice(self.my_ids)
        with self.client.get(
            f"/places/{place_id}", name="/places/{id}", catch_response=True
        ) as resp:
            if resp.status_code != 200:
                resp.failure(f"expected 200, got {resp.status_code}")
                return
            body = resp.json()
            if not _is_place(body) or body["id"] != place_id:
                resp.failure(f"wrong place for id {place_id}: {body!r}")
            else:
                resp.success()

    @task(30)
    def near(self) -> None:
        """GET /places/near: results within the radius, nearest first, limit honoured."""
        lat, lon = _random_point()
        radius = random.choice([1.0, 5.0, 25.0, 100.0])
        limit = random.choice([5, 10, 20])
        with self.client.get(
            "/places/near",
            params={"lat": lat, "lon": lon, "radius_km": radius, "limit": limit},
            name="/places/near",
            catch_response=True,
        ) as resp:
            if resp.status_code != 200:
                resp.failure(f"expected 200, got {resp.status_code}")
                return
            body = resp.json()
            places = body.get("places")
            if not isinstance(places, list) or body.get("count") != len(places):
                resp.failure(f"bad envelope: {str(body)[:200]}")
                return
            distances = [p.get("distance_km") for p in places]
            if len(places) > limit or not all(_is_place(p) for p in places):
                resp.failure("limit exceeded or malformed place")
            elif any(not isinstance(d, float | int) or d > radius + 0.001 for d in distances):
                resp.failure(f"distance outside radius {radius}: {distances}")
            elif distances != sorted(distances):
                resp.failure(f"not nearest first: {distances}")
            elif any(
                abs(d - _haversine(lat, lon, p["latitude"], p["longitude"])) > 0.01
                for d, p in zip(distances, places, strict=True)
            ):
                resp.failure("distance_km disagrees with the coordinates")
            else:
                resp.success()

    @task(8)
    def list_by_tag(self) -> None:
        """GET /places?tag=: every returned place carries the tag."""
        tag = random.choice(TAGS)
        with self.client.get(
            "/places", params={"tag": tag, "limit": 20}, name="/places?tag", catch_response=True
        ) as resp:
            if resp.status_code != 200:
                resp.failure(f"expected 200, got {resp.status_code}")
                return
            places = resp.json().get("places")
            if not isinstance(places, list) or len(places) > 20:
                resp.failure("bad list envelope")
            elif not all(_is_place(p) and tag in p["tags"] for p in places):
                resp.failure(f"a place without tag {tag!r} was returned")
            else:
                resp.success()

    @task(3)
    def delete_place(self) -> None:
        """DELETE one of this user's places, then expect 404 for it."""
        if len(self.my_ids) < 2:
            return
        place_id = self.my_ids.pop(random.randrange(len(self.my_ids)))
        with self.client.delete(
            f"/places/{place_id}", name="/places/{id} [DELETE]", catch_response=True
        ) as resp:
            if resp.status_code != 204:
                resp.failure(f"expected 204, got {resp.status_code}")
            else:
                resp.success()
        with self.client.get(
            f"/places/{place_id}", name="/places/{id} [after delete]", catch_response=True
        ) as resp:
            if resp.status_code != 404 or resp.json().get("error", {}).get("code") != "not_found":
                resp.failure(f"deleted place still answers {resp.status_code}")
            else:
                resp.success()

    @task(4)
    def readiness(self) -> None:
        """GET /readyz as a load balancer would."""
        with self.client.get("/readyz", catch_response=True) as resp:
            if resp.status_code != 200 or resp.json().get("status") != "ready":
                resp.failure(f"not ready: {resp.status_code} {resp.text[:200]}")
            else:
                resp.success()


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Duplicated from atlas.geo on purpose: the load test checks the service's maths
    # independently instead of trusting the code under test.
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))

"""Great-circle distance against known city pairs, and the search box against brute force."""

from __future__ import annotations

import math
import random

import pytest
from atlas.geo import EARTH_RADIUS_KM, MAX_DISTANCE_KM, bounding_box, haversine_km

pytestmark = pytest.mark.unit

LONDON = (51.5074, -0.1278)
PARIS = (48.8566, 2.3522)
NEW_YORK = (40.7128, -74.0060)
LOS_ANGELES = (34.0522, -118.2437)
SYDNEY = (-33.8688, 151.2093)
TOKYO = (35.6762, 139.6503)


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [
        (LONDON, PARIS, 343.5),
        (NEW_YORK, LOS_ANGELES, 3936.0),
        (SYDNEY, TOKYO, 7820.0),
    ],
    ids=["london-paris", "newyork-losangeles", "sydney-tokyo"],
)
def test_known_city_pairs_within_one_percent(
    a: tuple[float, float], b: tuple[float, float], expected_km: float
) -> None:
    assert haversine_km(*a, *b) == pytest.approx(expected_km, rel=0.01)


def test_distance_is_symmetric_and_zero_for_same_point() -> None:
    assert haversine_km(*LONDON, *LONDON) == 0.0
    assert haversine_km(*LONDON, *PARIS) == pytest.approx(haversine_km(*PARIS, *LONDON))


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.19, abs=0.01)


def test_antipodal_points_are_half_the_circumference_apart() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(90.0, 0.0, -90.0, 0.0) == pytest.approx(MAX_DISTANCE_KM)


def test_crossing_the_antimeridian_is_short() -> None:
    # 179.5E to 179.5W is one degree of longitude at the equator, not 359.
    assert haversine_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(111.19, abs=0.01)


def test_box_splits_at_the_antimeridian() -> None:
    box = bounding_box(0.0, 179.9, 50.0)
    assert len(box.lon_ranges) == 2
    assert box.contains(0.0, -179.9)
    assert box.contains(0.0, 179.95)
    assert not box.contains(0.0, 0.0)


def test_box_covers_all_longitudes_near_a_pole() -> None:
    box = bounding_box(89.9, 0.0, 50.0)
    assert box.lon_ranges == ((-180.0, 180.0),)
    assert box.max_lat == 90.0
    assert box.contains(89.9, 180.0)


def _random_point(rng: random.Random) -> tuple[float, float]:
    # Uniform on the sphere, so the poles get their fair share of points.
    lat = math.degrees(math.asin(rng.uniform(-1.0, 1.0)))
    return lat, rng.uniform(-180.0, 180.0)


def test_box_never_excludes_a_point_inside_the_radius() -> None:
    rng = random.Random(20240501)
    checked = 0
    for _ in range(300):
        centre = _random_point(rng)
        # Includes the edges: pole regions, the antimeridian, tiny and huge radii.
        if rng.random() < 0.2:
            centre = (rng.choice([-89.99, 89.99, 0.0]), rng.choice([-180.0, 179.99, 0.0]))
        radius = rng.choice([0.5, 10.0, 250.0, 2000.0, 9000.0])
        box = bounding_box(*centre, radius)
        for _ in range(100):
            point = _random_point(rng)
            if haversine_km(*centre, *point) <= radius:
                checked += 1
                assert box.contains(*point), (centre, radius, point, box)
            # Points near the centre exercise small radii, which random points rarely hit.
            near = (
                max(-90.0, min(90.0, centre[0] + rng.uniform(-1, 1))),
                ((centre[1] + rng.uniform(-2, 2) + 180.0) % 360.0) - 180.0,
            )
            if haversine_km(*centre, *near) <= radius:
                checked += 1
                assert box.contains(*near), (centre, radius, near, box)
    assert checked > 1000  # the property was exercised, not vacuously true


def test_box_is_tight_enough_to_be_useful() -> None:
    box = bounding_box(*LONDON, 10.0)
    assert not box.contains(*PARIS)
    assert box.max_lat - box.min_lat == pytest.approx(2 * math.degrees(10.0 / EARTH_RADIUS_KM))

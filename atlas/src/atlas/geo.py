"""Great-circle geometry: haversine distance and a bounding box for radius searches.

The bounding box lets SQLite use an index to discard most rows cheaply; the exact
haversine distance then decides which of the remaining candidates are really in range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# IUGG mean Earth radius. Any single radius is an approximation of the ellipsoid; the mean
# radius keeps the spherical error within about 0.5 % everywhere.
EARTH_RADIUS_KM = 6371.0088
# No two points on the sphere are further apart than half its circumference.
MAX_DISTANCE_KM = math.pi * EARTH_RADIUS_KM

# Widen the box by a hair so that floating-point rounding can never drop a point that
# lies exactly on the search circle; the exact distance filter removes any extra.
_EPSILON_DEG = 1e-9


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in kilometres between two points in degrees."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    # Clamp: rounding can push `a` a little above 1 for antipodal points, and asin would
    # then raise a domain error.
    a = min(1.0, max(0.0, a))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """Latitude range plus up to two longitude ranges (two when crossing the antimeridian)."""

    min_lat: float
    max_lat: float
    lon_ranges: tuple[tuple[float, float], ...]

    def contains(self, lat: float, lon: float) -> bool:
        """Tell whether a point lies inside the box."""
        if not self.min_lat <= lat <= self.max_lat:
            return False
        return any(lo <= lon <= hi for lo, hi in self.lon_ranges)


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """Return a box that contains every point within ``radius_km`` of (lat, lon).

    Uses the spherical bound of J. P. Matuschek, "Finding Points Within a Distance of a
    Latitude/Longitude Using Bounding Coordinates": the longitude half-width at the
    widest part of the circle is asin(sin(d) / cos(lat)).
    """
    angular = radius_km / EARTH_RADIUS_KM
    delta_lat = math.degrees(angular)
    min_lat = lat - delta_lat
    max_lat = lat + delta_lat
    full = ((-180.0, 180.0),)
    if min_lat <= -90.0 or max_lat >= 90.0 or angular >= math.pi / 2:
        # The circle contains a pole (or is a hemisphere or more): every longitude is in.
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), full)
    ratio = math.sin(angular) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return BoundingBox(min_lat, max_lat, full)
    delta_lon = math.degrees(math.asin(ratio)) + _EPSILON_DEG
    min_lat -= _EPSILON_DEG
    max_lat += _EPSILON_DEG
    min_lon = lon - delta_lon
    max_lon = lon + delta_lon
    if min_lon < -180.0:
        return BoundingBox(min_lat, max_lat, ((min_lon + 360.0, 180.0), (-180.0, max_lon)))
    if max_lon > 180.0:
        return BoundingBox(min_lat, max_lat, ((min_lon, 180.0), (-180.0, max_lon - 360.0)))
    return BoundingBox(min_lat, max_lat, ((min_lon, max_lon),))

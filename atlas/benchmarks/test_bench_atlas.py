"""Benchmarks of Atlas's storage layer: the nearby search and the durable write path.

Run: pytest atlas/benchmarks --benchmark-only. They work on Storage directly (no HTTP)
with a temporary database, so they measure the SQL, the haversine filtering and the
write path, not the network stack (both databases live on tmpfs where available:
disk fsync latency is too noisy to judge code changes by). Each round is kept above
1 ms so that timer resolution and scheduling noise stay small next to what is measured.
"""

from __future__ import annotations

import itertools
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from atlas.storage import Storage

PLACES = 2000
# A metro-sized cloud of points: London +/- ~1.5 degrees.
CENTRE = (51.5074, -0.1278)


def _scratch() -> tempfile.TemporaryDirectory[str]:
    """A private directory on tmpfs where there is one: disk fsync latency is too noisy to judge
    code changes by (CV over 30% measured on this machine), and filling the search database with
    2000 durable writes on disk is most of this module's setup time."""
    shm = Path("/dev/shm")  # noqa: S108 - only a parent for mkdtemp, which is private (0700)
    return tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None)


@pytest.fixture(scope="module")
def populated() -> Iterator[Storage]:
    with _scratch() as tmp:
        yield from _populate(Path(tmp) / "atlas.db")


def _populate(path: Path) -> Iterator[Storage]:
    storage = Storage.open(path)
    rng = random.Random(42)
    tags = ["cafe", "museum", "park", "station"]
    for i in range(PLACES):
        storage.create(
            f"place {i}",
            CENTRE[0] + rng.uniform(-1.5, 1.5),
            CENTRE[1] + rng.uniform(-1.5, 1.5),
            rng.sample(tags, k=2),
        )
    try:
        yield storage
    finally:
        storage.close()


def test_bench_near_search(benchmark: Any, populated: Storage) -> None:
    """A 100 km search over 2000 places: ~1000 candidates from the index, exact distances."""
    result = benchmark(populated.near, CENTRE[0], CENTRE[1], 100.0, 20)
    assert len(result) == 20
    distances = [d for _, d in result]
    assert distances == sorted(distances)
    assert distances[-1] <= 100.0


def test_bench_near_search_wide(benchmark: Any, populated: Storage) -> None:
    """A radius covering every place: the worst case, a full scan plus sort."""
    result = benchmark(populated.near, CENTRE[0], CENTRE[1], 500.0, 100)
    assert len(result) == 100


@pytest.fixture
def write_dir() -> Iterator[Path]:
    """The benchmark then measures Atlas's write path (validation, SQL, WAL append) rather than
    the disk's fsync latency."""
    with _scratch() as tmp:
        yield Path(tmp)


def test_bench_create_place(benchmark: Any, write_dir: Path) -> None:
    """One insert as Atlas does it (BEGIN IMMEDIATE, two INSERTs, COMMIT, WAL append).

    Each round writes a small batch of separately committed places, so a round stays
    above 1 ms even on storage where fsync is nearly free (tmpfs).
    """
    storage = Storage.open(write_dir / "atlas.db")
    counter = itertools.count()
    batch = 40

    def write_batch() -> int:
        last = 0
        for _ in range(batch):
            n = next(counter)
            last = storage.create(f"bench {n}", 51.5, -0.12, ["cafe", "wifi"]).id
        return last

    try:
        last_id = benchmark(write_batch)
        assert last_id == next(counter)  # ids are dense: every write committed once
        assert storage.count() == last_id
    finally:
        storage.close()

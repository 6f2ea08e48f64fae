"""SQLite storage: durability settings, CRUD, tag lookups, radius search, corruption."""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from atlas.geo import haversine_km
from atlas.storage import MAX_ID, MAX_IDLE_READERS, DatabaseCorruptError, Storage

pytestmark = pytest.mark.unit


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "atlas.db"


@pytest.fixture
def storage(db_path: Path) -> Iterator[Storage]:
    store = Storage.open(db_path)
    try:
        yield store
    finally:
        store.close()


def test_open_creates_directory_and_uses_wal_with_full_sync(db_path: Path) -> None:
    store = Storage.open(db_path)
    try:
        assert db_path.exists()
        conn = store._writer
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # 2 == FULL; the setting is per connection, so check a reader's too.
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        with store._reader() as reader:
            assert reader.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        store.close()


def test_create_then_get_round_trips(storage: Storage) -> None:
    created = storage.create("London", 51.5074, -0.1278, ["city", "capital"])
    assert created.id > 0
    assert created.created_at.endswith("Z")
    assert storage.get(created.id) == created


def test_get_unknown_and_out_of_range_ids_is_none(storage: Storage) -> None:
    assert storage.get(12345) is None
    assert storage.get(0) is None
    assert storage.get(-1) is None
    assert storage.get(MAX_ID + 1) is None  # would overflow SQLite's integer


def test_delete_removes_place_and_its_tags(storage: Storage) -> None:
    place = storage.create("Paris", 48.8566, 2.3522, ["city"])
    assert storage.delete(place.id) is True
    assert storage.get(place.id) is None
    assert storage.list_places(tag="city") == []
    assert storage.delete(place.id) is False
    rows = storage._writer.execute("SELECT count(*) FROM place_tags").fetchone()[0]
    assert rows == 0


def test_ids_are_not_reused_after_delete(storage: Storage) -> None:
    first = storage.create("a", 0, 0, [])
    storage.delete(first.id)
    second = storage.create("b", 0, 0, [])
    assert second.id > first.id


def test_list_by_tag_and_pagination(storage: Storage) -> None:
    ids = [storage.create(f"p{i}", 0, 0, ["even" if i % 2 == 0 else "odd"]).id for i in range(7)]
    evens = storage.list_places(tag="even")
    assert [p.id for p in evens] == ids[0::2]
    page1 = storage.list_places(limit=3)
    page2 = storage.list_places(limit=3, after_id=page1[-1].id)
    assert [p.id for p in page1 + page2] == ids[:6]
    assert storage.list_places(tag="none") == []


def test_data_survives_reopen(db_path: Path) -> None:
    store = Storage.open(db_path)
    place = store.create("Kept", 10.0, 20.0, ["x"])
    store.close()
    reopened = Storage.open(db_path)
    try:
        assert reopened.get(place.id) == place
        assert reopened.integrity_check() == ["ok"]
    finally:
        reopened.close()


def test_near_orders_by_distance_and_respects_radius_and_limit(storage: Storage) -> None:
    london = storage.create("London", 51.5074, -0.1278, [])
    paris = storage.create("Paris", 48.8566, 2.3522, [])
    storage.create("New York", 40.7128, -74.0060, [])
    found = storage.near(51.5, 0.0, 500.0, 10)
    assert [p.id for p, _ in found] == [london.id, paris.id]
    distances = [d for _, d in found]
    assert distances == sorted(distances)
    assert distances[1] == pytest.approx(haversine_km(51.5, 0.0, 48.8566, 2.3522))
    assert [p.id for p, _ in storage.near(51.5, 0.0, 500.0, 1)] == [london.id]
    assert storage.near(0.0, 0.0, 10.0, 10) == []


def test_near_finds_places_across_the_antimeridian(storage: Storage) -> None:
    east = storage.create("east", -17.0, 179.9, [])
    west = storage.create("west", -17.0, -179.9, [])
    found = storage.near(-17.0, 179.95, 50.0, 10)
    assert {p.id for p, _ in found} == {east.id, west.id}


def test_near_matches_brute_force(storage: Storage) -> None:
    rng = random.Random(7)
    points = [(rng.uniform(-80, 80), rng.uniform(-180, 180)) for _ in range(400)]
    for i, (lat, lon) in enumerate(points):
        storage.create(f"p{i}", lat, lon, [])
    everything = storage.list_places(limit=1000)
    for _ in range(20):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
        radius = rng.choice([300.0, 1500.0, 5000.0])
        expected = sorted(
            (haversine_km(lat, lon, p.latitude, p.longitude), p.id)
            for p in everything
            if haversine_km(lat, lon, p.latitude, p.longitude) <= radius
        )[:25]
        got = [(d, p.id) for p, d in storage.near(lat, lon, radius, 25)]
        assert [i for _, i in got] == [i for _, i in expected]


def test_db_observer_sees_each_operation(db_path: Path) -> None:
    seen: list[str] = []
    store = Storage.open(db_path, observer=lambda op, _s: seen.append(op))
    try:
        place = store.create("a", 1, 1, [])
        store.get(place.id)
        store.near(1, 1, 10, 5)
        store.delete(place.id)
    finally:
        store.close()
    assert seen == ["integrity_check", "create", "get", "near", "delete"]


def test_a_file_that_is_not_a_database_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is certainly not SQLite " * 200)
    with pytest.raises(DatabaseCorruptError, match="not a database"):
        Storage.open(db_path)


def test_damaged_pages_are_refused(db_path: Path) -> None:
    store = Storage.open(db_path)
    for i in range(300):
        store.create(f"place {i}" * 5, i % 90, i % 180, ["t"])
    store.close()
    # Checkpointed by close; scribble over the pages after the header page.
    data = bytearray(db_path.read_bytes())
    rng = random.Random(1)
    page = 4096
    for offset in range(page, len(data), 97):
        data[offset] = rng.randrange(256)
    db_path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorruptError):
        Storage.open(db_path)


def test_permission_problems_are_not_reported_as_corruption(tmp_path: Path) -> None:
    # A directory where the file should be: SQLite cannot open it, but nothing is corrupt.
    path = tmp_path / "atlas.db"
    path.mkdir()
    with pytest.raises(sqlite3.Error) as info:
        Storage.open(path)
    assert not isinstance(info.value, DatabaseCorruptError)


def test_reader_pool_is_bounded_and_reused(storage: Storage) -> None:
    barrier = threading.Barrier(MAX_IDLE_READERS + 4)

    def read() -> None:
        with storage._reader() as conn:
            barrier.wait(timeout=10)  # all readers on loan at once
            conn.execute("SELECT 1").fetchall()

    threads = [threading.Thread(target=read) for _ in range(MAX_IDLE_READERS + 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    # Extra connections opened for the burst were closed, not hoarded.
    assert len(storage._idle_readers) == MAX_IDLE_READERS
    idle = list(storage._idle_readers)
    with storage._reader() as conn:
        assert any(conn is c for c in idle)
        assert len(storage._idle_readers) == MAX_IDLE_READERS - 1


def test_closed_storage_refuses_reads(db_path: Path) -> None:
    store = Storage.open(db_path)
    store.close()
    store.close()  # idempotent
    with pytest.raises(sqlite3.ProgrammingError):
        store.get(1)


def test_failed_write_rolls_back(storage: Storage) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        storage.create("bad", 95.0, 0.0, [])  # the CHECK constraint is the last line of defence
    assert storage.list_places() == []
    # The writer is usable again afterwards (no transaction left open).
    assert storage.create("good", 1.0, 1.0, []).id > 0

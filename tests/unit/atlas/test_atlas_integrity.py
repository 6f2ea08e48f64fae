"""Regression: damage that `quick_check` let through is refused at start-up (integrity_check)."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from atlas.storage import DatabaseCorruptError, Storage

FLIPS = 30


def _pragma(db: Path, name: str) -> list[str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [str(r[0]) for r in conn.execute(f"PRAGMA {name}")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seed") / "atlas.db"
    Storage.open(db).close()  # Atlas's own schema
    rng = random.Random(3)
    conn = sqlite3.connect(db)
    with conn:  # one transaction: 400 fsyncs would dominate the test's time
        for i in range(400):
            cur = conn.execute(
                "INSERT INTO places (name, latitude, longitude, tags, created_at)"
                " VALUES (?, ?, ?, '[\"cafe\"]', '2026-01-01T00:00:00.000Z')",
                (f"place {i}", rng.uniform(-60, 60), rng.uniform(-170, 170)),
            )
            conn.execute("INSERT INTO place_tags VALUES ('cafe', ?)", (cur.lastrowid,))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return db


def _flipped(seeded: Path, folder: Path, rng: random.Random) -> Path:
    folder.mkdir()
    db = folder / "atlas.db"
    shutil.copy(seeded, db)
    data = bytearray(db.read_bytes())
    data[rng.randrange(100, len(data))] ^= rng.randrange(1, 256)
    db.write_bytes(bytes(data))
    return db


def test_no_flip_that_fails_integrity_check_is_ever_opened(seeded: Path, tmp_path: Path) -> None:
    rng = random.Random(20261201)
    quick_only = refused = 0
    for i in range(FLIPS):
        db = _flipped(seeded, tmp_path / f"flip-{i}", rng)
        sound = _pragma(db, "integrity_check") == ["ok"]
        quick_only += _pragma(db, "quick_check") == ["ok"] and not sound
        before = hashlib.sha256(db.read_bytes()).hexdigest()
        try:
            Storage.open(db).close()
        except DatabaseCorruptError:
            refused += 1
            assert hashlib.sha256(db.read_bytes()).hexdigest() == before, "refusal changed the file"
            continue
        assert sound, f"flip {i}: opened a database that fails integrity_check"
    # The seed reproduces the defect: quick_check alone would have served some of these.
    print(
        f"{FLIPS} flips: {refused} refused, {quick_only} pass quick_check but fail integrity_check"
    )
    assert quick_only > 0
    assert refused >= quick_only


def test_reader_pool_is_open_before_the_first_burst(tmp_path: Path) -> None:
    """Regression: the pool filling under load looked like a descriptor leak in endurance runs."""
    import os
    import threading

    from atlas.storage import MAX_IDLE_READERS

    store = Storage.open(tmp_path / "atlas.db")
    try:
        before = len(os.listdir("/proc/self/fd"))
        barrier = threading.Barrier(MAX_IDLE_READERS)

        def read() -> None:
            barrier.wait(timeout=10)
            store.count()

        threads = [threading.Thread(target=read) for _ in range(MAX_IDLE_READERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert len(os.listdir("/proc/self/fd")) == before
    finally:
        store.close()

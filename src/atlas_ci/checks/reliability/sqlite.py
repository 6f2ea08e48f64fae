"""SQLite integrity of a database as a crash left it, checked on a copy so the original stays as is.

Opening a WAL database and closing the last connection checkpoints and deletes the -wal file:
checking the original would change the very files the next start must recover from.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

SIDECARS = ("-wal", "-journal")


def family(db: Path) -> list[Path]:
    """The database file and whichever of its -wal/-journal siblings exist."""
    return [p for p in (db, *(db.with_name(db.name + s) for s in SIDECARS)) if p.exists()]


def digest(db: Path) -> dict[str, str]:
    """Content hashes of the database and its sidecars (to prove a refusal left them alone)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in family(db)}


def integrity(db: Path, scratch: Path) -> list[str]:
    """`PRAGMA integrity_check` of a copy made in `scratch`: ["ok"] when sound, else problems."""
    if not db.exists():
        return [f"{db.name} does not exist"]
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for path in family(db):
        shutil.copy2(path, scratch / path.name)
    try:
        conn = sqlite3.connect(scratch / db.name)
        try:
            return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [f"{type(exc).__name__}: {exc}"]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def settle(db: Path) -> Path:
    """Checkpoint a copy into its main file, as a database at rest looks (no -wal left).

    A service killed by its stop signal may never checkpoint; damage to the main file of such a
    copy would be masked by the WAL's newer pages, and the scenarios would test nothing.
    """
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        conn.close()
    return db

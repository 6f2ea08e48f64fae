"""Seeded damage to database copies: byte flips in pages, truncation, torn or removed sidecars."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from atlas_ci.checks.reliability.sqlite import SIDECARS

PAGE_SIZE_OFFSET = 16  # the page size sits at bytes 16-17 of a SQLite header (1 means 65536)


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str  # "clean" (stopped gracefully) or "crashed" (SIGKILLed, sidecars present)
    apply: Callable[[Path], None]


def page_size(db: Path) -> int:
    header = db.read_bytes()[:100]
    if len(header) < 18 or not header.startswith(b"SQLite format 3\0"):
        return 4096
    size = int.from_bytes(header[PAGE_SIZE_OFFSET : PAGE_SIZE_OFFSET + 2], "big")
    return 65536 if size == 1 else size or 4096


def _flip(rng: random.Random) -> Callable[[Path], None]:
    # Drawn now, so each scenario's damage depends only on the seed, not on the order of runs.
    where, mask = rng.random(), rng.randrange(1, 256)

    def apply(db: Path) -> None:
        data = bytearray(db.read_bytes())
        size = page_size(db)
        pages = max(1, len(data) // size)
        # Any page but the first 100 header bytes: a broken header is refused by any SQLite open.
        offset = 100 + int(where * (pages * size - 100))
        data[min(offset, len(data) - 1)] ^= mask
        db.write_bytes(bytes(data))

    return apply


def _truncate(db: Path) -> None:
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.truncate(max(100, size // 2 + 100))  # not on a page boundary either


def _sidecar(db: Path, suffix: str) -> Path:
    return db.with_name(db.name + suffix)


def _tear(suffix: str) -> Callable[[Path], None]:
    def apply(db: Path) -> None:
        side = _sidecar(db, suffix)
        with side.open("r+b") as fh:
            fh.truncate(max(1, side.stat().st_size * 2 // 3))

    return apply


def _remove(suffix: str) -> Callable[[Path], None]:
    def apply(db: Path) -> None:
        _sidecar(db, suffix).unlink()

    return apply


def scenarios(seed: int, flips: int, crashed: Path) -> list[Scenario]:
    """Every scenario for this seed; sidecar ones only for the sidecars the crash really left."""
    rng = random.Random(seed)  # noqa: S311 - reproducible damage, not secrets
    found = [Scenario(f"flip-{i + 1}", "clean", _flip(rng)) for i in range(flips)]
    found.append(Scenario("truncated", "clean", _truncate))
    for suffix in SIDECARS:
        if _sidecar(crashed, suffix).exists() and _sidecar(crashed, suffix).stat().st_size > 0:
            name = suffix.lstrip("-")
            found.append(Scenario(f"torn-{name}", "crashed", _tear(suffix)))
            found.append(Scenario(f"removed-{name}", "crashed", _remove(suffix)))
    return found


def prepare(scenario: Scenario, snapshot: Path, workdir: Path) -> Path:
    """A damaged copy of the snapshot (database and sidecars) in a directory of its own."""
    target = workdir / scenario.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in snapshot.parent.iterdir():
        if path.name.startswith(snapshot.name) and not path.name.endswith("-shm"):
            shutil.copy2(path, target / path.name)
    db = target / snapshot.name
    scenario.apply(db)
    return db

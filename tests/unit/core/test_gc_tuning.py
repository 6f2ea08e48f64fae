"""gc_tuning.py: rare collector passes while loading; what loaded is frozen once a run starts."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from atlas_ci import gc_tuning

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_loading_then_settled() -> None:
    gc_tuning.loading()
    assert gc.get_threshold() == gc_tuning._LOADING
    assert gc.isenabled()
    gc_tuning.settled()
    assert gc.get_threshold() == gc_tuning._SETTLED
    assert gc.get_freeze_count() > 0
    assert gc.isenabled()  # cycles made during the run are still freed


def test_a_cycle_made_after_settling_is_still_collected() -> None:
    import weakref

    gc_tuning.settled()

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # type: ignore[attr-defined]
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None

"""The collector settings a started process takes (adapters.heap)."""

import gc

import pytest

from adapters import heap


@pytest.fixture
def collector():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settle_keeps_what_exists_out_of_later_passes(collector) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    kept = [{"n": n} for n in range(1000)]  # what a started process has loaded
    heap.settle()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == heap.THRESHOLDS


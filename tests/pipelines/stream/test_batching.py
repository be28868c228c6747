"""Cutting micro-batches: by count, once caught up with Kafka, by age from the first
record, never twice the same offset, never a record of a partition that is not the
worker's; and ownership bookkeeping shared with the rebalance callbacks."""

from __future__ import annotations

import threading
from collections import namedtuple

from pipelines.stream.batching import Batcher
from pipelines.stream.partitions import Partitions

TP = namedtuple("TP", "topic partition")
Record = namedtuple("Record", "partition offset")


def poll(*offsets_by_partition: tuple[int, list[int]]) -> dict:
    return {TP("t", p): [Record(p, o) for o in offsets] for p, offsets in offsets_by_partition}


class Clock:
    """Time that passes only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


CLOCK = Clock()


def make(max_records: int = 4, max_seconds: float = 0.2) -> tuple[Batcher, Partitions]:
    lock = threading.RLock()
    partitions = Partitions(lock)
    partitions.assign({0, 1})
    for p in (0, 1):
        partitions.finish_settling(p)
    return Batcher(max_records, max_seconds, lock, clock=CLOCK), partitions


def test_a_batch_is_due_at_its_record_limit_or_its_age():
    batcher, partitions = make(max_records=4, max_seconds=0.2)
    assert not batcher.due()
    batcher.add(poll((0, [0, 1])), partitions.accepts, partitions.settling)
    assert not batcher.due()
    CLOCK.advance(0.25)
    assert batcher.due()
    batcher.cut(partitions.owned())
    batcher.add(poll((0, [2, 3]), (1, [0, 1])), partitions.accepts, partitions.settling)
    assert batcher.due()
    assert {p: [r.offset for r in rs] for p, rs in batcher.cut({0, 1}).items()} == {0: [2, 3], 1: [0, 1]}


def test_records_that_came_while_a_batch_ran_are_not_held_open_again():
    batcher, partitions = make(max_records=100, max_seconds=0.2)
    batcher.add(poll((0, [0])), partitions.accepts, partitions.settling)
    batcher.cut(partitions.owned())
    CLOCK.advance(0.25)  # the batch "runs"
    batcher.add(poll((0, [1])), partitions.accepts, partitions.settling)
    assert batcher.due()


def test_a_batch_is_due_once_every_partition_is_read_to_its_high_watermark():
    batcher, partitions = make(max_records=100, max_seconds=0.2)
    batcher.add(poll((0, [0, 1]), (1, [0])), partitions.accepts, partitions.settling)
    assert not batcher.due({0: 5, 1: 1})  # more of partition 0 is in Kafka
    assert not batcher.due({0: 2, 1: None})  # partition 1's mark is not known yet
    assert not batcher.due({})
    assert batcher.due({0: 2, 1: 1})
    batcher.cut(partitions.owned())
    assert not batcher.due({0: 2, 1: 1})  # nothing buffered


def test_a_redelivered_offset_is_skipped():
    batcher, partitions = make()
    batcher.add(poll((0, [0, 1])), partitions.accepts, partitions.settling)
    batcher.add(poll((0, [1, 2])), partitions.accepts, partitions.settling)
    assert [r.offset for r in batcher.cut({0})[0]] == [0, 1, 2]
    assert batcher.position(0) == 3


def test_records_of_revoked_or_settling_partitions_never_join_a_batch():
    batcher, partitions = make()
    batcher.add(poll((0, [0]), (1, [0])), partitions.accepts, partitions.settling)
    free = partitions.revoke({1})
    assert free == {1}
    assert batcher.forget({1}) == 1
    partitions.assign({2})
    batcher.add(poll((2, [7, 8])), partitions.accepts, partitions.settling)
    assert set(batcher.cut(partitions.owned())) == {0}
    # Where a settling partition with no progress yet starts: the first offset it fetched.
    assert batcher.take_dropped_from(2) == 7


def test_a_partition_in_a_running_batch_stays_held_after_it_is_revoked():
    _, partitions = make()
    partitions.set_in_flight({0})
    assert partitions.revoke({0, 1}) == {1}
    assert partitions.held() == {0}
    partitions.set_in_flight(set())
    assert partitions.held() == set()


def test_offsets_are_owed_only_for_owned_partitions_and_only_move_up():
    _, partitions = make()
    partitions.owe(0, 5)
    partitions.owe(0, 3)
    partitions.owe(7, 9)
    assert partitions.owed() == {0: 5}
    partitions.paid({0: 5})
    assert partitions.owed() == {}

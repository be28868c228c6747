"""Cutting the consumed records into micro-batches, and reading a batch's ranges again.

A micro-batch closes at ``max_batch_records`` records, as soon as the worker has read
everything Kafka holds for its partitions, or at the latest ``max_batch_seconds`` after
its first record. Its file stem comes from the topic and its offset ranges only, so the same
ranges always give the same file names: that is what lets a replay replace a crashed
batch's files instead of adding rows beside them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from typing import Any, Callable

from pipelines.stream.kafka_io import Unreadable

log = logging.getLogger(__name__)

Ranges = dict[int, tuple[int, int]]


def batch_stem(topic: str, ranges: Ranges) -> str:
    """Deterministic file stem of a micro-batch: the same offset ranges, the same file names."""
    safe_topic = name_part(topic)
    parts = [f"p{p}-{first}-{last}" for p, (first, last) in sorted(ranges.items())]
    stem = f"kafka-{safe_topic}-{'_'.join(parts)}"
    if len(stem) <= 150:
        return stem
    digest = hashlib.blake2b(stem.encode(), digest_size=8).hexdigest()
    return f"kafka-{safe_topic[:60]}-{parts[0]}-n{len(parts)}-{digest}"


def name_part(topic: str) -> str:
    """A topic as part of a file name: letters, digits, ``.`` and ``-`` kept, any other
    character written as ``_XX`` per UTF-8 byte (``news_en`` is ``news_5fen``), so two
    topics never share file names: folding ``_`` into ``-`` made ``news_en`` and
    ``news-en`` write, and clean up, the same files."""
    return "".join(c if _KEPT.fullmatch(c) else "".join(f"_{b:02x}" for b in c.encode("utf-8"))
                   for c in topic)


_KEPT = re.compile(r"[A-Za-z0-9.-]")


def format_ranges(ranges: Ranges) -> str:
    return " ".join(f"p{p}[{first}..{last}]" for p, (first, last) in sorted(ranges.items()))


class Batcher:
    """Records taken from owned partitions, waiting to become the next micro-batch.

    ``lock`` is shared with the worker's partition bookkeeping: records of a partition
    revoked on Kafka's IO thread must never slip into a batch.
    """

    def __init__(self, max_records: int, max_seconds: float, lock: threading.RLock,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_records = max_records
        self._clock = clock
        self.max_seconds = max_seconds
        self._lock = lock
        self._buffer: dict[int, list] = {}
        # The next offset expected per partition: a re-delivered record is skipped.
        self._next: dict[int, int] = {}
        # First offset seen of a partition still being settled; where it starts if the
        # dataset has no progress for it yet.
        self._dropped_from: dict[int, int] = {}
        self._opened: float | None = None
        # When the last batch was cut, while the poll after it has not yet run.
        self._cut_at: float | None = None

    def count(self) -> int:
        with self._lock:
            return sum(len(r) for r in self._buffer.values())

    def poll_timeout(self, poll_seconds: float) -> float:
        """How long the next poll may wait without holding an open batch past its deadline."""
        with self._lock:
            if self._opened is None:
                return poll_seconds
            return max(0.0, min(poll_seconds, self._opened + self.max_seconds - self._clock()))

    def add(self, polled: dict, accepts: Callable[[int], bool], settling: Callable[[int], bool]) -> None:
        """Buffer a poll's records (``{TopicPartition: [record]}``) of the partitions ``accepts``."""
        now = self._clock()
        with self._lock:
            for tp, records in polled.items():
                p = tp.partition
                if not accepts(p):
                    if records and settling(p):
                        first = records[0].offset
                        self._dropped_from[p] = min(first, self._dropped_from.get(p, first))
                    continue
                for record in records:
                    expected = self._next.get(p)
                    if expected is not None and record.offset < expected:
                        continue
                    self._buffer.setdefault(p, []).append(record)
                    self._next[p] = record.offset + 1
            if self._opened is None and any(self._buffer.values()):
                # Records found by the first poll after a batch came in while it ran: they
                # have waited since it was cut, so their batch is not held open again.
                self._opened = self._cut_at if self._cut_at is not None else now
            self._cut_at = None

    def due(self, highwaters: dict[int, int | None] | None = None) -> bool:
        """Whether to cut now. ``highwaters`` (partition -> Kafka's high watermark, None if
        not known yet) are the consumed partitions: once every one is read up to its mark
        there is nothing more to wait for, and holding the batch open would only add to
        its latency."""
        with self._lock:
            count = sum(len(r) for r in self._buffer.values())
            if not count:
                return False
            return (count >= self.max_records or self._clock() - self._opened >= self.max_seconds
                    or (bool(highwaters) and all(
                        high is not None and (self._next.get(p) or 0) >= high
                        for p, high in highwaters.items())))

    def cut(self, owned: set[int]) -> dict[int, list]:
        """Take the buffered records of ``owned`` partitions as one batch (partition -> records)."""
        with self._lock:
            batch = {p: r for p, r in self._buffer.items() if r and p in owned}
            self._buffer.clear()
            self._opened = None
            self._cut_at = self._clock()
            return batch

    def start_at(self, partition: int, offset: int) -> None:
        with self._lock:
            self._next[partition] = offset

    def position(self, partition: int) -> int | None:
        with self._lock:
            return self._next.get(partition)

    def take_dropped_from(self, partition: int) -> int | None:
        with self._lock:
            return self._dropped_from.pop(partition, None)

    def forget(self, partitions: set[int]) -> int:
        """Drop what is buffered of revoked partitions; how many records were dropped."""
        with self._lock:
            dropped = 0
            for p in partitions:
                dropped += len(self._buffer.pop(p, ()))
                self._next.pop(p, None)
                self._dropped_from.pop(p, None)
            if not any(self._buffer.values()):
                self._opened = None
            return dropped

    def clear(self) -> int:
        with self._lock:
            dropped = sum(len(r) for r in self._buffer.values())
            self._buffer.clear()
            return dropped


def read_ranges(connect: Callable[[], Any], topic: str, ranges: Ranges,
                stopping: Callable[[], bool]) -> list | None:
    """Exactly the records of ``ranges``, read again with a consumer outside the group
    (``connect`` makes it); None if stopped first. A record the client cannot decode is
    given as an ``Unreadable`` in its place."""
    reader = connect()
    if reader is None:
        return None
    try:
        found = []
        for p in sorted(ranges):
            records = _read_range(reader, topic, p, ranges[p], stopping)
            if records is None:
                return None
            found += records
        return found
    finally:
        reader.close()


def _read_range(reader, topic: str, partition: int, first_last: tuple[int, int],
                stopping: Callable[[], bool]) -> list | None:
    # One partition at a time: a CorruptRecordError then names its partition, and the
    # reader's position is the offset it cannot decode.
    from kafka import TopicPartition
    from kafka.errors import CorruptRecordError

    first, last = first_last
    tp = TopicPartition(topic, partition)
    reader.assign([tp])
    reader.seek(tp, first)
    found: dict[int, Any] = {}
    last_progress = time.monotonic()
    while not stopping():
        try:
            polled = reader.poll(timeout_ms=500).get(tp, [])
        except CorruptRecordError as error:
            offset = reader.position(tp)
            log.warning("partition %d: the Kafka client cannot decode offset %d (%s); it becomes a reject",
                        partition, offset, error)
            found[offset] = Unreadable(topic, partition, offset, str(error))
            reader.seek(tp, offset + 1)
            polled = []
        for record in polled:
            if first <= record.offset <= last:
                found[record.offset] = record
        if polled:
            last_progress = time.monotonic()
        # Offsets at the end of a range can be transaction markers, never returned.
        if reader.position(tp) > last:
            return [found[o] for o in sorted(found)]
        if time.monotonic() - last_progress > 30:
            log.warning("re-reading %s is stuck at offset %d; is the broker up?",
                        format_ranges({partition: first_last}), reader.position(tp))
            last_progress = time.monotonic()
    return None

"""``copydesk stream``: a long-lived worker from a Kafka topic to the batch dataset, exactly once.

Beam's Python DirectRunner cannot run an unbounded pipeline usefully (the watermark
never advances past an unbounded source, so nothing downstream fires), so the worker
polls Kafka with a kafka-python consumer group and runs each micro-batch through the
same bounded pipeline as ``copydesk batch`` (``pipelines.batch.run_records``).

Exactly once, per micro-batch:

1. Records are taken from partitions this worker owns and holds the lock of
   (``StreamState``), up to ``max_batch_records`` or ``max_batch_seconds``.
2. An intent (partition -> first and last offset, the file stem, ``ingested_at``) is
   written durably under ``DIR/_state/stream/TOPIC/intents/``.
3. The pipeline writes the batch's files: hidden temp name, fsync, rename; the names
   come from the topic and offset ranges, so writing the batch again replaces them.
4. Rejected records go to the dead-letter topic, if one is set.
5. The per-partition progress files move to the end of the ranges; the intent is removed.
6. The offsets are committed to Kafka (for lag tools and other consumers; the progress
   files are what a restarted worker trusts).

A worker killed at any step leaves either nothing (before 2) or an intent, which the
next owner of any of its partitions replays exactly, reading the same offset ranges
again, before it consumes anything new from those partitions.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import logging
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Sequence

from kafka import ConsumerRebalanceListener

from pipelines.kafka_io import (
    VALUE_FORMATS,
    Backoff,
    KafkaSettings,
    add_connection_arguments,
    check_codecs,
    dead_letter_headers,
    parse_source,
    quiet_kafka_logging,
    retry_kafka,
    settings_from_args,
    to_raw_input,
)
from pipelines.stream_state import HeldIntent, Intent, StreamState

log = logging.getLogger(__name__)

# Test hook: COPYDESK_STREAM_FAILPOINT=after-intent|after-files|after-progress makes the
# worker SIGKILL itself at that step of a batch, to prove crash recovery at that step.
FAILPOINT_ENV = "COPYDESK_STREAM_FAILPOINT"
FAILPOINTS = ("after-intent", "after-files", "after-progress")
PIPELINE_ATTEMPTS = 3
# The DirectRunner would hand a batch pipeline to this runner anyway, after translating it
# once more to decide; naming it directly saves that on every micro-batch.
DEFAULT_RUNNER = "--runner=apache_beam.runners.portability.fn_api_runner.FnApiRunner"


@dataclass(frozen=True)
class StreamConfig:
    """What the worker reads, where it writes, and how it cuts micro-batches.

    ``max_batch_records`` (200) and ``max_batch_seconds`` (0.5, counted from the batch's
    first record) bound a micro-batch: the first bounds the work lost to a crash and the
    time to finish on SIGTERM, the second the latency at light load. ``start_from``
    ("earliest") applies only to a consumer group with no committed offsets and a
    dataset with no progress for the partition. ``state_dir`` (default ``DIR/_state``)
    holds the pipeline's persistent near-copy index and entity statistics.
    ``session_timeout_ms`` (45000) is the consumer group session; a worker that stops
    heartbeating this long loses its partitions. ``shutdown_grace_seconds`` (25): after
    SIGTERM, a batch still running after this long is abandoned (it replays on restart).
    """

    topic: str
    output: str
    group: str = "copydesk"
    max_batch_records: int = 200
    max_batch_seconds: float = 0.5
    value_format: str = "text"
    start_from: str = "earliest"
    dead_letter_topic: str | None = None
    state_dir: str | None = None
    session_timeout_ms: int = 45_000
    max_poll_interval_ms: int = 300_000
    shutdown_grace_seconds: float = 25.0
    poll_seconds: float = 0.5
    pipeline_args: tuple[str, ...] = field(default_factory=tuple)


class BatchFailed(RuntimeError):
    """The pipeline raised on a batch several times in a row."""


def batch_stem(topic: str, ranges: dict[int, tuple[int, int]]) -> str:
    """Deterministic file stem of a micro-batch: the same offset ranges, the same file names."""
    safe_topic = re.sub(r"[^A-Za-z0-9.-]", "-", topic)
    parts = [f"p{p}-{first}-{last}" for p, (first, last) in sorted(ranges.items())]
    stem = f"kafka-{safe_topic}-{'_'.join(parts)}"
    if len(stem) <= 150:
        return stem
    digest = hashlib.blake2b(stem.encode(), digest_size=8).hexdigest()
    return f"kafka-{safe_topic[:60]}-{parts[0]}-n{len(parts)}-{digest}"


class StreamWorker:
    """One member of the consumer group. ``run()`` until ``stop()`` (or a signal)."""

    def __init__(self, config: StreamConfig, settings: KafkaSettings, batch_config: Any,
                 metrics: Any | None = None) -> None:
        from pipelines.metrics import StreamMetrics

        self.config = config
        self.settings = settings
        self.batch_config = batch_config
        self.metrics = metrics or StreamMetrics()
        self.state = StreamState(config.output, config.topic)
        self.state_dir = config.state_dir or os.path.join(config.output, "_state")
        self._stop = threading.Event()
        self._mutex = threading.RLock()
        self._consumer = None
        self._producer = None
        self._owned: set[int] = set()
        self._unsettled: set[int] = set()
        self._in_flight: set[int] = set()
        self._next: dict[int, int] = {}
        self._dropped_from: dict[int, int] = {}
        self._buffer: dict[int, list] = {}
        self._batch_opened: float | None = None
        # When the last batch was cut, while the poll after it has not yet run.
        self._cut_at: float | None = None
        self._uncommitted: dict[int, int] = {}
        self._commit_retry_at = 0.0
        self._commit_failing = False
        self._waiting_logged: set[int] = set()
        self._silent_since: float | None = None
        self._unassigned_since = time.monotonic()
        self._failpoint = os.environ.get(FAILPOINT_ENV)

    # Life cycle -----------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> int:
        """Consume until stopped; 0 after a clean stop, 1 if a batch kept failing."""
        self._consumer = retry_kafka(self._connect, "joining the consumer group",
                                     self.settings.bootstrap_servers, lambda: self.stopping)
        if self._consumer is None:
            return 0
        log.info("consuming %s as group %s into %s (batches of up to %d records or %.1f s)",
                 self.config.topic, self.config.group, self.config.output,
                 self.config.max_batch_records, self.config.max_batch_seconds)
        try:
            while not self.stopping:
                self._release_unowned()
                self._settle()
                self._poll()
                # A batch not yet started when the signal came is left to the next owner.
                if self._batch_due() and not self.stopping:
                    self._write_buffer()
                self._commit()
                self._watch_broker()
        except BatchFailed as error:
            log.error("%s", error)
            return 1
        finally:
            self._shutdown()
        return 0

    def _connect(self):
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(
            **self.settings.client_config(),
            group_id=self.config.group,
            enable_auto_commit=False,
            auto_offset_reset=self.config.start_from,
            isolation_level="read_committed",
            session_timeout_ms=self.config.session_timeout_ms,
            heartbeat_interval_ms=min(3000, max(500, self.config.session_timeout_ms // 6)),
            max_poll_interval_ms=self.config.max_poll_interval_ms,
            max_poll_records=min(500, self.config.max_batch_records),
            max_partition_fetch_bytes=self._fetch_bytes(),
        )
        self._consumer = consumer
        consumer.subscribe([self.config.topic], listener=_Listener(self))
        self.metrics.broker_up.set(1)
        return consumer

    def _fetch_bytes(self) -> int:
        # An oversized message must still be fetched, so that it can be rejected.
        return max(1 << 20, self.batch_config.max_bytes + (64 << 10))

    def _shutdown(self) -> None:
        with self._mutex:
            abandoned = sum(len(r) for r in self._buffer.values())
            self._buffer.clear()
        if abandoned:
            log.info("stopping: %d records read but not written are left for the next owner", abandoned)
        if self._consumer is not None:
            self._commit(timeout_ms=10_000, force=True)
            try:
                # Leaving the group now hands the partitions over at once instead of
                # after a session timeout.
                self._consumer.close(autocommit=False, timeout_ms=5000)
            except Exception as error:  # the process is exiting; say why, do not mask it
                log.warning("closing the Kafka consumer failed (%s)", error)
        if self._producer is not None:
            try:
                self._producer.close(timeout=5)
            except Exception as error:
                log.warning("closing the dead-letter producer failed (%s)", error)
        self.state.unlock_all()
        log.info("stopped; offsets committed up to what is in %s", self.config.output)

    # Rebalances (called on kafka-python's IO thread) ------------------------------------

    def partitions_assigned(self, partitions: set[int]) -> None:
        from kafka import TopicPartition

        with self._mutex:
            self._owned |= partitions
            self._unsettled |= partitions
        # Nothing is fetched from a partition until its pending intents are replayed and
        # its position is set from the dataset's progress.
        self._consumer.pause(*(TopicPartition(self.config.topic, p) for p in partitions))
        self.metrics.assigned.set(len(self._owned))
        log.info("assigned partitions %s", _plist(partitions))

    def partitions_revoked(self, partitions: set[int]) -> None:
        with self._mutex:
            self._owned -= partitions
            self._unsettled -= partitions
            dropped = 0
            for p in partitions:
                dropped += len(self._buffer.pop(p, ()))
                self._next.pop(p, None)
                self._dropped_from.pop(p, None)
                self._uncommitted.pop(p, None)
                self.metrics.forget_partition(p)
            if not any(self._buffer.values()):
                self._batch_opened = None
            free = partitions - self._in_flight
        for p in free:
            self.state.unlock_partition(p)
        self.metrics.assigned.set(len(self._owned))
        if partitions:
            log.info("partitions %s revoked%s", _plist(partitions),
                     f"; {dropped} unwritten records left for the next owner" if dropped else "")

    def _release_unowned(self) -> None:
        with self._mutex:
            stale = self.state.locked_partitions() - self._owned - self._in_flight
        for p in stale:
            self.state.unlock_partition(p)

    # Taking a partition over ------------------------------------------------------------

    def _settle(self) -> None:
        """Replay what a crashed owner left pending, then start each newly assigned
        partition where the dataset ends."""
        from kafka import TopicPartition

        with self._mutex:
            candidates = sorted(self._unsettled)
        if not candidates:
            return
        locked = []
        for p in candidates:
            if self.state.try_lock_partition(p):
                locked.append(p)
                self._waiting_logged.discard(p)
            elif p not in self._waiting_logged:
                self._waiting_logged.add(p)
                log.info("partition %d: waiting for its previous owner to finish its batch", p)
        if not locked:
            return
        for intent in self.state.pending():
            if self.stopping:
                return
            if set(intent.ranges) & set(locked):
                held = self.state.claim(intent)
                if held is not None:
                    self._replay(held)
        blocked = {p for intent in self.state.pending() for p in intent.ranges}
        for p in locked:
            if p in blocked:
                continue
            position = self.state.next_offset(p)
            if position is None:
                position = self._dropped_from.pop(p, None)
            with self._mutex:
                if p not in self._unsettled:
                    continue
                if position is not None:
                    # The group's offset catches up with the dataset even before this
                    # worker writes anything (the previous owner may have died first).
                    self._uncommitted[p] = max(position, self._uncommitted.get(p, 0))
                tp = TopicPartition(self.config.topic, p)
                try:
                    if position is not None:
                        self._consumer.seek(tp, position)
                        self._next[p] = position
                    self._consumer.resume(tp)
                except ValueError:  # revoked on the IO thread a moment ago
                    continue
                self._unsettled.discard(p)
            log.info("partition %d: consuming from %s", p,
                     f"offset {position}" if position is not None
                     else f"the group's committed offset (or {self.config.start_from})")

    def _replay(self, held: HeldIntent) -> None:
        intent = held.intent
        if all((self.state.next_offset(p) or 0) > last for p, (_, last) in intent.ranges.items()):
            held.done()
            return
        log.info("replaying batch %s left by a stopped worker (%s)", intent.stem, _ranges(intent.ranges))
        try:
            records = self._read_ranges(intent.ranges)
            if records is None:
                return
            self._write(held, records, kind="replay")
        finally:
            held.release()

    def _read_ranges(self, ranges: dict[int, tuple[int, int]]) -> list | None:
        """Exactly the records of ``ranges``, read again with a consumer outside the group."""
        from kafka import KafkaConsumer, TopicPartition

        def connect():
            return KafkaConsumer(
                **self.settings.client_config(), group_id=None, enable_auto_commit=False,
                isolation_level="read_committed", auto_offset_reset="earliest",
                max_partition_fetch_bytes=self._fetch_bytes(),
            )

        reader = retry_kafka(connect, "re-reading a batch", self.settings.bootstrap_servers,
                             lambda: self.stopping)
        if reader is None:
            return None
        try:
            tps = {p: TopicPartition(self.config.topic, p) for p in ranges}
            reader.assign(list(tps.values()))
            for p, (first, _) in ranges.items():
                reader.seek(tps[p], first)
            found: dict[int, list] = {p: [] for p in ranges}
            remaining = set(ranges)
            last_progress = time.monotonic()
            while remaining and not self.stopping:
                for tp, records in reader.poll(timeout_ms=500).items():
                    first, last = ranges[tp.partition]
                    for record in records:
                        if first <= record.offset <= last:
                            found[tp.partition].append(record)
                        if record.offset >= last:
                            remaining.discard(tp.partition)
                    last_progress = time.monotonic()
                for p in list(remaining):
                    # Offsets at the end of a range can be transaction markers, never returned.
                    if reader.position(tps[p]) > ranges[p][1]:
                        remaining.discard(p)
                if time.monotonic() - last_progress > 30:
                    log.warning("re-reading %s is stuck at %s; is the broker up?", _ranges(ranges),
                                {p: reader.position(tps[p]) for p in remaining})
                    last_progress = time.monotonic()
            if remaining:
                return None
            return [r for p in sorted(found) for r in sorted(found[p], key=lambda r: r.offset)]
        finally:
            reader.close()

    # Reading ----------------------------------------------------------------------------

    def _poll(self) -> None:
        from kafka.errors import KafkaError

        timeout = self.config.poll_seconds
        with self._mutex:
            buffered = sum(len(r) for r in self._buffer.values())
            if self._batch_opened is not None:
                remaining = self._batch_opened + self.config.max_batch_seconds - time.monotonic()
                timeout = max(0.0, min(timeout, remaining))
        try:
            polled = self._consumer.poll(timeout_ms=int(timeout * 1000),
                                         max_records=max(1, self.config.max_batch_records - buffered))
        except KafkaError as error:
            log.warning("polling Kafka failed (%s); retrying", error)
            time.sleep(1)
            return
        now = time.monotonic()
        with self._mutex:
            for tp, records in polled.items():
                p = tp.partition
                if tp.topic != self.config.topic or p not in self._owned or p in self._unsettled:
                    if records and p in self._unsettled:
                        first = records[0].offset
                        self._dropped_from[p] = min(first, self._dropped_from.get(p, first))
                    continue
                for record in records:
                    expected = self._next.get(p)
                    if expected is not None and record.offset < expected:
                        continue
                    self._buffer.setdefault(p, []).append(record)
                    self._next[p] = record.offset + 1
            if self._batch_opened is None and any(self._buffer.values()):
                # Records found by the first poll after a batch came in while it ran: they
                # have waited since it was cut, so their batch is not held open again.
                self._batch_opened = self._cut_at if self._cut_at is not None else now
            self._cut_at = None
        self._update_lag()

    def _batch_due(self) -> bool:
        with self._mutex:
            count = sum(len(r) for r in self._buffer.values())
            if not count:
                return False
            if count >= self.config.max_batch_records:
                return True
            return time.monotonic() - self._batch_opened >= self.config.max_batch_seconds

    def _update_lag(self) -> None:
        from kafka import TopicPartition

        with self._mutex:
            positions = {p: self._next.get(p) for p in self._owned - self._unsettled}
        for p, position in positions.items():
            high = self._consumer.highwater(TopicPartition(self.config.topic, p))
            if high is not None and position is not None:
                self.metrics.lag.labels(str(p)).set(max(0, high - position))

    # Writing ----------------------------------------------------------------------------

    def _write_buffer(self) -> None:
        with self._mutex:
            batch = {p: r for p, r in self._buffer.items() if r and p in self._owned}
            self._buffer.clear()
            self._batch_opened = None
            self._cut_at = time.monotonic()
            self._in_flight = set(batch)
        if not batch:
            return
        try:
            ranges = {p: (r[0].offset, r[-1].offset) for p, r in batch.items()}
            intent = Intent(batch_stem(self.config.topic, ranges), ranges, datetime.now(timezone.utc))
            held = self.state.begin(intent)
            try:
                self._write(held, [r for p in sorted(batch) for r in batch[p]], kind="new")
            finally:
                held.release()
        finally:
            with self._mutex:
                self._in_flight = set()

    def _write(self, held: HeldIntent, records: list, kind: str) -> None:
        """Steps 3 to 6 of the protocol for one batch whose intent is held."""
        from pipelines.batch import run_records

        intent = held.intent
        started = time.monotonic()
        self._maybe_fail("after-intent")
        inputs = [to_raw_input(r, self.config.value_format) for r in records if r.value is not None]
        tombstones = len(records) - len(inputs)
        result = None
        for attempt in range(1, PIPELINE_ATTEMPTS + 1):
            try:
                result = run_records(inputs, self.config.output, intent.stem, self.batch_config,
                                     pipeline_args=self._pipeline_args(),
                                     state_dir=self.state_dir, ingested_at=intent.ingested_at)
                break
            except Exception as error:  # any pipeline failure: the batch is retried whole
                self.metrics.batch_failures.inc()
                if attempt == PIPELINE_ATTEMPTS:
                    raise BatchFailed(
                        f"Batch {intent.stem} failed {attempt} times ({error!r}); it stays pending in "
                        f"{self.state.intents_dir} and is replayed when a worker restarts. "
                        f"Fix the cause (see the traceback above), then start the worker again."
                    ) from error
                log.exception("batch %s failed (attempt %d of %d); retrying", intent.stem,
                              attempt, PIPELINE_ATTEMPTS)
                time.sleep(2 ** attempt)
        self._maybe_fail("after-files")
        dead = self._dead_letter(result, records) if self.config.dead_letter_topic else 0
        # Counted once the rows are visible, before the progress that a watcher may poll.
        self._account(intent, records, result, tombstones, dead, kind, time.monotonic() - started)
        for p, (_, last) in intent.ranges.items():
            self.state.advance(p, last + 1)
        self._maybe_fail("after-progress")
        held.done()
        with self._mutex:
            for p, (_, last) in intent.ranges.items():
                if p in self._owned:
                    self._uncommitted[p] = max(last + 1, self._uncommitted.get(p, 0))
        self._commit()

    def _account(self, intent: Intent, records: list, result, tombstones: int, dead: int,
                 kind: str, seconds: float) -> None:
        m = self.metrics
        now_ms = time.time() * 1000
        m.consumed.inc(len(records))
        m.tombstones.inc(tombstones)
        m.dead_lettered.inc(dead)
        for table, rows in result.counts.items():
            m.written.labels(table).inc(rows)
        m.duplicates.inc(result.counts.get("duplicates", 0))
        for reason, count in result.rejects_by_reason.items():
            m.rejected.labels(reason).inc(count)
        m.batches.labels(kind).inc()
        m.batch_seconds.observe(seconds)
        for record in records:
            if record.timestamp is not None and record.timestamp > 0:
                m.end_to_end_seconds.observe(max(0.0, (now_ms - record.timestamp) / 1000))
        counts = result.counts
        log.info(
            "%s %s: %s | %d records: %d articles, %d duplicates, %d rejects, %d tombstones%s | %.2f s",
            "batch" if kind == "new" else "replayed", intent.stem, _ranges(intent.ranges), len(records),
            counts.get("articles", 0), counts.get("duplicates", 0), counts.get("rejects", 0), tombstones,
            f", {dead} dead-lettered" if dead else "", seconds,
        )

    def _pipeline_args(self) -> list[str]:
        args = list(self.config.pipeline_args)
        if not any(a.startswith("--runner") for a in args):
            args.insert(0, DEFAULT_RUNNER)
        return args

    def _dead_letter(self, result, records: list) -> int:
        """Send each rejected record, untouched, with the reason in Connect-style headers."""
        import pyarrow.parquet as pq

        by_position = {(r.partition, r.offset): r for r in records}
        rejected = []
        for path in result.files:
            if f"{os.sep}rejects{os.sep}" not in path and "/rejects/" not in path:
                continue
            table = pq.read_table(path, columns=["source", "reason"])
            for source, reason in zip(table.column("source").to_pylist(), table.column("reason").to_pylist()):
                parsed = parse_source(source)
                if parsed is not None and (parsed[1], parsed[2]) in by_position:
                    rejected.append((by_position[(parsed[1], parsed[2])], reason))
        if not rejected:
            return 0

        def send() -> int:
            producer = self._dead_letter_producer()
            futures = [
                producer.send(self.config.dead_letter_topic, key=record.key, value=record.value,
                              headers=dead_letter_headers(record, reason, "VALUE_CONVERTER",
                                                          f"copydesk-stream-{self.config.group}",
                                                          self.settings.client_id))
                for record, reason in sorted(rejected, key=lambda x: (x[0].partition, x[0].offset))
            ]
            producer.flush(timeout=30)
            for future in futures:
                future.get(timeout=30)
            return len(futures)

        # Dead letters are sent before the batch counts as written, so a crash repeats
        # them (at least once) rather than losing them.
        sent = retry_kafka(send, "sending dead letters", self.settings.bootstrap_servers,
                           lambda: False, Backoff(1, 15))
        return sent or 0

    def _dead_letter_producer(self):
        from kafka import KafkaProducer

        if self._producer is None:
            self._producer = KafkaProducer(**self.settings.client_config(), linger_ms=5,
                                           max_request_size=self._fetch_bytes())
        return self._producer

    def _commit(self, timeout_ms: int = 5000, force: bool = False) -> None:
        from kafka import TopicPartition
        from kafka.errors import KafkaError
        from kafka.structs import OffsetAndMetadata

        with self._mutex:
            for p in list(self._uncommitted):
                if p not in self._owned:
                    del self._uncommitted[p]
            offsets = dict(self._uncommitted)
        if not offsets or self._consumer is None:
            return
        if not force and time.monotonic() < self._commit_retry_at:
            return
        topic = self.config.topic
        try:
            self._consumer.commit(
                {TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()},
                timeout_ms=timeout_ms,
            )
        except KafkaError as error:
            # A failed commit loses nothing (the progress files hold the positions), so it
            # is retried every few seconds rather than on every poll, and said once.
            self._commit_retry_at = time.monotonic() + 5
            if not self._commit_failing:
                log.warning("committing offsets %s failed (%s); the dataset's progress files keep "
                            "them and the commit is retried", offsets, error)
            self._commit_failing = True
            return
        if self._commit_failing:
            log.info("offsets committed again: %s", offsets)
        self._commit_failing = False
        with self._mutex:
            for p, o in offsets.items():
                if self._uncommitted.get(p) == o:
                    del self._uncommitted[p]

    # Health -------------------------------------------------------------------------------

    def _watch_broker(self) -> None:
        """Say once when the broker stops answering and once when it is back; kafka-python
        reconnects by itself."""
        silence = _heartbeat_silence(self._consumer)
        threshold = max(10.0, self.config.session_timeout_ms / 3000)
        now = time.monotonic()
        if silence is not None and silence > threshold:
            if self._silent_since is None:
                self._silent_since = now - silence
                self.metrics.broker_up.set(0)
                log.warning("Kafka at %s has not answered for %.0f s; waiting for it, the worker "
                            "resumes by itself.", self.settings.bootstrap_servers, silence)
        elif self._silent_since is not None and silence is not None:
            log.warning("Kafka at %s answers again after %.0f s; resuming.",
                        self.settings.bootstrap_servers, now - self._silent_since)
            self._silent_since = None
            self.metrics.broker_up.set(1)
        with self._mutex:
            owned = bool(self._owned)
        if owned:
            self._unassigned_since = now
        elif now - self._unassigned_since > 30:
            log.warning("no partition of %s assigned for 30 s: check that the topic exists and that "
                        "Kafka at %s is up (other workers of group %s may own all partitions).",
                        self.config.topic, self.settings.bootstrap_servers, self.config.group)
            self._unassigned_since = now

    def _maybe_fail(self, point: str) -> None:
        if self._failpoint == point:
            log.warning("failpoint %s: killing this worker with SIGKILL", point)
            logging.shutdown()
            os.kill(os.getpid(), signal.SIGKILL)


def _heartbeat_silence(consumer) -> float | None:
    """Seconds since the group coordinator last answered a heartbeat, if known."""
    heartbeat = getattr(getattr(consumer, "_coordinator", None), "heartbeat", None)
    last = getattr(heartbeat, "last_receive", None)
    if not isinstance(last, (int, float)) or last == float("-inf"):
        return None
    return time.monotonic() - last


def _plist(partitions: set[int]) -> str:
    return ",".join(str(p) for p in sorted(partitions)) or "(none)"


def _ranges(ranges: dict[int, tuple[int, int]]) -> str:
    return " ".join(f"p{p}[{first}..{last}]" for p, (first, last) in sorted(ranges.items()))


class _Listener(ConsumerRebalanceListener):
    """Forwards rebalance events of the worker's topic; kafka-python calls it on its IO thread."""

    def __init__(self, worker: StreamWorker) -> None:
        self.worker = worker

    def _mine(self, partitions) -> set[int]:
        return {tp.partition for tp in partitions if tp.topic == self.worker.config.topic}

    def on_partitions_revoked(self, revoked) -> None:
        self.worker.partitions_revoked(self._mine(revoked))

    def on_partitions_assigned(self, assigned) -> None:
        self.worker.partitions_assigned(self._mine(assigned))

    def on_partitions_lost(self, lost) -> None:
        self.worker.partitions_revoked(self._mine(lost))


# Command line ---------------------------------------------------------------------------


def add_stream_arguments(parser: argparse.ArgumentParser) -> None:
    from pipelines.cli import add_processing_arguments
    from transforms.state import DEFAULT_NEAR_COPY_DAYS

    parser.add_argument("--topic", required=True, help="topic to consume")
    parser.add_argument("--group", default="copydesk",
                        help="consumer group; workers sharing it share the partitions (default copydesk)")
    parser.add_argument("--output", "-o", required=True, metavar="DIR",
                        help="dataset folder, the same layout as copydesk batch")
    parser.add_argument("--max-batch-records", type=_positive_int, default=200, metavar="N",
                        help="records per micro-batch at most (default 200)")
    parser.add_argument("--max-batch-seconds", type=_positive_float, default=0.5, metavar="S",
                        help="close a micro-batch this long after its first record (default 0.5)")
    parser.add_argument("--value-format", choices=VALUE_FORMATS, default="text",
                        help="text: the value is a raw article (default); json: a batch-style envelope")
    parser.add_argument("--start-from", choices=("earliest", "latest"), default="earliest",
                        help="where a new group starts: earliest reads the backlog (default), "
                             "latest skips it")
    parser.add_argument("--dead-letter-topic", metavar="TOPIC",
                        help="also send rejected messages here, with __connect.errors.* headers")
    parser.add_argument("--metrics-port", type=int, metavar="PORT",
                        help="serve Prometheus metrics on this port (0 picks a free one)")
    parser.add_argument("--state-url", "--state-dir", dest="state_url", metavar="URL",
                        help="near-copy index and entity statistics: a folder on this machine's "
                             "local disk (default DIR/_state) or postgresql://USER@HOST:PORT/DB "
                             "for workers on several machines (password: $COPYDESK_STATE_PASSWORD)")
    parser.add_argument("--near-copy-days", type=_positive_float, default=DEFAULT_NEAR_COPY_DAYS,
                        metavar="N", help="the near-copy index forgets articles older than this "
                                          f"(default {DEFAULT_NEAR_COPY_DAYS:g})")
    parser.add_argument("--session-timeout-ms", type=_positive_int, default=45_000, metavar="MS",
                        help="consumer group session timeout (default 45000)")
    add_processing_arguments(parser)
    add_connection_arguments(parser)


def run_stream(args: argparse.Namespace) -> int:
    """Run the worker in the foreground until SIGTERM or SIGINT."""
    from pipelines.cli import UsageError, check_output
    from pipelines.cli import batch_config as cli_batch_config
    from pipelines.kafka_io import CodecError
    from transforms.state import StateSpec

    batch_config = dataclasses.replace(cli_batch_config(args), near_copy_days=args.near_copy_days)
    if "://" in args.output:
        raise UsageError(
            f"copydesk stream writes to a local or mounted folder, not {args.output!r}: its progress "
            f"files need file locks; mount a shared volume (NFS, EFS, Filestore) and give its path."
        )
    check_output(args.output)
    try:
        # Unusable state stops the worker here, not at every batch.
        StateSpec(args.state_url or os.path.join(args.output, "_state"), args.near_copy_days).check()
    except (ValueError, RuntimeError) as error:
        raise UsageError(str(error)) from None
    try:
        settings = settings_from_args(args)
        check_codecs()
    except (ValueError, CodecError) as error:
        raise UsageError(str(error)) from None
    _configure_logging(getattr(args, "log_level", None))
    config = StreamConfig(
        topic=args.topic, output=args.output, group=args.group,
        max_batch_records=args.max_batch_records, max_batch_seconds=args.max_batch_seconds,
        value_format=args.value_format, start_from=args.start_from,
        dead_letter_topic=args.dead_letter_topic, state_dir=args.state_url,
        session_timeout_ms=args.session_timeout_ms,
        pipeline_args=tuple(getattr(args, "pipeline_args", ()) or ()),
    )
    worker = StreamWorker(config, settings, batch_config)
    if args.metrics_port is not None:
        try:
            worker.metrics.serve(args.metrics_port)
        except OSError as error:
            raise UsageError(f"Cannot serve metrics on port {args.metrics_port} ({error.strerror}); "
                             f"pick a free port.") from None
    _handle_signals(worker)
    return worker.run()


def _configure_logging(level: str | None) -> None:
    # The per-batch line is the worker's main output, so it shows unless asked otherwise.
    if level in (None, "WARNING"):
        for name in (__name__, "pipelines.stream_state", "pipelines.metrics", "pipelines.kafka_io"):
            logging.getLogger(name).setLevel(logging.INFO)
    quiet_kafka_logging(logging.DEBUG if level == "DEBUG" else logging.CRITICAL)


def _handle_signals(worker: StreamWorker) -> None:
    """First SIGTERM/SIGINT: finish the batch in progress, commit, leave the group. If that
    takes longer than the grace period, or a second signal comes, exit at once: the batch
    in progress is replayed by whoever takes its partitions."""

    def abandon(reason: str) -> None:
        log.warning("%s: exiting now; the batch in progress is replayed by the next owner", reason)
        logging.shutdown()
        os._exit(0)

    def handler(signum, _frame) -> None:
        if worker.stopping:
            abandon(f"second {signal.Signals(signum).name}")
        log.info("%s: finishing the current batch, then leaving the group",
                 signal.Signals(signum).name)
        worker.stop()
        grace = worker.config.shutdown_grace_seconds
        timer = threading.Timer(grace, abandon, args=(f"still busy {grace:.0f} s after the signal",))
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipelines.stream ...`` is ``copydesk stream ...``."""
    from pipelines.cli import main as copydesk

    return copydesk(["stream", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    # Run the copy imported under its package name, so loggers and classes are named
    # pipelines.stream, not __main__.
    from pipelines import stream

    sys.exit(stream.main())

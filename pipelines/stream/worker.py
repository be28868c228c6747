"""One member of the consumer group: the loop, taking partitions over, and the exactly-once
write of each micro-batch (the protocol is described in ``pipelines.stream.command``)."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from kafka import ConsumerRebalanceListener

from pipelines.runners import LOCAL_RUNNER
from pipelines.stream.batching import Batcher, batch_stem, format_ranges, read_ranges
from pipelines.stream.broker_watch import BrokerWatch
from pipelines.stream.dead_letters import DeadLetters
from pipelines.stream.intents import HeldIntent, Intent, StreamState
from pipelines.stream.isolation import Abandoned, NotOneRecord, isolate, remove_split_files
from pipelines.stream.kafka_io import (
    KafkaSettings,
    Unreadable,
    retry_kafka,
    to_raw_input,
    unreadable_at,
)
from pipelines.stream.metrics import StreamMetrics
from pipelines.stream.partitions import Committer, Partitions
from transforms.runtime.outage import short_error, sleep_unless

log = logging.getLogger(__name__)

# Test hook: COPYDESK_STREAM_FAILPOINT=after-intent|after-files|after-progress makes the
# worker SIGKILL itself at that step of a batch, to prove crash recovery at that step;
# stop-after-intent makes it SIGSTOP itself there once, to prove the fencing of a worker
# that the group evicts while it is frozen.
FAILPOINT_ENV = "COPYDESK_STREAM_FAILPOINT"
FAILPOINTS = ("after-intent", "after-files", "after-progress", "stop-after-intent")
PIPELINE_ATTEMPTS = 3
# The DirectRunner would hand a batch pipeline to this runner anyway, after translating it
# once more to decide; naming it directly saves that.
DEFAULT_RUNNER = f"--runner={LOCAL_RUNNER}"


@dataclass(frozen=True)
class StreamConfig:
    """What the worker reads, where it writes, and how it cuts micro-batches.

    ``max_batch_records`` (200) and ``max_batch_seconds`` (0.25, counted from the batch's
    first record) bound a micro-batch: the first bounds the work lost to a crash and the
    time to finish on SIGTERM, the second the latency while records keep arriving (a batch
    closes sooner once everything in Kafka is read). ``start_from``
    ("earliest") applies only to a consumer group with no committed offsets and a
    dataset with no progress for the partition. ``state_dir`` (default ``DIR/_state``)
    holds the pipeline's persistent near-copy index and entity statistics.
    ``session_timeout_ms`` (45000) is the consumer group session; a worker that stops
    heartbeating this long loses its partitions. ``shutdown_grace_seconds`` (8): after
    SIGTERM, a batch still running after this long is abandoned (it replays on restart).
    """

    topic: str
    output: str
    group: str = "copydesk"
    max_batch_records: int = 200
    max_batch_seconds: float = 0.25
    value_format: str = "text"
    start_from: str = "earliest"
    dead_letter_topic: str | None = None
    state_dir: str | None = None
    session_timeout_ms: int = 45_000
    max_poll_interval_ms: int = 300_000
    shutdown_grace_seconds: float = 8.0
    poll_seconds: float = 0.5
    pipeline_args: tuple[str, ...] = field(default_factory=tuple)


class BatchFailed(RuntimeError):
    """The pipeline raised on a batch several times in a row."""


class StreamWorker:
    """One member of the consumer group. ``run()`` until ``stop()`` (or a signal)."""

    def __init__(self, config: StreamConfig, settings: KafkaSettings, batch_config: Any,
                 metrics: StreamMetrics | None = None) -> None:
        self.config = config
        self.settings = settings
        self.batch_config = batch_config
        self.metrics = metrics or StreamMetrics()
        self.state = StreamState(config.output, config.topic)
        self.state_dir = config.state_dir or os.path.join(config.output, "_state")
        lock = threading.RLock()
        self.partitions = Partitions(lock)
        self.batcher = Batcher(config.max_batch_records, config.max_batch_seconds, lock)
        self.committer = Committer(config.topic)
        self.dead_letters = (DeadLetters(config.dead_letter_topic, settings, config.group,
                                         self._fetch_bytes())
                             if config.dead_letter_topic else None)
        self._stop = threading.Event()
        self._consumer = None
        self._pipeline = None
        self._waiting_logged: set[int] = set()
        self.health = BrokerWatch(settings.bootstrap_servers, config.topic, config.group,
                                  config.session_timeout_ms, self.metrics)
        self._failpoint = os.environ.get(FAILPOINT_ENV)

    # Life cycle -----------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self) -> int:
        """Consume until stopped; 0 after a clean stop, 1 if a batch kept failing."""
        from pipelines.stream.micro_batch import remove_orphans

        for folder in remove_orphans():
            log.info("removed %s, left by a worker that was killed", folder)
        self._consumer = retry_kafka(self._connect, "joining the consumer group",
                                     self.settings.bootstrap_servers, lambda: self.stopping)
        if self._consumer is None:
            return 0
        log.info("consuming %s as group %s into %s (batches of up to %d records or %.2f s)",
                 self.config.topic, self.config.group, self.config.output,
                 self.config.max_batch_records, self.config.max_batch_seconds)
        try:
            while not self.stopping:
                self._release_unowned()
                self._settle()
                self._poll()
                # A batch not yet started when the signal came is left to the next owner.
                if self.batcher.due(self._highwaters()) and not self.stopping:
                    self._write_buffer()
                self.committer.commit(self._consumer, self.partitions)
                self.health.check(self._consumer, bool(self.partitions.owned()))
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

    def discard_spool(self) -> None:
        """Remove the spool of raw articles now (the process is exiting at once)."""
        if self._pipeline is not None:
            self._pipeline.close()

    def _shutdown(self) -> None:
        abandoned = self.batcher.clear()
        if abandoned:
            log.info("stopping: %d records read but not written are left for the next owner", abandoned)
        if self._consumer is not None:
            self.committer.commit(self._consumer, self.partitions, timeout_ms=10_000, force=True)
            try:
                # Leaving the group now hands the partitions over at once instead of
                # after a session timeout.
                self._consumer.close(autocommit=False, timeout_ms=5000)
            except Exception as error:  # the process is exiting; say why, do not mask it
                log.warning("closing the Kafka consumer failed (%s)", error)
        self._commit_as_last_member()
        if self.dead_letters is not None:
            self.dead_letters.close()
        if self._pipeline is not None:
            self._pipeline.close()
        self.state.unlock_all()
        log.info("stopped; offsets committed up to what is in %s", self.config.output)

    def _commit_as_last_member(self) -> None:
        """Once out of the group, commit where the dataset ends for every partition no
        worker is writing. The broker takes a commit from outside the group only when the
        group has no member left, so this is the last worker out making good the commits
        that rebalances refused (a commit refused while the group rebalances is lost to
        the worker that made it, and the partition's next owner may be stopping too)."""
        if self._consumer is None:
            return
        ends = {}
        for p in self.state.partitions():
            if self.state.try_lock_partition(p):
                end = self.state.next_offset(p)
                if end is not None:
                    ends[p] = end
        if ends:
            self.committer.commit_outside_group(self.settings.client_config(), self.config.group, ends)

    # Rebalances (called by kafka-python, possibly on its IO thread) ---------------------

    def partitions_assigned(self, partitions: set[int]) -> None:
        from kafka import TopicPartition

        self.partitions.assign(partitions)
        # Nothing is fetched from a partition until its pending intents are replayed and
        # its position is set from the dataset's progress.
        self._consumer.pause(*(TopicPartition(self.config.topic, p) for p in partitions))
        self.metrics.assigned.set(len(self.partitions.owned()))
        log.info("assigned partitions %s", _plist(partitions))

    def partitions_revoked(self, partitions: set[int]) -> None:
        free = self.partitions.revoke(partitions)
        dropped = self.batcher.forget(partitions)
        for p in partitions:
            self.metrics.forget_partition(p)
        for p in free:
            self.state.unlock_partition(p)
        self.metrics.assigned.set(len(self.partitions.owned()))
        if partitions:
            log.info("partitions %s revoked%s", _plist(partitions),
                     f"; {dropped} unwritten records left for the next owner" if dropped else "")

    def _release_unowned(self) -> None:
        for p in self.state.locked_partitions() - self.partitions.held():
            self.state.unlock_partition(p)

    # Taking a partition over ------------------------------------------------------------

    def _settle(self) -> None:
        """Replay what a crashed owner left pending, then start each newly assigned
        partition where the dataset ends."""
        from kafka import TopicPartition

        candidates = self.partitions.unsettled()
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
            if p in blocked or not self.partitions.settling(p):
                continue
            position = self.state.next_offset(p)
            if position is None:
                position = self.batcher.take_dropped_from(p)
            if position is not None:
                # The group's offset catches up with the dataset even before this worker
                # writes anything (the previous owner may have died first).
                self.partitions.owe(p, position)
            tp = TopicPartition(self.config.topic, p)
            try:
                if position is not None:
                    self._consumer.seek(tp, position)
                    self.batcher.start_at(p, position)
                self._consumer.resume(tp)
            except ValueError:  # revoked on the IO thread a moment ago
                continue
            if not self.partitions.finish_settling(p):
                continue
            log.info("partition %d: consuming from %s", p,
                     f"offset {position}" if position is not None
                     else f"the group's committed offset (or {self.config.start_from})")

    def _replay(self, held: HeldIntent) -> None:
        intent = held.intent
        if all((self.state.next_offset(p) or 0) > last for p, (_, last) in intent.ranges.items()):
            held.done()
            return
        log.info("replaying batch %s left by a stopped worker (%s)", intent.stem,
                 format_ranges(intent.ranges))
        try:
            records = read_ranges(self._range_reader, self.config.topic, intent.ranges,
                                  lambda: self.stopping)
            if records is None:
                return
            self._write(held, records, kind="replay")
        finally:
            held.release()

    def _range_reader(self):
        from kafka import KafkaConsumer

        def connect():
            return KafkaConsumer(
                **self.settings.client_config(), group_id=None, enable_auto_commit=False,
                isolation_level="read_committed", auto_offset_reset="earliest",
                max_partition_fetch_bytes=self._fetch_bytes(),
            )

        return retry_kafka(connect, "re-reading a batch", self.settings.bootstrap_servers,
                           lambda: self.stopping)

    # Reading ----------------------------------------------------------------------------

    def _poll(self) -> None:
        from kafka.errors import CorruptRecordError, KafkaError

        timeout = self.batcher.poll_timeout(self.config.poll_seconds)
        room = max(1, self.config.max_batch_records - self.batcher.count())
        try:
            polled = self._consumer.poll(timeout_ms=int(timeout * 1000), max_records=room)
        except CorruptRecordError as error:
            if not self._skip_unreadable():
                log.warning("polling Kafka failed (%s); retrying", error)
                sleep_unless(1, lambda: self.stopping)
            return
        except KafkaError as error:
            log.warning("polling Kafka failed (%s); retrying", error)
            sleep_unless(1, lambda: self.stopping)
            return
        mine = {tp: records for tp, records in polled.items() if tp.topic == self.config.topic}
        self.batcher.add(mine, self.partitions.accepts, self.partitions.settling)
        self._update_lag()

    def _skip_unreadable(self) -> bool:
        """Find the record the client cannot decode (the group consumer's error does not
        say where), put an ``Unreadable`` in its place and read on after it; False if
        none was found."""
        from kafka import TopicPartition

        reader = self._range_reader()
        if reader is None:
            return False
        try:
            for p in sorted(self.partitions.settled()):
                tp = TopicPartition(self.config.topic, p)
                offset = self._consumer.position(tp)
                reason = unreadable_at(reader, self.config.topic, p, offset)
                if reason is None:
                    continue
                log.warning("partition %d: the Kafka client cannot decode offset %d (%s); it becomes "
                            "a reject", p, offset, reason)
                self.batcher.add({tp: [Unreadable(self.config.topic, p, offset, reason)]},
                                 self.partitions.accepts, self.partitions.settling)
                self._consumer.seek(tp, offset + 1)
                return True
        finally:
            reader.close()
        return False

    def _highwaters(self) -> dict[int, int | None]:
        """Kafka's high watermark of each partition consumed from, as the last fetch said."""
        from kafka import TopicPartition

        return {p: self._consumer.highwater(TopicPartition(self.config.topic, p))
                for p in self.partitions.settled()}

    def _update_lag(self) -> None:
        from kafka import TopicPartition

        for p in self.partitions.settled():
            position = self.batcher.position(p)
            high = self._consumer.highwater(TopicPartition(self.config.topic, p))
            if high is not None and position is not None:
                self.metrics.lag.labels(str(p)).set(max(0, high - position))

    # Writing ----------------------------------------------------------------------------

    def _write_buffer(self) -> None:
        batch = self.batcher.cut(self.partitions.owned())
        if not batch:
            return
        self.partitions.set_in_flight(set(batch))
        try:
            ranges = {p: (r[0].offset, r[-1].offset) for p, r in batch.items()}
            intent = Intent(batch_stem(self.config.topic, ranges), ranges, datetime.now(timezone.utc))
            held = self.state.begin(intent)
            try:
                self._write(held, [r for p in sorted(batch) for r in batch[p]], kind="new")
            finally:
                held.release()
        finally:
            self.partitions.set_in_flight(set())

    def _write(self, held: HeldIntent, records: list, kind: str) -> None:
        """Steps 3 to 6 of the protocol for one batch whose intent is held."""
        intent = held.intent
        started = time.monotonic()
        self._maybe_fail("after-intent")
        self._maybe_fail("stop-after-intent")
        if not self._still_owner(intent):
            return
        inputs = [to_raw_input(r, self.config.value_format) for r in records if r.value is not None]
        waited = _oldest_age(records)
        pipeline_started = time.monotonic()
        try:
            result = self._run_pipeline(intent, inputs, kind)
        except Abandoned:
            log.info("stopping: batch %s is left pending; its partitions' next owner replays it",
                     intent.stem)
            return
        pipeline_seconds = time.monotonic() - pipeline_started
        self._maybe_fail("after-files")
        dead = self.dead_letters.send(result.files, records) if self.dead_letters else 0
        # Counted once the rows are visible, before the progress that a watcher may poll.
        seconds = time.monotonic() - started
        self.metrics.record_batch(records, result.counts, result.rejects_by_reason,
                                  len(records) - len(inputs), dead, kind, seconds)
        self._log_batch(intent, kind, len(records), result.counts, len(records) - len(inputs), dead,
                        seconds, pipeline_seconds, waited)
        for p, (_, last) in intent.ranges.items():
            self.state.advance(p, last + 1)
        self._maybe_fail("after-progress")
        held.done()
        for p, (_, last) in intent.ranges.items():
            self.partitions.owe(p, last + 1)
        self.committer.commit(self._consumer, self.partitions)

    def _still_owner(self, intent: Intent) -> bool:
        """Ask the broker, by committing where the dataset ends, whether this worker is
        still the group member owning the batch's partitions. A worker evicted while it was
        frozen (or cut off) leaves the batch pending for the new owner instead of writing it;
        the partition locks keep the new owner out until this worker lets go."""
        owned = self.partitions.owned()
        offsets = {p: max(first, self.state.next_offset(p) or 0)
                   for p, (first, _) in intent.ranges.items() if p in owned}
        if self._consumer is not None and self.committer.still_member(self._consumer, offsets):
            return True
        log.warning("no longer the owner of %s: batch %s is left pending for the partitions' "
                    "next owner, which replays it", format_ranges(intent.ranges), intent.stem)
        self.partitions.unsettle(set(intent.ranges))
        self.batcher.forget(set(intent.ranges))
        return False

    def _run_pipeline(self, intent: Intent, inputs: list, kind: str):
        """Run the batch, retrying it; if it keeps failing, split it to set aside the
        record that fails (``pipelines.isolation``)."""
        if kind == "replay":
            remove_split_files(self.config.output, intent.stem)
        for attempt in range(1, PIPELINE_ATTEMPTS + 1):
            try:
                return self._run_once(intent, intent.stem, inputs)
            except Exception as error:  # any pipeline failure: the batch is retried whole
                self.metrics.batch_failures.inc()
                if attempt == PIPELINE_ATTEMPTS:
                    log.warning("batch %s failed %d times (%s); splitting it to find the record "
                                "that fails", intent.stem, attempt, short_error(error))
                    return self._isolate(intent, inputs, error)
                log.exception("batch %s failed (attempt %d of %d); retrying", intent.stem,
                              attempt, PIPELINE_ATTEMPTS)
                sleep_unless(attempt, lambda: self.stopping)
                if self.stopping:
                    raise Abandoned(intent.stem) from error
        raise AssertionError("unreachable")

    def _isolate(self, intent: Intent, inputs: list, error: Exception):
        def run(stem: str, part: list):
            try:
                return self._run_once(intent, stem, part)
            except Exception:
                self.metrics.batch_failures.inc()
                raise

        try:
            return isolate(run, intent.stem, inputs, error, self.config.output, lambda: self.stopping)
        except NotOneRecord as failure:
            raise BatchFailed(
                f"Batch {intent.stem} fails whatever record is set aside ({failure}); it stays "
                f"pending in {self.state.intents_dir} and is replayed when a worker restarts. "
                f"Fix the cause (see the log above), then start the worker again."
            ) from failure

    def _run_once(self, intent: Intent, stem: str, inputs: list):
        from pipelines import batch

        if self._pipeline is None:
            self._pipeline = batch.RecordsPipeline(
                self.config.output, self.batch_config, self._pipeline_args(),
                state_dir=self.state_dir)
        return self._pipeline.run(inputs, stem, intent.ingested_at)

    def _log_batch(self, intent: Intent, kind: str, records: int, counts: dict[str, int],
                   tombstones: int, dead: int, seconds: float, pipeline_seconds: float,
                   waited: float | None) -> None:
        # Where a record's latency goes: waiting to be read and cut (its Kafka timestamp
        # to the batch's start), the pipeline, and the rest (intent, checks, progress).
        log.info(
            "%s %s: %s | %d records: %d articles, %d duplicates, %d rejects, %d tombstones%s | "
            "%.2f s, pipeline %.2f s%s",
            "batch" if kind == "new" else "replayed", intent.stem, format_ranges(intent.ranges),
            records, counts.get("articles", 0), counts.get("duplicates", 0), counts.get("rejects", 0),
            tombstones, f", {dead} dead-lettered" if dead else "", seconds, pipeline_seconds,
            "" if waited is None else f", oldest record waited {waited:.2f} s",
        )

    def _pipeline_args(self) -> list[str]:
        args = list(self.config.pipeline_args)
        if not any(a.startswith("--runner") for a in args):
            args.insert(0, DEFAULT_RUNNER)
        return args

    def _maybe_fail(self, point: str) -> None:
        if self._failpoint != point:
            return
        if point.startswith("stop-"):
            self._failpoint = None  # once: the resumed worker must carry on
            log.warning("failpoint %s: stopping this worker with SIGSTOP", point)
            _flush_logs()
            os.kill(os.getpid(), signal.SIGSTOP)
            log.warning("failpoint %s: resumed", point)
            return
        log.warning("failpoint %s: killing this worker with SIGKILL", point)
        logging.shutdown()
        os.kill(os.getpid(), signal.SIGKILL)


def _oldest_age(records: list) -> float | None:
    """Seconds since the oldest record's Kafka timestamp (None without timestamps)."""
    stamps = [r.timestamp for r in records if getattr(r, "timestamp", None) and r.timestamp > 0]
    return max(0.0, time.time() - min(stamps) / 1000) if stamps else None


def _flush_logs() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def _plist(partitions: set[int]) -> str:
    return ",".join(str(p) for p in sorted(partitions)) or "(none)"


class _Listener(ConsumerRebalanceListener):
    """Forwards rebalance events of the worker's topic to it."""

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

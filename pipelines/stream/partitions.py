"""What one worker knows about its partitions: which it owns, which it is still taking
over, which a running batch holds, and which offsets it still owes Kafka.

Kafka's rebalance callbacks change it on the client's IO thread while the worker's loop
reads it, so every method takes the lock the worker shares with its ``Batcher``.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


class Partitions:
    """Ownership and owed commits, one lock for all."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._owned: set[int] = set()
        # Assigned, but not consumed from until the previous owner's pending batches are
        # replayed and the position is set from the dataset.
        self._unsettled: set[int] = set()
        self._in_flight: set[int] = set()
        self._owed: dict[int, int] = {}

    def assign(self, partitions: set[int]) -> None:
        with self._lock:
            self._owned |= partitions
            self._unsettled |= partitions

    def revoke(self, partitions: set[int]) -> set[int]:
        """Forget ``partitions``; those no running batch holds (their locks can go now)."""
        with self._lock:
            self._owned -= partitions
            self._unsettled -= partitions
            for p in partitions:
                self._owed.pop(p, None)
            return partitions - self._in_flight

    def unsettle(self, partitions: set[int]) -> None:
        """Take owned ``partitions`` over again, as if just assigned (a batch of theirs was left pending)."""
        with self._lock:
            self._unsettled |= partitions & self._owned

    def finish_settling(self, partition: int) -> bool:
        """Mark ``partition`` as consumed from; False if it was revoked meanwhile."""
        with self._lock:
            if partition not in self._unsettled:
                return False
            self._unsettled.discard(partition)
            return True

    def owned(self) -> set[int]:
        with self._lock:
            return set(self._owned)

    def unsettled(self) -> list[int]:
        with self._lock:
            return sorted(self._unsettled)

    def settled(self) -> set[int]:
        with self._lock:
            return self._owned - self._unsettled

    def accepts(self, partition: int) -> bool:
        """Records of ``partition`` may join a batch."""
        with self._lock:
            return partition in self._owned and partition not in self._unsettled

    def settling(self, partition: int) -> bool:
        with self._lock:
            return partition in self._unsettled

    def held(self) -> set[int]:
        """Partitions this worker must keep locked: owned or in a running batch."""
        with self._lock:
            return self._owned | self._in_flight

    def set_in_flight(self, partitions: set[int]) -> None:
        with self._lock:
            self._in_flight = set(partitions)

    def owe(self, partition: int, offset: int) -> None:
        """Kafka's committed offset of ``partition`` should move up to ``offset``."""
        with self._lock:
            if partition in self._owned:
                self._owed[partition] = max(offset, self._owed.get(partition, 0))

    def owed(self) -> dict[int, int]:
        with self._lock:
            return {p: o for p, o in self._owed.items() if p in self._owned}

    def paid(self, offsets: dict[int, int]) -> None:
        with self._lock:
            for p, o in offsets.items():
                if self._owed.get(p) == o:
                    del self._owed[p]


class Committer:
    """Commits owed offsets to Kafka. A failed commit loses nothing (the dataset's progress
    files hold the positions), so it is retried every few seconds and said once."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        self._retry_at = 0.0
        self._failing = False

    def commit(self, consumer, partitions: Partitions, timeout_ms: int = 5000, force: bool = False) -> None:
        from kafka.errors import KafkaError

        offsets = partitions.owed()
        if not offsets or consumer is None:
            return
        if not force and time.monotonic() < self._retry_at:
            return
        try:
            consumer.commit(self.offsets(offsets), timeout_ms=timeout_ms)
        except KafkaError as error:
            self._retry_at = time.monotonic() + 5
            if not self._failing:
                log.warning("committing offsets %s failed (%s); the dataset's progress files keep "
                            "them and the commit is retried", offsets, error)
            self._failing = True
            return
        if self._failing:
            log.info("offsets committed again: %s", offsets)
        self._failing = False
        partitions.paid(offsets)

    def still_member(self, consumer, offsets: dict[int, int], timeout_ms: int = 10_000) -> bool:
        """Commit ``offsets`` (where the dataset ends) synchronously: False if the broker
        says this consumer is no longer the group member that owns them. Any other error
        (the broker unreachable, a timeout) proves nothing either way: True."""
        from kafka import errors

        # Refusals meaning this consumer is no longer the member it was.
        membership = (errors.CommitFailedError, errors.RebalanceInProgressError,
                      errors.IllegalGenerationError, errors.UnknownMemberIdError,
                      errors.FencedInstanceIdError)
        if not offsets:
            return False
        try:
            consumer.commit(self.offsets(offsets), timeout_ms=timeout_ms)
        except errors.KafkaError as error:
            if isinstance(error, membership):
                log.warning("the group has moved on without this worker (%s)", error)
                return False
            log.warning("could not check group membership with Kafka (%s); the partition locks "
                        "still keep other workers out", error)
        return True

    def commit_outside_group(self, client_config: dict, group: str, offsets: dict[int, int]) -> bool:
        """Commit ``offsets`` as a consumer outside the group; True if the broker took them,
        which it does only when the group has no member (the others commit their own)."""
        from kafka import KafkaConsumer
        from kafka.errors import KafkaError

        consumer = None
        try:
            # Short: the worker is exiting, and a broker that is down makes it pointless.
            consumer = KafkaConsumer(**client_config, group_id=group, enable_auto_commit=False,
                                     bootstrap_timeout_ms=3000)
            consumer.commit(self.offsets(offsets), timeout_ms=3000)
        except KafkaError as error:
            log.debug("commit outside the group refused (%s): other members remain", error)
            return False
        finally:
            if consumer is not None:
                consumer.close(autocommit=False)
        log.info("last member out: offsets committed where the dataset ends %s", offsets)
        return True

    def offsets(self, offsets: dict[int, int]) -> dict:
        from kafka import TopicPartition
        from kafka.structs import OffsetAndMetadata

        return {TopicPartition(self.topic, p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()}

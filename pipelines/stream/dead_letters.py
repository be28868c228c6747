"""Rejected Kafka records, sent untouched to a dead-letter topic with the reason in
Kafka Connect's ``__connect.errors.*`` headers, so tools that read Connect dead-letter
queues read ours."""

from __future__ import annotations

import logging
import os

from pipelines.stream.kafka_io import (
    KafkaSettings,
    dead_letter_headers,
    message_source,
    parse_source,
    retry_kafka,
)
from transforms.runtime.outage import Backoff, short_error

log = logging.getLogger(__name__)


def rejected_records(files: list[str], records: list) -> list[tuple[object, str]]:
    """(record, reason) of every record of this batch that its rejects files name."""
    import pyarrow.parquet as pq

    by_position = {(r.partition, r.offset): r for r in records}
    rejected = []
    for path in files:
        if f"{os.sep}rejects{os.sep}" not in path and "/rejects/" not in path:
            continue
        table = pq.read_table(path, columns=["source", "reason"])
        for source, reason in zip(table.column("source").to_pylist(), table.column("reason").to_pylist()):
            parsed = parse_source(source)
            if parsed is not None and (parsed[1], parsed[2]) in by_position:
                rejected.append((by_position[(parsed[1], parsed[2])], reason))
    return sorted(rejected, key=lambda x: (x[0].partition, x[0].offset))


# What a dead letter's value is cut to at first: Kafka's default max.message.bytes
# (1048588) less room for the key, the headers and the batch framing. A topic that
# accepts less says so (MessageSizeTooLarge, RecordTooLarge) and the value is halved.
FIRST_LIMIT = 1_000_000


class DeadLetters:
    """The dead-letter topic and its producer, opened at the first reject.

    A letter is the rejected record's key, headers and value, the value cut to what the
    topic accepts (the ``copydesk.original.bytes`` header then gives its full size); a
    letter the topic refuses for good (not for an outage) is logged and left out, since
    its row in ``rejects`` already keeps the record."""

    def __init__(self, topic: str, settings: KafkaSettings, group: str, max_request_size: int) -> None:
        self.topic = topic
        self.settings = settings
        self.group = group
        self.max_request_size = max(max_request_size, FIRST_LIMIT + (64 << 10))
        self._limit = FIRST_LIMIT
        self._producer = None

    def send(self, files: list[str], records: list) -> int:
        """Send the batch's rejected records; how many. Called before the batch counts as
        written, so a crash repeats them (at least once) rather than losing them."""
        sent = 0
        for record, reason in rejected_records(files, records):
            sent += retry_kafka(lambda r=record, why=reason: self._deliver(r, why), "sending a dead letter",
                                self.settings.bootstrap_servers, lambda: False, Backoff(1, 15)) or 0
        return sent

    def _deliver(self, record, reason: str) -> int:
        """1 once the letter is in the topic, 0 if the topic refuses it for good; raises
        what is worth retrying (the broker unreachable)."""
        from kafka.errors import KafkaError, MessageSizeTooLargeError, RecordListTooLargeError

        value = bytes(record.value or b"")
        while True:
            headers = dead_letter_headers(record, reason, "VALUE_CONVERTER",
                                          f"copydesk-stream-{self.group}", self.settings.client_id)
            if len(value) > self._limit:
                headers.append(("copydesk.original.bytes", str(len(value)).encode()))
            try:
                self._open().send(self.topic, key=record.key, value=value[: self._limit],
                                  headers=headers).get(timeout=30)
                return 1
            except (MessageSizeTooLargeError, RecordListTooLargeError) as error:
                # The producer keeps failing every later send with this error (its idempotent
                # sequence is broken): a fresh one sends the smaller letter.
                self.close()
                if self._limit <= 1:
                    log.error("dead letter of %s refused at any size (%s); its reject row keeps it",
                              message_source(record.topic, record.partition, record.offset), error)
                    return 0
                self._limit //= 2
                log.warning("%s refuses dead letters this large (%s); cutting values to %d bytes",
                            self.topic, short_error(error), self._limit)
            except KafkaError as error:
                if error.retriable:
                    raise
                log.error("%s refuses the dead letter of %s (%s); its reject row keeps it", self.topic,
                          message_source(record.topic, record.partition, record.offset), error)
                return 0

    def _open(self):
        from kafka import KafkaProducer

        if self._producer is None:
            self._producer = KafkaProducer(**self.settings.client_config(), linger_ms=5,
                                           max_request_size=self.max_request_size)
        return self._producer

    def close(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=5)
            except Exception as error:  # say why, do not mask it
                log.warning("closing the dead-letter producer failed (%s)", error)

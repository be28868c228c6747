"""Rejected Kafka records, sent untouched to a dead-letter topic with the reason in
Kafka Connect's ``__connect.errors.*`` headers, so tools that read Connect dead-letter
queues read ours."""

from __future__ import annotations

import logging
import os

from pipelines.stream.kafka_io import Backoff, KafkaSettings, dead_letter_headers, parse_source, retry_kafka

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


class DeadLetters:
    """The dead-letter topic and its producer, opened at the first reject."""

    def __init__(self, topic: str, settings: KafkaSettings, group: str, max_request_size: int) -> None:
        self.topic = topic
        self.settings = settings
        self.group = group
        self.max_request_size = max_request_size
        self._producer = None

    def send(self, files: list[str], records: list) -> int:
        """Send the batch's rejected records; how many. Called before the batch counts as
        written, so a crash repeats them (at least once) rather than losing them."""
        rejected = rejected_records(files, records)
        if not rejected:
            return 0

        def send() -> int:
            producer = self._open()
            futures = [
                producer.send(self.topic, key=record.key, value=record.value,
                              headers=dead_letter_headers(record, reason, "VALUE_CONVERTER",
                                                          f"copydesk-stream-{self.group}",
                                                          self.settings.client_id))
                for record, reason in rejected
            ]
            producer.flush(timeout=30)
            for future in futures:
                future.get(timeout=30)
            return len(futures)

        sent = retry_kafka(send, "sending dead letters", self.settings.bootstrap_servers,
                           lambda: False, Backoff(1, 15))
        return sent or 0

    def _open(self):
        from kafka import KafkaProducer

        if self._producer is None:
            self._producer = KafkaProducer(**self.settings.client_config(), linger_ms=5,
                                           max_request_size=self.max_request_size)
        return self._producer

    def close(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=5)
            except Exception as error:  # the process is exiting; say why, do not mask it
                log.warning("closing the dead-letter producer failed (%s)", error)

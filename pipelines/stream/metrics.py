"""The streaming worker's Prometheus metrics, served as text on ``--metrics-port``.

Each worker has its own registry, so two workers in one process (tests) do not collide
and the endpoint shows only what the worker counts, not the client library's internals.
"""

from __future__ import annotations

import logging
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

log = logging.getLogger(__name__)

# Seconds: a micro-batch normally takes one to a few; the tail shows stalls and replays.
LATENCY_BUCKETS = (0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 60, 120, 300)


class StreamMetrics:
    """Counters for consumed, written, rejected, duplicates; batch and end-to-end latency;
    lag per partition."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.consumed = Counter("copydesk_stream_consumed_records",
                                "Kafka records taken into micro-batches (tombstones included).",
                                registry=r)
        self.written = Counter("copydesk_stream_written_rows",
                               "Rows written to the dataset, by table.", ["table"], registry=r)
        self.rejected = Counter("copydesk_stream_rejected_records",
                                "Records written to the rejects table, by kind of reason.",
                                ["reason"], registry=r)
        self.duplicates = Counter("copydesk_stream_duplicate_articles",
                                  "Articles written to the duplicates table (near-copies).",
                                  registry=r)
        self.tombstones = Counter("copydesk_stream_tombstones",
                                  "Records with a null value, counted and skipped.", registry=r)
        self.dead_lettered = Counter("copydesk_stream_dead_lettered_records",
                                     "Rejected records sent to the dead-letter topic.", registry=r)
        self.batches = Counter("copydesk_stream_batches",
                               "Micro-batches written, replays of crashed batches included.",
                               ["kind"], registry=r)
        self.batch_failures = Counter("copydesk_stream_batch_failures",
                                      "Micro-batches whose pipeline raised (they are retried).",
                                      registry=r)
        self.batch_seconds = Histogram("copydesk_stream_batch_seconds",
                                       "Wall time of a micro-batch: pipeline, dead letters, commit.",
                                       buckets=LATENCY_BUCKETS, registry=r)
        self.end_to_end_seconds = Histogram(
            "copydesk_stream_end_to_end_seconds",
            "From a record's Kafka timestamp to its row being visible in the dataset.",
            buckets=LATENCY_BUCKETS, registry=r)
        self.lag = Gauge("copydesk_stream_lag_records",
                         "Records behind the partition's high watermark.", ["partition"], registry=r)
        self.assigned = Gauge("copydesk_stream_assigned_partitions",
                              "Partitions this worker owns in the consumer group.", registry=r)
        self.broker_up = Gauge("copydesk_stream_broker_up",
                               "1 while the broker answers, 0 while the worker is retrying.",
                               registry=r)
        self.broker_up.set(0)

    def serve(self, port: int, address: str = "127.0.0.1") -> int:
        """Start the text endpoint in a daemon thread; the port actually bound (0 picks one)."""
        server, _thread = start_http_server(port, addr=address, registry=self.registry)
        bound = server.server_address[1]
        log.info("Prometheus metrics on http://%s:%d/metrics", address, bound)
        return bound

    def record_batch(self, records: list, counts: dict[str, int], rejects_by_reason: dict[str, int],
                     tombstones: int, dead_lettered: int, kind: str, seconds: float) -> None:
        """Count one written micro-batch (``kind``: new or replay) of Kafka ``records``."""
        now_ms = time.time() * 1000
        self.consumed.inc(len(records))
        self.tombstones.inc(tombstones)
        self.dead_lettered.inc(dead_lettered)
        for table, rows in counts.items():
            self.written.labels(table).inc(rows)
        self.duplicates.inc(counts.get("duplicates", 0))
        for reason, count in rejects_by_reason.items():
            self.rejected.labels(reason).inc(count)
        self.batches.labels(kind).inc()
        self.batch_seconds.observe(seconds)
        for record in records:
            if record.timestamp is not None and record.timestamp > 0:
                self.end_to_end_seconds.observe(max(0.0, (now_ms - record.timestamp) / 1000))

    def forget_partition(self, partition: int) -> None:
        try:
            self.lag.remove(str(partition))
        except KeyError:
            pass

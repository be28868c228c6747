"""The worker's consumer loop in-process, with the pipeline call replaced by a recorder:
where a new group starts, how batches are cut, what happens to tombstones. Fast; the real
pipeline runs in ``test_stream.py``."""

from __future__ import annotations

import threading
import time

import pytest
from kafka import TopicPartition

from pipelines.batch import BatchConfig, BatchResult
from pipelines.stream.intents import StreamState
from pipelines.stream.kafka_io import KafkaSettings
from pipelines.stream.worker import StreamConfig, StreamWorker

pytestmark = pytest.mark.kafka


class Recorder:
    """Stands in for ``RecordsPipeline``: remembers each batch, writes nothing."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, list]] = []
        self.built = 0
        self.lock = threading.Lock()

    def __call__(self, output, config, pipeline_args=(), state_dir=None) -> "Recorder":
        self.built += 1
        return self

    def run(self, records, file_stem, ingested_at) -> BatchResult:
        with self.lock:
            self.batches.append((file_stem, list(records)))
        return BatchResult(files=[], counts={"articles": len(records), "duplicates": 0, "rejects": 0})

    def close(self) -> None:
        pass

    def sources(self) -> list[str]:
        with self.lock:
            return [r.source for _, records in self.batches for r in records]


@pytest.fixture
def recorder(monkeypatch):
    import pipelines.batch

    fake = Recorder()
    monkeypatch.setattr(pipelines.batch, "RecordsPipeline", fake)
    return fake


def send(broker, topic: str, values: list[bytes | None]) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": broker.bootstrap_servers})
    for value in values:
        producer.produce(topic, value=value, partition=0)
    assert producer.flush(10) == 0


class Running:
    def __init__(self, worker: StreamWorker) -> None:
        self.worker = worker
        self.status: list[int] = []
        self.thread = threading.Thread(target=lambda: self.status.append(worker.run()), daemon=True)
        self.thread.start()

    def wait_settled(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        partitions = self.worker.partitions
        while not (partitions.owned() and not partitions.unsettled()):
            assert self.thread.is_alive() and time.monotonic() < deadline, "never took its partitions"
            time.sleep(0.05)

    def stop(self) -> int:
        self.worker.stop()
        self.thread.join(30)
        assert not self.thread.is_alive()
        return self.status[0]


def worker_for(broker, topic: str, output: str, **config) -> StreamWorker:
    return StreamWorker(
        StreamConfig(topic=topic, output=output, group=f"g-{topic}", session_timeout_ms=6000, **config),
        KafkaSettings(broker.bootstrap_servers), BatchConfig(),
    )


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_start_from_latest_skips_the_backlog(kafka_broker, kafka_topic, tmp_path, recorder):
    topic = kafka_topic(1)
    send(kafka_broker, topic, [b"old 0", b"old 1", b"old 2"])
    running = Running(worker_for(kafka_broker, topic, str(tmp_path), start_from="latest"))
    running.wait_settled()
    # "latest" is resolved before the first fetch; a fetch answered means it is fixed.
    wait_for(lambda: running.worker._consumer.highwater(TopicPartition(topic, 0)) is not None)
    send(kafka_broker, topic, [b"new 3", b"new 4"])
    wait_for(lambda: len(recorder.sources()) >= 2)
    assert running.stop() == 0
    assert recorder.sources() == [f"kafka://{topic}/0/3", f"kafka://{topic}/0/4"]
    assert StreamState(str(tmp_path), topic).next_offset(0) == 5


def test_batches_are_bounded_and_tombstones_skipped(kafka_broker, kafka_topic, tmp_path, recorder):
    topic = kafka_topic(1)
    values = [b"a", None, b"b", b"c", None, b"d", b"e", b"f", b"g"]
    send(kafka_broker, topic, values)
    running = Running(worker_for(kafka_broker, topic, str(tmp_path), max_batch_records=4))
    wait_for(lambda: StreamState(str(tmp_path), topic).next_offset(0) == len(values))
    metrics = running.worker.metrics
    assert running.stop() == 0

    stems = [stem for stem, _ in recorder.batches]
    assert stems[0].endswith("-p0-0-3") and len(stems) == 3, stems
    # One pipeline for all of the worker's batches.
    assert recorder.built == 1
    # Tombstones take an offset in the batch's range but never reach the pipeline.
    assert [r.raw for _, records in recorder.batches for r in records] == [v for v in values if v]
    assert metrics.tombstones._value.get() == 2
    assert metrics.consumed._value.get() == len(values)
    assert StreamState(str(tmp_path), topic).pending() == []


def test_a_restarted_worker_resumes_where_the_dataset_ends(kafka_broker, kafka_topic, tmp_path, recorder):
    topic = kafka_topic(1)
    send(kafka_broker, topic, [b"a", b"b"])
    state = StreamState(str(tmp_path), topic)
    # As if an earlier worker wrote offsets 0 and 1 and died before committing them.
    state.advance(0, 2)
    send(kafka_broker, topic, [b"c"])
    running = Running(worker_for(kafka_broker, topic, str(tmp_path)))
    wait_for(lambda: state.next_offset(0) == 3)
    assert running.stop() == 0
    assert recorder.sources() == [f"kafka://{topic}/0/2"]

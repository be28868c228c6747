"""No record can stop a partition: against the real broker, each kind of record copydesk
cannot read, date or process sits on two partitions between good records. Every offset
lands in exactly one table, every good record is written, the poison is a reject with a
one-sentence reason (and a dead letter cut to what its topic accepts), and the worker is
still up and stops on SIGTERM within 10 s."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import uuid

import pytest

from tests.pipelines.stream.test_stream import (
    Sent,
    Worker,
    article,
    assert_exactly_once,
    read_table,
    wait_written,
    workers,  # noqa: F401  (the fixture)
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

MARKER = "POISON-FOR-A-STAGE"
MAX_BYTES = 100 * 1024
# What the test topics accept: the source a 1.5 MB record, the dead-letter topic much less
# (brokers that ignore topic configs accept both, and the dead letter is cut less).
SOURCE_MAX_MESSAGE = 4 << 20
DEAD_LETTER_MAX_MESSAGE = 200_000
OVERSIZE = 1_500_000


class NotUtf8(str):
    """A header key whose bytes are not UTF-8: kafka-python writes what ``encode`` gives,
    and no reader can decode it back (``CorruptRecordError``)."""

    def __new__(cls, raw: bytes) -> "NotUtf8":
        key = super().__new__(cls, raw.decode("latin-1"))
        key.raw = raw
        return key

    def encode(self, *_args, **_kwargs) -> bytes:
        return self.raw


# kind -> (what to send, words the reject's reason holds)
POISON = {
    "date in a header": (dict(headers=[("published_at", b"0001-01-01T00:00:00+01:00")]),
                         "falls outside the years 1 to 9999"),
    "timestamp in year 10000": (dict(timestamp_ms=253_402_300_800_000 + 1000),
                                "record timestamp 253402300801000 ms falls outside"),
    "header key not UTF-8": (dict(headers=[(NotUtf8(b"\xff\xfeid"), b"1")]),
                             "Kafka client cannot decode the record"),
    "header value not UTF-8": (dict(headers=[("title", b"caf\xe9")]), "header 'title' is not UTF-8"),
    "key not UTF-8": (dict(key=b"\xff\xfe\x00"), "Kafka key is not UTF-8"),
    "over --max-bytes and the dead-letter limit": (dict(value=b"word " * (OVERSIZE // 5)),
                                                   "larger than the 102400 bytes limit"),
    "a stage fails on it": (dict(value=f"A council report {MARKER} on the harbour budget.".encode()),
                            "copydesk failed on this record"),
}


def create_topic(broker, name: str, partitions: int, max_message_bytes: int) -> None:
    """A topic taking records up to ``max_message_bytes`` and stamped in any year (Apache
    Kafka refuses by default a timestamp more than an hour ahead)."""
    from kafka.admin import KafkaAdminClient, NewTopic

    configs = {"max.message.bytes": str(max_message_bytes),
               "message.timestamp.after.max.ms": str(2**63 - 1)}
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        admin.create_topics([NewTopic(name, partitions, 1, topic_configs=configs)])
    finally:
        admin.close()


def send(broker, topic: str, partition: int, kind: str, sent: Sent, value: bytes,
         key: bytes | None = None, headers: list | None = None, timestamp_ms: int | None = None) -> None:
    """One record in a request of its own: kafka-python cannot read past a record it cannot
    decode inside one record batch, so poison and good records never share one."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, max_request_size=8 << 20)
    try:
        meta = producer.send(topic, value=value, key=key, headers=headers or [], partition=partition,
                             timestamp_ms=timestamp_ms).get(timeout=30)
    finally:
        producer.close()
    sent.kinds[(meta.partition, meta.offset)] = kind


def fresh_name(what: str) -> str:
    return f"t{os.getpid()}-{what}-{uuid.uuid4().hex[:8]}"


def test_no_record_stops_a_partition(kafka_broker, tmp_path, workers):  # noqa: F811
    topic, dead_letters = fresh_name("poison"), fresh_name("dead-letters")
    create_topic(kafka_broker, topic, 2, SOURCE_MAX_MESSAGE)
    create_topic(kafka_broker, dead_letters, 1, DEAD_LETTER_MAX_MESSAGE)
    output = str(tmp_path / "out")
    rng = random.Random(31)
    sent = Sent()
    n = 0
    for kind, (fields, _) in POISON.items():
        for p in (0, 1):
            for what in ("good", kind, "good"):
                if what == "good":
                    send(kafka_broker, topic, p, "good", sent, article(rng, n))
                else:
                    send(kafka_broker, topic, p, kind, sent, **{"value": b"A short notice.", **fields})
                n += 1

    worker = Worker(kafka_broker, topic, output, tmp_path / "worker.log", "--max-bytes", str(MAX_BYTES),
                    "--max-batch-records", "8", "--dead-letter-topic", dead_letters,
                    env={"COPYDESK_STAGE_FAILPOINT": MARKER})
    workers.append(worker)
    wait_written(output, topic, sent.ends(), workers)
    assert worker.alive()

    worker.process.send_signal(signal.SIGTERM)
    try:
        assert worker.process.wait(10) == 0, worker.log()[-3000:]
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running 10 s after SIGTERM:\n{worker.log()[-3000:]}")

    tables = assert_exactly_once(output, topic, sent)
    kind_of = {f"kafka://{topic}/{p}/{o}": kind for (p, o), kind in sent.kinds.items()}
    assert sorted(kind_of[s] for s in tables["articles"]) == ["good"] * (4 * len(POISON))
    rejects = read_table(output, "rejects", ["source", "reason", "raw"]).to_pylist()
    assert sorted(kind_of[r["source"]] for r in rejects) == sorted(list(POISON) * 2)
    for row in rejects:
        words = POISON[kind_of[row["source"]]][1]
        assert words in row["reason"], (kind_of[row["source"]], row["reason"])
        assert row["reason"].endswith(".") and row["reason"].count(". ") == 0, row["reason"]

    letters = read_letters(kafka_broker, dead_letters, len(rejects))
    assert sorted(letters) == sorted(r["source"] for r in rejects)
    for source, (value, headers) in letters.items():
        assert headers["__connect.errors.exception.message"]
        if kind_of[source] == "over --max-bytes and the dead-letter limit":
            original = b"word " * (OVERSIZE // 5)
            assert len(value) < len(original) and original.startswith(value)
            assert headers["copydesk.original.bytes"] == str(len(original))


def test_a_replayed_batch_reads_past_a_record_the_client_cannot_decode(kafka_broker, tmp_path,
                                                                      workers):  # noqa: F811
    topic = fresh_name("replay")
    create_topic(kafka_broker, topic, 1, SOURCE_MAX_MESSAGE)
    output = str(tmp_path / "out")
    rng = random.Random(37)
    sent = Sent()
    fields, words = POISON["header key not UTF-8"]
    send(kafka_broker, topic, 0, "poison", sent, b"A short notice.", **fields)
    send(kafka_broker, topic, 0, "good", sent, article(rng, 0))

    # Killed once its first batch is promised: the batch holding the poison stays pending.
    first = Worker(kafka_broker, topic, output, tmp_path / "w1.log",
                   env={"COPYDESK_STREAM_FAILPOINT": "after-intent"})
    workers.append(first)
    assert first.process.wait(240) == -signal.SIGKILL, first.log()[-3000:]
    send(kafka_broker, topic, 0, "good", sent, article(rng, 1))
    second = Worker(kafka_broker, topic, output, tmp_path / "w2.log")
    workers.append(second)
    wait_written(output, topic, sent.ends(), workers[-1:])
    assert second.terminate() == 0
    assert "replayed" in second.log()
    tables = assert_exactly_once(output, topic, sent)
    [reject] = read_table(output, "rejects", ["source", "reason"]).to_pylist()
    assert reject["source"] == f"kafka://{topic}/0/0" and words in reject["reason"]
    assert len(tables["articles"]) == 2


def read_letters(broker, topic: str, count: int) -> dict[str, tuple[bytes, dict[str, str]]]:
    """source -> (value, headers) of the first ``count`` dead letters."""
    import time

    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, enable_auto_commit=False,
                             max_partition_fetch_bytes=4 << 20)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    found = {}
    deadline = time.monotonic() + 60
    while len(found) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} dead letters"
        for records in consumer.poll(timeout_ms=500).values():
            for r in records:
                headers = {k: v.decode("utf-8", "replace") for k, v in r.headers}
                source = (f"kafka://{headers['__connect.errors.topic']}/"
                          f"{headers['__connect.errors.partition']}/{headers['__connect.errors.offset']}")
                found[source] = (r.value, headers)
    consumer.close()
    return found

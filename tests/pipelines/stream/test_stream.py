"""``copydesk stream`` end to end, as separate processes against the real broker, fed by a
second client (confluent-kafka): every offset lands in exactly one table, through crashes,
a second worker joining, a frozen broker and SIGTERM."""

from __future__ import annotations

import collections
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pyarrow.dataset as ds
import pytest

from pipelines.broker import free_port
from pipelines.stream.intents import StreamState

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

NEW_BATCH = r"pipelines\.stream\.worker: batch kafka-"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEEDS = os.path.join(ROOT, "seeds")
CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
MAX_BYTES = 64 * 1024
SETTLE_TIMEOUT = 240

WORDS = (
    "council harbour minister budget river festival engineers vaccine drought railway election "
    "museum archive satellite farmers tariff bridge hospital storm orchestra courthouse refinery "
    "glacier senate league startup pension wildfire telescope harvest strike mayor coastline "
    "province treaty clinic factory tunnel reservoir academy airline vineyard parliament ferry "
    "quarry observatory cathedral brewery stadium laboratory mine garrison lighthouse embassy"
).split()


def article(rng: random.Random, n: int) -> bytes:
    """A distinct, plain English article; different draws never look like copies."""
    title = " ".join(rng.sample(WORDS, 5)).capitalize()
    paragraphs = []
    for _ in range(4):
        sentences = []
        for _ in range(4):
            words = [rng.choice(WORDS) for _ in range(rng.randint(9, 15))]
            sentences.append(" ".join(words).capitalize() + f" in district {rng.randint(1, 10**6)}.")
        paragraphs.append(" ".join(sentences))
    return (f"{title} {n}\n\n" + "\n\n".join(paragraphs)).encode()


def reprint(seed: bytes) -> bytes:
    """A wire story re-published: new header and footer, a paragraph cut, straight quotes."""
    text = seed.decode("utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    kept = paragraphs[:2] + paragraphs[3:] if len(paragraphs) > 4 else paragraphs
    body = "\n\n".join(kept).replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    return ("Reprinted from the wire\n\n" + body + "\n\nShare this article with your friends").encode()


BAD = {
    "empty": b"",
    "whitespace": b"  \n\t \n",
    "binary": b"\x89PNG\r\n\x1a\n" + bytes(random.Random(7).randrange(256) for _ in range(3000)),
    "oversize": b"word " * (MAX_BYTES // 4),
}


def seed_texts() -> list[bytes]:
    texts = []
    for name in sorted(os.listdir(SEEDS)):
        with open(os.path.join(SEEDS, name), "rb") as handle:
            texts.append(handle.read())
    return texts


class Sent:
    """What was produced: (partition, offset) -> what it was."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[int, int], str] = {}

    def ends(self) -> dict[int, int]:
        ends: dict[int, int] = {}
        for p, o in self.kinds:
            ends[p] = max(ends.get(p, -1), o + 1)
        return ends

    def expected_sources(self, topic: str) -> set[str]:
        return {f"kafka://{topic}/{p}/{o}" for (p, o), kind in self.kinds.items() if kind != "tombstone"}


def produce(broker, topic: str, messages, sent: Sent) -> None:
    """messages: (partition, codec, kind, value, headers, key); delivered before returning."""
    from confluent_kafka import Producer

    by_codec = collections.defaultdict(list)
    for message in messages:
        by_codec[message[1]].append(message)
    for codec, batch in by_codec.items():
        # Idempotent: a send retried after a lost answer (a broker just thawed) must not
        # write the messages twice, or the topic holds offsets this record never saw.
        producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "compression.type": codec,
                             "linger.ms": 20, "message.max.bytes": 4 * MAX_BYTES,
                             "enable.idempotence": True})
        for partition, _, kind, value, headers, key in batch:
            def delivered(error, message, kind=kind):
                assert error is None, error
                sent.kinds[(message.partition(), message.offset())] = kind

            producer.produce(topic, value=value, key=key, headers=headers, partition=partition,
                             on_delivery=delivered)
        assert producer.flush(30) == 0


def group_of(topic: str) -> str:
    # One group per test: no test's workers wait on a rebalance another test left behind.
    return f"g-{topic}"


class Worker:
    """``python -m pipelines.stream.command`` in its own process, its log in a file."""

    def __init__(self, broker, topic: str, output: str, log_path, *extra: str,
                 env: dict | None = None) -> None:
        self.log_path = log_path
        command = [
            sys.executable, "-m", "pipelines.stream.command", "--topic", topic, "--output", output,
            "--group", group_of(topic), "--bootstrap-servers", broker.bootstrap_servers,
            "--session-timeout-ms", "6000", "--max-bytes", str(MAX_BYTES), *extra,
        ]
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                            env={**os.environ, **(env or {})})

    def log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for_log(self, pattern: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.log()):
            assert self.alive(), f"worker exited ({self.process.returncode}):\n{self.log()[-3000:]}"
            assert time.monotonic() < deadline, f"no {pattern!r} in the log:\n{self.log()[-3000:]}"
            time.sleep(0.2)

    def terminate(self) -> int:
        """SIGTERM; the exit status, which must come within 30 s."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"worker still running 30 s after SIGTERM:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()


@pytest.fixture
def workers():
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.kill()


def wait_written(output: str, topic: str, ends: dict[int, int], workers: list[Worker],
                 timeout: float = SETTLE_TIMEOUT) -> None:
    """Until the dataset's progress covers every produced offset."""
    state = StreamState(output, topic)
    deadline = time.monotonic() + timeout
    while True:
        behind = {p: (state.next_offset(p), end) for p, end in ends.items()
                  if (state.next_offset(p) or 0) < end}
        if not behind:
            return
        for worker in workers:
            assert worker.alive(), f"worker exited ({worker.process.returncode}):\n{worker.log()[-4000:]}"
        assert time.monotonic() < deadline, f"still behind {behind}:\n{workers[-1].log()[-4000:]}"
        time.sleep(0.25)


def read_table(output: str, table: str, columns: list[str]):
    path = os.path.join(output, table)
    if not os.path.isdir(path):
        return None
    return ds.dataset(path, format="parquet", partitioning="hive").to_table(columns=columns)


def sources_by_table(output: str) -> dict[str, list[str]]:
    found = {}
    for table in ("articles", "duplicates", "rejects"):
        data = read_table(output, table, ["source"])
        found[table] = data.column("source").to_pylist() if data is not None else []
    return found


def assert_exactly_once(output: str, topic: str, sent: Sent) -> dict[str, list[str]]:
    tables = sources_by_table(output)
    every = [s for rows in tables.values() for s in rows]
    doubled = {s: n for s, n in collections.Counter(every).items() if n > 1}
    assert not doubled, f"rows written twice: {doubled}"
    expected = sent.expected_sources(topic)
    assert set(every) == expected, (
        f"missing {sorted(expected - set(every))[:10]}, unexpected {sorted(set(every) - expected)[:10]}"
    )
    return tables


def committed_offsets(broker, topic: str, group: str, partitions: int) -> dict[int, int | None]:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=group,
                             enable_auto_commit=False)
    try:
        return {p: consumer.committed(TopicPartition(topic, p)) for p in range(partitions)}
    finally:
        consumer.close()


def assert_commits_match_the_dataset(broker, output, topic, sent: Sent, partitions: int) -> None:
    """Each partition's committed offset is where the dataset ends: everything before it is
    written, nothing at or after it is."""
    committed = committed_offsets(broker, topic, group_of(topic), partitions)
    state = StreamState(output, topic)
    written = set(s for rows in sources_by_table(output).values() for s in rows)
    for p in range(partitions):
        assert committed[p] == state.next_offset(p), (p, committed[p], state.next_offset(p))
        end = committed[p] or 0
        for (partition, offset), kind in sent.kinds.items():
            if partition != p or kind == "tombstone":
                continue
            source = f"kafka://{topic}/{p}/{offset}"
            assert (source in written) == (offset < end), (source, end)


def test_worker_writes_every_message_exactly_once(kafka_broker, kafka_topic, tmp_path, workers):
    """Seeds, distinct articles, bad messages and tombstones with every codec and with
    headers; reprints in a later batch; dead letters; metrics; SIGTERM."""
    topic, dead_letters = kafka_topic(2), kafka_topic(1)
    output = str(tmp_path / "out")
    rng = random.Random(3)
    seeds = seed_texts()
    sent = Sent()
    wave = []
    bad_kinds = list(BAD)
    for i, codec in enumerate(CODECS):
        p = i % 2
        meta = [("url", f"https://news.test/{codec}".encode()), ("source", f"{codec}.txt".encode()),
                ("published_at", b"2022-02-21T12:00:00+00:00"), ("title", f"{codec} story".encode())]
        wave.append((p, codec, "seed", seeds[i], meta, b"wire"))
        wave.append((1 - p, codec, "article", article(rng, i), meta[:1], None))
        wave.append((p, codec, bad_kinds[i % len(bad_kinds)], BAD[bad_kinds[i % len(bad_kinds)]], [], b"bad"))
        if i % 2 == 0:
            wave.append((1 - p, codec, "tombstone", None, [], b"deleted"))
    produce(kafka_broker, topic, wave, sent)
    seed_offsets = {(p, o) for (p, o), kind in sent.kinds.items() if kind == "seed"}

    metrics_port = free_port()
    worker = Worker(kafka_broker, topic, output, tmp_path / "worker.log", "--dead-letter-topic",
                    dead_letters, "--metrics-port", str(metrics_port))
    workers.append(worker)
    wait_written(output, topic, sent.ends(), workers)

    # Reprints arrive after their originals are written: a later batch must find them.
    produce(kafka_broker, topic, [(i % 2, "zstd", "reprint", reprint(seeds[i]), [], b"reprinter")
                                  for i in range(len(seeds))], sent)
    wait_written(output, topic, sent.ends(), workers)
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).read().decode()
    assert worker.terminate() == 0

    tables = assert_exactly_once(output, topic, sent)
    kinds_of = {f"kafka://{topic}/{p}/{o}": kind for (p, o), kind in sent.kinds.items()}
    bad_sent = [kind for kind in sent.kinds.values() if kind in BAD]
    assert sorted(kinds_of[s] for s in tables["rejects"]) == sorted(bad_sent)
    assert set(bad_sent) == set(BAD)
    kept = tables["articles"] + tables["duplicates"]
    assert all(kinds_of[s] in ("seed", "article", "reprint") for s in kept)

    # Headers and keys reach the rows.
    articles = read_table(output, "articles", ["source", "id", "url", "publisher_id", "published_at"])
    rows = {r["source"]: r for r in articles.to_pylist()}
    for p, o in seed_offsets:
        row = rows[f"kafka://{topic}/{p}/{o}"]
        assert row["publisher_id"] == "wire"
        assert row["url"].startswith("https://news.test/")
        assert row["published_at"].isoformat().startswith("2022-02-21T12:00:00")

    # Each reprint points at its original, written in an earlier batch.
    duplicates = read_table(output, "duplicates", ["source", "duplicate_of"]).to_pylist()
    seed_ids = {rows[f"kafka://{topic}/{p}/{o}"]["id"] for p, o in seed_offsets}
    reprints = {s for s in kinds_of if kinds_of[s] == "reprint"}
    assert {d["source"] for d in duplicates} == reprints
    assert all(d["duplicate_of"] in seed_ids for d in duplicates)
    assert len({d["duplicate_of"] for d in duplicates}) == len(seeds)

    # Rejected messages also went to the dead-letter topic, with Connect-style headers.
    letters = read_all(kafka_broker, dead_letters, 1, len(tables["rejects"]))
    assert sorted(f"kafka://{topic}/{h['__connect.errors.partition']}/{h['__connect.errors.offset']}"
                  for h in letters) == sorted(tables["rejects"])
    assert all(h["__connect.errors.topic"] == topic and h["__connect.errors.exception.message"]
               for h in letters)

    assert_commits_match_the_dataset(kafka_broker, output, topic, sent, 2)
    assert StreamState(output, topic).pending() == []
    total = len(sent.kinds)
    assert f"copydesk_stream_consumed_records_total {total}.0" in metrics
    assert 'copydesk_stream_written_rows_total{table="duplicates"} 5.0' in metrics
    assert "copydesk_stream_lag_records" in metrics
    assert len(re.findall(NEW_BATCH, worker.log())) >= 2
    assert "tombstones" in worker.log()


def read_all(broker, topic: str, partitions: int, count: int) -> list[dict[str, str]]:
    """Headers of the first ``count`` messages of ``topic``."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, enable_auto_commit=False)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    found = []
    deadline = time.monotonic() + 30
    while len(found) < count and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            found.extend({k: v.decode() for k, v in r.headers} for r in records)
    consumer.close()
    return found


def test_kill_9_at_any_point_then_restart_is_exactly_once(kafka_broker, kafka_topic, tmp_path, workers):
    topic = kafka_topic(2)
    output = str(tmp_path / "out")
    rng = random.Random(11)
    sent = Sent()
    small = ("--max-batch-records", "6")

    def wave(n: int, codec: str):
        items = [(i % 2, codec, "article", article(rng, i), [], None) for i in range(n)]
        items.append((0, codec, "empty", b"", [], None))
        items.append((1, codec, "tombstone", None, [], None))
        produce(kafka_broker, topic, items, sent)

    wave(10, "lz4")
    state = StreamState(output, topic)

    # 1. Killed after its first batch's files are in place, before its progress is.
    first = Worker(kafka_broker, topic, output, tmp_path / "w1.log", *small,
                   env={"COPYDESK_STREAM_FAILPOINT": "after-files"})
    workers.append(first)
    assert first.process.wait(SETTLE_TIMEOUT) == -signal.SIGKILL, first.log()[-3000:]
    [pending] = state.pending()
    assert any(sources_by_table(output).values()), "the killed batch left no visible files"

    # 2. Killed by someone else in the middle of a batch.
    wave(8, "gzip")
    second = Worker(kafka_broker, topic, output, tmp_path / "w2.log", *small)
    workers.append(second)
    second.wait_for_log(r"replayed " + re.escape(pending.stem))
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while not [i for i in state.pending() if i.stem != pending.stem]:
        assert second.alive() and time.monotonic() < deadline, second.log()[-3000:]
        time.sleep(0.02)
    # A batch's intent lives for its whole pipeline run (half a second or more), so a kill
    # this soon after it appears lands inside the batch.
    time.sleep(0.05)
    second.kill()
    left = state.pending()
    assert left, "the second worker finished its batch before the kill: nothing to replay"

    # 3. A clean worker replays what the killed ones left and finishes the topic.
    wave(4, "snappy")
    third = Worker(kafka_broker, topic, output, tmp_path / "w3.log")
    workers.append(third)
    wait_written(output, topic, sent.ends(), workers[-1:])
    assert third.terminate() == 0
    for intent in left:
        assert f"replayed {intent.stem}" in third.log()
    assert_exactly_once(output, topic, sent)
    assert state.pending() == []
    assert_commits_match_the_dataset(kafka_broker, output, topic, sent, 2)


def test_two_workers_in_one_group_write_each_message_once(kafka_broker, kafka_topic, tmp_path, workers):
    topic = kafka_topic(4)
    output = str(tmp_path / "out")
    rng = random.Random(17)
    sent = Sent()

    def wave(n: int, codec: str):
        produce(kafka_broker, topic, [(i % 4, codec, "article", article(rng, i), [], None)
                                      for i in range(n)], sent)

    a = Worker(kafka_broker, topic, output, tmp_path / "a.log", "--max-batch-records", "8")
    workers.append(a)
    a.wait_for_log(r"assigned partitions 0,1,2,3")
    wave(16, "zstd")
    a.wait_for_log(NEW_BATCH)
    # Joins while the first worker is busy: the group rebalances mid-stream.
    b = Worker(kafka_broker, topic, output, tmp_path / "b.log", "--max-batch-records", "8")
    workers.append(b)
    b.wait_for_log(r"partition \d: consuming from")
    wave(16, "gzip")
    wait_written(output, topic, sent.ends(), workers)
    assert a.terminate() == 0
    assert b.terminate() == 0
    assert_exactly_once(output, topic, sent)
    assert re.search(NEW_BATCH, b.log()), b.log()[-3000:]
    assert_commits_match_the_dataset(kafka_broker, output, topic, sent, 4)


def articles(rng: random.Random, codec: str, first: int, end: int) -> list:
    return [(0, codec, "article", article(rng, i), [], None) for i in range(first, end)]


def test_worker_recovers_from_a_frozen_broker_and_stops_cleanly(kafka_broker, kafka_topic, tmp_path,
                                                                  workers):
    topic = kafka_topic(1)
    output = str(tmp_path / "out")
    rng = random.Random(23)
    sent = Sent()
    worker = Worker(kafka_broker, topic, output, tmp_path / "w.log", "--max-batch-records", "4")
    workers.append(worker)
    produce(kafka_broker, topic, articles(rng, "none", 0, 3), sent)
    wait_written(output, topic, sent.ends(), workers)

    kafka_broker.pause()
    try:
        # Frozen until the worker has noticed, not for a fixed time.
        worker.wait_for_log("has not answered", timeout=120)
    finally:
        kafka_broker.resume()
    produce(kafka_broker, topic, articles(rng, "lz4", 3, 6), sent)
    wait_written(output, topic, sent.ends(), workers)
    assert_exactly_once(output, topic, sent)
    # The watch reports the broker back on its own beat, which may come after a batch
    # cut as soon as the worker caught up has already landed.
    worker.wait_for_log("answers again", timeout=60)
    assert "has not answered" in worker.log()

    # SIGTERM with a backlog: it exits 0, and its commits end exactly where the dataset does.
    resumed_at = sent.ends()[0]
    produce(kafka_broker, topic, articles(rng, "zstd", 6, 18), sent)
    wait_written(output, topic, {0: resumed_at + 1}, workers)
    assert worker.terminate() == 0
    assert "stopped; offsets committed" in worker.log()
    assert_commits_match_the_dataset(kafka_broker, output, topic, sent, 1)
    assert StreamState(output, topic).pending() == []

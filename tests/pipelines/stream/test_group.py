"""Several ``copydesk stream`` processes in one consumer group, against the real broker:
a worker frozen past its session (SIGSTOP) is evicted and must not publish against the
partitions' new owner; originals and their reprints produced at the same moment on
different partitions are joined whichever worker reads them, every offset exactly once."""

from __future__ import annotations

import collections
import hashlib
import os
import random
import re
import signal
import threading
import time

import pytest

from pipelines.stream.intents import StreamState
from tests.pipelines.stream.test_stream import (
    NEW_BATCH,
    Sent,
    Worker,
    article,
    assert_commits_match_the_dataset,
    assert_exactly_once,
    produce,
    read_table,
    reprint,
    wait_written,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

TABLES = ("articles", "duplicates", "rejects")
# "batch kafka-T-p0-3-5: p0[3..5] p1[7..9] |" and "replayed ...": what a worker published.
PUBLISHED = re.compile(r"pipelines\.stream\.worker: (?:batch|replayed) (\S+): ((?:p\d+\[\d+\.\.\d+\] ?)+)\|")


@pytest.fixture
def workers():
    started: list[Worker] = []
    yield started
    for worker in started:
        if worker.alive():
            os.kill(worker.process.pid, signal.SIGCONT)
        worker.kill()


class FileHistory(threading.Thread):
    """Every content each published file of the dataset ever had, sampled every 20 ms."""

    def __init__(self, output: str) -> None:
        super().__init__(daemon=True)
        self.output = output
        self.contents: dict[str, set[str]] = collections.defaultdict(set)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.scan()
            time.sleep(0.02)

    def scan(self) -> None:
        for table in TABLES:
            for folder, _, names in os.walk(os.path.join(self.output, table)):
                for name in names:
                    if name.startswith((".", "_")):
                        continue
                    path = os.path.join(folder, name)
                    try:
                        with open(path, "rb") as handle:
                            self.contents[path].add(hashlib.blake2b(handle.read()).hexdigest())
                    except FileNotFoundError:
                        continue

    def stop(self) -> None:
        self.stopped.set()
        self.join()
        self.scan()

    def rewritten_differently(self) -> dict[str, int]:
        return {path: len(seen) for path, seen in self.contents.items() if len(seen) > 1}


def published(workers: list[Worker]) -> list[tuple[str, str, dict[int, tuple[int, int]]]]:
    """(worker log, stem, ranges) of every batch the workers logged as written."""
    found = []
    for worker in workers:
        for stem, ranges in PUBLISHED.findall(worker.log()):
            parsed = {int(p): (int(a), int(b)) for p, a, b in re.findall(r"p(\d+)\[(\d+)\.\.(\d+)\]", ranges)}
            found.append((str(worker.log_path), stem, parsed))
    return found


def assert_no_two_batches_share_an_offset(workers: list[Worker]) -> None:
    """Two publications covering one offset must be the same batch (a replay of it)."""
    batches = published(workers)
    for i, (log_a, stem_a, ranges_a) in enumerate(batches):
        for log_b, stem_b, ranges_b in batches[i + 1:]:
            for p in set(ranges_a) & set(ranges_b):
                (a0, a1), (b0, b1) = ranges_a[p], ranges_b[p]
                if a0 <= b1 and b0 <= a1:
                    assert stem_a == stem_b, (log_a, stem_a, log_b, stem_b)


def frozen(pid: int) -> bool:
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0] == "T"


def test_a_worker_evicted_while_frozen_never_publishes_against_the_new_owner(
        kafka_broker, kafka_topic, tmp_path, workers):
    topic = kafka_topic(2)
    output = str(tmp_path / "out")
    rng = random.Random(29)
    sent = Sent()
    history = FileHistory(output)
    history.start()

    # A freezes itself once it has promised its first batch, before writing any of it.
    a = Worker(kafka_broker, topic, output, tmp_path / "a.log", "--max-batch-records", "4",
               env={"COPYDESK_STREAM_FAILPOINT": "stop-after-intent"})
    workers.append(a)
    a.wait_for_log(r"assigned partitions 0,1")
    produce(kafka_broker, topic, [(i % 2, "zstd", "article", article(rng, i), [], None)
                                  for i in range(6)], sent)
    a.wait_for_log(r"failpoint stop-after-intent: stopping")
    deadline = time.monotonic() + 30
    while not frozen(a.process.pid):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    [pending] = StreamState(output, topic).pending()

    # B joins; the group waits out A's 6 s session, then gives B both partitions. A still
    # holds their locks, so B waits instead of writing.
    b = Worker(kafka_broker, topic, output, tmp_path / "b.log", "--max-batch-records", "4")
    workers.append(b)
    b.wait_for_log(r"assigned partitions 0,1", timeout=120)
    b.wait_for_log(r"waiting for its previous owner")
    produce(kafka_broker, topic, [(i % 2, "lz4", "article", article(rng, i), [], None)
                                  for i in range(6, 12)], sent)
    time.sleep(3)
    assert not history.contents, "a file was published while the evicted owner was frozen"
    assert not re.search(NEW_BATCH + "|replayed ", b.log())

    # A wakes up evicted: the broker refuses its membership, so it leaves the batch to B.
    os.kill(a.process.pid, signal.SIGCONT)
    a.wait_for_log(r"no longer the owner of .*" + re.escape(pending.stem))
    wait_written(output, topic, sent.ends(), [b])
    history.stop()
    assert re.search(r"replayed " + re.escape(pending.stem), b.log()), b.log()[-3000:]
    assert pending.stem not in {stem for _, stem, _ in published([a])}
    # Once awake, A writes again only after the group has given it partitions anew.
    after_resume = a.log().split("failpoint stop-after-intent: resumed", 1)[1]
    before_rejoin = after_resume.split("assigned partitions", 1)[0]
    assert not re.search(NEW_BATCH + "|replayed ", before_rejoin), a.log()[-3000:]
    assert history.rewritten_differently() == {}
    assert_no_two_batches_share_an_offset([a, b])
    assert a.terminate() == 0
    assert b.terminate() == 0
    assert_exactly_once(output, topic, sent)
    assert StreamState(output, topic).pending() == []
    assert_commits_match_the_dataset(kafka_broker, output, topic, sent, 2)


def test_originals_and_reprints_on_different_partitions_are_joined_by_a_group(
        kafka_broker, kafka_topic, tmp_path, workers):
    """Rounds of pairs, each original and its reprint produced together on two partitions
    (usually read by different workers), with random pauses and a worker joining mid-way:
    every offset lands once, and every pair ends as one article and one duplicate of it."""
    partitions = 4
    topic = kafka_topic(partitions)
    output = str(tmp_path / "out")
    rng = random.Random(int(os.environ.get("COPYDESK_TEST_SEED", "41")))
    sent = Sent()
    pairs = 0

    def start(name: str) -> Worker:
        worker = Worker(kafka_broker, topic, output, tmp_path / f"{name}.log",
                        "--max-batch-records", str(rng.choice((3, 8, 20))),
                        "--max-batch-seconds", str(rng.choice((0.1, 0.25, 0.5))))
        workers.append(worker)
        return worker

    start("w0").wait_for_log(r"assigned partitions")
    for round_number in range(4):
        if round_number == 1:
            start("w1")
        if round_number == 2 and rng.random() < 0.5:
            start("w2")
        wave = []
        for _ in range(4):
            # The key (publisher id) names the pair, so its two rows find each other.
            key = f"pair-{pairs}".encode()
            first, second = rng.sample(range(partitions), 2)
            original = article(rng, pairs)
            wave.append((first, "zstd", "original", original, [], key))
            wave.append((second, "zstd", "reprint", reprint(original), [], key))
            pairs += 1
        produce(kafka_broker, topic, wave, sent)
        time.sleep(rng.uniform(0, 3))

    wait_written(output, topic, sent.ends(), workers)
    for worker in workers:
        assert worker.terminate() == 0
    assert_exactly_once(output, topic, sent)
    assert_no_two_batches_share_an_offset(workers)

    by_pair = collections.defaultdict(list)
    for table in ("articles", "duplicates"):
        for row in read_table(output, table, ["id", "publisher_id", "duplicate_of"]).to_pylist():
            by_pair[row["publisher_id"]].append(row)
    assert len(by_pair) == pairs
    unjoined = []
    for key, (a, b) in sorted(by_pair.items()):
        joined = ((a["duplicate_of"] == b["id"] and b["duplicate_of"] is None)
                  or (b["duplicate_of"] == a["id"] and a["duplicate_of"] is None))
        if not joined:
            unjoined.append(key)
    assert not unjoined, f"{len(unjoined)} of {pairs} pairs not joined: {unjoined}"

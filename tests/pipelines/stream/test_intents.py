"""The worker's durable state: progress only moves forward, intents survive a crash and can
be claimed by exactly one process, partition locks fence a previous owner, and batch file
stems are deterministic and never collide."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from pipelines.stream.batching import batch_stem
from pipelines.stream.intents import Intent, StreamState
from transforms.writing.write import file_name, stem_pattern

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

ranges = st.dictionaries(
    st.integers(0, 300),
    st.tuples(st.integers(0, 10**12), st.integers(0, 10**6)).map(lambda t: (t[0], t[0] + t[1])),
    min_size=1, max_size=40,
)
topics = st.from_regex(r"[A-Za-z0-9._-]{1,249}", fullmatch=True)


def hold(output: str, topic: str, code: str) -> subprocess.Popen:
    """Another process that takes a lock with ``code`` and then waits to be killed."""
    script = textwrap.dedent(f"""
        import signal, sys
        from datetime import datetime, timezone
        from pipelines.stream.intents import Intent, StreamState
        state = StreamState({output!r}, {topic!r})
        {code}
        print("held", flush=True)
        signal.pause()
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_progress_only_moves_forward(tmp_path):
    state = StreamState(str(tmp_path), "news")
    assert state.next_offset(0) is None
    state.advance(0, 10)
    state.advance(0, 4)
    assert state.next_offset(0) == 10
    state.advance(0, 11)
    assert state.next_offset(0) == 11
    assert StreamState(str(tmp_path), "news").next_offset(0) == 11
    assert state.next_offset(1) is None


def test_intent_round_trips_and_done_removes_it(tmp_path):
    state = StreamState(str(tmp_path), "news")
    intent = Intent("kafka-news-p0-5-9_p2-0-3", {0: (5, 9), 2: (0, 3)}, WHEN)
    held = state.begin(intent)
    assert state.pending() == [intent]
    # Held by this process: nobody may replay it while the batch runs.
    assert state.claim(intent) is None
    held.done()
    assert state.pending() == []
    assert state.claim(intent) is None


def test_released_intent_stays_pending_and_can_be_claimed(tmp_path):
    state = StreamState(str(tmp_path), "news")
    intent = Intent("kafka-news-p0-0-1", {0: (0, 1)}, WHEN)
    state.begin(intent).release()
    claimed = state.claim(intent)
    assert claimed is not None and claimed.intent == intent
    assert state.claim(intent) is None
    claimed.done()
    assert state.pending() == []


def test_intent_of_a_killed_worker_is_claimable_only_once_it_is_dead(tmp_path):
    output = str(tmp_path)
    worker = hold(output, "news", "held = state.begin(Intent('kafka-news-p1-7-8', {1: (7, 8)}, "
                                  "datetime(2026, 1, 2, tzinfo=timezone.utc)))")
    state = StreamState(output, "news")
    [intent] = state.pending()
    assert intent.ranges == {1: (7, 8)}
    assert state.claim(intent) is None
    kill(worker)
    claimed = state.claim(intent)
    assert claimed is not None
    assert claimed.intent.ingested_at == datetime(2026, 1, 2, tzinfo=timezone.utc)
    claimed.done()


def test_partition_lock_fences_a_live_owner_until_it_dies(tmp_path):
    output = str(tmp_path)
    owner = hold(output, "news", "assert state.try_lock_partition(3)")
    state = StreamState(output, "news")
    assert not state.try_lock_partition(3)
    assert state.try_lock_partition(4)
    kill(owner)
    deadline = time.monotonic() + 5
    while not state.try_lock_partition(3):
        assert time.monotonic() < deadline, "lock of a dead process was not released"
        time.sleep(0.05)
    assert state.locked_partitions() == {3, 4}
    state.unlock_partition(3)
    assert state.locked_partitions() == {4}
    # Taking a lock this process already holds is not a conflict.
    assert state.try_lock_partition(4)


def test_topics_with_unsafe_characters_get_separate_folders(tmp_path):
    a = StreamState(str(tmp_path), "a/b")
    b = StreamState(str(tmp_path), "a_c")
    a.advance(0, 5)
    assert b.next_offset(0) is None
    assert a.root.startswith(os.path.join(str(tmp_path), "_state"))


@given(topics, ranges)
def test_batch_stem_is_deterministic_and_short(topic, offsets):
    stem = batch_stem(topic, offsets)
    assert stem == batch_stem(topic, dict(reversed(list(offsets.items()))))
    assert len(file_name(stem, 0)) < 255
    assert not stem.startswith((".", "_"))
    assert "/" not in stem


def assert_apart(a: str, b: str) -> None:
    """Two stems share no file name, and the writer, which removes stale files by stem
    pattern, never takes one's files for the other's."""
    assert a != b
    assert not stem_pattern(a).fullmatch(file_name(b, 0))
    assert not stem_pattern(b).fullmatch(file_name(a, 0))


@given(topics, topics, ranges)
def test_different_topics_never_share_or_shadow_file_names(topic_a, topic_b, offsets):
    if topic_a != topic_b:
        assert_apart(batch_stem(topic_a, offsets), batch_stem(topic_b, offsets))


def test_an_underscore_is_escaped_not_folded():
    assert batch_stem("news_en", {0: (0, 9)}) == "kafka-news_5fen-p0-0-9"
    assert batch_stem("news-en", {0: (0, 9)}) == "kafka-news-en-p0-0-9"


@given(topics, ranges, ranges)
def test_different_batches_never_share_or_shadow_file_names(topic, first, second):
    if first != second:
        assert_apart(batch_stem(topic, first), batch_stem(topic, second))

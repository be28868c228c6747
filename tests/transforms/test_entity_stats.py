import pickle
import random
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from transforms.entity_stats import (
    MemoryEntityStats,
    SqliteEntityStats,
    default_stats_path,
)


def test_default_path_is_under_the_output_state_folder(tmp_path):
    assert default_stats_path(tmp_path) == tmp_path / "_state" / "entity_stats.sqlite"


@pytest.mark.parametrize("make", [lambda p: SqliteEntityStats(p / "s.sqlite"),
                                  lambda p: MemoryEntityStats()])
def test_counts_accumulate_across_batches(tmp_path, make):
    store = make(tmp_path)
    assert store.counts() == {}
    rng = random.Random(3)
    expected: Counter = Counter()
    for _ in range(5):
        batch = Counter({(rng.choice(["person", "place"]), rng.choice("ABCDE")): rng.randint(1, 4)
                         for _ in range(6)})
        store.add(batch)
        expected.update(batch)
    assert store.counts() == dict(expected)


def test_sqlite_store_persists_for_a_new_process(tmp_path):
    path = tmp_path / "_state" / "entity_stats.sqlite"
    SqliteEntityStats(path).add({("person", "Antony Blinken"): 2})
    reopened = pickle.loads(pickle.dumps(SqliteEntityStats(path)))
    reopened.add({("person", "Antony Blinken"): 1, ("org", "Interfax"): 1})
    assert SqliteEntityStats(path).counts() == {("person", "Antony Blinken"): 3,
                                               ("org", "Interfax"): 1}
    assert sqlite3.connect(path).execute("SELECT count(*) FROM mentions").fetchone() == (2,)


def test_sqlite_store_survives_concurrent_writers(tmp_path):
    path = tmp_path / "s.sqlite"
    SqliteEntityStats(path).counts()

    def write(i: int) -> None:
        SqliteEntityStats(path).add({("place", "Kyiv"): 1, ("place", f"town {i % 3}"): 1})

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(40)))
    counts = SqliteEntityStats(path).counts()
    assert counts[("place", "Kyiv")] == 40
    assert sum(counts.values()) == 80


def test_same_name_in_different_label_groups_is_counted_apart(tmp_path):
    store = SqliteEntityStats(tmp_path / "s.sqlite")
    store.add({("person", "Austin"): 1, ("place", "Austin"): 2})
    assert store.counts() == {("person", "Austin"): 1, ("place", "Austin"): 2}


def test_empty_batch_changes_nothing(tmp_path):
    store = SqliteEntityStats(tmp_path / "s.sqlite")
    store.add({})
    assert store.counts() == {}


def test_unwritable_location_says_what_to_check(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RuntimeError, match="writable"):
        SqliteEntityStats(blocker / "_state" / "s.sqlite").counts()


@pytest.mark.parametrize("make", [lambda p: SqliteEntityStats(p / "s.sqlite"),
                                  lambda p: MemoryEntityStats()])
def test_a_replayed_batch_counts_once_and_sees_what_it_saw_first(tmp_path, make):
    store = make(tmp_path)
    store.add({("person", "Antony Blinken"): 2}, batch="b1")
    store.add({("person", "Antony Blinken"): 1, ("person", "Anthony Blingen"): 1}, batch="b2")
    # The worker crashed after storing b2's counts and replays b2.
    assert store.counts(exclude_batch="b2") == {("person", "Antony Blinken"): 2}
    store.add({("person", "Antony Blinken"): 1, ("person", "Anthony Blingen"): 1}, batch="b2")
    assert store.counts() == {("person", "Antony Blinken"): 3, ("person", "Anthony Blingen"): 1}
    assert store.counts(exclude_batch="never") == store.counts()

"""Entity statistics on every backend: counts accumulate, a batch counts once forever, and a
batch reads only the names it can resolve against, with the same answers as the whole table."""

import pickle
import random
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Article, Entity
from transforms.entities.canonical import ResolveEntities, Resolver
from transforms.entities.knowledge import KnowledgeBase
from transforms.state.entity_stats import MemoryEntityStats, SqliteEntityStats, default_stats_path, name_keys
from transforms.state.spec import StateSpec

BLANK = Resolver(KnowledgeBase([]))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "memory"])
def store(request, tmp_path):
    if request.param == "memory":
        return MemoryEntityStats()
    if request.param == "postgres":
        return StateSpec(request.getfixturevalue("postgres_url")).entity_stats()
    return StateSpec(str(tmp_path / "_state")).entity_stats()


def test_default_path_is_in_the_state_folder(tmp_path):
    assert default_stats_path(tmp_path) == tmp_path / "entity_stats.sqlite"


def test_counts_accumulate_across_batches(store):
    assert store.counts() == {}
    rng = random.Random(3)
    expected: Counter = Counter()
    for _ in range(5):
        batch = Counter({(rng.choice(["person", "place"]), rng.choice("ABCDE")): rng.randint(1, 4)
                         for _ in range(6)})
        assert store.add(batch)
        expected.update(batch)
    assert store.counts() == dict(expected)


def test_same_name_in_different_label_groups_is_counted_apart(store):
    store.add({("person", "Austin"): 1, ("place", "Austin"): 2})
    store.add({})
    assert store.counts() == {("person", "Austin"): 1, ("place", "Austin"): 2}


@pytest.mark.slow
def test_a_batch_counts_once_forever_even_after_a_thousand_later_batches(store):
    assert store.add({("person", "Antony Blinken"): 2}, batch="b0")
    for i in range(1001):
        store.add({("place", "Kyiv"): 1}, batch=f"later-{i}")
    # Replayed by another worker after a rebalance, long after: it adds nothing.
    assert not store.add({("person", "Antony Blinken"): 2}, batch="b0")
    assert store.counts() == {("person", "Antony Blinken"): 2, ("place", "Kyiv"): 1001}


def test_a_replayed_batch_sees_the_evidence_it_saw_first(store):
    store.add({("person", "Antony Blinken"): 2}, batch="b1")
    b2 = {("person", "Antony Blinken"): 1, ("person", "Anthony Blingen"): 1}
    first = store.evidence(b2, "b2")
    assert first == {("person", "Antony Blinken"): 3, ("person", "Anthony Blingen"): 1}
    store.add(b2, batch="b2")
    # The worker crashed after storing b2's counts and replays b2.
    assert store.evidence(b2, "b2") == first
    assert not store.add(b2, batch="b2")
    assert store.counts() == first


def test_workers_adding_one_batch_at_once_count_it_once(store):
    def add(_):
        return store.add({("place", "Kyiv"): 1, ("person", "Antony Blinken"): 1}, batch="same")

    with ThreadPoolExecutor(6) as pool:
        added = list(pool.map(add, range(12)))
    assert added.count(True) == 1
    assert store.counts() == {("place", "Kyiv"): 1, ("person", "Antony Blinken"): 1}


def test_concurrent_writers_of_different_batches_lose_nothing(store):
    def add(i):
        store.add({("place", "Kyiv"): 1, ("place", f"town {i % 3}"): 1}, batch=f"b{i}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(add, range(40)))
    counts = store.counts()
    assert counts[("place", "Kyiv")] == 40 and sum(counts.values()) == 80


def test_evidence_reads_only_names_the_batch_can_resolve_against(store):
    store.add({("person", "Antony Blinken"): 5, ("person", "Olaf Scholz"): 4, ("place", "Kyiv"): 7,
               ("person", "Blinkenhorst"): 1, ("org", "Antony Blinken"): 1})
    found = store.evidence({("person", "Anthony Blingen"): 1, ("person", "Blinken"): 1})
    if isinstance(store, MemoryEntityStats):
        return  # the memory store has no table to spare; it hands everything over
    assert found == {("person", "Antony Blinken"): 5, ("person", "Anthony Blingen"): 1,
                     ("person", "Blinken"): 1}


def _names() -> dict[tuple[str, str], int]:
    """A corpus of names with misspellings, lone surnames and near neighbours."""
    rng = random.Random(11)
    people = ["Antony Blinken", "Olaf Scholz", "Hannele Virtasalmi", "Saara Lindqvist-Horn",
              "Volodymyr Zelensky", "Sergei Lavrov", "Emmanuel Macron", "Jens Stoltenberg",
              "Ursula von der Leyen", "Dmitry Peskov", "Anna Blinkova", "Olga Scholzer"]
    places = ["Kyiv", "Kharkiv", "Mariupol", "Donetsk", "Luhansk", "Zaporizhzhia", "Berlin",
              "Bakhmut", "Kherson", "Odesa"]
    counts: dict[tuple[str, str], int] = {}
    for group, names in (("person", people), ("place", places)):
        for name in names:
            counts[(group, name)] = rng.randint(1, 6)
            for _ in range(2):
                at = rng.randrange(len(name))
                typo = name[:at] + rng.choice("aeiouklmn") + name[at + 1:]
                counts[(group, typo)] = counts.get((group, typo), 0) + 1
            if group == "person":
                counts[(group, name.split()[-1])] = rng.randint(1, 3)
    return counts


def test_resolutions_with_the_evidence_equal_those_with_the_whole_table(tmp_path):
    store = SqliteEntityStats(tmp_path / "s.sqlite")
    stored = _names()
    store.add(stored)
    rng = random.Random(5)
    names = sorted(stored)
    for _ in range(40):
        batch = Counter(rng.sample(names, 4))
        whole = Counter(stored) + batch
        evidence = store.evidence(batch)
        assert len(evidence) < len(whole)
        full, narrow = BLANK.corpus(whole), BLANK.corpus(evidence)
        for group, name in batch:
            label = "PERSON" if group == "person" else "GPE"
            assert BLANK.resolve(name, label, narrow) == BLANK.resolve(name, label, full), name


def test_name_keys_find_full_names_from_a_near_surname():
    assert "$blinken" in name_keys("Antony Blinken")
    assert "$blnken" in name_keys("Antony Blinken")
    assert not any(k.startswith("$") for k in name_keys("Kyiv"))


def test_sqlite_store_persists_and_pickles_as_its_path(tmp_path):
    path = tmp_path / "_state" / "entity_stats.sqlite"
    SqliteEntityStats(path).add({("person", "Antony Blinken"): 2})
    reopened = pickle.loads(pickle.dumps(SqliteEntityStats(path)))
    reopened.add({("person", "Antony Blinken"): 1, ("org", "Interfax"): 1})
    assert SqliteEntityStats(path).counts() == {("person", "Antony Blinken"): 3, ("org", "Interfax"): 1}
    assert sqlite3.connect(path).execute("SELECT count(*) FROM mentions").fetchone() == (2,)


def test_unwritable_location_says_what_to_check(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RuntimeError, match="writable"):
        SqliteEntityStats(blocker / "_state" / "s.sqlite").counts()


def _article(article_id: str, names: list[str]) -> Article:
    text, entities = "", []
    for name in names:
        text += "On Monday "
        entities.append(Entity(name, "PERSON", len(text), len(text) + len(name)))
        text += name + " said so. "
    return Article(id=article_id, source=article_id, text=text, ingested_at=None, entities=entities)


def _resolve_batch(articles: list[Article], store, key: str, expected: list[str]) -> None:
    with TestPipeline() as p:
        canonicals = (p | beam.Create(articles) | ResolveEntities(stats_store=store, batch_key=key)
                      | beam.FlatMap(lambda a: [e.canonical for e in a.entities]))
        assert_that(canonicals, equal_to(expected))


def test_a_batch_replayed_by_another_worker_after_a_rebalance_counts_once(state_location):
    right = [_article(f"r{i}", ["Hannele Virtasalmi"]) for i in range(3)]
    _resolve_batch(right, StateSpec(state_location).entity_stats(), "kafka-news-p0-0-2",
                   ["Hannele Virtasalmi"] * 3)
    later = [_article("w", ["Hannele Virtasalni"])]
    # Alone the misspelling has no evidence; with the stored counts it resolves.
    _resolve_batch(later, MemoryEntityStats(), "kafka-news-p1-0-0", ["Hannele Virtasalni"])
    _resolve_batch(later, StateSpec(state_location).entity_stats(), "kafka-news-p1-0-0",
                   ["Hannele Virtasalmi"])
    # Another worker (another store object, as in another process) replays the batch: the
    # same answer, and its mention is not counted again.
    replayer = pickle.loads(pickle.dumps(StateSpec(state_location).entity_stats()))
    _resolve_batch(later, replayer, "kafka-news-p1-0-0", ["Hannele Virtasalmi"])
    assert StateSpec(state_location).entity_stats().counts() == {
        ("person", "Hannele Virtasalmi"): 3, ("person", "Hannele Virtasalni"): 1}

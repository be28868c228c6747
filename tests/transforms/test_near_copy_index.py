import json
import os
import pickle
import sqlite3
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that

from bench import reprints
from schemas.records import Article
from transforms.near_copies import FindNearCopies, NearCopyConfig
from transforms.near_copy_index import IndexedArticle, SqliteNearCopyIndex

T0 = datetime(2022, 2, 21, 12, tzinfo=timezone.utc)
SCHEME = NearCopyConfig().scheme()


def make(article_id: str, text: str, minutes: float | None) -> Article:
    return Article(
        id=article_id,
        source=f"test/{article_id}",
        text=text,
        ingested_at=T0 + timedelta(days=1),
        published_at=T0 + timedelta(minutes=minutes) if minutes is not None else None,
        order=article_id,
    )


def batch(articles: list[Article], index, folder) -> dict:
    """One micro-batch through FindNearCopies; id -> (duplicate_of, similarity)."""
    path = os.path.join(str(folder), f"batch-{len(os.listdir(folder))}.json")

    def save(lists):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump([[a.id, a.duplicate_of, a.similarity] for a in lists[0]], handle)

    with TestPipeline() as p:
        out = p | beam.Create(articles) | FindNearCopies(NearCopyConfig(), index)
        assert_that(out | beam.combiners.ToList(), save)
    with open(path, encoding="utf-8") as handle:
        return {row[0]: (row[1], row[2]) for row in json.load(handle)}


def row(article_id: str, canonical: str, bands=(), content="c", shingles=b"") -> IndexedArticle:
    return IndexedArticle(article_id, canonical, None if canonical == article_id else 0.9,
                          1.0, "o", content, shingles, tuple(bands))


def test_session_round_trip_and_first_writer_wins(tmp_path):
    index = SqliteNearCopyIndex.under(str(tmp_path))
    assert index.path == os.path.join(str(tmp_path), "_state", "near_copies.sqlite")
    session = index.open(SCHEME)
    shingles = np.arange(5, dtype="<u8").tobytes()
    session.add([row("a", "a", bands=[1, 2], content="ca", shingles=shingles), row("b", "a")])
    session.add([row("a", "zzz", bands=[3]), row("b", "b", bands=[4])])
    assert session.answers(["a", "b", "missing"]) == {"a": ("a", None), "b": ("a", 0.9)}
    # Only canonicals are candidates; a duplicate's later band rows are ignored too.
    assert session.candidates([2, 3, 4], []) == {"a"}
    assert session.candidates([], ["ca", "nothing"]) == {"a"}
    assert session.candidates([99], []) == set()
    (fetched,) = session.fetch(["a"])
    assert fetched.shingles == shingles and fetched.is_canonical
    session.close()
    # Another worker sees the same rows.
    assert index.open(SCHEME).answers(["b"]) == {"b": ("a", 0.9)}


def test_many_lookups_at_once_stay_under_sqlite_parameter_limits(tmp_path):
    session = SqliteNearCopyIndex.under(str(tmp_path)).open(SCHEME)
    session.add([row(f"a{i}", f"a{i}", bands=[i]) for i in range(2500)])
    assert len(session.answers(f"a{i}" for i in range(2500))) == 2500
    assert len(session.candidates(range(2500), [])) == 2500


def test_an_index_built_with_other_fingerprints_is_refused(tmp_path):
    index = SqliteNearCopyIndex.under(str(tmp_path))
    index.open(SCHEME).close()
    with pytest.raises(ValueError, match="new output folder"):
        index.open(NearCopyConfig(bands=7).scheme())


def test_index_is_picklable_for_workers(tmp_path):
    index = SqliteNearCopyIndex.under(str(tmp_path))
    assert pickle.loads(pickle.dumps(index)) == index


@pytest.fixture()
def texts():
    original = reprints.base_article(301, words=(300, 500))
    reprint, _ = reprints.reprint(original, seed=4, edits=("header_footer", "cut_paragraph", "truncate"))
    return {
        "original": original,
        "reprint": reprint,
        "exact": reprints.exact_copy(original, np.random.Generator(np.random.PCG64(2))),
        "other": reprints.base_article(302),
        "new": reprints.base_article(303),
    }


def test_a_reprint_in_a_later_batch_is_a_duplicate_of_the_earlier_original(tmp_path, texts):
    index = SqliteNearCopyIndex.under(str(tmp_path / "out"))
    first = batch([make("A", texts["original"], 0), make("U", texts["other"], 5)], index, tmp_path)
    assert first == {"A": (None, None), "U": (None, None)}
    second = batch(
        [make("R", texts["reprint"], 300), make("E", texts["exact"], None), make("N", texts["new"], 301)],
        index,
        tmp_path,
    )
    assert second["R"][0] == "A" and 0.7 <= second["R"][1] <= 1.0
    assert second["E"] == ("A", 1.0)
    assert second["N"] == (None, None)

    # Replays give the same answers; an indexed article is never a copy of itself.
    assert batch([make("A", texts["original"], 0), make("U", texts["other"], 5)], index, tmp_path) == first
    replay = batch(
        [make("R", texts["reprint"], 300), make("E", texts["exact"], None), make("N", texts["new"], 301)],
        index,
        tmp_path,
    )
    assert replay == second
    db = sqlite3.connect(index.path)
    stored = dict(db.execute("SELECT id, canonical_id FROM articles").fetchall())
    assert stored == {"A": "A", "U": "U", "R": "A", "E": "A", "N": "N"}
    # Only canonicals are candidates for later batches.
    assert {r[0] for r in db.execute("SELECT DISTINCT id FROM bands")} == {"A", "U", "N"}


def test_a_late_arrival_published_earlier_still_becomes_the_duplicate(tmp_path, texts):
    index = SqliteNearCopyIndex.under(str(tmp_path / "out"))
    assert batch([make("A", texts["original"], 600)], index, tmp_path) == {"A": (None, None)}
    # Written an hour earlier than A, but A's rows are already out: A stays canonical.
    late = batch([make("R", texts["reprint"], 0), make("R2", texts["exact"], 1)], index, tmp_path)
    assert late["R"][0] == "A"
    assert late["R2"] == ("A", 1.0)


def test_a_batch_mixing_replayed_and_new_articles(tmp_path, texts):
    index = SqliteNearCopyIndex.under(str(tmp_path / "out"))
    batch([make("A", texts["original"], 0), make("R", texts["reprint"], 30)], index, tmp_path)
    mixed = batch(
        [make("A", texts["original"], 0), make("R", texts["reprint"], 30), make("E", texts["exact"], 60)],
        index,
        tmp_path,
    )
    assert mixed["A"] == (None, None)
    assert mixed["R"][0] == "A"
    assert mixed["E"] == ("A", 1.0)

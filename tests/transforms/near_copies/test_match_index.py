"""MatchIndex after FindNearCopies, on both backends: reprints across micro-batches, replays,
in-batch copies following the index's canonical."""

import json
import os
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that

from bench import reprints
from schemas.records import Article
from transforms.near_copies import FindNearCopies
from transforms.near_copies.match_index import MatchIndex
from transforms.state.spec import StateSpec

T0 = datetime(2022, 2, 21, 12, tzinfo=timezone.utc)


def make(article_id: str, text: str, minutes: float | None) -> Article:
    """An article published ``minutes`` after T0 (None: unknown)."""
    published = None if minutes is None else T0 + timedelta(minutes=minutes)
    return Article(id=article_id, source=article_id, text=text, ingested_at=T0, published_at=published)


def batch(articles: list[Article], location: str, key: str, folder) -> dict:
    """One micro-batch named ``key`` through FindNearCopies and MatchIndex;
    id -> (duplicate_of, similarity)."""
    path = os.path.join(str(folder), f"batch-{len(os.listdir(folder))}.json")

    def save(lists):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump([[a.id, a.duplicate_of, a.similarity] for a in lists[0]], handle)

    with TestPipeline() as p:
        out = (p | beam.Create(articles) | FindNearCopies()
               | MatchIndex(StateSpec(location).near_copy_index(), key))
        assert_that(out | beam.combiners.ToList(), save)
    with open(path, encoding="utf-8") as handle:
        return {row[0]: (row[1], row[2]) for row in json.load(handle)}


@pytest.fixture(scope="module")
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


@pytest.fixture
def runs(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    return folder


def test_a_reprint_in_a_later_batch_is_a_duplicate_and_replays_agree(state_location, texts, runs):
    first_batch = [make("A", texts["original"], 0), make("U", texts["other"], 5)]
    second_batch = [make("R", texts["reprint"], 300), make("E", texts["exact"], None),
                    make("N", texts["new"], 301)]
    first = batch(first_batch, state_location, "b1", runs)
    assert first == {"A": (None, None), "U": (None, None)}
    second = batch(second_batch, state_location, "b2", runs)
    assert second["R"][0] == "A" and 0.7 <= second["R"][1] <= 1.0
    assert second["E"] == ("A", 1.0)
    assert second["N"] == (None, None)
    # Replays (the same batch key, as after a crash or a rebalance) give the same answers;
    # an indexed article is never a copy of itself.
    assert batch(first_batch, state_location, "b1", runs) == first
    assert batch(second_batch, state_location, "b2", runs) == second


def test_in_batch_copies_follow_the_index_canonical(state_location, texts, runs):
    assert batch([make("A", texts["original"], 600)], state_location, "b1", runs) == {"A": (None, None)}
    # Published an hour before A, but A's rows are already out: first come is canonical.
    # In this batch R is the canonical and R2 its copy; both end up pointing at A.
    late = batch([make("R", texts["reprint"], 0), make("R2", texts["exact"], 1)], state_location, "b2", runs)
    assert late["R"][0] == "A"
    assert late["R2"] == ("A", 1.0)


def test_a_batch_mixing_indexed_and_new_articles(state_location, texts, runs):
    batch([make("A", texts["original"], 0), make("R", texts["reprint"], 30)], state_location, "b1", runs)
    mixed = batch(
        [make("A", texts["original"], 0), make("R", texts["reprint"], 30), make("E", texts["exact"], 60)],
        state_location, "b2", runs,
    )
    assert mixed["A"] == (None, None)
    assert mixed["R"][0] == "A"
    assert mixed["E"] == ("A", 1.0)

from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Article
from transforms.near_copies.clustering import FOLLOW
from transforms.near_copies.marks import Answers, MarkCopies

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_exact_copies_take_their_representatives_answer():
    with TestPipeline() as p:
        copies = p | "Copies" >> beam.Create([("r", ("c", 0.8)), ("s", ("c", 0.9))])
        followers = p | "Followers" >> beam.Create([("f", (FOLLOW, "r", None)), ("g", (FOLLOW, "c", None))])
        answers = copies | Answers(followers)
        assert_that(answers, equal_to([("r", ("c", 0.8)), ("s", ("c", 0.9)), ("f", ("c", 0.8)),
                                       ("g", ("c", 1.0))]))


def test_answers_meet_articles_by_id_and_nothing_is_dropped():
    articles = [Article(id=i, source=i, text=i, ingested_at=T0) for i in ("a", "b", "b")]
    # An answer from elsewhere (an earlier run) does not survive: this run has none for it.
    articles.append(Article(id="c", source="c", text="c", ingested_at=T0, duplicate_of="a", similarity=0.9))
    with TestPipeline() as p:
        answers = p | "Answers" >> beam.Create([("b", ("a", 0.75)), ("missing", ("a", 1.0))])
        marked = p | "Articles" >> beam.Create(articles) | MarkCopies(answers)
        assert_that(
            marked | beam.Map(lambda a: (a.id, a.duplicate_of, a.similarity)),
            equal_to([("a", None, None), ("b", "a", 0.75), ("b", "a", 0.75), ("c", None, None)]),
        )

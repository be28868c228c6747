from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Article
from transforms.entities import TagEntities

NOW = datetime(2026, 11, 21, tzinfo=timezone.utc)


def test_transform_tags_english_and_leaves_other_languages_empty():
    articles = [
        Article(id="en", source="en", text="Angela Merkel visited Paris.", ingested_at=NOW,
                language="en"),
        Article(id="fr", source="fr", text="Angela Merkel a visité Paris.", ingested_at=NOW,
                language="fr"),
        Article(id="und", source="und", text="12 34", ingested_at=NOW, language="und"),
    ]
    with TestPipeline() as p:
        out = (p | beam.Create(articles) | TagEntities()
               | beam.Map(lambda a: (a.id, sorted((e.text, e.label) for e in a.entities))))
        assert_that(out, equal_to([
            ("en", [("Angela Merkel", "PERSON"), ("Paris", "GPE")]),
            ("fr", []),
            ("und", []),
        ]))


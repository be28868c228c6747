from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Article
from transforms.entities.tag import SpacyEntityHandler, TagEntities

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



def test_transform_tags_the_title_and_knowledge_names_the_model_missed():
    articles = [
        Article(id="t", source="t", title="Emmanuel Macron visits Berlin", ingested_at=NOW,
                text="Insurgents in the Donetsk and Lukansk administrations called on Moscow.",
                language="en"),
        Article(id="plain", source="p", title="Emmanuel Macron visits Berlin", ingested_at=NOW,
                text="Insurgents in the Donetsk and Lukansk administrations called on Moscow.",
                language="en"),
    ]
    with TestPipeline() as p:
        created = p | beam.Create(articles)
        tagged = (
            (created | "Only t" >> beam.Filter(lambda a: a.id == "t") | "With" >> TagEntities(),
             created | "Only plain" >> beam.Filter(lambda a: a.id == "plain")
             | "Without" >> TagEntities(SpacyEntityHandler(recognise=False)))
            | beam.Flatten()
        )
        out = tagged | beam.Map(lambda a: (a.id, sorted(
            (e.field, e.text, e.label) for e in a.entities
            if getattr(a, e.field)[e.start:e.end] == e.text)))
        assert_that(out, equal_to([
            ("t", [("text", "Donetsk", "GPE"), ("text", "Lukansk", "GPE"),
                   ("text", "Moscow", "GPE"), ("title", "Berlin", "GPE"),
                   ("title", "Emmanuel Macron", "PERSON")]),
            ("plain", [("text", "Moscow", "GPE"), ("title", "Berlin", "GPE"),
                   ("title", "Emmanuel Macron", "PERSON")]),
        ]))

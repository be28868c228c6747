from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Article
from transforms.entities.tag import SpacyEntityHandler, TagEntities, Tagger

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


class CountingModel:
    """The real spaCy pipeline, counting the texts it is given."""

    def __init__(self, nlp):
        self.nlp, self.texts = nlp, []

    def pipe(self, texts, **kwargs):
        texts = list(texts)
        self.texts += texts
        return self.nlp.pipe(texts, **kwargs)


def test_an_exact_copy_takes_its_originals_entities_without_a_second_pass_of_ner():
    handler = SpacyEntityHandler(recognise=False)
    loaded = handler.load_model()
    model = Tagger(CountingModel(loaded.nlp), None)
    text = "Angela Merkel met Emmanuel Macron in Paris."

    def article(id_, body=text, language="en"):
        return Article(id=id_, source=id_, title="Talks in Paris", text=body, ingested_at=NOW,
                       language=language)

    first = list(handler.run_inference(
        [article("a"), article("copy"), article("other", "Olaf Scholz flew to Rome."),
         article("french", language="fr")], model))
    later = list(handler.run_inference([article("later copy")], model))
    assert model.nlp.texts.count(text) == 1
    assert "Olaf Scholz flew to Rome." in model.nlp.texts
    by_id = {a.id: a for a in first + later}
    assert by_id["copy"].entities == by_id["a"].entities == by_id["later copy"].entities
    assert {e.text for e in by_id["a"].entities} >= {"Angela Merkel", "Emmanuel Macron"}
    assert by_id["french"].entities == []
    # Copies own their entities: resolving one article's names leaves the others alone.
    by_id["a"].entities[0].canonical = "changed"
    assert by_id["copy"].entities[0].canonical is None
    assert handler.run_inference([article("again")], model)[0].entities[0].canonical is None

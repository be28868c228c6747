from datetime import datetime, timezone
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.records import Article
from transforms.entities import NAMED_LABELS, TagEntities, chunks, load_ner, tag

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NOW = datetime(2026, 11, 21, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def nlp():
    return load_ner()


def test_model_is_loaded_once_per_process(nlp):
    assert load_ner() is nlp
    assert nlp.pipe_names == ["ner"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n", max_size=400), st.integers(min_value=4, max_value=60))
def test_chunks_cover_the_text_exactly(text, limit):
    pieces = list(chunks(text, limit))
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in pieces)
    assert all(len(piece) <= limit for _, piece in pieces)


def test_offsets_point_into_the_text(nlp):
    text = (SEEDS / "000_ddb74dd6e30f21c7.txt").read_text(encoding="utf-8")
    [entities] = tag(nlp, [text])
    assert entities
    assert all(text[e.start:e.end] == e.text for e in entities)
    assert all(e.label in NAMED_LABELS for e in entities)
    assert ("Vladimir Putin", "PERSON") in {(e.text, e.label) for e in entities}


def test_long_single_line_is_chunked_with_correct_offsets(nlp):
    sentence = "Emmanuel Macron met Olaf Scholz in Berlin on Monday to talk about energy. "
    text = sentence * 800  # about 60 KB, several chunks, no newline anywhere
    [entities] = tag(nlp, [text])
    assert len([e for e in entities if e.text == "Berlin"]) > 700
    assert all(text[e.start:e.end] == e.text for e in entities)


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


import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.records import Entity
from transforms.entities.ner import NAMED_LABELS, chunks, load_ner, tag, tag_articles

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO / "seeds"


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


def test_tagging_does_not_import_beam():
    """The benchmark's limit is spaCy alone; importing Beam would add a second to it."""
    code = ("import sys; import transforms.entities.ner; "
            "sys.exit('apache_beam' in sys.modules and 'imports apache_beam')")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


class _CountingPipe:
    """The real model, counting its ``pipe`` calls and the texts it was given."""

    def __init__(self, nlp):
        self.nlp, self.calls, self.texts = nlp, 0, 0

    def pipe(self, texts, **kwargs):
        self.calls += 1
        for text in texts:
            self.texts += 1
            yield from self.nlp.pipe([text], **kwargs)


def test_titles_and_texts_share_one_pipe_call_and_carry_their_field(nlp):
    counting = _CountingPipe(nlp)
    articles = [("Macron meets Scholz in Berlin", "Emmanuel Macron flew to Berlin on Monday."),
                (None, "Olaf Scholz spoke in Paris."),
                ("", "Joe Biden called Vladimir Putin.")]
    found = tag_articles(counting, articles)
    assert (counting.calls, counting.texts) == (1, 4)
    for (title, text), entities in zip(articles, found):
        fields = {"title": title, "text": text}
        assert all(fields[e.field][e.start:e.end] == e.text for e in entities)
        assert entities == sorted(entities, key=lambda e: (e.field != "title", e.start))
    assert ("title", "Berlin") in {(e.field, e.text) for e in found[0]}
    assert ("text", "Berlin") in {(e.field, e.text) for e in found[0]}
    assert {e.field for e in found[1] + found[2]} == {"text"}


def test_tag_is_the_text_field_of_tag_articles(nlp):
    text = "Emmanuel Macron met Olaf Scholz in Berlin."
    assert tag(nlp, [text]) == tag_articles(nlp, [(None, text)])
    assert {e.field for e in tag(nlp, [text])[0]} == {"text"}


def test_recogniser_adds_to_the_model_and_sees_every_label(nlp):
    seen = []

    def recognise(text, spans, field):
        seen.append((field, spans))
        return [Entity("Zz", "GPE", 0, 2, field=field)] if field == "title" else []

    [found] = tag_articles(nlp, [("Zz fell on Monday", "Snow fell on Monday in Oslo.")],
                           recogniser=recognise)
    assert [f for f, _ in seen] == ["title", "text"]
    assert "DATE" in {label for _, spans in seen for _, _, label in spans}
    assert "DATE" not in {e.label for e in found}
    assert found[0] == Entity("Zz", "GPE", 0, 2, field="title")

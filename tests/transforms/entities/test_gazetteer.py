import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.entities.gazetteer import (
    Recogniser,
    RecogniserConfig,
    english_common_words,
    load_recogniser,
)
from transforms.entities.knowledge import KbEntry, KnowledgeBase, load_knowledge
from transforms.entities.ner import english_model_path, load_ner, tag_articles

CASES = json.loads((Path(__file__).with_name("gazetteer_cases.json")).read_text("utf-8"))["cases"]


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return load_recogniser()


def _spans(text: str, found: list[list[str]]) -> list[tuple[int, int, str]]:
    spans = []
    for surface, label in found:
        start = text.index(surface)
        spans.append((start, start + len(surface), label))
    return spans


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_cases(recogniser, case):
    field = case.get("field", "text")
    text = case["text"]
    taken = _spans(text, case["spacy"])
    found = recogniser.find(text, taken, field)
    assert [(e.text, e.label) for e in found] == [tuple(x) for x in case["expect"]]
    for entity in found:
        assert text[entity.start:entity.end] == entity.text and entity.field == field
        # Either a new span clear of the model's, or one of its spans with a place label.
        same = [label for s, e, label in taken if (s, e) == (entity.start, entity.end)]
        if same:
            assert same[0] in ("PERSON", "ORG") and entity.label in ("GPE", "LOC")
        else:
            assert not any(s < entity.end and entity.start < e for s, e, _ in taken)


def test_model_lexicon_knows_common_words_but_not_places():
    words = english_common_words(english_model_path())
    assert {"read", "nice", "mobile", "split", "bath"} <= words
    assert not {"moscow", "donetsk", "paris", "luhansk"} & words


def test_recogniser_is_built_once_per_process(recogniser):
    assert load_recogniser() is recogniser
    assert recogniser.knowledge is load_knowledge()


def test_population_threshold_is_honoured():
    town = KbEntry("geonames:1", "Velmorastad", "GPE", "city", population=50_000)
    knowledge = KnowledgeBase([(town, ["Velmorastad"], 1)])
    text = "Refugees arrived in Velmorastad on Monday."
    assert Recogniser(knowledge).find(text, []) == []
    lower = RecogniserConfig(min_population=40_000)
    [found] = Recogniser(knowledge, config=lower).find(text, [])
    assert (found.text, found.label) == ("Velmorastad", "GPE")


def test_seed_000_donetsk_and_lukansk_with_the_model(recogniser):
    text = (Path(__file__).resolve().parents[3] / "seeds" / "000_ddb74dd6e30f21c7.txt").read_text(
        encoding="utf-8")
    [without] = tag_articles(load_ner(), [(None, text)])
    [found] = tag_articles(load_ner(), [(None, text)], recogniser=recogniser.find)
    at = text.index("Donetsk and Lukansk administrations")
    phrase = [(e.text, e.label) for e in found if at <= e.start < at + 40]
    assert phrase == [("Donetsk", "GPE"), ("Lukansk", "GPE")]
    assert not [e for e in without if at <= e.start < at + 40]
    # Every span of the model's is still there; only person and organisation labels of
    # places in a place-name pattern change ("separatists in Donbass").
    labels = {(e.start, e.end): e.label for e in found}
    for entity in without:
        label = labels[(entity.start, entity.end)]
        assert label == entity.label or (entity.label in ("PERSON", "ORG")
                                         and label in ("GPE", "LOC"))
    assert labels[(text.index("in Donbass") + 3, text.index("in Donbass") + 10)] == "LOC"
    spans = sorted((e.start, e.end) for e in found)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


_WORDS = ["in", "and", "the", "Donetsk", "Lukansk", "Reading", "Nice", "said", "Mr", "Paris",
          "Hilton", "of", "region", "Kharkiv", "US", "us", "Interfax", "Lugansk’s", "-based",
          "Queen", "Victoria", "Split", "New", "York", "Kyiv", ",", ".", "\n", "“", "Austin"]


@settings(max_examples=150, deadline=None)
@given(words=st.lists(st.sampled_from(_WORDS), max_size=30), data=st.data())
def test_found_entities_never_break_the_models(recogniser, words, data):
    text = " ".join(words).replace(" -based", "-based")
    tokens = [m.span() for m in re.finditer(r"\S+", text)]
    chosen = sorted(data.draw(st.sets(st.integers(0, max(len(tokens) - 1, 0)), max_size=5))
                    ) if tokens else []
    taken = [(*tokens[i], data.draw(st.sampled_from(["PERSON", "ORG", "GPE", "DATE"])))
             for i in chosen]
    found = recogniser.find(text, taken)
    for entity in found:
        assert text[entity.start:entity.end] == entity.text
        same = [label for s, e, label in taken if (s, e) == (entity.start, entity.end)]
        if same:
            assert same[0] in ("PERSON", "ORG") and entity.label in ("GPE", "LOC")
        else:
            assert not any(s < entity.end and entity.start < e for s, e, _ in taken)
    spans = sorted((e.start, e.end) for e in found)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))

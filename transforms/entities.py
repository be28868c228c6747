"""Entities: spaCy NER through Beam's ``RunInference`` with a model handler of our own.

The handler batches whole articles through ``transforms.ner.tag``, which loads only the
components NER needs.
"""

from typing import Any, Iterable, Sequence

import resource

import apache_beam as beam
from apache_beam.ml.inference import base as inference_base
from apache_beam.ml.inference.base import ModelHandler, RunInference

from schemas.records import Article
from transforms.ner import load_ner, tag

# Beam 2.77 imports ``resource`` in the same try block as its torch-only model manager, so
# without torch it loses ``resource`` too and warns on every batch that it cannot read
# memory use. Give it back the standard module.
if getattr(inference_base, "resource", None) is None:
    inference_base.resource = resource


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

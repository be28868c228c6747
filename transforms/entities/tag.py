"""Entities: spaCy NER through Beam's ``RunInference`` with a model handler of our own.

The handler batches whole articles, title and text, through ``transforms.entities.ner.tag_articles``,
which loads only the components NER needs; ``transforms.entities.gazetteer`` then adds the names of
the knowledge base the model missed. Each entity's ``field`` says whether its offsets point
into the title or the text.
"""

import dataclasses
import resource
from typing import Any, Iterable, Sequence

import apache_beam as beam
from apache_beam.ml.inference import base as inference_base
from apache_beam.ml.inference.base import ModelHandler, RunInference

from schemas.records import Article
from transforms.entities.gazetteer import Recogniser, load_recogniser
from transforms.entities.knowledge import KnowledgeConfig
from transforms.entities.ner import load_ner, tag_articles

# Beam 2.77 imports ``resource`` in the same try block as its torch-only model manager, so
# without torch it loses ``resource`` too and warns on every batch that it cannot read
# memory use. Give it back the standard module.
if getattr(inference_base, "resource", None) is None:
    inference_base.resource = resource


@dataclasses.dataclass(frozen=True)
class Tagger:
    """What one process loads once: the spaCy pipeline and the knowledge recogniser (a
    class of its own, as Beam's ``Shared`` keeps a weak reference to it)."""

    nlp: Any
    recogniser: Recogniser | None


class SpacyEntityHandler(ModelHandler[Article, Article, Tagger]):
    """Articles in, the same articles with ``entities`` out; languages with no model get
    an empty list.

    ``recognise`` (True): add knowledge names the model missed (``transforms.entities.gazetteer``).
    ``knowledge_config``: the knowledge base to recognise from; ``aliases`` is shorthand
    for its ``aliases_path``, the same table ``ResolveEntities`` is given.
    """

    def __init__(self, model_path: str | None = None, languages: Iterable[str] = ("en",),
                 min_batch_size: int = 8, max_batch_size: int = 64, recognise: bool = True,
                 knowledge_config: KnowledgeConfig = KnowledgeConfig(),
                 aliases: str | None = None) -> None:
        super().__init__()
        self._batch_sizes = {"min_batch_size": min_batch_size, "max_batch_size": max_batch_size}
        self.model_path = model_path
        self.languages = frozenset(languages)
        self.recognise = recognise
        if aliases:
            knowledge_config = dataclasses.replace(knowledge_config, aliases_path=aliases)
        self.knowledge_config = knowledge_config

    def load_model(self) -> Tagger:
        nlp = load_ner(self.model_path)
        recogniser = (load_recogniser(self.knowledge_config, self.model_path)
                      if self.recognise else None)
        return Tagger(nlp, recogniser)

    def run_inference(self, batch: Sequence[Article], model: Tagger,
                      inference_args: dict[str, Any] | None = None) -> Iterable[Article]:
        tagged = [a for a in batch if a.language in self.languages]
        recognise = model.recogniser.find if model.recogniser is not None else None
        found = tag_articles(model.nlp, [(a.title, a.text) for a in tagged],
                             recogniser=recognise)
        for article, entities in zip(tagged, found):
            article.entities = entities
        for article in batch:
            if article.language not in self.languages:
                article.entities = []
        return batch

    def batch_elements_kwargs(self) -> dict[str, int]:
        # Beam 2.62's ModelHandler takes no batch sizes in __init__.
        return self._batch_sizes

    def get_num_bytes(self, batch: Sequence[Article]) -> int:
        return sum(len(a.text) + len(a.title or "") for a in batch)

    def get_metrics_namespace(self) -> str:
        return "copydesk_entities"


class TagEntities(beam.PTransform):
    """Fills ``entities`` with ``{text, label, start, end, field}``: ``title[start:end]`` or
    ``text[start:end]``, as ``field`` says, is the name."""

    def __init__(self, handler: SpacyEntityHandler | None = None,
                 aliases: str | None = None) -> None:
        super().__init__()
        self.handler = handler or SpacyEntityHandler(aliases=aliases)

    def expand(self, articles):
        return articles | "RunInference" >> RunInference(self.handler)

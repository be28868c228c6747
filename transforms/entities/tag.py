"""Entities: spaCy NER through Beam's ``RunInference`` with a model handler of our own.

The handler batches whole articles, title and text, through ``transforms.entities.ner.tag_articles``,
which loads only the components NER needs; ``transforms.entities.gazetteer`` then adds the names of
the knowledge base the model missed. Each entity's ``field`` says whether its offsets point
into the title or the text.
"""

import dataclasses
import hashlib
import operator
import resource
from collections import OrderedDict
from typing import Any, Iterable, Sequence

import apache_beam as beam
from apache_beam.ml.inference import base as inference_base
from apache_beam.metrics import Metrics
from apache_beam.ml.inference.base import ModelHandler, RunInference

from schemas.records import Article, Entity
from transforms.entities.gazetteer import Recogniser, load_recogniser
from transforms.entities.knowledge import KnowledgeConfig
from transforms.entities.ner import load_ner, tag_articles

# Beam 2.77 imports ``resource`` in the same try block as its torch-only model manager, so
# without torch it loses ``resource`` too and warns on every batch that it cannot read
# memory use. Give it back the standard module.
if getattr(inference_base, "resource", None) is None:
    inference_base.resource = resource


_ENTITY_VALUES = operator.attrgetter(*(f.name for f in dataclasses.fields(Entity)))


def content_key(article: Article) -> bytes:
    """What the entities of an article depend on: its language, title and text."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (article.language, article.title or "", article.text):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.digest()


class RecentlyTagged:
    """The entities of the last ``size`` contents tagged in this process, by
    ``content_key``, so that an exact copy (a wire story run twice, an input read twice)
    takes its original's entities instead of a second pass of NER: the same title and
    text give the same entities, offsets included. Kept as tuples, so that a later stage
    changing an article's entities cannot change its copies'; 1,024 contents of ~50
    entities hold about 8 MB."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._found: OrderedDict[bytes, tuple[tuple, ...]] = OrderedDict()

    def get(self, key: bytes) -> list[Entity] | None:
        found = self._found.get(key)
        if found is None:
            return None
        self._found.move_to_end(key)
        return [Entity(*values) for values in found]

    def put(self, key: bytes, entities: list[Entity]) -> None:
        self._found[key] = tuple(_ENTITY_VALUES(e) for e in entities)
        if len(self._found) > self.size:
            self._found.popitem(last=False)


@dataclasses.dataclass(frozen=True)
class Tagger:
    """What one process loads once: the spaCy pipeline, the knowledge recogniser and the
    recently tagged contents (a class of its own, as Beam's ``Shared`` keeps a weak
    reference to it)."""

    nlp: Any
    recogniser: Recogniser | None
    recent: RecentlyTagged = dataclasses.field(default_factory=RecentlyTagged)


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
        copies = 0
        new: dict[bytes, list[Article]] = {}
        for article in batch:
            if article.language not in self.languages:
                article.entities = []
                continue
            key = content_key(article)
            known = model.recent.get(key)
            if known is not None:
                article.entities = known
                copies += 1
            else:
                new.setdefault(key, []).append(article)
        recogniser = model.recogniser
        found = tag_articles(model.nlp, [(same[0].title, same[0].text) for same in new.values()],
                             recogniser=recogniser.find if recogniser else None,
                             harmonise=recogniser.harmonise if recogniser else None)
        for (key, same), entities in zip(new.items(), found):
            model.recent.put(key, entities)
            same[0].entities = entities
            for article in same[1:]:
                article.entities = model.recent.get(key)
                copies += 1
        if copies:
            Metrics.counter(self.get_metrics_namespace(), "exact_copies_not_tagged").inc(copies)
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

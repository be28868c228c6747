import random
from collections import Counter

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Article
from tests.transforms.entities.test_canonical import article
from transforms.entities.canonical import ResolveEntities, Resolver, ResolverConfig, name_mentions
from transforms.entities.knowledge import load_knowledge
from transforms.entities.name_evidence import (
    ArticleEvidence,
    Evidence,
    NameFacts,
    mention_keys,
    pick_neighbour,
)

CONFIG = ResolverConfig()

# Names with their misspellings, lone surnames, one-word names sharing a surname with two
# full names (ambiguous), places, and organisations near a known one (Interfox).
PEOPLE = ["Hannele Virtasalmi", "Hannele Virtasalni", "Virtasalmi", "Markus Velinder",
          "Markus Welinder", "Velinder", "Oskari Lehtinen", "Aino Lehtinen", "Lehtinen",
          "Antony Blinken", "Anthony Blingen", "Blinken", "Putin", "Vladimir Putin",
          "Tarmo Ruusunen", "Tarmo Ruusanen", "Saara Lindqvist-Horn", "Saara Lindkvist-Horn"]
PLACES = ["Kyiv", "Kiev", "Lugansk", "Luhansk", "Donetsk", "Helsinki", "Helsinky",
          "Tampere", "Tamprere"]
ORGS = ["Interfax", "Interfox", "Nordvik Holdings", "Nordvick Holdings", "Reuters"]


def random_corpus(seed: int, size: int = 60) -> list[Article]:
    rng = random.Random(seed)
    pools = [(PEOPLE, "PERSON"), (PLACES, "GPE"), (ORGS, "ORG")]
    articles = []
    for i in range(size):
        names = []
        for _ in range(rng.randint(1, 6)):
            pool, label = rng.choice(pools)
            # Skewed, so some spellings are frequent and their misspellings rare.
            names.append((pool[min(int(rng.expovariate(0.35)), len(pool) - 1)], label))
        articles.append(article(names, f"{seed}-{i}"))
    return articles


def summary(a: Article) -> tuple:
    return (a.id, a.text, tuple((e.text, e.canonical, e.kb_id, e.label, e.start, e.end)
                                for e in a.entities))


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(load_knowledge())


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("fix_names", [False, True])
def test_keyed_evidence_resolves_exactly_as_the_whole_table(resolver, seed, fix_names):
    """The keyed joins give every article the answers one table of every name gives."""
    articles = random_corpus(seed)
    corpus = resolver.corpus(Counter(m for a in articles for m in name_mentions(a)))
    expected = [summary(resolver.resolve_article(a, corpus, fix_names)) for a in articles]
    # The corpus must exercise the evidence, or the comparison proves nothing.
    assert any(e[1] != e[0] for s in expected for e in s[2])
    with TestPipeline() as p:
        out = (p | beam.Create(articles) | ResolveEntities(fix_names=fix_names)
               | beam.Map(summary))
        assert_that(out, equal_to(expected))


def test_pick_neighbour_prefers_the_clearly_commonest_nearest_name():
    assert pick_neighbour(1, [("virtasalmi", 1, 5)], CONFIG) == "virtasalmi"
    # Too rare a target: the spelling is a name in its own right.
    assert pick_neighbour(2, [("virtasalmi", 1, 3)], CONFIG) is None
    # Nearer wins over commoner.
    assert pick_neighbour(1, [("a", 2, 50), ("b", 1, 4)], CONFIG) == "b"
    # Two equally near, about as frequent: no evidence for either.
    assert pick_neighbour(1, [("a", 1, 5), ("b", 1, 6)], CONFIG) is None
    assert pick_neighbour(1, [], CONFIG) is None


def test_article_evidence_answers_for_the_name_and_its_neighbour():
    wrong = ("person", "hannele virtasalni")
    right_facts = NameFacts(3, "Hannele Virtasalmi")
    view = ArticleEvidence([
        (wrong, Evidence(NameFacts(1, "Hannele Virtasalni"),
                         ("hannele virtasalmi", right_facts))),
        (("person", "virtasalmi"), Evidence(NameFacts(1, "Virtasalmi", "Hannele Virtasalmi"))),
    ])
    assert view.frequent_neighbour(*wrong) == "hannele virtasalmi"
    assert view.total("person", "hannele virtasalmi") == 3
    assert view.best_spelling("person", "hannele virtasalmi") == "Hannele Virtasalmi"
    assert view.full_name("person", "virtasalmi") == "Hannele Virtasalmi"
    assert view.full_name("org", "virtasalmi") is None
    assert view.total("gpe", "nowhere") == 0
    assert view.evidence(*wrong).facts.total == 1


def test_mention_keys_skip_quantities_and_empty_names():
    a = article([("Kyiv", "GPE"), ("three", "CARDINAL"), ("Kiev", "GPE"), ("  ", "PERSON")],
                "k")
    assert mention_keys(a) == {("place", "kyiv"), ("place", "kiev")}

"""A hand-written gold set for entity canonicalisation, from the five seed articles.

Each article lists (surface, label as the tagger might give it, expected canonical,
expected kb_id or None). Surfaces the tagger misses in the seeds (Interfox, Lukansk,
Kyiv) are included on purpose: the resolver must handle them when a better tagger finds
them. ``evaluate`` runs a resolver over these mentions as one corpus and reports

- accuracy: the share of mentions given exactly the expected canonical and kb_id;
- pairwise precision and recall of the merges: over pairs of distinct mentions, whether
  the resolver puts them together (same kb_id, or same canonical without one) when the
  gold does. Precision falls when different things are merged, recall when one thing is
  left under several names.

Run: ``python -m bench.entity_gold`` (prints JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from itertools import combinations

from schemas.records import Article, Entity

Gold = tuple[str, str, str, str | None]

PUTIN = ("Vladimir Putin", "alias:vladimir-putin")
BLINKEN = ("Antony Blinken", "alias:antony-blinken")
BIDEN = ("Joe Biden", "alias:joe-biden")
LAVROV = ("Sergey Lavrov", "alias:sergey-lavrov")
ZELENSKYY = ("Volodymyr Zelenskyy", "alias:volodymyr-zelenskyy")
DANILOV = ("Oleksiy Danilov", "alias:oleksiy-danilov")
PUSHILIN = ("Denis Pushilin", "alias:denis-pushilin")
PASECHNIK = ("Leonid Pasechnik", "alias:leonid-pasechnik")
BORRELL = ("Josep Borrell", "alias:josep-borrell")
PSAKI = ("Jen Psaki", "alias:jen-psaki")
SCHOLZ = ("Olaf Scholz", "alias:olaf-scholz")
KYIV = ("Kyiv", "geonames:703448")
LUHANSK = ("Luhansk", "geonames:702658")
DONETSK = ("Donetsk", "geonames:709717")
MOSCOW = ("Moscow", "geonames:524901")
DONBAS = ("Donbas", "alias:donbas")
CRIMEA = ("Crimea", "iso:UA-43")
USA = ("United States", "iso:US")
LPR = ("Luhansk People's Republic", "alias:luhansk-peoples-republic")
DPR = ("Donetsk People's Republic", "alias:donetsk-peoples-republic")
NATO = ("NATO", "alias:nato")


def _g(surface: str, label: str, expected: tuple[str, str | None]) -> Gold:
    return (surface, label, expected[0], expected[1])


def _plain(surface: str, label: str) -> Gold:
    """A name no knowledge has: it should stay as written, without a kb_id."""
    return (surface, label, surface, None)


GOLD: dict[str, list[Gold]] = {
    "000": [
        _g("Vladimir Putin", "PERSON", PUTIN),
        _g("Putin", "PERSON", PUTIN),
        _g("Donbass", "PERSON", DONBAS),
        _g("Interfox", "ORG", ("Interfax", "alias:interfax")),
        _g("Rostov", "PERSON", ("Rostov-on-Don", "geonames:501175")),
        _g("Moscow", "GPE", MOSCOW),
        _g("Donetsk", "GPE", DONETSK),
        _g("Lukansk", "GPE", LUHANSK),
        _g("Lugansk", "GPE", LUHANSK),
        _g("Denis Pushilin", "PERSON", PUSHILIN),
        _g("Leonid Pasechnik", "PERSON", PASECHNIK),
        _plain("Bush", "PERSON"),
        _g("Sputnik", "PERSON", ("Sputnik", "alias:sputnik")),
        _g("Kiev", "GPE", KYIV),
        _g("France", "GPE", ("France", "iso:FR")),
        _g("Germany", "GPE", ("Germany", "iso:DE")),
        _g("Ukraine", "GPE", ("Ukraine", "iso:UA")),
        _g("Russia", "GPE", ("Russia", "iso:RU")),
        _g("Sergey Lavrov", "PERSON", LAVROV),
        _g("Geneva", "GPE", ("Geneva", "geonames:2660646")),
        _g("Anthony Blingen", "PERSON", BLINKEN),
        _g("Joe Biden", "PERSON", BIDEN),
        _g("The United States", "GPE", USA),
        _g("US", "GPE", USA),
        _g("the European Union", "ORG", ("European Union", "alias:european-union")),
        _g("NATO", "ORG", NATO),
        _g("Europe", "LOC", ("Europe", "geonames:6255148")),
        _plain("Russian", "NORP"),
    ],
    "001": [
        _g("Vladimir Putin", "PERSON", PUTIN),
        _g("Putin", "PERSON", PUTIN),
        _g("Sergey Ryabkov", "PERSON", ("Sergey Ryabkov", "alias:sergey-ryabkov")),
        _plain("Mikko Kinunin", "PERSON"),
        _plain("Rodion Miroshnik", "PERSON"),
        _g("Luhansk", "GPE", LUHANSK),
        _g("Crimea", "GPE", CRIMEA),
        _g("Volodymyr Zelensky", "PERSON", ZELENSKYY),
        _g("Oleksiy Danilov", "PERSON", DANILOV),
        _g("the North Atlantic Treaty Organization", "ORG", NATO),
        _g("NATO", "ORG", NATO),
        _g("Washington", "GPE", ("Washington", "geonames:4140963")),
        _g("the Organization for Security and Cooperation in Europe", "ORG",
           ("OSCE", "alias:osce")),
        _g("the United States", "GPE", USA),
    ],
    "002": [
        _g("Vladimir Putin", "PERSON", PUTIN),
        _g("Putin", "PERSON", PUTIN),
        _g("Kyiv", "GPE", KYIV),
        _g("Antony Blinken", "PERSON", BLINKEN),
        _g("Lloyd Austin", "PERSON", ("Lloyd Austin", "alias:lloyd-austin")),
        _g("Mark Milley", "PERSON", ("Mark Milley", "alias:mark-milley")),
        _g("Joe Biden", "PERSON", BIDEN),
        _g("Biden", "PERSON", BIDEN),
        _g("Emmanuel Macron", "PERSON", ("Emmanuel Macron", "alias:emmanuel-macron")),
        _g("Kremlin", "ORG", ("Kremlin", "alias:kremlin")),
        _g("The White House", "ORG", ("White House", "alias:white-house")),
        _g("Newsmax", "ORG", ("Newsmax", "alias:newsmax")),
        _g("Moscow", "GPE", MOSCOW),
    ],
    "003": [
        _g("Donbass", "PERSON", DONBAS),
        _g("Lugansk", "GPE", LUHANSK),
        _g("Donetsk", "GPE", DONETSK),
        _g("Josep Borrell", "PERSON", BORRELL),
        _g("Borrell", "PERSON", BORRELL),
        _g("Kiev", "ORG", KYIV),
        _g("Kiev", "PERSON", KYIV),
        _g("Aleksey Danilov", "ORG", DANILOV),
        _g("Denis Pushilin", "PERSON", PUSHILIN),
        _g("Pushilin", "PERSON", PUSHILIN),
        _g("Jen Psaki", "PERSON", PSAKI),
        _g("Psaki", "ORG", PSAKI),
        _g("DPR", "ORG", DPR),
        _g("LPR", "ORG", LPR),
        _g("Lugansk People’s Republic", "ORG", LPR),
        _g("the State Duma", "ORG", ("State Duma", "alias:state-duma")),
        _g("FSB", "ORG", ("FSB", "alias:fsb")),
        _g("Paris", "GPE", ("Paris", "geonames:2988507")),
        _g("Sergey Lavrov", "PERSON", LAVROV),
        _g("Vladimir Putin", "PERSON", PUTIN),
        _plain("Maidan", "PERSON"),
    ],
    "004": [
        _g("Vladimir Putin", "PERSON", PUTIN),
        _g("Volodymyr Zelenskiy", "PERSON", ZELENSKYY),
        _g("Kyiv", "GPE", KYIV),
        _g("Antony Blinken", "PERSON", BLINKEN),
        _g("Olaf Scholz", "PERSON", SCHOLZ),
        _g("Olaf Scholz’s", "ORG", SCHOLZ),
        _g("Liz Truss", "PERSON", ("Liz Truss", "alias:liz-truss")),
        _g("Britain", "GPE", ("United Kingdom", "iso:GB")),
        _g("Jens Stoltenberg", "PERSON", ("Jens Stoltenberg", "alias:jens-stoltenberg")),
        _g("Crimea", "GPE", CRIMEA),
        _g("the Lugansk People’s Republic", "FAC", LPR),
        _g("Donetsk People’s Republic", "ORG", DPR),
        _g("Biden", "PERSON", BIDEN),
        _plain("West", "LOC"),
        _plain("Ukrainian", "NORP"),
    ],
}

ResolveArticles = Callable[[list[Article]], list[Article]]


def gold_articles() -> list[Article]:
    """One article per seed whose text is its gold mentions, with exact offsets."""
    when = datetime(2022, 2, 22, tzinfo=timezone.utc)
    articles = []
    for seed, items in GOLD.items():
        text, entities = "", []
        for surface, label, _, _ in items:
            start = len(text)
            text += surface + ". "
            entities.append(Entity(surface, label, start, start + len(surface)))
        articles.append(Article(id=seed, source=f"gold/{seed}", text=text, ingested_at=when,
                                entities=entities))
    return articles


def default_resolve() -> ResolveArticles:
    """The project's resolver with corpus evidence counted over the gold articles."""
    from collections import Counter

    from transforms.entities.canonical import Resolver, name_mentions
    from transforms.entities.knowledge import load_knowledge

    resolver = Resolver(load_knowledge())

    def resolve(articles: list[Article]) -> list[Article]:
        corpus = resolver.corpus(Counter(m for a in articles for m in name_mentions(a)))
        return [resolver.resolve_article(a, corpus) for a in articles]

    return resolve


def _cluster(canonical: str | None, kb_id: str | None) -> str:
    return f"kb:{kb_id}" if kb_id else f"name:{canonical}"


def evaluate(resolve: ResolveArticles | None = None) -> dict:
    """Accuracy and pairwise merge precision/recall of ``resolve`` on the gold set."""
    resolve = resolve or default_resolve()
    articles = gold_articles()
    resolved = resolve(articles)
    gold, predicted, errors = [], [], []
    for article, result in zip(articles, resolved):
        for (surface, label, canonical, kb_id), entity in zip(GOLD[article.id], result.entities):
            gold.append(_cluster(canonical, kb_id))
            predicted.append(_cluster(entity.canonical, entity.kb_id))
            if (entity.canonical, entity.kb_id) != (canonical, kb_id):
                errors.append({"article": article.id, "surface": surface, "label": label,
                               "expected": [canonical, kb_id],
                               "got": [entity.canonical, entity.kb_id]})
    pairs = list(combinations(range(len(gold)), 2))
    gold_pairs = {p for p in pairs if gold[p[0]] == gold[p[1]]}
    predicted_pairs = {p for p in pairs if predicted[p[0]] == predicted[p[1]]}
    agreed = len(gold_pairs & predicted_pairs)
    precision = agreed / len(predicted_pairs) if predicted_pairs else 1.0
    recall = agreed / len(gold_pairs) if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "mentions": len(gold),
        "accuracy": round(1 - len(errors) / len(gold), 4),
        "pair_precision": round(precision, 4),
        "pair_recall": round(recall, 4),
        "pair_f1": round(f1, 4),
        "errors": errors,
    }


def as_written(articles: list[Article]) -> list[Article]:
    """The baseline without canonicalisation: every mention is its own cleaned name."""
    from transforms.entities.knowledge import clean_name

    return [
        Article(**{**{f: getattr(a, f) for f in a.__slots__},
                   "entities": [Entity(e.text, e.label, e.start, e.end, clean_name(e.text))
                                for e in a.entities]})
        for a in articles
    ]


def synthetic_articles(count: int, entities_per_article: int = 30, distinct: int = 5000,
                       seed: int = 5) -> list[Article]:
    """A corpus shaped like news: the gold names repeat often, ``distinct`` invented names
    follow a long tail, and one mention in fifty is misspelt."""
    import random

    rng = random.Random(seed)
    syllables = ["ka", "ri", "mo", "ten", "vel", "sa", "lun", "dor", "pe", "ni", "bra", "gos"]
    gold = [(surface, label) for items in GOLD.values() for surface, label, _, _ in items]
    invented = [
        (" ".join("".join(rng.choice(syllables) for _ in range(3)).capitalize()
                  for _ in range(2)), rng.choice(["PERSON", "ORG", "GPE"]))
        for _ in range(distinct)
    ]
    when = datetime(2022, 2, 22, tzinfo=timezone.utc)
    articles = []
    for number in range(count):
        text, entities = "", []
        for _ in range(entities_per_article):
            if rng.random() < 0.5:
                surface, label = rng.choice(gold)
            else:
                surface, label = invented[min(int(rng.paretovariate(1.0)) - 1, distinct - 1)
                                          if rng.random() < 0.5 else rng.randrange(distinct)]
            if rng.random() < 0.02 and len(surface) > 6:
                i = rng.randrange(1, len(surface) - 1)
                surface = surface[:i] + rng.choice("aeiknrst") + surface[i + 1:]
            entities.append(Entity(surface, label, len(text), len(text) + len(surface)))
            text += surface + ". "
        articles.append(Article(id=f"s{number}", source="synthetic", text=text,
                                ingested_at=when, entities=entities))
    return articles


def throughput(count: int = 5000) -> dict:
    """Knowledge build time and resolver speed on a synthetic corpus (one process)."""
    import time
    from collections import Counter

    import psutil

    from transforms.entities.canonical import Resolver, name_mentions
    from transforms.entities.knowledge import build_knowledge, describe

    process = psutil.Process()
    rss = process.memory_info().rss
    started = time.perf_counter()
    knowledge = build_knowledge()
    built = time.perf_counter() - started
    grown = process.memory_info().rss - rss
    articles = synthetic_articles(count)
    mentions = sum(len(a.entities) for a in articles)
    resolver = Resolver(knowledge)
    started = time.perf_counter()
    corpus = resolver.corpus(Counter(m for a in articles for m in name_mentions(a)))
    counted = time.perf_counter() - started
    started = time.perf_counter()
    for article in articles:
        resolver.resolve_article(article, corpus, fix_names=True)
    resolved = time.perf_counter() - started
    return {
        "knowledge": {**describe(knowledge), "build_seconds": round(built, 2),
                      "rss_growth_mb": round(grown / 2**20)},
        "articles": count,
        "entity_mentions": mentions,
        "distinct_names": len(corpus),
        "count_and_index_seconds": round(counted, 2),
        "resolve_seconds": round(resolved, 2),
        "mentions_per_second": round(mentions / resolved),
    }


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--throughput", type=int, metavar="ARTICLES",
                        help="also time the knowledge build and the resolver on this many "
                             "synthetic articles")
    args = parser.parse_args(argv)
    report = {"resolver": evaluate(), "as_written_baseline": evaluate(as_written)}
    report["as_written_baseline"].pop("errors")
    if args.throughput:
        report["throughput"] = throughput(args.throughput)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Hand-labelled named entities of the five seed articles (PERSON, ORG, GPE, LOC, NORP).

Labelled by reading the repaired body of each seed, and its headline (``TITLE_GOLD``; the
repair stage moves it to ``title``, which is tagged too). Conventions follow OntoNotes,
which the spaCy model was trained on: countries, cities and self-proclaimed republics are
GPE, also as modifiers ("US envoy"); regions that are not states are LOC (Donbass, Europe,
"the West"); nationalities and
political groups are NORP ("Russian", "Western", "Eastern European"); governments, agencies,
councils, media and alliances are ORG ("the Kremlin", "the White House"). A leading "the" is
never part of a name. Dates, events (the Cold War), products (Javelin) and facilities are
left out, and the tagger's answers with those labels are ignored.

Gold is a list of (surface, label) per seed: every whole-word occurrence of a surface in the
text is that entity, longer surfaces first and never overlapping ("Vladimir Putin" before
"Putin", "Donetsk People's Republic" before "Donetsk"). That keeps the labels readable and
robust to small changes in what Repair leaves, while still giving exact character spans.
"""

from __future__ import annotations

import glob
import os
import re
from functools import lru_cache

LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP")
SEEDS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seeds")

GOLD: dict[str, tuple[tuple[str, str], ...]] = {
    "000": (
        ("Vladimir Putin", "PERSON"), ("Putin", "PERSON"), ("Denis Pushilin", "PERSON"),
        ("Leonid Pasechnik", "PERSON"), ("Bush", "PERSON"), ("Sergey Lavrov", "PERSON"),
        ("Anthony Blingen", "PERSON"), ("Joe Biden", "PERSON"),
        ("National Security Council", "ORG"), ("Interfox", "ORG"), ("NATO", "ORG"),
        ("European Union", "ORG"), ("Sputnik", "ORG"),
        ("Ukraine", "GPE"), ("Russia", "GPE"), ("Rostov", "GPE"), ("Moscow", "GPE"),
        ("Donetsk", "GPE"), ("Lukansk", "GPE"), ("Lugansk", "GPE"), ("United States", "GPE"),
        ("Kiev", "GPE"), ("Normandy", "GPE"), ("France", "GPE"), ("Germany", "GPE"),
        ("US", "GPE"), ("Geneva", "GPE"),
        ("Donbass", "LOC"), ("Europe", "LOC"),
        ("Russian", "NORP"), ("Ukrainian", "NORP"), ("Western", "NORP"),
    ),
    "001": (
        ("Vladimir Putin", "PERSON"), ("Putin", "PERSON"), ("Sergey Ryabkov", "PERSON"),
        ("Mikko Kinunin", "PERSON"), ("Rodion Miroshnik", "PERSON"),
        ("Volodymyr Zelensky", "PERSON"), ("Oleksiy Danilov", "PERSON"),
        ("North Atlantic Treaty Organization", "ORG"), ("NATO", "ORG"),
        ("Organization for Security and Cooperation in Europe", "ORG"), ("Telegram", "ORG"),
        ("National Security and Defense Council", "ORG"), ("Ministry of Defense", "ORG"),
        ("Ukraine", "GPE"), ("Russia", "GPE"), ("United States", "GPE"), ("Geneva", "GPE"),
        ("Moscow", "GPE"), ("Washington", "GPE"), ("Luhansk Republic", "GPE"), ("US", "GPE"),
        ("Crimea", "GPE"), ("Donetsk Republic", "GPE"),
        ("West", "LOC"),
        ("Russian", "NORP"), ("Ukrainian", "NORP"),
    ),
    "002": (
        ("Vladimir Putin", "PERSON"), ("Putin", "PERSON"), ("Emmanuel Macron", "PERSON"),
        ("Joe Biden", "PERSON"), ("Biden", "PERSON"), ("Antony Blinken", "PERSON"),
        ("Lloyd Austin", "PERSON"), ("Mark Milley", "PERSON"),
        ("Kremlin", "ORG"), ("White House", "ORG"), ("U.S. Joint Chiefs of Staff", "ORG"),
        ("Newsmax", "ORG"), ("NATO", "ORG"),
        ("France", "GPE"), ("Germany", "GPE"), ("Ukraine", "GPE"), ("Moscow", "GPE"),
        ("Kyiv", "GPE"), ("Russia", "GPE"), ("Washington", "GPE"),
        ("Russian", "NORP"), ("Ukrainian", "NORP"), ("Western", "NORP"), ("French", "NORP"),
    ),
    "003": (
        ("Josep Borrell", "PERSON"), ("Borrell", "PERSON"), ("Sergey Lavrov", "PERSON"),
        ("Vladimir Putin", "PERSON"), ("Putin", "PERSON"), ("Denis Pushilin", "PERSON"),
        ("Pushilin", "PERSON"), ("Leonid Pasechnik", "PERSON"), ("Pasechnik", "PERSON"),
        ("Aleksey Danilov", "PERSON"), ("Christophe ARCHAMBAULT", "PERSON"),
        ("Joe Biden", "PERSON"), ("Jen Psaki", "PERSON"), ("Psaki", "PERSON"),
        ("EU", "ORG"), ("European Union", "ORG"), ("Kremlin", "ORG"), ("Russia 24", "ORG"),
        ("National Security and Defense Council", "ORG"), ("AFP", "ORG"),
        ("White House", "ORG"), ("State Duma", "ORG"), ("Federation Council", "ORG"),
        ("FSB", "ORG"),
        ("Moscow", "GPE"), ("Donetsk", "GPE"), ("Lugansk", "GPE"), ("Russia", "GPE"),
        ("Ukraine", "GPE"), ("Kiev", "GPE"), ("Paris", "GPE"), ("US", "GPE"),
        ("Donetsk People’s Republic", "GPE"), ("Lugansk People’s Republic", "GPE"),
        ("DPR", "GPE"), ("LPR", "GPE"), ("Washington", "GPE"),
        ("Donbass", "LOC"),
        ("Russian", "NORP"), ("Ukrainian", "NORP"), ("Eastern European", "NORP"),
        ("Western", "NORP"), ("British", "NORP"), ("American", "NORP"), ("French", "NORP"),
    ),
    "004": (
        ("Vladimir Putin", "PERSON"), ("Putin", "PERSON"), ("Joe Biden", "PERSON"),
        ("Biden", "PERSON"), ("Volodymyr Zelenskiy", "PERSON"), ("Emmanuel Macron", "PERSON"),
        ("Olaf Scholz", "PERSON"), ("Jen Psaki", "PERSON"), ("Antony Blinken", "PERSON"),
        ("Liz Truss", "PERSON"), ("Jens Stoltenberg", "PERSON"),
        ("Kremlin", "ORG"), ("White House", "ORG"), ("NATO", "ORG"),
        ("Ukraine", "GPE"), ("Donetsk", "GPE"), ("Russia", "GPE"), ("US", "GPE"),
        ("Donetsk People’s Republic", "GPE"), ("Lugansk People’s Republic", "GPE"),
        ("Germany", "GPE"), ("France", "GPE"), ("Moscow", "GPE"), ("United States", "GPE"),
        ("Britain", "GPE"), ("Crimea", "GPE"), ("Ottoman Empire", "GPE"), ("Kyiv", "GPE"),
        ("West", "LOC"), ("Europe", "LOC"), ("Atlantic", "LOC"),
        ("Russian", "NORP"), ("Western", "NORP"), ("Ukrainian", "NORP"), ("French", "NORP"),
        ("German", "NORP"), ("British", "NORP"),
    ),
}

# The headlines of seeds 001-004 (seed 000 has none), labelled the same way; title-case
# words are names only where they would be in running text.
TITLE_GOLD: dict[str, tuple[tuple[str, str], ...]] = {
    "001": (("Putin", "PERSON"), ("West", "LOC"), ("Ukrainian", "NORP")),
    "002": (("Putin", "PERSON"), ("Ukraine", "GPE")),
    "003": (("Moscow", "GPE"), ("Russia", "GPE"), ("Donetsk", "GPE"), ("Lugansk", "GPE"),
            ("EU", "ORG"), ("Russian", "NORP"), ("Donbass", "LOC")),
    "004": (("Putin", "PERSON"), ("Russian", "NORP"), ("Ukraine", "GPE")),
}

Span = tuple[int, int, str]


def gold_spans(text: str, gold: tuple[tuple[str, str], ...]) -> list[Span]:
    """Every whole-word occurrence of each gold surface, longest surfaces first, no overlaps."""
    taken = [False] * len(text)
    spans: list[Span] = []
    for surface, label in sorted(gold, key=lambda item: -len(item[0])):
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            start, end = match.span()
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                spans.append((start, end, label))
    return sorted(spans)


@lru_cache(maxsize=1)
def seed_articles() -> dict[str, tuple[str | None, str]]:
    """seed number -> (headline, repaired body), as the repair stage leaves them."""
    from transforms.repair.repair import repair_text

    found = {}
    for path in sorted(glob.glob(os.path.join(SEEDS_DIR, "*.txt"))):
        with open(path, encoding="utf-8") as handle:
            title, text, _ = repair_text(handle.read())
        found[os.path.basename(path)[:3]] = (title, text)
    return found


def seed_bodies() -> dict[str, str]:
    """seed number -> the repaired body text the tagger sees."""
    return {seed: text for seed, (_, text) in seed_articles().items()}


def gold_set() -> dict[str, tuple[str, list[Span]]]:
    """seed number -> (body text, gold spans)."""
    return {seed: (text, gold_spans(text, GOLD[seed])) for seed, text in seed_bodies().items()}


def gold_fields() -> dict[str, dict[str, tuple[str, list[Span]]]]:
    """seed number -> {"title": (headline, spans), "text": (body, spans)}; a seed without a
    headline has an empty title."""
    return {
        seed: {"title": (title or "", gold_spans(title or "", TITLE_GOLD.get(seed, ()))),
               "text": (text, gold_spans(text, GOLD[seed]))}
        for seed, (title, text) in seed_articles().items()
    }

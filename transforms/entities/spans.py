"""Where a name stands in an article's text: the labels, words and span tests that
``consistency``, ``sports`` and ``companies`` share (one home, so none imports another's)."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Iterator

# Labels whose names are carried across the article; quantities and dates are not names.
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# A place word before a surname keeps it a place ("in Houston").
PLACE_BEFORE = frozenset({"in", "at", "from", "to", "near", "outside", "into", "across",
                          "around", "towards", "via", "inside"})
# Capitalised words that open a sentence before a name ("In Kyiv", "The Kremlin").
OPENING_WORDS = frozenset({"in", "at", "on", "the", "from", "for", "to", "by", "with", "and",
                           "but", "as", "after", "before", "of", "near", "outside", "when",
                           "while", "if", "a", "an", "like", "under", "over", "since"})
DATELINE = re.compile(
    r"[^\S\n]*([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+)*)(?=(?:,| \(| -| —| –| \d{4}-\d\d-\d\d))")
WORD = re.compile(r"\w+")


def is_dateline(text: str, start: int, end: int) -> bool:
    """The place a line opens with as a dateline ("ROME, Dec 6 -")."""
    match = DATELINE.match(text, text.rfind("\n", 0, start) + 1)
    return match is not None and match.span(1) == (start, end)


def stands_apart(text: str, start: int, end: int) -> bool:
    """No capitalised word joined to the match: "Town" in "Yishun New Town" is not the
    name "Town" ("New York" joined by one space counts, "Kyiv. The" does not)."""
    before = text[max(0, start - 2):start]
    after = text[end:end + 2]
    previous = _word_before_raw(text, start)
    if before.endswith(" ") and len(before) == 2 and before[0].isalpha() and (
            previous[:1].isupper() and previous.lower() not in OPENING_WORDS):
        return False
    return not (after.startswith(" ") and after[1:2].isupper())


def overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, non-overlapping ``spans``."""
    i = bisect.bisect_left(spans, (end,))
    return i > 0 and spans[i - 1][1] > start


@lru_cache(maxsize=1 << 14)
def bare(name: str) -> str:
    """A name without a possessive or a leading "the"."""
    name = re.sub(r"['’]s?$", "", name.strip())
    return name[4:] if name.lower().startswith("the ") else name


def _word_before_raw(text: str, start: int) -> str:
    words = WORD.findall(text[max(0, start - 30):start])
    return words[-1] if words else ""


def word_before(text: str, start: int) -> str:
    words = WORD.findall(text[max(0, start - 20):start])
    return words[-1].lower() if words else ""


def whole_word_matches(text: str, names: list[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of each mention of ``names`` standing as a word, left to right
    without overlaps, the first of ``names`` winning where several start at one place: what
    ``re.finditer`` gives for ``(?<![\\w.'’-])(?:n1|n2|...)(?![\\w’]|'\\w|-\\w)``, without
    compiling that pattern for every article (it was most of the entity rules' time)."""
    found = []
    for rank, name in enumerate(names):
        at = text.find(name)
        while at >= 0:
            found.append((at, rank))
            at = text.find(name, at + 1)
    found.sort()
    position = 0
    for start, rank in found:
        if start < position:
            continue
        name = names[rank]
        end = start + len(name)
        if _word_edge_before(text, start) and _word_edge_after(text, end):
            position = end
            yield start, end, name


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _word_edge_before(text: str, start: int) -> bool:
    return start == 0 or not (_is_word(text[start - 1]) or text[start - 1] in ".'’-")


def _word_edge_after(text: str, end: int) -> bool:
    if end == len(text):
        return True
    char = text[end]
    if _is_word(char) or char == "’":
        return False
    return not (char in "'-" and end + 1 < len(text) and _is_word(text[end + 1]))

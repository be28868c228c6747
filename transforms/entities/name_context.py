"""Where capitalised words stand in a text, and what the words around them say: the
tokens, their neighbours, sentence starts and the place-name patterns ("in X", "X region",
"X-based", "Donetsk and Lukansk") that ``gazetteer.Recogniser`` reads beside the knowledge.
English cue words; nothing here knows any name."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Iterable, NamedTuple

# Words that put a place after them ("in Reading", "outside Donetsk").
LOCATIVES = frozenset({
    "in", "near", "from", "outside", "to", "into", "across", "around", "towards", "toward",
    "via", "throughout", "at", "of", "between", "inside", "within", "beyond", "through",
})
# Only these prepositions make a name the model labelled a person or an organisation a
# place ("a letter from Austin", "talk to Lincoln" do not).
RELABEL_LOCATIVES = frozenset({"in", "near", "outside", "across", "around", "throughout",
                               "inside"})
# Nouns that make the name before them a place ("the Lukansk administration").
PLACE_NOUNS = frozenset({
    "region", "regions", "oblast", "oblasts", "province", "provinces", "administration",
    "administrations", "city", "governorate", "district", "county", "area", "areas",
    "border", "airport", "residents", "authorities", "mayor", "suburbs", "outskirts",
})
# "Donetsk-based", "Reading-born": a place before the hyphen.
PLACE_SUFFIXES = frozenset({"based", "born", "bound", "held", "controlled", "backed", "led"})
# Beside these a name is a person's ("Austin said", "Mr Lincoln").
SPEECH = frozenset({
    "said", "says", "told", "added", "asked", "wrote", "argued", "insisted", "tweeted",
    "stated", "warned", "replied", "explained",
})
TITLES = frozenset({
    "mr", "mrs", "ms", "dr", "sir", "lady", "lord", "president", "minister", "senator",
    "governor", "judge", "general", "captain", "king", "queen", "prince", "princess", "pope",
    "saint", "st", "coach", "professor", "secretary", "chancellor",
})
# Lower-case words that may sit inside a multi-word name ("Bosnia and Herzegovina").
NAME_JOINERS = frozenset({"of", "and", "de", "du", "la", "le", "on", "upon", "am", "der",
                          "del", "da", "el", "al", "the"})
# A word, with inner apostrophes, dots and hyphens ("Luhans'k", "U.S", "Rostov-on-Don");
# a possessive "'s" is matched but left out of the word.
_TOKEN = re.compile(r"(\w+(?:(?:['’](?!s\b)|[.\-])\w+)*)(?:['’]s\b)?")
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&)\s)\s*$", re.IGNORECASE)
_OPENERS = "\"'“‘([«"
_SENTENCE_ENDS = ".!?:;•|–—"


class Token(NamedTuple):
    start: int
    end: int
    text: str
    hyphen_place: bool
    capitalised: bool


def tokens_of(text: str) -> list[Token]:
    tokens = []
    append = tokens.append
    for match in _TOKEN.finditer(text):
        start, end = match.span(1)
        word = match.group(1)
        hyphen_place = False
        if "-" in word:
            head, _, tail = word.rpartition("-")
            if tail in PLACE_SUFFIXES:
                word, end, hyphen_place = head, start + len(head), True
        append(Token(start, end, word, hyphen_place, word[0].isupper()))
    return tokens


def name_end(tokens: list[Token], i: int, most: int = 4) -> int:
    """The last token that can end a name starting at ``i``: words joined by single
    spaces, the inner lower-case ones joiners ("Bosnia and Herzegovina")."""
    last = i
    while last + 1 < len(tokens) and last + 1 < i + most:
        following = tokens[last + 1]
        if following.start - tokens[last].end != 1 or not (
                following.capitalised or following.text in NAME_JOINERS):
            break
        last += 1
    return last


class Spans:
    """Non-overlapping (start, end) spans, searched by bisection: an article has hundreds
    of entities and thousands of capitalised words to check against them."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        self.ends = sorted(e for _, e in ordered)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.ends, start)
        return i < len(self.ends) and self.starts[i] < end

    def listed_with(self, text: str, start: int, end: int) -> bool:
        """Whether the span just before or just after is joined to this one as a list."""
        i = bisect.bisect_right(self.ends, start) - 1
        if i >= 0 and _LIST_GAP.fullmatch(text, self.ends[i], start):
            return True
        j = bisect.bisect_left(self.starts, end)
        return j < len(self.starts) and bool(_LIST_GAP.fullmatch(text, end, self.starts[j]))


def title_case(tokens: list[Token]) -> bool:
    """A headline in Title Case or capitals: capitalisation says nothing there."""
    words = [t for t in tokens if len(t.text) >= 4 and t.text[0].isalpha()]
    return len(words) >= 3 and sum(t.capitalised for t in words) >= 0.75 * len(words)


def sentence_initial(text: str, start: int) -> bool:
    """Whether only a sentence end, a line break or opening quotes come before ``start``."""
    at = start - 1
    while at >= 0 and (text[at].isspace() or text[at] in _OPENERS):
        if text[at] == "\n":
            return True
        at -= 1
    return at < 0 or text[at] in _SENTENCE_ENDS


def clear_before(text: str, tokens: list[Token], first: int) -> bool:
    """No capitalised word joined to the name before it (a sentence-initial "In" is not)."""
    if first == 0:
        return True
    previous = tokens[first - 1]
    gap = text[previous.end:tokens[first].start]
    if gap.strip() or not previous.capitalised:
        return True
    return sentence_initial(text, previous.start) and previous.text.lower() in _stop_words()


def clear_after(text: str, tokens: list[Token], last: int) -> bool:
    if last + 1 >= len(tokens):
        return True
    following = tokens[last + 1]
    gap = text[tokens[last].end:following.start]
    return bool(gap.strip()) or not following.capitalised


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    # Imported on first use: building a pipeline imports this module, and spaCy is slow
    # to import where no tagging happens.
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)



def person_like(tokens: list[Token], first: int, last: int, kind: str | None) -> bool:
    """A title before the words ("Mr Lincoln"), or a speech verb beside a town's name or an
    unknown word ("Austin said"): a person's name."""
    before = tokens[first - 1].text.lower() if first else ""
    after = tokens[last + 1].text.lower() if last + 1 < len(tokens) else ""
    if before.rstrip(".") in TITLES:
        return True
    return kind in (None, "city") and (after in SPEECH or before in SPEECH)


def stands_alone(text: str, tokens: list[Token], first: int, last: int) -> bool:
    """Whether words in running text are a name by where they stand, without other context:
    no capitalised neighbour, and a single word not at a sentence start."""
    if not (clear_before(text, tokens, first) and clear_after(text, tokens, last)):
        return False
    if last > first:
        return True
    return not sentence_initial(text, tokens[first].start)


def in_context(text: str, tokens: list[Token], first: int, last: int, places: Spans,
               headline: bool) -> bool:
    """A place-name pattern around the name ("in X", "X region", "X-based"), or a
    place listed with it ("Donetsk and Lukansk")."""
    if not headline and not (clear_before(text, tokens, first) and clear_after(text, tokens, last)):
        return False
    return place_pattern(text, tokens, first, last, places, LOCATIVES)


def place_pattern(text: str, tokens: list[Token], first: int, last: int, places: Spans,
                  locatives: frozenset[str]) -> bool:
    if places.listed_with(text, tokens[first].start, tokens[last].end):
        return True
    if tokens[last].hyphen_place:
        return True
    before = tokens[first - 1].text.lower() if first else ""
    after = tokens[last + 1].text.lower() if last + 1 < len(tokens) else ""
    return before in locatives or after in PLACE_NOUNS

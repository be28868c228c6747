"""Knowledge-assisted recognition: names the knowledge base knows, found where spaCy missed them.

The statistical tagger misses names it rarely saw ("Donetsk and Lukansk administrations" gets
nothing). ``Recogniser.find`` reads a text beside spaCy's entities and adds the places,
regions and curated names of ``transforms.entities.knowledge`` that stand where a name stands:

* an exact name of a country, continent, first-level region, curated alias or city of at
  least ``min_population``, capitalised, standing alone (no capitalised neighbour, so
  "Paris Hilton" and "Nice Airport" are not places), and not sentence-initial unless the
  context vouches for it;
* a near spelling (one or two edits, six letters or more) of a place, only with that
  context: a place-name pattern ("in X", "X region", "X-based") or next to another place
  ("Donetsk and Lukansk").

Common words that are also towns (Reading, Bath, Nice, Mobile, Split) need the context
too: a capitalised "Reading" is a name only in "in Reading" or "Reading, England". Words
that look like a person (a speech verb or a title beside them) are left alone, and nothing
found ever overlaps an entity of spaCy's. One of spaCy's PERSON or ORG spans that is a
known place in a stricter pattern ("in Kharkiv", "the Horlivka administration") keeps its
span and gets the place's label. The knowledge base is shared; this adds a few sets of
words and no index of its own. What the words around a name say is ``name_context``'s job;
this module decides which knowledge names those places hold.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from schemas.records import Entity
from transforms.entities.consistency import harmonise
from transforms.entities.knowledge import (
    KbEntry,
    KnowledgeBase,
    KnowledgeConfig,
    fold_key,
    label_group,
    load_knowledge,
    max_edits,
)
from transforms.entities.name_context import (
    RELABEL_LOCATIVES,
    Spans,
    Token,
    in_context,
    name_end,
    person_like,
    place_pattern,
    stands_alone,
    title_case,
    tokens_of,
)

Span = tuple[int, int, str]

# Spans the model labelled a person or an organisation may be a place it did not know,
# where ``name_context.RELABEL_LOCATIVES`` stands before them.
RELABEL_FROM = frozenset({"PERSON", "ORG"})
# Common words that are also towns: nouns the model's lexicon cannot tell from place
# names (its nouns include Moscow), month and day names (the tagger marks them as dates,
# a headline may not), and the best known towns named like words, so that the guard holds
# even without the lexicon.
COMMON_NOUNS = frozenset({
    "reading", "bath", "sale", "derby", "deal", "independence", "paradise", "surprise",
    "mission", "temple", "concord", "providence", "enterprise", "aurora", "mesa", "sunrise",
    "victory", "liberty", "union", "harmony", "hope", "faith", "march", "may", "june",
    "july", "august", "january", "february", "april", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "police", "batman", "will", "big", "makes", "split", "nice", "mobile", "orange",
})
# Kinds whose names are names wherever they stand; a region ("Rivers", a Nigerian state)
# or a town needs its place in the sentence to say so.
STRONG_KINDS = frozenset({"country", "continent"})
# Spans of the text handed to ``find`` that count as places a name can be listed with.
PLACE_LABELS = frozenset({"GPE", "LOC"})



@dataclass(frozen=True)
class RecogniserConfig:
    """Which knowledge names may be recognised without the tagger.

    ``min_population`` (100000): smaller cities are left to the tagger; their names are
    too often also surnames and words.
    ``standalone_population`` (500000): a city this large is a name even in a Title Case
    headline, where capitals say nothing; smaller ones need a place-name pattern there.
    ``near_min_letters`` (6): shorter words are never read as misspellings.
    """

    min_population: int = 100_000
    standalone_population: int = 500_000
    near_min_letters: int = 6


@dataclass(slots=True)
class _Candidate:
    first: int
    last: int
    start: int
    end: int
    entry: KbEntry | None
    common: bool


class Recogniser:
    """Finds knowledge names in a text; built once per process over the shared knowledge."""

    def __init__(self, knowledge: KnowledgeBase, common_words: Iterable[str] = (),
                 config: RecogniserConfig = RecogniserConfig()) -> None:
        self.knowledge = knowledge
        self.config = config
        self.common_words = frozenset(w.lower() for w in common_words) | COMMON_NOUNS

    def find(self, text: str, entities: Sequence[Span], field: str = "text") -> list[Entity]:
        """Entities the knowledge adds to ``entities`` (spaCy's spans, any label), none
        overlapping them, and those of spaCy's PERSON and ORG spans that are places by
        their context ("in Kherson"), with the same span and the place's label; offsets
        into ``text``."""
        tokens = tokens_of(text)
        if not tokens:
            return []
        taken = Spans((s, e) for s, e, _ in entities)
        places = [(s, e) for s, e, label in entities if label in PLACE_LABELS]
        # Only a title is read as a headline: a body's capitals are evidence.
        headline = field == "title" and title_case(tokens)
        exact, near = self._scan(tokens, taken, headline)
        accepted: list[_Candidate] = []
        waiting: list[_Candidate] = []
        for candidate in exact:
            if _person_like(tokens, candidate):
                continue
            if self._stands_alone(text, tokens, candidate, headline):
                accepted.append(candidate)
            else:
                waiting.append(candidate)
        found_places = [(c.start, c.end) for c in accepted if c.entry.label in PLACE_LABELS]
        # A place that needs context may get it from another found one ("Bath and Bristol").
        listed = Spans(places + found_places)
        for candidate in waiting:
            if in_context(text, tokens, candidate.first, candidate.last, listed, headline):
                accepted.append(candidate)
        listed = Spans(places + [(c.start, c.end) for c in accepted
                                  if c.entry.label in PLACE_LABELS])
        for i in near:
            candidate = self._near_at(text, tokens, i, taken, listed, headline)
            if candidate is not None:
                accepted.append(candidate)
        accepted += self._relabelled(text, tokens, entities, places + [
            (c.start, c.end) for c in accepted if c.entry.label in PLACE_LABELS])
        return [Entity(text[c.start:c.end], c.entry.label, c.start, c.end, field=field)
                for c in sorted(accepted, key=lambda c: c.start)]

    def harmonise(self, fields: dict[str, str], entities: list[Entity]) -> list[Entity]:
        """The article's entities made consistent (``transforms.entities.consistency``),
        with this recogniser's common words and the knowledge's places."""
        return harmonise(fields, entities, self._common, self._is_country, self._is_place,
                         lambda name: self.knowledge.is_personal_name(fold_key(name)))

    def _is_country(self, name: str) -> bool:
        """A country, or one of the nations of the United Kingdom (they field teams of
        their own): a national team keeps the place's label."""
        return any(e.kind == "country" or (e.kind == "region" and e.country == "GB")
                   for e in self.knowledge.lookup(fold_key(name)))

    def _is_place(self, name: str) -> bool:
        """A known place, or a curated name of anything or its surname (a headline's
        "Putin")."""
        folded = fold_key(name)
        entry = self._known(folded) or self.knowledge.person_by_surname(folded)
        return entry is not None and (entry.curated or entry.label in PLACE_LABELS)

    def _scan(self, tokens: list[Token], taken: Spans,
              headline: bool) -> tuple[list[_Candidate], list[int]]:
        """Knowledge names clear of the model's spans, and the capitalised words that are
        none (which may be near spellings)."""
        exact, near = [], []
        i = 0
        while i < len(tokens):
            if not tokens[i].capitalised:
                i += 1
                continue
            found = self._exact_at(tokens, i, taken, headline)
            if found is not None:
                exact.append(found)
                i = found.last + 1
                continue
            near.append(i)
            i += 1
        return exact, near

    def _exact_at(self, tokens: list[Token], i: int, taken: Spans,
                  headline: bool) -> _Candidate | None:
        """The longest knowledge name starting at token ``i`` (at most four words)."""
        if not tokens[i].capitalised:
            return None
        for last in range(name_end(tokens, i), i - 1, -1):
            words = tokens[i:last + 1]
            if not words[-1].capitalised:
                continue
            start, end = words[0].start, words[-1].end
            if taken.overlaps(start, end):
                continue
            name = " ".join(t.text for t in words)
            if not self._plausible_surface(name, headline):
                continue
            entry = self._known(fold_key(name))
            if entry is not None:
                # Countries and curated names are names even when also words (Japan).
                common = (last == i and not (entry.curated or entry.kind in STRONG_KINDS)
                          and self._common(name))
                return _Candidate(i, last, start, end, entry, common)
        return None

    def _near_at(self, text: str, tokens: list[Token], i: int, taken: Spans,
                 places: Spans, headline: bool) -> _Candidate | None:
        token = tokens[i]
        folded = fold_key(token.text)
        if (not token.capitalised or len(folded) < self.config.near_min_letters
                or " " in folded or self._common(token.text)
                or taken.overlaps(token.start, token.end)
                or self.knowledge.is_known_name(folded)):
            return None
        candidate = _Candidate(i, i, token.start, token.end, None, False)
        # Context first: it is cheap and rules out nearly every capitalised word.
        if _person_like(tokens, candidate) or not in_context(
                text, tokens, candidate.first, candidate.last, places, headline):
            return None
        found = [(entry, distance) for entry, _, distance
                 in self.knowledge.near(folded, max_edits(folded))
                 if self._qualifies(entry) and label_group(entry.label) == "place"]
        if not found or len({e.kb_id for e, d in found if d == found[0][1]}) > 1:
            return None
        candidate.entry = found[0][0]
        return candidate

    def _relabelled(self, text: str, tokens: list[Token], entities: Sequence[Span],
                    places: list[tuple[int, int]]) -> list[_Candidate]:
        """spaCy's PERSON and ORG spans that are a known place in a place-name pattern or
        listed with a place ("Kherson and Mykolaiv regions"); a second pass lets a
        relabelled place vouch for its neighbour."""
        suspects = [(s, e) for s, e, label in entities if label in RELABEL_FROM]
        if not suspects:
            return []
        index = {token.start: n for n, token in enumerate(tokens)}
        found: dict[int, _Candidate] = {}
        for _ in range(2):
            listed = Spans(places + [(c.start, c.end) for c in found.values()])
            for start, end in suspects:
                first = index.get(start)
                if first is None or start in found:
                    continue
                last = first
                while last + 1 < len(tokens) and tokens[last].end < end:
                    last += 1
                # "in Austin's office" is a person's office.
                if tokens[last].end != end or text[end:end + 2] in ("'s", "’s"):
                    continue
                entry = self._known(fold_key(text[start:end]))
                if entry is None or entry.label not in PLACE_LABELS:
                    continue
                candidate = _Candidate(first, last, start, end, entry, False)
                if not _person_like(tokens, candidate) and place_pattern(
                        text, tokens, first, last, listed, RELABEL_LOCATIVES):
                    found[start] = candidate
        return list(found.values())

    def _known(self, folded: str) -> KbEntry | None:
        for entry in self.knowledge.lookup(folded):
            if self._qualifies(entry):
                return entry
        return None

    def _qualifies(self, entry: KbEntry) -> bool:
        if entry.curated or entry.kind in STRONG_KINDS or entry.kind == "region":
            return True
        return entry.kind == "city" and entry.population >= self.config.min_population

    def _strong(self, entry: KbEntry) -> bool:
        return (entry.curated or entry.kind in STRONG_KINDS
                or entry.population >= self.config.standalone_population)

    def _stands_alone(self, text: str, tokens: list[Token], candidate: _Candidate,
                      headline: bool) -> bool:
        """Whether the name is a name by where it stands, without other context; in a
        headline, where capitals say nothing, only a strong name is."""
        if candidate.common:
            return False
        if headline:
            return self._strong(candidate.entry)
        return stands_alone(text, tokens, candidate.first, candidate.last)

    def _plausible_surface(self, name: str, headline: bool) -> bool:
        """Short words are names only as written acronyms (US, EU), never "Us" or "OF"."""
        letters = sum(c.isalpha() for c in name)
        if letters > 3:
            return True
        return name.isupper() and not headline

    def _common(self, word: str) -> bool:
        return _is_common(word.lower(), self.common_words)


@lru_cache(maxsize=1 << 14)
def _lemmas(word: str) -> tuple[str, ...]:
    """The word and what it is with an English inflection taken off (readings -> read)."""
    forms = [word]
    for suffix, replacement in (("ies", "y"), ("es", "e"), ("es", ""), ("s", ""), ("ed", "e"),
                                ("ed", ""), ("ing", "e"), ("ing", ""), ("er", ""), ("est", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: len(word) - len(suffix)] + replacement)
    return tuple(forms)


def _is_common(word: str, common_words: frozenset[str]) -> bool:
    return any(form in common_words for form in _lemmas(word))


def english_common_words(model_path: str) -> frozenset[str]:
    """Verbs, adjectives and adverbs of the English lexicon the spaCy model ships for its
    lemmatizer (WordNet's). Its nouns are left out: they include Moscow and Paris."""
    from pathlib import Path

    from spacy.lookups import Lookups

    folder = Path(model_path) / "lemmatizer" / "lookups"
    if not folder.is_dir():
        return frozenset()
    index = Lookups().from_disk(folder).get_table("lemma_index")
    words = set()
    for part in ("verb", "adj", "adv"):
        words.update(w for w in index.get(part, ()) if w.isalpha())
    return frozenset(words)


_LOADED: dict[tuple[KnowledgeConfig, str | None], Recogniser] = {}
_LOCK = threading.Lock()


def load_recogniser(knowledge_config: KnowledgeConfig = KnowledgeConfig(),
                    model_path: str | None = None) -> Recogniser:
    """The recogniser over the process's shared knowledge base (``load_knowledge``, kept
    on disk), built once per process and configuration."""
    with _LOCK:
        key = (knowledge_config, model_path)
        recogniser = _LOADED.get(key)
        if recogniser is None:
            from transforms.entities.ner import english_model_path

            words = english_common_words(model_path or english_model_path())
            recogniser = _LOADED[key] = Recogniser(load_knowledge(knowledge_config), words)
        return recogniser


def _person_like(tokens: list[Token], candidate: _Candidate) -> bool:
    kind = candidate.entry.kind if candidate.entry is not None else None
    return person_like(tokens, candidate.first, candidate.last, kind)

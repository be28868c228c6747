"""One name, one entity, one label in an article: the tagger's answers made consistent.

spaCy decides each occurrence of a name alone, so an article that says "Whitney Houston"
in one sentence may tag "Houston" a city in the next, tag "Kyiv" in the body but miss the
dateline "KYIV", or call a club a place in a match report. ``harmonise`` reads the whole
article (headline and body) once the tagger and the knowledge recogniser are done:

* a lone surname of the one person named in full is that person ("Houston recorded",
  "Parry said"), unless a place word stands before it ("in Houston");
* a name tagged with one label more often than all others together takes it everywhere;
* an untagged occurrence of a tagged name (in the headline, in capitals in a dateline) is
  that name, unless the name is also a common word ("May", "Will");
* teams, not the places they are named after, in a text about sport (``sports``), and
  companies with their short names wherever they stand (``companies``);
* a lower-case "the" before a name is not part of it ("the United States");
* a span the tagger ran into a bracket or from a list's heading is cut to the name;
* a dateline may open one of the body's first lines, after a slug line and a byline.

Offsets stay into the field each entity names; nothing found overlaps another entity.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from schemas.records import Entity
from transforms.entities.companies import companies, short_names
from transforms.entities.sports import teams, without_column_heads
from transforms.entities.spans import (DATELINE, NAME_LABELS, PLACE_BEFORE, PLACE_LABELS,
                                       WORD, bare, overlaps, stands_apart, whole_word_matches,
                                       word_before)

# A dateline opens the body, or one of its first lines when a headline and a byline come
# before it in the text.
DATELINE_LINES = 4
_LINE_START = re.compile(r"^", re.MULTILINE)
# A capitalised word not at the start of a sentence: a name in the body.
_CAPITALISED = re.compile(r"(?<=[\w,;:] )[A-Z][\w'’-]*")


def harmonise(fields: dict[str, str], entities: list[Entity],
              common: Callable[[str], bool] = lambda word: False,
              is_country: Callable[[str], bool] = lambda name: False,
              is_place: Callable[[str], bool] = lambda name: False,
              is_personal: Callable[[str], bool] = lambda name: False) -> list[Entity]:
    """The article's entities made consistent; ``fields`` maps "title" and "text" to
    their text, ``common(word)`` says whether a one-word name is also a common word,
    ``is_country(name)`` whether a name is a country's and ``is_place(name)`` whether it
    is a known place's, and ``is_personal(name)`` whether it is a person's name."""
    entities = _without_article(entities)
    entities = _trimmed(entities)
    entities = without_column_heads(fields, entities)
    entities = companies(fields, entities)
    entities = _dateline(fields, entities, is_place)
    entities = _headline(fields, entities, is_place)
    entities = _surnames(fields, entities, is_country, is_place)
    entities = _majority(entities, is_personal)
    entities = short_names(fields, entities, common, is_place, is_country)
    entities = teams(fields, entities, is_country, is_place)
    entities = _propagate(fields, entities, common)
    return sorted(entities, key=lambda e: (e.field != "title", e.start))


def _without_article(entities: list[Entity]) -> list[Entity]:
    """"the United States" names the United States: an article in lower case is not part
    of the name (a capital "The" may be: The Hague, The Times), as in the project's gold
    and in CoNLL-2003, and "the Meridian Rail" is then carried to "Meridian Rail"."""
    return [Entity(e.text[4:], e.label, e.start + 4, e.end, field=e.field)
            if e.text.startswith("the ") and len(e.text) > 4 else e for e in entities]


def _trimmed(entities: list[Entity]) -> list[Entity]:
    """A span the tagger ran past a name's end into a bracket ("Democratic Alliance (DA")
    or from a list's heading into it ("Defenders - Kristoffer Ajer") is cut to the name."""
    changed = []
    for entity in _split_at_closing_bracket(entities):
        text, start = entity.text, entity.start
        if "(" in text and ")" not in text[text.index("("):]:
            text = text[:text.index("(")].rstrip()
        if " - " in text:
            cut = text.rindex(" - ") + 3
            text, start = text[cut:], start + cut
        if text != entity.text:
            if not text[:1].isupper():
                continue
            entity = Entity(text, entity.label, start, start + len(text), field=entity.field)
        changed.append(entity)
    return changed


def _split_at_closing_bracket(entities: list[Entity]) -> list[Entity]:
    """A span across a bracket that closes without opening ("(Treasury Secretary Robert)
    Rubin") holds two names, one on each side: each capitalised side is kept apart."""
    split = []
    for entity in entities:
        close = entity.text.find(")")
        if close < 0 or "(" in entity.text[:close]:
            split.append(entity)
            continue
        left = entity.text[:close].rstrip()
        right = entity.text[close + 1:].lstrip()
        right_at = len(entity.text) - len(right)
        if left[:1].isupper():
            split.append(Entity(left, entity.label, entity.start, entity.start + len(left),
                                field=entity.field))
        if right[:1].isupper():
            split.append(Entity(right, entity.label, entity.start + right_at, entity.end,
                                field=entity.field))
    return split


def _dateline(fields: dict[str, str], entities: list[Entity],
              is_place: Callable[[str], bool]) -> list[Entity]:
    """The place a wire story opens with, in capitals ("KYIV, Dec 6 -"), is a place; so is
    one opening a line of its own near the top, after a headline and a byline."""
    text = fields.get("text", "")
    for line in list(_LINE_START.finditer(text))[:DATELINE_LINES]:
        match = DATELINE.match(text, line.start())
        if match is None or not is_place(match.group(1).title()):
            continue
        start, end = match.span(1)
        entities = [e for e in entities
                    if not (e.field == "text" and e.start < end and start < e.end)]
        entities.append(Entity(match.group(1), "GPE", start, end, field="text"))
    return entities


def _headline(fields: dict[str, str], entities: list[Entity],
              is_place: Callable[[str], bool]) -> list[Entity]:
    """In a Title Case headline capitals say nothing, so a headline entity stands only
    where the body names it or the knowledge knows it: cut to the body's name inside it
    ("Lula Sworn" -> "Lula"), else to its words up to the last one that is capitalised in
    the body ("Fiona Bianchi Defends" -> "Fiona Bianchi"), or dropped when none is ("Oil
    Falls"). Where headline and body disagree on a known place, it is a place."""
    title, body = fields.get("title", ""), fields.get("text", "")
    if not title or not _title_case(title):
        return entities
    named = {e.text: e.label for e in entities if e.field == "text"}
    body_capitals = {w for w in _CAPITALISED.findall(body)}
    kept = [e for e in entities if e.field != "title"]
    for entity in (e for e in entities if e.field == "title"):
        if entity.text in named:
            label = named[entity.text]
            if label != entity.label and not (
                    entity.label in PLACE_LABELS and is_place(entity.text)):
                entity = Entity(entity.text, label, entity.start, entity.end, field="title")
            kept.append(entity)
            continue
        if is_place(entity.text):
            kept.append(entity)
            continue
        inside = [(entity.text.find(n), n) for n in named
                  if n in entity.text and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", entity.text)]
        words = list(re.finditer(r"\S+", entity.text))
        while words and bare(words[-1].group()) not in body_capitals:
            words.pop()
        cut = entity.text[:words[-1].end()] if words else ""
        if inside and not (entity.label == "PERSON" and len(words) > 1 and any(
                cut.endswith(name) and not is_place(name) for _, name in inside)):
            at, name = max(inside, key=lambda found: len(found[1]))
            kept.append(Entity(name, named[name], entity.start + at,
                               entity.start + at + len(name), field="title"))
        elif cut:
            # A person's full name ending in a name of the body ("Fiona Bianchi").
            kept.append(Entity(cut, entity.label, entity.start, entity.start + len(cut),
                               field="title"))
    return kept


def _title_case(title: str) -> bool:
    words = [w for w in WORD.findall(title) if len(w) >= 4 and w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _surnames(fields: dict[str, str], entities: list[Entity],
              is_country: Callable[[str], bool], is_place: Callable[[str], bool]
              ) -> list[Entity]:
    full: dict[str, set[str]] = {}
    for entity in entities:
        words = entity.text.split()
        # A headline's full name makes a place a surname only if the body says it too.
        if (entity.label == "PERSON" and len(words) > 1 and words[-1][:1].isupper()
                and (entity.field == "text" or not is_place(bare(words[-1]))
                     or entity.text in fields.get("text", ""))):
            full.setdefault(bare(words[-1]), set()).add(entity.text)
    surnames = {name for name, owners in full.items() if len(owners) == 1}
    changed = []
    for entity in entities:
        name = bare(entity.text)
        if (entity.label != "PERSON" and entity.label in NAME_LABELS and name in surnames
                and " " not in name and not is_country(name)
                and word_before(fields[entity.field], entity.start) not in PLACE_BEFORE):
            entity = Entity(entity.text, "PERSON", entity.start, entity.end, field=entity.field)
        changed.append(entity)
    return changed


def _majority(entities: list[Entity], is_personal: Callable[[str], bool]) -> list[Entity]:
    """A name tagged one way more often than all others together is that everywhere,
    except that a person's name (a surname) tagged as a person stays one."""
    labels: dict[str, Counter] = {}
    for entity in entities:
        if entity.label in NAME_LABELS:
            labels.setdefault(bare(entity.text), Counter())[entity.label] += 1
    winners = {}
    for name, counts in labels.items():
        if len(counts) > 1:
            label = max(counts, key=counts.__getitem__)
            if counts[label] * 2 > sum(counts.values()):
                winners[name] = label
    return [Entity(e.text, winners[bare(e.text)], e.start, e.end, field=e.field)
            if bare(e.text) in winners and e.label in NAME_LABELS
            and not (e.label == "PERSON" and is_personal(bare(e.text))) else e
            for e in entities]


def _propagate(fields: dict[str, str], entities: list[Entity],
               common: Callable[[str], bool]) -> list[Entity]:
    labels: dict[str, Counter] = {}
    for entity in entities:
        if entity.label in NAME_LABELS:
            labels.setdefault(entity.text, Counter())[entity.label] += 1
    # Lower-case occurrences of a one-word name tell it is also a word; the name itself,
    # capitalised, is not evidence: only words written in lower case in the article are.
    lower = {w for w in WORD.findall(" ".join(fields.values())) if w.islower()}
    names = {}
    for name, counts in labels.items():
        label = max(counts, key=counts.__getitem__)
        # A nationality is an adjective the lexicon knows ("Dutch") but always a name.
        if _worth_carrying(name, common if label != "NORP" else lambda word: False, lower):
            names[name] = label
    if not names:
        return entities
    wanted = {}
    for name, label in names.items():
        wanted.setdefault(name, label)
        if not name.isupper():
            wanted.setdefault(name.upper(), label)
    longest_first = sorted(wanted, key=len, reverse=True)
    added = list(entities)
    for field, text in fields.items():
        # In a Title Case headline a capitalised neighbour says nothing.
        headline = field == "title" and _title_case(text)
        taken = sorted((e.start, e.end) for e in entities if e.field == field)
        for start, end, name in whole_word_matches(text, longest_first):
            if not overlaps(taken, start, end) and (
                    headline or name.isupper() or stands_apart(text, start, end)):
                added.append(Entity(name, wanted[name], start, end, field=field))
    return added


def _worth_carrying(name: str, common: Callable[[str], bool], lower: set[str]) -> bool:
    """A name is carried to its other mentions unless it is short, or one word that is
    also a common word or written in lower case in the article ("Teachers")."""
    letters = sum(c.isalpha() for c in name)
    if letters < 3 or not name[:1].isupper() or "\n" in name:
        return False
    if " " in name:
        return True
    word = name.lower()
    return word not in lower and not common(word)

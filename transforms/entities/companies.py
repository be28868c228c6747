"""Companies and their short names: what the tagger splits or calls a place.

A run of capitalised words ending in a legal form ("Kinross Gold Corp") is an
organisation, and so are its short name ("Kinross"), a name its trade stands before
("brewer Zywiec") and an acronym given for an organisation in brackets ("Democratic
Alliance (DA)") wherever they stand in the article.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from schemas.records import Entity
from transforms.entities.spans import (NAME_LABELS, OPENING_WORDS, bare, overlaps, stands_apart,
                                       whole_word_matches)

# An acronym in brackets right after a name: "National Alliance (AN)".
_ACRONYM_AFTER = re.compile(r" ?\( ?([A-Z][A-Z&]{1,7}) ?\)")
# A company's legal form ends its full name ...
_LEGAL_FORMS = frozenset({"Corp", "Corporation", "Inc", "Ltd", "Plc", "PLC", "plc", "Co", "AG",
                          "SA", "NV", "BV", "LLC", "GmbH", "SpA", "Bhd", "Limited", "Group",
                          "Holdings"})
_COMPANY = re.compile(
    r"(?<![\w&'’.-])[A-Z][\w&'’.-]*(?: (?:[A-Z][\w&'’.-]*|&)){0,4} "
    r"(?P<form>Corp|Corporation|Inc|Ltd|Plc|PLC|plc|AG|NV|LLC|GmbH|SpA|Bhd)\b\.?")
# A company's trade right before its name ("Polish brewer Zywiec", "carmaker Fiat").
_TRADE_BEFORE = re.compile(
    r"(?<![a-z])(?:brewer|carmaker|automaker|chipmaker|drugmaker|insurer|reinsurer|retailer|"
    r"airline|lender|conglomerate|refiner|steelmaker|shipbuilder|planemaker|bank) $")
# "U.S.-based MCI Communications Corp": the first word says where, not who.
_ATTRIBUTIVE = re.compile(r"-(?:based|owned|run|backed|listed|controlled|led)$")
# ... and its short name stops before its trade ("Barrick Gold Corp" is "Barrick").
_COMPANY_WORDS = _LEGAL_FORMS | frozenset({
    "Mining", "Gold", "Minerals", "Resources", "Oil", "Gas", "Petroleum", "Energy", "Bank",
    "Financial", "Industries", "International", "Airlines", "Airways", "Motor", "Motors",
    "Electric", "Steel", "Chemical", "Chemicals", "Communications", "Telecommunications",
    "Pharmaceuticals", "Securities", "Insurance", "Capital", "Company", "Holding", "&", "and",
    "Technologies", "Systems", "Trust", "Investment", "Investments", "Brewery", "Breweries"})


def companies(fields: dict[str, str], entities: list[Entity]) -> list[Entity]:
    """A run of capitalised words ending in a company's legal form ("Kinross Gold Corp")
    is an organisation, whatever the tagger made of its words."""
    for field, text in fields.items():
        for match in _COMPANY.finditer(text):
            start, end = match.span()
            words = match.group().split()[:-1]
            while words and (words[0].lower() in OPENING_WORDS or _ATTRIBUTIVE.search(words[0])):
                start += len(words.pop(0)) + 1
            if not words:
                continue
            # The tagger's spans inside the words matched go, "U.S.-based" with them.
            inside = [e for e in entities if e.field == field and e.start < end and start < e.end]
            if any(e.start < match.start() or e.end > end for e in inside):
                continue
            entities = [e for e in entities if e not in inside]
            entities.append(Entity(text[start:end], "ORG", start, end, field=field))
    return entities


def short_names(fields: dict[str, str], entities: list[Entity],
                common: Callable[[str], bool], is_place: Callable[[str], bool],
                is_country: Callable[[str], bool]) -> list[Entity]:
    """An organisation's short name is that organisation everywhere in the article: the
    acronym it is given in brackets ("National Alliance (AN)"), a company's name without
    its trade and legal form ("Newmont" for "Newmont Mining Corp"), and a name its trade
    stands before ("brewer Zywiec", not "publisher Rupert Murdoch")."""
    short: set[str] = set()
    for entity in entities:
        if entity.label != "ORG":
            continue
        text = fields[entity.field]
        words = entity.text.split()
        acronym = _ACRONYM_AFTER.match(text, entity.end)
        # Its first letter is one of the name's initials, in whatever language's order
        # ("Alleanza Nazionale", AN); "(OT)" after a team's score is overtime.
        if acronym and acronym.group(1)[0] in {w[0] for w in words}:
            short.add(acronym.group(1))
        if len(words) > 1 and words[-1].rstrip(".") in _LEGAL_FORMS:
            kept = list(itertools.takewhile(lambda w: w.rstrip(".,") not in _COMPANY_WORDS,
                                            words))
            name = " ".join(kept)
            if 0 < len(kept) < len(words) and sum(c.isalpha() for c in name) >= 3 and not (
                    is_place(name) or (len(kept) == 1 and common(name.lower()))):
                short.add(name)
    # "Polish brewer Zywiec": a company named after its town is the company everywhere.
    for entity in entities:
        if (entity.label in NAME_LABELS and entity.label != "PERSON"
                and _TRADE_BEFORE.search(fields[entity.field], max(0, entity.start - 16),
                                         entity.start)
                and not is_country(entity.text)):
            short.add(bare(entity.text))
    # A surname of a person the article names is that person's ("Ford").
    short -= {w for e in entities if e.label == "PERSON" for w in e.text.split()[1:]}
    if not short:
        return entities
    longest_first = sorted(short, key=len, reverse=True)
    changed = [Entity(e.text, "ORG", e.start, e.end, field=e.field)
               if e.text in short and e.label in NAME_LABELS else e for e in entities]
    for field, text in fields.items():
        taken = sorted((e.start, e.end) for e in changed if e.field == field)
        for start, end, name in whole_word_matches(text, longest_first):
            if not overlaps(taken, start, end) and stands_apart(text, start, end):
                changed.append(Entity(name, "ORG", start, end, field=field))
    return changed

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
* in a match report ("Barcelona beat Sevilla 3-1"), a line of results ("Chelsea 2
  Arsenal 1", scorers in brackets too), a fixture ("Lazio (5) v Roma (7) 1930"; in
  "Toronto at Atlanta" only the side before "at"), a standings table of a text about
  sport and a squad's "player (club)" the teams are organisations, not the places they
  are named after; a country stays a place (the convention for national teams);
* a lower-case "the" before a name is not part of it ("the United States");
* a span the tagger ran into a bracket or from a list's heading is cut to the name; a
  run of capitalised words ending in a legal form ("Kinross Gold Corp") is an
  organisation, and so are its short name ("Kinross"), a name its trade stands before
  ("brewer Zywiec") and an acronym given for an organisation in brackets ("Democratic
  Alliance (DA)") wherever they stand; a table's column heads ("W L PCT GB") name nothing;
* a dateline may open one of the body's first lines, after a slug line and a byline.

Offsets stay into the field each entity names; nothing found overlaps another entity.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from functools import lru_cache
from collections.abc import Callable

from schemas.records import Entity

# Labels whose names are carried across the article; quantities and dates are not names.
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# A place word before a surname keeps it a place ("in Houston").
_PLACE_BEFORE = frozenset({"in", "at", "from", "to", "near", "outside", "into", "across",
                           "around", "towards", "via", "inside"})
_SCORE = re.compile(r"(?<![\d.:/-])\d{1,2}\s?[-–]\s?\d{1,2}(?![\d.:/-])")
# A sentence with a score is a match report only with one of these in it.
_MATCH_WORDS = re.compile(
    r"\b(?:beat|beats|beaten|drew|draw|draws|lost|defeated|defeats|thrashed|edged|routed|"
    r"win|won|victory|match|goals?|league|cup|striker|coach|champions|leg|half-time)\b",
    re.IGNORECASE)
# Words right beside a team's name in a match report.
_BESIDE_TEAM = re.compile(
    r"(?:beat|beats|beaten|drew|draw|draws|lost|lose|loses|defeated|defeats|thrashed|"
    r"edged|routed|stunned|hosted|hosts|host|face|faces|faced|against|v|vs|versus|with|"
    r"to|over|at)\.?", re.IGNORECASE)
# "Chelsea 2 Arsenal 1", also with the scorers in brackets after each score.
_RESULT_LINE = re.compile(
    r"^\s*(?P<a>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}) (?P<x>\d{1,3})(?: ?\([^()\n]*\))?"
    r"\s*[-–]?\s*(?P<b>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}) (?P<y>\d{1,3})"
    r"(?: ?\([^()\n]*\))?\s*\.?\s*$", re.MULTILINE)
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
# A table's column heads ("W L T GF GA PTS", "P W D L F A Pts") or words that say a text
# is about sport: a table of places with numbers elsewhere is votes or temperatures.
_COLUMN_HEADS = re.compile(r"^(?:[A-Z][A-Za-z]{0,2} ){2,}[A-Z][A-Za-z]{0,2}[^\S\n]*$",
                           re.MULTILINE)
_SPORT = re.compile(
    rf"{_COLUMN_HEADS.pattern}|(?i:\b(?:standings|league table|division|conference|squad|"
    r"scorers|fixtures)\b)", re.MULTILINE)
# A player and their club in brackets, the club's country after it: "Luis Figo (Barcelona)",
# "Rui Costa (Fiorentina, Italy)".
_CLUB_AFTER = re.compile(r" ?\( ?(?P<club>[A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3})"
                         r"(?: ?, ?[A-Z][\w.' ]*)? ?\)")
_TEAM = r"[A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3}"
# A fixture on a line of its own: "Lazio (12) v Roma (7) 1930", "TORONTO AT NY RANGERS".
_FIXTURE_LINE = re.compile(
    rf"^\s*(?P<a>{_TEAM})(?: ?\( ?\d{{1,2}} ?\))? (?P<at>v|vs\.?|V|VS|at|AT) "
    rf"(?P<b>{_TEAM})(?: ?\( ?\d{{1,2}} ?\))?(?: \(?\d{{4}}\)?)?\s*$", re.MULTILINE)
# A row of a standings table: a name (and its country in brackets), then three or more
# counts or a win percentage ("Walsall 21 7 4 10 21 25 25", "MILWAUKEE 8 8 .500 8").
_STANDINGS_ROW = re.compile(
    rf"^\s*(?:\d{{1,2}}\. )?(?P<a>{_TEAM})(?: \( ?[A-Z][\w.' ]* ?\))?"
    r"(?: (?:\d{1,3}|\.\d{3})){3,}\s*$", re.MULTILINE)
# Capitalised words that open a sentence before a name ("In Kyiv", "The Kremlin").
_OPENING_WORDS = frozenset({"in", "at", "on", "the", "from", "for", "to", "by", "with", "and",
                            "but", "as", "after", "before", "of", "near", "outside", "when",
                            "while", "if", "a", "an", "like", "under", "over", "since"})
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_DATELINE = re.compile(
    r"[^\S\n]*([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+)*)(?=(?:,| \(| -| —| –| \d{4}-\d\d-\d\d))")
# A dateline opens the body, or one of its first lines when a headline and a byline come
# before it in the text.
DATELINE_LINES = 4
_LINE_START = re.compile(r"^", re.MULTILINE)
# A capitalised word not at the start of a sentence: a name in the body.
_CAPITALISED = re.compile(r"(?<=[\w,;:] )[A-Z][\w'’-]*")
_WORD = re.compile(r"\w+")


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
    entities = _without_column_heads(fields, entities)
    entities = _companies(fields, entities)
    entities = _dateline(fields, entities, is_place)
    entities = _headline(fields, entities, is_place)
    entities = _surnames(fields, entities, is_country, is_place)
    entities = _majority(entities, is_personal)
    entities = _short_names(fields, entities, common, is_place, is_country)
    entities = _teams(fields, entities, is_country, is_place)
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
    for entity in entities:
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


def _without_column_heads(fields: dict[str, str], entities: list[Entity]) -> list[Entity]:
    """A table's column heads ("W L PCT GB", "P W D L F A Pts") name nothing."""
    heads = {(field, line.start(), line.end()) for field, text in fields.items()
             for line in _COLUMN_HEADS.finditer(text)
             if sum(len(word) == 1 for word in line.group().split()) >= 2}
    return [e for e in entities
            if not any(f == e.field and start <= e.start and e.end <= end
                       for f, start, end in heads)]


def _companies(fields: dict[str, str], entities: list[Entity]) -> list[Entity]:
    """A run of capitalised words ending in a company's legal form ("Kinross Gold Corp")
    is an organisation, whatever the tagger made of its words."""
    for field, text in fields.items():
        for match in _COMPANY.finditer(text):
            start, end = match.span()
            words = match.group().split()[:-1]
            while words and (words[0].lower() in _OPENING_WORDS or _ATTRIBUTIVE.search(words[0])):
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


def _short_names(fields: dict[str, str], entities: list[Entity],
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
            short.add(_bare(entity.text))
    # A surname of a person the article names is that person's ("Ford").
    short -= {w for e in entities if e.label == "PERSON" for w in e.text.split()[1:]}
    if not short:
        return entities
    pattern = re.compile(r"(?<![\w.'’-])(?:" + "|".join(
        re.escape(n) for n in sorted(short, key=len, reverse=True)) + r")(?![\w’]|'\w|-\w)")
    changed = [Entity(e.text, "ORG", e.start, e.end, field=e.field)
               if e.text in short and e.label in NAME_LABELS else e for e in entities]
    for field, text in fields.items():
        taken = sorted((e.start, e.end) for e in changed if e.field == field)
        for match in pattern.finditer(text):
            start, end = match.span()
            if not _overlaps(taken, start, end) and _stands_apart(text, start, end):
                changed.append(Entity(match.group(), "ORG", start, end, field=field))
    return changed


def _dateline(fields: dict[str, str], entities: list[Entity],
              is_place: Callable[[str], bool]) -> list[Entity]:
    """The place a wire story opens with, in capitals ("KYIV, Dec 6 -"), is a place; so is
    one opening a line of its own near the top, after a headline and a byline."""
    text = fields.get("text", "")
    for line in list(_LINE_START.finditer(text))[:DATELINE_LINES]:
        match = _DATELINE.match(text, line.start())
        if match is None or not is_place(match.group(1).title()):
            continue
        start, end = match.span(1)
        entities = [e for e in entities
                    if not (e.field == "text" and e.start < end and start < e.end)]
        entities.append(Entity(match.group(1), "GPE", start, end, field="text"))
    return entities


def _is_venue(text: str, start: int, end: int) -> bool:
    """The place after "at" in a fixture line ("TORONTO AT ATLANTA")."""
    match = _FIXTURE_LINE.match(text, text.rfind("\n", 0, start) + 1)
    return (match is not None and match.group("at").lower() == "at"
            and match.span("b") == (start, end))


def _is_dateline(text: str, start: int, end: int) -> bool:
    """The place a line opens with as a dateline ("ROME, Dec 6 -")."""
    match = _DATELINE.match(text, text.rfind("\n", 0, start) + 1)
    return match is not None and match.span(1) == (start, end)


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
        while words and _bare(words[-1].group()) not in body_capitals:
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
    words = [w for w in _WORD.findall(title) if len(w) >= 4 and w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _surnames(fields: dict[str, str], entities: list[Entity],
              is_country: Callable[[str], bool], is_place: Callable[[str], bool]
              ) -> list[Entity]:
    full: dict[str, set[str]] = {}
    for entity in entities:
        words = entity.text.split()
        # A headline's full name makes a place a surname only if the body says it too.
        if (entity.label == "PERSON" and len(words) > 1 and words[-1][:1].isupper()
                and (entity.field == "text" or not is_place(_bare(words[-1]))
                     or entity.text in fields.get("text", ""))):
            full.setdefault(_bare(words[-1]), set()).add(entity.text)
    surnames = {name for name, owners in full.items() if len(owners) == 1}
    changed = []
    for entity in entities:
        name = _bare(entity.text)
        if (entity.label != "PERSON" and entity.label in NAME_LABELS and name in surnames
                and " " not in name and not is_country(name)
                and _word_before(fields[entity.field], entity.start) not in _PLACE_BEFORE):
            entity = Entity(entity.text, "PERSON", entity.start, entity.end, field=entity.field)
        changed.append(entity)
    return changed


def _majority(entities: list[Entity], is_personal: Callable[[str], bool]) -> list[Entity]:
    """A name tagged one way more often than all others together is that everywhere,
    except that a person's name (a surname) tagged as a person stays one."""
    labels: dict[str, Counter] = {}
    for entity in entities:
        if entity.label in NAME_LABELS:
            labels.setdefault(_bare(entity.text), Counter())[entity.label] += 1
    winners = {}
    for name, counts in labels.items():
        if len(counts) > 1:
            label = max(counts, key=counts.__getitem__)
            if counts[label] * 2 > sum(counts.values()):
                winners[name] = label
    return [Entity(e.text, winners[_bare(e.text)], e.start, e.end, field=e.field)
            if _bare(e.text) in winners and e.label in NAME_LABELS
            and not (e.label == "PERSON" and is_personal(_bare(e.text))) else e
            for e in entities]


def _teams(fields: dict[str, str], entities: list[Entity],
           is_country: Callable[[str], bool],
           is_place: Callable[[str], bool] = lambda name: False) -> list[Entity]:
    """Teams in results tables, fixtures, standings and beside a match report's verbs are
    organisations, and so is every other mention of them in the article."""
    teams: set[tuple[str, int]] = set()
    for field, text in fields.items():
        reports = _match_reports(text)
        sport = bool(reports) or _SPORT.search(text) is not None
        found = _table_teams(text, entities, field, is_place, sport)
        if sport:
            found += _clubs_of_players(text, entities, field, is_country)
        found = sorted(set(found))
        entities = [e for e in entities
                    if not (e.field == field and _overlaps(found, e.start, e.end))]
        for start, end in found:
            label = "GPE" if is_country(text[start:end]) else "ORG"
            entities.append(Entity(text[start:end], label, start, end, field=field))
            teams.add((field, start))
        spans = [(e.start, e.end) for e in entities if e.field == field]
        for sentence in reports:
            for start, end in spans:
                if sentence.start() <= start and end <= sentence.end() and _beside_verb(
                        text, start, end):
                    teams.add((field, start))
    names = {_bare(e.text).casefold() for e in entities if (e.field, e.start) in teams}
    if not names:
        return entities
    changed = []
    for entity in entities:
        # A person's name is a team's only where it is a known place ("Luton"): a match
        # report's verbs are a tennis or squash player's too.
        if (_bare(entity.text).casefold() in names and entity.label in NAME_LABELS
                and entity.label != "ORG" and not is_country(entity.text)
                and (entity.label in PLACE_LABELS or is_place(_bare(entity.text).title()))
                and ((entity.field, entity.start) in teams or not (
                    _is_venue(fields[entity.field], entity.start, entity.end)
                    or _is_dateline(fields[entity.field], entity.start, entity.end)))):
            entity = Entity(entity.text, "ORG", entity.start, entity.end, field=entity.field)
        changed.append(entity)
    return changed


def _match_reports(text: str) -> list[re.Match]:
    """The sentences of a match report: a score and a word of the game. A text about
    sport is one with such a sentence, a table's column heads or words of sports tables."""
    if _SCORE.search(text) is None:
        return []
    return [sentence for sentence in _SENTENCE.finditer(text)
            if _SCORE.search(sentence.group()) and _MATCH_WORDS.search(sentence.group())]


def _table_teams(text: str, entities: list[Entity], field: str,
                 is_place: Callable[[str], bool], sport: bool) -> list[tuple[int, int]]:
    """Spans of the teams in ``text``'s lines of results ("Arsenal 3 Brentford 0"), of
    fixtures and of standings. A fixture's side or a row's name the tagger calls a person
    stays one unless it is a known place (a golfer's "Els 69 73 71", a tennis draw's
    "Djokovic (1) v Nadal (4)"); a fixture needs a side tagged or known, a table mostly
    names tagged as places or organisations, or known."""
    labels = {(e.start, e.end): e.label for e in entities if e.field == field}

    def known(span: tuple[int, int]) -> bool:
        """A known place: a club named after its town, whatever the tagger said."""
        return is_place(text[span[0]:span[1]].title())

    found = []
    for line in _RESULT_LINE.finditer(text):
        found += [line.span("a"), line.span("b")]
    for line in _FIXTURE_LINE.finditer(text):
        # "Toronto at Atlanta": the game is played at a place, which the home side is named after.
        sides = [line.span("a")] + ([line.span("b")] if line.group("at").lower() != "at" else [])
        teams = [s for s in sides if labels.get(s) != "PERSON" or known(s)]
        if any(labels.get(s) or known(s) for s in teams):
            found += teams
    rows = [line.span("a") for line in _STANDINGS_ROW.finditer(text)] if sport else []
    vouched = [s for s in rows if labels.get(s) in PLACE_LABELS | {"ORG"} or known(s)]
    if len(vouched) >= 2 and 2 * len(vouched) >= len(rows):
        found += [s for s in rows if labels.get(s) != "PERSON" or known(s)]
    return found


def _clubs_of_players(text: str, entities: list[Entity], field: str,
                      is_country: Callable[[str], bool]) -> list[tuple[int, int]]:
    """The club in brackets after a person's name in a squad or a list of scorers; a
    country there is the person's country, and stays a place."""
    found = []
    labels = {(e.start, e.end): e.label for e in entities if e.field == field}
    for entity in entities:
        if entity.field != field or entity.label != "PERSON":
            continue
        match = _CLUB_AFTER.match(text, entity.end)
        if match is None:
            continue
        span = match.span("club")
        if labels.get(span, "ORG") in PLACE_LABELS | {"ORG"} and not is_country(match.group("club")):
            found.append(span)
    return found


def _beside_verb(text: str, start: int, end: int) -> bool:
    """A match report's verb or preposition right before or after the name."""
    before = text[max(0, start - 12):start].split()
    after = text[end:end + 12].split()
    return bool((before and _BESIDE_TEAM.fullmatch(before[-1]))
                or (after and _BESIDE_TEAM.fullmatch(after[0])))


def _propagate(fields: dict[str, str], entities: list[Entity],
               common: Callable[[str], bool]) -> list[Entity]:
    labels: dict[str, Counter] = {}
    for entity in entities:
        if entity.label in NAME_LABELS:
            labels.setdefault(entity.text, Counter())[entity.label] += 1
    # Lower-case occurrences of a one-word name tell it is also a word; the name itself,
    # capitalised, is not evidence: only words written in lower case in the article are.
    lower = {w for w in _WORD.findall(" ".join(fields.values())) if w.islower()}
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
    pattern = re.compile(r"(?<![\w.'’-])(?:" + "|".join(
        re.escape(n) for n in sorted(wanted, key=len, reverse=True)) + r")(?![\w’]|'\w|-\w)")
    added = list(entities)
    for field, text in fields.items():
        # In a Title Case headline a capitalised neighbour says nothing.
        headline = field == "title" and _title_case(text)
        taken = sorted((e.start, e.end) for e in entities if e.field == field)
        for match in pattern.finditer(text):
            start, end = match.span()
            if not _overlaps(taken, start, end) and (
                    headline or match.group().isupper() or _stands_apart(text, start, end)):
                added.append(Entity(match.group(), wanted[match.group()], start, end,
                                    field=field))
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


def _stands_apart(text: str, start: int, end: int) -> bool:
    """No capitalised word joined to the match: "Town" in "Yishun New Town" is not the
    name "Town" ("New York" joined by one space counts, "Kyiv. The" does not)."""
    before = text[max(0, start - 2):start]
    after = text[end:end + 2]
    previous = _word_before_raw(text, start)
    if before.endswith(" ") and len(before) == 2 and before[0].isalpha() and (
            previous[:1].isupper() and previous.lower() not in _OPENING_WORDS):
        return False
    return not (after.startswith(" ") and after[1:2].isupper())


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, non-overlapping ``spans``."""
    i = bisect.bisect_left(spans, (end,))
    return i > 0 and spans[i - 1][1] > start


@lru_cache(maxsize=1 << 14)
def _bare(name: str) -> str:
    """A name without a possessive or a leading "the"."""
    name = re.sub(r"['’]s?$", "", name.strip())
    return name[4:] if name.lower().startswith("the ") else name


def _word_before_raw(text: str, start: int) -> str:
    words = _WORD.findall(text[max(0, start - 30):start])
    return words[-1] if words else ""


def _word_before(text: str, start: int) -> str:
    words = _WORD.findall(text[max(0, start - 20):start])
    return words[-1].lower() if words else ""


# A sport named in a headline or a text's first line ("SOCCER - ...", "Tennis: ...").
_SPORT_NAMES = re.compile(
    r"\b(?:soccer|football|rugby|cricket|tennis|golf|basketball|baseball|ice hockey|hockey|"
    r"athletics|cycling|boxing|motor racing|formula one|badminton|volleyball|handball|"
    r"skiing|swimming|snooker|squash|sailing|rowing|nfl|nba|nhl)\b", re.IGNORECASE)


def about_sport(text: str) -> bool:
    """Whether a text is about sport: a sport named in its first line, a match report's
    sentence, a line of results or a table's column heads; there a name shared by a city
    and its club is the club. (Words such as "conference" or "division" alone are not
    enough: a press conference is no league.)"""
    first = text.lstrip().split("\n", 1)[0]
    return (_SPORT_NAMES.search(first) is not None or bool(_match_reports(text))
            or _RESULT_LINE.search(text) is not None or _COLUMN_HEADS.search(text) is not None)


# A dateline's comma, also where the text was split into tokens ("AL-AIN , United Arab").
_COMMA_AFTER = re.compile(r"[^\S\n]?,")


def named_as_place(text: str, start: int, end: int) -> bool:
    """Whether the words around a name make it a place even in a text about sport: a
    place word before it ("in Milan") or a dateline ("ROME, Dec 6 -", a line opening with
    the name in capitals and a comma)."""
    opens_line = not text[text.rfind("\n", 0, start) + 1:start].strip()
    return (_word_before(text, start) in _PLACE_BEFORE - {"at", "to"}
            or _is_dateline(text, start, end)
            or (opens_line and text[start:end].isupper()
                and _COMMA_AFTER.match(text, end) is not None))

"""Which texts are about sport, and which names in them are teams.

In a match report ("Barcelona beat Sevilla 3-1"), a line of results ("Chelsea 2 Arsenal
1", scorers in brackets too), a fixture ("Lazio (5) v Roma (7) 1930"; in "Toronto at
Atlanta" only the side before "at"), a standings table of a text about sport and a squad's
"player (club)" the teams are organisations, not the places they are named after; a
country stays a place (the convention for national teams). A table's column heads ("W L
PCT GB") name nothing. ``harmonise`` applies these to an article, ``canonical`` asks
``about_sport`` and ``named_as_place`` of a name shared by a city and its club.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from schemas.records import Entity
from transforms.entities.spans import (NAME_LABELS, PLACE_BEFORE, PLACE_LABELS, bare,
                                       is_dateline, overlaps, word_before)

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
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


def without_column_heads(fields: dict[str, str], entities: list[Entity]) -> list[Entity]:
    """A table's column heads ("W L PCT GB", "P W D L F A Pts") name nothing."""
    heads = {(field, line.start(), line.end()) for field, text in fields.items()
             for line in _COLUMN_HEADS.finditer(text)
             if sum(len(word) == 1 for word in line.group().split()) >= 2}
    return [e for e in entities
            if not any(f == e.field and start <= e.start and e.end <= end
                       for f, start, end in heads)]




def _is_venue(text: str, start: int, end: int) -> bool:
    """The place after "at" in a fixture line ("TORONTO AT ATLANTA")."""
    match = _FIXTURE_LINE.match(text, text.rfind("\n", 0, start) + 1)
    return (match is not None and match.group("at").lower() == "at"
            and match.span("b") == (start, end))




def teams(fields: dict[str, str], entities: list[Entity],
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
                    if not (e.field == field and overlaps(found, e.start, e.end))]
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
    names = {bare(e.text).casefold() for e in entities if (e.field, e.start) in teams}
    if not names:
        return entities
    changed = []
    for entity in entities:
        # A person's name is a team's only where it is a known place ("Luton"): a match
        # report's verbs are a tennis or squash player's too.
        if (bare(entity.text).casefold() in names and entity.label in NAME_LABELS
                and entity.label != "ORG" and not is_country(entity.text)
                and (entity.label in PLACE_LABELS or is_place(bare(entity.text).title()))
                and ((entity.field, entity.start) in teams or not (
                    _is_venue(fields[entity.field], entity.start, entity.end)
                    or is_dateline(fields[entity.field], entity.start, entity.end)))):
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
    return (word_before(text, start) in PLACE_BEFORE - {"at", "to"}
            or is_dateline(text, start, end)
            or (opens_line and text[start:end].isupper()
                and _COMMA_AFTER.match(text, end) is not None))

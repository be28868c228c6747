"""Repair: turn the text as read into the article's text, recording every edit.

Two passes. ``clean_text`` fixes characters (line breaks, control characters, mojibake,
bidi overrides, zero-width junk, spacing) and needs nothing but the article. ``finish_text``
removes boilerplate, stray foreign-script fragments and the headline, and needs the lines
each publisher repeats, which ``RepairText`` counts per publisher in Beam between the two
passes and joins back to each article by its id.
``repair_text`` runs both for callers without a run (the streaming worker, eval).
"""

import bisect
import dataclasses
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.records import Article, Reject, Repair
from transforms.repair.boilerplate import BoilerplateConfig, remove_boilerplate
from transforms.repair.common_lines import (
    FindCommonLines,
    article_signature,
    common_lines_by_article,
    publisher_key,
    short_line_keys,
)
from transforms.repair.markup import strip_markup
from transforms.repair.mojibake import fix_mojibake
from transforms.repair.scripts import (
    COMMON,
    StrayScriptConfig,
    letter_counts,
    remove_stray_script,
    script_of,
)

Edit = tuple[str, str, str | None]

REJECT_EMPTY = (
    "Nothing was left of the article after repair (it was all boilerplate, markup or "
    "control characters), so check how the page was extracted."
)


@dataclass(frozen=True, slots=True)
class TitleConfig:
    """When the first line is a headline.

    ``max_chars`` (250) and ``max_words`` (30): a headline without a final stop is at most
    this long; 001's 25-word headline fits, 000's 40-word opening sentence does not.
    ``max_stopped_words`` (16): a headline ending with a stop (004) must be this short,
    a single sentence, alone in its paragraph, and shorter than the paragraph after it.
    """

    max_chars: int = 250
    max_words: int = 30
    max_stopped_words: int = 16


@dataclass(frozen=True, slots=True)
class RepairConfig:
    """All of Repair's settings; the defaults are the ones the tests and seeds pin down."""

    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)
    stray_script: StrayScriptConfig = field(default_factory=StrayScriptConfig)
    title: TitleConfig = field(default_factory=TitleConfig)


def tally(edits: Iterable[Edit]) -> list[Repair]:
    """One Repair per distinct edit, in order of first occurrence; a repeated edit says how
    many times it was made, so an article with 500 NBSPs does not carry 500 records."""
    counts: dict[Edit, int] = {}
    for edit in edits:
        counts[edit] = counts.get(edit, 0) + 1
    repairs = []
    for (kind, text, detail), count in counts.items():
        if count > 1:
            detail = f"{detail} ({count} times)" if detail else f"{count} times"
        repairs.append(Repair(kind, text, detail))
    return repairs


def _substitute(pattern: re.Pattern[str], text: str, decide, edits: list[Edit]) -> str:
    """``pattern.sub`` where ``decide(match)`` returns None to keep the match, or
    (replacement, kind, detail) to replace it and record the edit."""

    def replace(match: re.Match[str]) -> str:
        decision = decide(match)
        if decision is None:
            return match.group()
        replacement, kind, detail = decision
        edits.append((kind, match.group(), detail))
        return replacement

    return pattern.sub(replace, text)


# Line breaks: CRLF and lone CR from other systems, Unicode line and paragraph separators.
# NEL (U+0085) is left to the mojibake step: it is the second byte of "Å" or "х" read as
# Latin-1.
_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x0b\x0c]")
_BREAK_TO = {"\u2029": "\n\n"}

# Colour and cursor codes from logs or terminals, removed whole so no "[36m" is left.
_TERMINAL_ESCAPES = re.compile("\x1b\\[[0-9;?]*[A-Za-z]")

# C0 controls other than tab and newline, and DEL: never text, and not part of mojibake
# (UTF-8 bytes of multi-byte characters are all >= 0x80), so they go before ftfy.
_C0 = re.compile("[\x00-\x08\x0e-\x1f\x7f]+")

# What is left after ftfy: C1 controls it could not explain, interlinear annotations,
# the object replacement character, noncharacters, and lone surrogates (which would make
# the text impossible to write as UTF-8).
_LEFTOVER = re.compile("[\x80-\x9f\ufff9-\ufffc\ufffe\uffff\ud800-\udfff]")

_BIDI_OVERRIDES = re.compile("[\u202a-\u202e\u2066-\u2069]+")
# Any character _BREAKS, _TERMINAL_ESCAPES, _C0 or _BIDI_OVERRIDES could match.
_RARE = re.compile("[\r\u2028\u2029\x0b\x0c\x1b\x00-\x08\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

_INVISIBLE = re.compile("[\u200b-\u200f\u061c\u00ad\u2060-\u2064\ufeff]")

# Scripts that need joiners (Persian and the Indic scripts shape words with ZWNJ/ZWJ) and
# those that mark word breaks with ZWSP.
_NEEDS_JOINERS = frozenset(
    {
        "Arabic",
        "Syriac",
        "Devanagari",
        "Bengali",
        "Gurmukhi",
        "Gujarati",
        "Oriya",
        "Tamil",
        "Telugu",
        "Kannada",
        "Malayalam",
        "Sinhala",
        "Khmer",
        "Myanmar",
        "Tibetan",
        "Mongolian",
    }
)
_NEEDS_WORD_BREAKS = frozenset({"Thai", "Lao", "Khmer", "Myanmar", "Tibetan"})
_RTL = frozenset({"Arabic", "Hebrew", "Syriac", "Thaana", "NKo"})
_CONTEXT_SCRIPTS = _NEEDS_JOINERS | _NEEDS_WORD_BREAKS | _RTL

_INVISIBLE_NAMES = {
    "\u200b": "zero width space",
    "\u200c": "zero width non-joiner",
    "\u200d": "zero width joiner",
    "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark",
    "\u061c": "Arabic letter mark",
    "\u00ad": "soft hyphen",
    "\u2060": "word joiner",
    "\ufeff": "byte order mark",
}

# Spaces other than U+0020 (NBSP, thin and em spaces, tabs) become plain spaces; the
# ideographic space is CJK typography and stays.
_ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f]")
_SPACE_RUNS = re.compile(" {2,}")
_EDGE_SPACES = re.compile("(?m)^ +| +$")
_BLANK_RUNS = re.compile("\n{3,}")


def _neighbour_scripts(text: str, start: int, end: int) -> tuple[str, str]:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return (script_of(before) if before else COMMON, script_of(after) if after else COMMON)


def _is_pictograph(char: str) -> bool:
    return bool(char) and (unicodedata.category(char) == "So" or char == "\ufe0f")


def _invisible_decider(text: str):
    """The decision for each invisible character of ``text``: keep what a script needs
    (joiners in Persian and Indic words and emoji, ZWSP in Thai, direction marks in lines
    with right-to-left letters), remove the rest."""
    rtl_lines: dict[int, bool] = {}
    line_starts: list[int] = []

    def line_has_rtl(position: int) -> bool:
        if not line_starts:
            line_starts.extend([0] + [m.end() for m in re.finditer("\n", text)])
        number = bisect.bisect_right(line_starts, position) - 1
        if number not in rtl_lines:
            start = line_starts[number]
            end = line_starts[number + 1] - 1 if number + 1 < len(line_starts) else len(text)
            line = text[start:end]
            rtl_lines[number] = any(script_of(c) in _RTL for c in set(line) if c.isalpha())
        return rtl_lines[number]

    def decide(match: re.Match[str]) -> tuple[str, str, str] | None:
        char = match.group()
        start, end = match.span()
        before, after = _neighbour_scripts(text, start, end)
        if char in "\u200c\u200d" and (before in _NEEDS_JOINERS or after in _NEEDS_JOINERS):
            return None
        if (
            char == "\u200d"
            and _is_pictograph(text[start - 1 : start])
            and _is_pictograph(text[end : end + 1])
        ):
            return None  # emoji sequences such as 👨‍👩‍👧 are built with ZWJ
        if char == "\u200b" and (before in _NEEDS_WORD_BREAKS or after in _NEEDS_WORD_BREAKS):
            return None
        if char in "\u200e\u200f\u061c" and line_has_rtl(start):
            return None
        name = _INVISIBLE_NAMES.get(char, unicodedata.name(char, "invisible character").lower())
        return "", "zero_width", f"removed a {name}"

    return decide


def _remove_invisible(text: str, edits: list[Edit]) -> str:
    found = Counter(_INVISIBLE.findall(text))
    if not found:
        return text
    scripts = letter_counts(text)
    if "\u200d" in found or any(s in _CONTEXT_SCRIPTS for s in scripts):
        return _substitute(_INVISIBLE, text, _invisible_decider(text), edits)
    # Nothing in the text can need them, so they all go in one pass (a text of a million
    # zero-width spaces must not cost a million Python calls).
    for char, count in found.items():
        name = _INVISIBLE_NAMES.get(char, unicodedata.name(char, "invisible character").lower())
        edits.extend([("zero_width", char, f"removed a {name}")] * count)
    return _INVISIBLE.sub("", text)


def clean_text(text: str) -> tuple[str, list[Edit]]:
    """Fix characters and spacing; the lines and paragraphs stay as they are."""
    edits: list[Edit] = []
    # One scan tells whether any of the rare characters below is there at all; most
    # articles have none, and each pattern would otherwise scan the whole text.
    rare = _RARE.search(text) is not None
    if rare:
        text = _substitute(
            _BREAKS,
            text,
            lambda m: (_BREAK_TO.get(m.group(), "\n"), "whitespace", "replaced with a line feed"),
            edits,
        )
        text = _substitute(
            _TERMINAL_ESCAPES, text, lambda m: ("", "control_chars", "removed a terminal escape"),
            edits,
        )
        text = _substitute(_C0, text, lambda m: ("", "control_chars", "removed"), edits)
    if "<" in text:
        text, markup_edits = strip_markup(text)
        edits.extend(markup_edits)
    text, mojibake_edits = fix_mojibake(text)
    edits.extend(mojibake_edits)
    if not text.isascii():
        text = _substitute(_LEFTOVER, text, _leftover_decision, edits)
        if rare or mojibake_edits:
            text = _substitute(_BIDI_OVERRIDES, text, lambda m: ("", "bidi_override", "removed"),
                               edits)
    text = _remove_invisible(text, edits)
    return tidy_spacing(text, edits), edits


def _leftover_decision(match: re.Match[str]) -> tuple[str, str, str]:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "", "control_chars", "removed a lone surrogate"
    return "", "control_chars", "removed"


def tidy_spacing(text: str, edits: list[Edit] | None) -> str:
    """Plain single spaces, no spaces at line ends, at most one blank line between
    paragraphs, none at the ends. With ``edits`` None the changes are the layout left by
    recorded removals and are not recorded again."""
    sink: list[Edit] = [] if edits is None else edits
    # Each pattern scans the whole text; a plain substring test first skips most of them.
    if "\t" in text or not text.isascii():
        text = _substitute(_ODD_SPACES, text, lambda m: (" ", "whitespace", "replaced with a space"),
                           sink)
    if "  " in text:
        text = _substitute(_SPACE_RUNS, text, lambda m: (" ", "whitespace", "collapsed to one space"),
                           sink)
    if " \n" in text or "\n " in text or text.startswith(" ") or text.endswith(" "):
        text = _substitute(_EDGE_SPACES, text, lambda m: ("", "whitespace", "removed at a line end"),
                           sink)
    if "\n\n\n" in text:
        text = _substitute(
            _BLANK_RUNS, text, lambda m: ("\n\n", "whitespace", "collapsed to one blank line"), sink
        )
    stripped = text.strip("\n")
    if stripped != text and edits is not None:
        head = text[: len(text) - len(text.lstrip("\n"))]
        tail = text[len(text.rstrip("\n")) :]
        for fragment in (head, tail):
            if fragment:
                edits.append(("whitespace", fragment, "removed at the start or end of the text"))
    return stripped


_TERMINAL = (".", "!", "?", "…")
_INNER_SENTENCE = re.compile(r"[.!?…][\"”’»)]?\s+[\"“‘«(]?[A-Z]")
# First lines that are short and unstopped but are not headlines: bylines, datelines and
# dates ("By Jane Doe", "KYIV, Feb 22 (Reuters) -", "Tuesday, February 22, 2022").
_NOT_HEADLINE = re.compile(
    r"(?-i:(?:By|BY)\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&)){0,4})"
    r"|.*[-–—]"
    r"|(?:\w+,?\s+)?(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?"
    r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}.*"
    r"|[\d\s/.:,-]+",
    re.IGNORECASE,
)


def _normalised_title(line: str) -> str:
    return " ".join(line.casefold().split())


def _is_headline(line: str, following_line: str, next_paragraph: str, config: TitleConfig) -> bool:
    """A short first line that introduces the body: no stop, or a single short stopped
    sentence alone in its paragraph ahead of a longer one."""
    line = line.strip()
    if not line or len(line) > config.max_chars or not next_paragraph.strip():
        return False
    first_letter = next((char for char in line if char.isalpha()), "")
    if not first_letter or first_letter.islower() or line.endswith((":", ",", ";")):
        return False
    if _NOT_HEADLINE.fullmatch(line):
        return False
    words = len(line.split())
    if not line.rstrip("\"'”’»)").endswith(_TERMINAL):
        return words <= config.max_words
    return (
        words <= config.max_stopped_words
        and following_line == ""
        and not _INNER_SENTENCE.search(line)
        and len(next_paragraph) > 1.5 * len(line)
    )


def extract_title(
    text: str, title: str | None, config: TitleConfig = TitleConfig()
) -> tuple[str | None, str, list[Edit]]:
    """Move the headline out of the text into ``title`` (unless the envelope gave one) and
    drop copies of the title repeated at the top of the text."""
    edits: list[Edit] = []
    lines = text.split("\n")
    if title is None and lines:
        following = lines[1] if len(lines) > 1 else ""
        body = "\n".join(lines[1:]).strip("\n")
        next_paragraph = body.split("\n\n", 1)[0]
        if _is_headline(lines[0], following, next_paragraph, config):
            title = lines[0].strip()
            edits.append(("title", lines[0], "moved the headline to the title"))
            lines = lines[1:]
    if title is not None:
        wanted = _normalised_title(title)
        while True:
            index = next((i for i, line in enumerate(lines) if line.strip()), None)
            if index is None or _normalised_title(lines[index]) != wanted:
                break
            edits.append(("title", lines[index], "removed a repeated copy of the headline"))
            lines = lines[index + 1 :]
    if not edits:
        return title, text, edits
    return title, "\n".join(lines).strip("\n"), edits


def finish_text(
    text: str,
    config: RepairConfig = RepairConfig(),
    common_lines: frozenset[str] | set[str] = frozenset(),
    title: str | None = None,
) -> tuple[str | None, str, list[Edit]]:
    """Remove boilerplate, stray script and the headline from cleaned text."""
    edits: list[Edit] = []
    kept, found = remove_boilerplate(text, config.boilerplate, common_lines)
    # A separator line separates text; in a text of symbols only ("∆°", a kaomoji) there is
    # nothing to separate, and the symbols are the text.
    if kept.strip() or any(char.isalnum() for char in text):
        text = kept
        edits.extend(found)
    text, found = remove_stray_script(text, config.stray_script)
    edits.extend(found)
    if edits:
        text = tidy_spacing(text, None)
    title, text, found = extract_title(text, title, config.title)
    edits.extend(found)
    return title, text, edits


def clean_title(title: str | None) -> tuple[str | None, list[Edit]]:
    """Character fixes for a title given by the envelope; it is one line by definition."""
    if title is None:
        return None, []
    fixed, edits = clean_text(title)
    flat = " ".join(fixed.split())
    if flat != fixed:
        edits.append(("whitespace", fixed, "joined the title into one line"))
    return (flat or None), [(kind, text, f"in the title: {detail}") for kind, text, detail in edits]


def repair_text(
    text: str,
    config: RepairConfig = RepairConfig(),
    common_lines: frozenset[str] | set[str] = frozenset(),
    title: str | None = None,
) -> tuple[str | None, str, list[Repair]]:
    """The whole repair without Beam: (title, text, repairs). An empty text means nothing
    was left, which ``RepairText`` turns into a Reject."""
    title, title_edits = clean_title(title)
    text, edits = clean_text(text)
    title, text, more = finish_text(text, config, common_lines, title)
    return title, text, tally(title_edits + edits + more)


class CleanCharacters(beam.DoFn):
    """First pass: character and spacing fixes, which need nothing but the article."""

    def __init__(self):
        self._changed = Metrics.counter("repair", "articles_with_character_fixes")

    def process(self, article: Article) -> Iterator[Article]:
        title, title_edits = clean_title(article.title)
        text, edits = clean_text(article.text)
        if edits or title_edits:
            self._changed.inc()
        yield dataclasses.replace(
            article,
            title=title,
            text=text,
            repairs=list(article.repairs) + tally(title_edits + edits),
        )


class FinishRepair(beam.DoFn):
    """Second pass: boilerplate (with the lines its publisher repeats), stray script,
    headline; an article with nothing left goes to the ``rejects`` output. Takes an
    article id joined with its articles and their common lines."""

    REJECTS = "rejects"

    def __init__(self, config: RepairConfig):
        self._config = config
        self._rejected = Metrics.counter("repair", "rejected_empty")
        self._boilerplate = Metrics.counter("repair", "boilerplate_lines_removed")
        self._stray = Metrics.counter("repair", "stray_script_fragments_removed")

    def process(self, element: tuple[str, dict]) -> Iterator[Article]:
        _, joined = element
        common_lines = frozenset(joined["common"])
        for article in joined["article"]:
            yield from self._finish(article, common_lines)

    def _finish(self, article: Article, common_lines: frozenset[str]) -> Iterator[object]:
        title, text, edits = finish_text(article.text, self._config, common_lines, article.title)
        self._boilerplate.inc(sum(1 for kind, _, _ in edits if kind == "boilerplate"))
        self._stray.inc(sum(1 for kind, _, _ in edits if kind == "stray_script"))
        if not text.strip():
            self._rejected.inc()
            yield beam.pvalue.TaggedOutput(
                self.REJECTS,
                Reject(
                    id=article.id,
                    source=article.source,
                    reason=REJECT_EMPTY,
                    raw=article.raw,
                    ingested_at=article.ingested_at,
                ),
            )
            return
        # No later stage rejects an article, so its raw bytes (kept for the rejects table)
        # stop here instead of travelling through every stage and shuffle, unless the
        # decode was an unsure guess and they go to ``articles.raw``.
        yield dataclasses.replace(
            article, title=title, text=text, repairs=list(article.repairs) + tally(edits),
            raw=article.raw if article.keep_raw else b"",
        )


class RepairText(beam.PTransform):
    """Articles as read in; {"articles": repaired articles, "rejects": empty ones} out.

    ``common_lines``: a store of the whole run's verdicts (``transforms.state.
    common_lines``), for a run in chunks; else they are found in the articles given.
    ``in_one_step``: for the streaming worker's micro-batches (at most
    ``--max-batch-records`` articles), each publisher's common lines are found in one
    step over all the articles (``common_lines_by_article``: the same lines) instead of
    ten fused stages of groupings, each of which costs every batch the local runner's
    set-up (docs/streaming.md).
    """

    def __init__(self, config: RepairConfig = RepairConfig(), common_lines=None,
                 in_one_step: bool = False):
        super().__init__()
        self._config = config
        self._common_lines = common_lines
        self._in_one_step = in_one_step

    def expand(self, articles):
        cleaned = articles | "CleanCharacters" >> beam.ParDo(CleanCharacters())
        if self._in_one_step and self._common_lines is None:
            joined = (
                cleaned.pipeline
                | "Once" >> beam.Create([None])
                | "JoinCommonLines" >> beam.FlatMap(
                    _joined_in_one_step, beam.pvalue.AsList(cleaned), self._config.boilerplate)
            )
        else:
            counted = cleaned | "ForCounting" >> beam.Map(_counted)
            if self._common_lines is None:
                common = counted | "FindCommonLines" >> FindCommonLines(self._config.boilerplate)
            else:
                common = counted | "StoredCommonLines" >> beam.ParDo(
                    StoredCommonLines(self._common_lines, self._config.boilerplate))
            joined = (
                {"article": cleaned | "ById" >> beam.Map(lambda article: (article.id, article)),
                 "common": common}
                | "JoinCommonLines" >> beam.CoGroupByKey()
            )
        finished = (
            joined
            | "FinishRepair"
            >> beam.ParDo(FinishRepair(self._config)).with_outputs(FinishRepair.REJECTS, main="articles")
        )
        return {"articles": finished.articles, "rejects": finished[FinishRepair.REJECTS]}


class StoredCommonLines(beam.DoFn):
    """(article id, publisher, text) -> (article id, line) for each of its short lines
    that the store holds as its publisher's template."""

    def __init__(self, store, config: BoilerplateConfig) -> None:
        self._store = store
        self._config = config

    def process(self, item: tuple[str, str, str]) -> Iterator[tuple[str, str]]:
        article_id, publisher, text = item
        for line in sorted(self._store.common(publisher, short_line_keys(text, self._config))):
            yield article_id, line


def counted_lines(article: Article, config: BoilerplateConfig = BoilerplateConfig()
                  ) -> tuple[str, str, frozenset[str]]:
    """What a whole run's count of common lines keeps of a decoded article, as
    ``FindCommonLines`` counts it after ``CleanCharacters``: its publisher, its story
    signature and its short lines."""
    text, _ = clean_text(article.text)
    publisher = publisher_key(article.publisher_id, article.url, article.source)
    return publisher, article_signature(text), frozenset(short_line_keys(text, config))


def _joined_in_one_step(_unused: None, cleaned: list[Article],
                        config: BoilerplateConfig) -> Iterator[tuple[str, dict]]:
    """What ``JoinCommonLines`` gives ``FinishRepair``, from all the articles at once."""
    common = common_lines_by_article(map(_counted, cleaned), config)
    by_id: dict[str, list[Article]] = {}
    for article in cleaned:
        by_id.setdefault(article.id, []).append(article)
    for article_id, articles in by_id.items():
        yield article_id, {"article": articles, "common": sorted(common.get(article_id, ()))}


def _counted(article: Article) -> tuple[str, str, str]:
    """What recurrence is counted on: the article, its publisher, its text."""
    return article.id, publisher_key(article.publisher_id, article.url, article.source), article.text

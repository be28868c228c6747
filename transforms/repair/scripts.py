"""Stray foreign-script fragments: a word of another writing system dropped into an
article where it does not belong (a machine-translation or scraper leftover such as the
Arabic word at the start of an English paragraph in seed 001), told apart from legitimate
foreign script: a quoted or bracketed gloss, an explained word, a name, an item of a list,
a phrase of two or more words, a term the article repeats, or a whole article in that
script. A word is removed only when none of these signs is there (``legitimate_because``).

Scripts are classified with ``unicodedata`` (code point ranges for Latin, character-name
prefixes for the rest), so any script Unicode names is handled, not a fixed list.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from transforms.repair.stray_signs import is_explained, is_list_item, is_name

# Edits are (kind, fragment removed, detail); repair.py tallies them into Repair records.
Edit = tuple[str, str, str | None]

COMMON = "Common"

# Writing systems used together for one language count as one script: a Japanese article
# mixes Han, Hiragana and Katakana, a Korean one Hangul and Han.
SCRIPT_GROUPS = {
    "Han": "CJK",
    "Hiragana": "CJK",
    "Katakana": "CJK",
    "Hangul": "CJK",
    "Bopomofo": "CJK",
}

# Character-name prefixes that name a script. Names outside this set ("MICRO SIGN",
# "FEMININE ORDINAL INDICATOR") belong to no script and never make a run foreign.
_NAMED_SCRIPTS = {
    "ARABIC": "Arabic",
    "ARMENIAN": "Armenian",
    "BENGALI": "Bengali",
    "BOPOMOFO": "Bopomofo",
    "CHEROKEE": "Cherokee",
    "CJK": "Han",
    "COPTIC": "Coptic",
    "CYRILLIC": "Cyrillic",
    "DEVANAGARI": "Devanagari",
    "ETHIOPIC": "Ethiopic",
    "GEORGIAN": "Georgian",
    "GREEK": "Greek",
    "GUJARATI": "Gujarati",
    "GURMUKHI": "Gurmukhi",
    "HANGUL": "Hangul",
    "HEBREW": "Hebrew",
    "HIRAGANA": "Hiragana",
    "KANNADA": "Kannada",
    "KATAKANA": "Katakana",
    "KHMER": "Khmer",
    "LAO": "Lao",
    "MALAYALAM": "Malayalam",
    "MONGOLIAN": "Mongolian",
    "MYANMAR": "Myanmar",
    "ORIYA": "Oriya",
    "SINHALA": "Sinhala",
    "SYRIAC": "Syriac",
    "TAMIL": "Tamil",
    "TELUGU": "Telugu",
    "THAANA": "Thaana",
    "THAI": "Thai",
    "TIBETAN": "Tibetan",
    "TIFINAGH": "Tifinagh",
    "NKO": "NKo",
    "IDEOGRAPHIC": "Han",
}

# Latin has no common name prefix ("LATIN SMALL LETTER", but also "LATIN LETTER" and
# fullwidth forms), so it is recognised by block.
_LATIN_RANGES = (
    (0x0041, 0x005A),
    (0x0061, 0x007A),
    (0x00C0, 0x024F),
    (0x0250, 0x02AF),
    (0x1D00, 0x1DBF),
    (0x1E00, 0x1EFF),
    (0x2C60, 0x2C7F),
    (0xA720, 0xA7FF),
    (0xAB30, 0xAB6F),
    (0xFB00, 0xFB06),
    (0xFF21, 0xFF3A),
    (0xFF41, 0xFF5A),
)

# A fragment right after one of these, or right before a closer, is being quoted or
# glossed on purpose: Kyiv (Київ), «Слава Україні», “Путин”.
OPENERS = frozenset("([{«‹“‘„‚\"'「『【〈《（")
CLOSERS = frozenset(")]}»›”’‟\"'」』】〉》）")


@dataclass(frozen=True, slots=True)
class StrayScriptConfig:
    """When a run of foreign script counts as stray.

    ``max_chars`` (40): only short runs; longer ones are text, not a dropped word.
    ``min_letters`` (2): a lone letter (π, β) is a symbol, not a fragment.
    ``max_script_share`` (0.05) and ``min_article_letters`` (100): a script with at least
    this share of the article's letters, and at least this many, is part of the article (a
    bilingual piece), never stray; the count keeps one word in a tiny text from qualifying.
    ``never_stray`` (Latin): names, brands and acronyms in Latin letters are normal in
    articles in any script.
    """

    max_chars: int = 40
    min_letters: int = 2
    max_script_share: float = 0.05
    min_article_letters: int = 100
    never_stray: tuple[str, ...] = ("Latin",)


@lru_cache(maxsize=65536)
def script_of(char: str) -> str:
    """The script group of one character; ``Common`` for digits, punctuation, symbols,
    combining marks shared by scripts, and letters that belong to no script."""
    category = unicodedata.category(char)
    if category[0] not in "LM":
        return COMMON
    code = ord(char)
    for low, high in _LATIN_RANGES:
        if low <= code <= high:
            return "Latin"
    name = unicodedata.name(char, "")
    words = name.split(" ", 2)
    first = words[0]
    if first in ("HALFWIDTH", "FULLWIDTH") and len(words) > 1:
        first = words[1]
    if first == "LATIN":
        return "Latin"
    script = _NAMED_SCRIPTS.get(first)
    if script is None:
        return COMMON
    return SCRIPT_GROUPS.get(script, script)


def letter_counts(text: str) -> Counter[str]:
    """Letters per script group. Counting characters first keeps the per-character work in
    C, so a 1.5 MB article costs one pass plus one lookup per distinct character."""
    counts: Counter[str] = Counter()
    for char, n in Counter(text).items():
        if char.isalpha():
            script = script_of(char)
            if script != COMMON:
                counts[script] += n
    return counts


def dominant_script(text: str) -> str:
    """The script with the most letters, or ``Common`` for text without letters."""
    counts = letter_counts(text)
    return counts.most_common(1)[0][0] if counts else COMMON


_TOKEN = re.compile(r"\S+")
_HSPACE = " \t"


def _token_script(token: str) -> str | None:
    """The single script of a token's letters, ``Common`` if it has none, ``None`` if it
    mixes scripts (Київ-based is not a foreign fragment)."""
    found = COMMON
    for char in token:
        if char.isalpha():
            script = script_of(char)
            if script == COMMON:
                continue
            if found == COMMON:
                found = script
            elif script != found:
                return None
    return found


def _letters(fragment: str) -> int:
    return sum(1 for char in fragment if char.isalpha())


def _is_enclosed(line: str, start: int, end: int, run: str) -> bool:
    """True when the run is quoted or bracketed on either side."""
    lead = run[: len(run) - len(run.lstrip("".join(OPENERS)))]
    trail = run[len(run.rstrip("".join(CLOSERS) + ".,;:!?")) :]
    if lead or any(char in CLOSERS for char in trail):
        return True
    return _neighbour(line, start, -1) in OPENERS or _neighbour(line, end, 1) in CLOSERS


def _neighbour(line: str, index: int, step: int) -> str:
    """The nearest character that is not a space before ``index`` (step -1) or from it
    (step 1); "" at the line's edge. Scans, never slices, so a long line stays linear."""
    position = index - 1 if step < 0 else index
    while 0 <= position < len(line) and line[position] in _HSPACE:
        position += step
    return line[position] if 0 <= position < len(line) else ""


def find_stray_runs(line: str, foreign: frozenset[str]) -> list[tuple[int, int, str]]:
    """Candidate stray runs in one line as (start, end, script): maximal sequences of
    whitespace-separated tokens written only in one foreign script."""
    runs: list[tuple[int, int, str]] = []
    current: list[int] | None = None  # [start, end, ntokens]
    current_script = ""
    for match in _TOKEN.finditer(line):
        script = _token_script(match.group())
        if script is not None and script in foreign:
            if current is not None and script == current_script:
                current[1] = match.end()
                current[2] += 1
            else:
                if current is not None:
                    runs.append((current[0], current[1], current_script))
                current = [match.start(), match.end(), 1]
                current_script = script
            continue
        if script == COMMON and current is not None and not any(c.isalnum() for c in match.group()):
            # A dash or bullet between two foreign words does not end the run.
            continue
        if current is not None:
            runs.append((current[0], current[1], current_script))
            current = None
    if current is not None:
        runs.append((current[0], current[1], current_script))
    return runs


# How far either side of a run its neighbouring word is looked for; bounded so a long line
# with many foreign words stays linear.
_NEAR = 80


_MARKS = "".join(sorted(OPENERS | CLOSERS)) + ".,;:!?"


def _strip_marks(run: str) -> str:
    return run.strip(_MARKS)


def _is_phrase(line: str, start: int, end: int, script: str) -> bool:
    """Two or more words in the script: the run itself, or the run and a word of the same
    script glued to other text next to it ("عيد سعيد.Que")."""
    if len(line[start:end].split()) > 1:
        return True
    before = line[max(0, start - _NEAR) : start].rstrip().rsplit(None, 1)
    after = line[end : end + _NEAR].lstrip().split(None, 1)
    neighbours = (before[-1] if before else "", after[0] if after else "")
    return any(script_of(char) == script for word in neighbours for char in word if char.isalpha())


def legitimate_because(
    line: str,
    start: int,
    end: int,
    script: str,
    config: StrayScriptConfig = StrayScriptConfig(),
    seen: Counter[str] | None = None,
) -> str | None:
    """Why the foreign run ``line[start:end]`` belongs to the text, or None for a stray
    word: an isolated word dropped into a sentence with no sign of being meant."""
    run = line[start:end]
    if len(run) > config.max_chars:
        return "long"
    if _letters(run) < config.min_letters:
        return "a letter or symbol"
    if seen is not None and seen[_strip_marks(run)] > 1:
        return "repeated"
    if _is_enclosed(line, start, end, run):
        return "quoted or bracketed"
    if _neighbour(line, start, -1) == "" and _neighbour(line, end, 1) == "":
        return "a line of its own"
    if _is_phrase(line, start, end, script):
        return "a phrase"
    if is_name(line, start, end):
        return "a name"
    # The signs around the word start after its own punctuation ("привет, שלום").
    end -= len(run) - len(run.rstrip(".,;:!?"))
    if is_explained(line, start, end):
        return "explained"
    if is_list_item(line, start, end):
        return "a list item"
    return None


@dataclass(frozen=True, slots=True)
class ForeignRun:
    """A run of foreign script and the verdict on it: ``because`` is the sign that it
    belongs to the text, or None for a stray word."""

    line: int
    start: int
    end: int
    script: str
    text: str
    because: str | None


def judge_foreign_runs(
    text: str, config: StrayScriptConfig = StrayScriptConfig()
) -> tuple[str, list[ForeignRun]]:
    """The article's dominant script and every run of a foreign script in it, judged."""
    counts = letter_counts(text)
    if len(counts) < 2:
        return (counts.most_common(1)[0][0] if counts else COMMON), []
    dominant = counts.most_common(1)[0][0]
    total = sum(counts.values())
    foreign = frozenset(
        script
        for script, n in counts.items()
        if script != dominant
        and script not in config.never_stray
        and (n / total < config.max_script_share or n < config.min_article_letters)
    )
    if not foreign:
        return dominant, []
    candidates: list[tuple[int, int, int, str]] = []  # line no, start, end, script
    lines = text.split("\n")
    seen: Counter[str] = Counter()
    for number, line in enumerate(lines):
        if not any(script_of(char) in foreign for char in set(line) if char.isalpha()):
            continue
        for start, end, script in find_stray_runs(line, foreign):
            seen[_strip_marks(line[start:end])] += 1
            candidates.append((number, start, end, script))
    return dominant, [
        ForeignRun(number, start, end, script, lines[number][start:end],
                   legitimate_because(lines[number], start, end, script, config, seen))
        for number, start, end, script in candidates
    ]


def remove_stray_script(text: str, config: StrayScriptConfig = StrayScriptConfig()) -> tuple[str, list[Edit]]:
    """Drop foreign-script words with no sign of being meant (``legitimate_because``) from an
    article mostly in another script. Returns the new text and one edit per removed word."""
    dominant, runs = judge_foreign_runs(text, config)
    removals: dict[int, list[tuple[int, int, str, str]]] = {}
    for run in runs:
        if run.because is None:
            # The sentence's own punctuation after the word stays ("... on Sunday 城市.").
            end = run.start + len(run.text.rstrip(".,;:!?…"))
            removals.setdefault(run.line, []).append((run.start, end, run.script, run.text))
    if not removals:
        return text, []
    out: list[str] = []
    edits: list[Edit] = []
    for number, line in enumerate(text.split("\n")):
        spans = removals.get(number)
        if not spans:
            out.append(line)
            continue
        pieces: list[str] = []
        cursor = 0
        for start, end, script, _run in spans:
            # Take one side's spaces with the fragment so no double space is left behind.
            if end < len(line) and line[end] in _HSPACE:
                while end < len(line) and line[end] in _HSPACE:
                    end += 1
            else:
                while start > cursor and line[start - 1] in _HSPACE:
                    start -= 1
            pieces.append(line[cursor:start])
            removed = line[start:end]
            edits.append(
                ("stray_script", removed, f"removed a stray {script} fragment from a {dominant} article "
                 "(not quoted, explained, a name, a list item or a phrase)")
            )
            cursor = end
        pieces.append(line[cursor:])
        out.append("".join(pieces))
    return "\n".join(out), edits

"""Encoding damage (mojibake, double and partial mojibake, HTML entities) fixed with ftfy,
with every change narrowed to the exact fragment that changed and ftfy's explanation kept
as provenance; then the words ftfy cannot read (a lost byte, NFKC, an unusual code page)
where the article's word list confirms a reading (``damaged_words``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

from transforms.repair.damaged_words import (
    before_ftfy,
    c1_words,
    nfkc_words,
    repair_damaged_words,
    single_byte_readings_of,
    suspect_words,
)
from transforms.repair.scripts import COMMON, script_of
from transforms.repair.word_lists import ArticleLanguage

Edit = tuple[str, str, str | None]

# Only what is encoding damage: curly quotes, line breaks, control characters and
# fullwidth forms are the article's own or are handled (and recorded) by other steps.
FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    normalization="NFC",
    explain=True,
)

# ftfy looks at a whole segment to judge whether it is mojibake; a very long line is cut
# at spaces (mojibake never spans an ASCII space) so no single call sees megabytes.
CHUNK_CHARS = 65536

_ENCODING_ACTIONS = frozenset({"encode", "decode", "transcode"})
_ENCODING_FIXES = frozenset({"fix_c1_controls", "fix_surrogates"})
_KIND_OF_FIX = {
    "unescape_html": "html_entities",
    "remove_terminal_escapes": "control_chars",
}
_SPACES = re.compile(r"([ \t]+)")

# A two-byte UTF-8 letter read as Windows-1252 or Latin-1, alone in otherwise clean text
# ("Å\xa0ibenik" for "Šibenik", "ÅšlÄ…sk" for "Śląsk", "сестрÐ¸" for "сестри"): ftfy wants
# more evidence than one letter and leaves it. ``_lone_letter`` says when the pair is decoded.
_CP1252_HIGH = (
    "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
# The soft hyphen (0xAD) is left out: after a capital letter it is far more often a real
# soft hyphen ("SÆ\xadTER") than a garbled "ŭ".
_LONE_LETTER = re.compile(f"[\u00c2-\u00df][\u0080-\u00ac\u00ae-\u00bf{_CP1252_HIGH}]")
_EUROPEAN_LETTERS = ((0x00C0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF))
# Second characters that read as punctuation after a letter: "Ã’s" is a sentence about the
# letter Ã, "AHÅ™" a product name.
_QUOTE_LIKE = frozenset("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u2039\u203a\u2122")


def _kind(explanation: list[tuple[str, str]]) -> str:
    """One kind for a segment's edits: encoding damage wins, since it explains most of them."""
    kinds = []
    for action, parameter in explanation:
        if action in _ENCODING_ACTIONS or parameter in _ENCODING_FIXES:
            return "mojibake"
        if action == "normalize":
            kinds.append("unicode_normalization")
        else:
            kinds.append(_KIND_OF_FIX.get(parameter, "mojibake"))
    return kinds[0] if kinds else "mojibake"


def _describe(explanation: list[tuple[str, str]]) -> str:
    return "ftfy: " + ", ".join(f"{action} {parameter}" for action, parameter in explanation)


def _narrow(old: str, new: str) -> tuple[str, str]:
    """Trim the common prefix and suffix, leaving the fragment that actually changed."""
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return old[head : len(old) - tail], new[head : len(new) - tail]


def diff_fragments(old: str, new: str) -> list[tuple[str, str]]:
    """The changed fragments between two versions of a segment, as (old, new) pairs.

    Encoding fixes never add or remove ASCII spaces in the common case, so comparing
    space-separated tokens pairwise is linear and exact; otherwise the segment's changed
    middle is reported as one fragment.
    """
    old_parts = _SPACES.split(old)
    new_parts = _SPACES.split(new)
    if len(old_parts) == len(new_parts) and old_parts[1::2] == new_parts[1::2]:
        return [_narrow(a, b) for a, b in zip(old_parts, new_parts) if a != b]
    return [_narrow(old, new)]


def _segments(line: str) -> list[str]:
    if len(line) <= CHUNK_CHARS:
        return [line]
    pieces = []
    start = 0
    while len(line) - start > CHUNK_CHARS:
        cut = line.rfind(" ", start + 1, start + CHUNK_CHARS)
        if cut <= start:
            cut = start + CHUNK_CHARS
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return pieces


def _decoded_bytes(byte_values: Iterable[int], codecs: Iterable[str]) -> str:
    """What these bytes read as in any of these codecs."""
    byte_values, codecs = list(byte_values), list(codecs)
    chars = {bytes([byte]).decode(codec, errors="ignore") for codec in codecs for byte in byte_values}
    return re.escape("".join(sorted(chars - {""})))


_CODECS = ftfy.chardata.CHARMAP_ENCODINGS
# Every repair ftfy's encoding fixer makes starts at a UTF-8 lead byte read in some codec,
# followed by a continuation byte read in some codec or by what a lossy copy left in its
# place ("?", SUB or U+FFFD for a lost byte: "SlovenÄ\ufffdina"). ftfy also reads a space
# after some lead bytes as a lost no-break space, in every codec but MacRoman
# (ftfy.chardata.ALTERED_UTF8_RE).
_LEADS = _decoded_bytes(range(0xC0, 0x100), _CODECS)
_CONTINUATIONS = _decoded_bytes(range(0x80, 0xC0), _CODECS)
_LEADS_BEFORE_SPACE = _decoded_bytes(
    (0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9, 0xE2, 0xE3, 0xF0), [c for c in _CODECS if c != "macroman"]
)
_LEAD_THEN_CONTINUATION = re.compile(f"[{_LEADS}][{_CONTINUATIONS}?\x1a\ufffd]|[{_LEADS_BEFORE_SPACE}] ")
# Its other fixers: C1 controls and lone surrogates.
_C1_OR_SURROGATE = re.compile("[\x80-\x9f\ud800-\udfff]")


def _needs_ftfy(segment: str) -> bool:
    """Whether ftfy could change ``segment``: it has an entity, a terminal escape, a
    C1 control or surrogate, text that NFC changes, or a byte pair that may be mojibake.
    Most lines of real news are ASCII with curly quotes, dashes or currency signs and
    have none of these; ftfy on them costs more than the rest of the repair."""
    if "&" in segment or "\x1b" in segment:
        return True
    if segment.isascii():
        return False
    return (
        _LEAD_THEN_CONTINUATION.search(segment) is not None
        or _C1_OR_SURROGATE.search(segment) is not None
        or not unicodedata.is_normalized("NFC", segment)
    )


def _decode_pair(pair: str) -> str | None:
    for codec in ("sloppy-windows-1252", "latin-1"):
        try:
            return pair.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return None


def _nearest_letter_script(text: str, index: int, step: int) -> str:
    """The script of the nearest letter before ``index`` (step -1) or from it (step 1),
    looking past spaces and punctuation but no further than a few characters."""
    position = index - 1 if step < 0 else index
    for _ in range(4):
        if not 0 <= position < len(text):
            break
        if text[position].isalpha():
            return script_of(text[position])
        position += step
    return COMMON


def _lone_letter(text: str, index: int, pair: str, proven: bool) -> bool:
    """Whether ``text[index]``, the letter ``pair`` decodes to, belongs there: ``text`` is
    the word with all its pairs decoded, so "ÑÐµÑ\x81Ñ‚Ñ€Ð¸" is judged as "сестри".
    ``proven``: another pair of the same word was decoded on stronger evidence."""
    letter = text[index]
    before, after = text[index - 1 : index], text[index + 1 : index + 2]
    letter_before, letter_after = before.isalpha(), after.isalpha()
    # A word, a no-break space and the next word ("SELKÄ\xa0EDELLÄ"): only a pair that
    # starts a word ("Å\xa0ibenik") can be a garbled letter.
    if pair[1] == "\xa0" and letter_before:
        return False
    if pair[1] in _QUOTE_LIKE and not (letter_before and letter_after):
        return False
    # A letter whose case does not fit its word is leetspeak or a product name ("MÄ£ÄM").
    if letter.islower() and before.isupper() and after.isupper():
        return False
    if letter.isupper() and before.islower():
        return False
    script = script_of(letter)
    if script == "Latin":
        # ftfy sees Latin letters read as Latin-1 ("Ã©", "Ã¥") and declined this one ("Bremer
        # – DrÃ¥ber" may be Latin-1 or MacRoman); only a word already shown to be garbled
        # overrides that.
        if "\xa1" <= pair[1] <= "\xbf" and not proven:
            return False
        if letter_after and script_of(after) == "Latin":
            return not letter_before or script_of(before) == "Latin"
        # Word-final only with a C1 control: "Ä…" may be "Ä" before an ellipsis.
        return letter_before and script_of(before) == "Latin" and "\x80" <= pair[1] <= "\x9f"
    # Cyrillic or Greek read as Latin: the letters around it are in that script, in its
    # word ("сестрÐ¸") or, for a one-letter word, on both sides ("рибалок Ñ– екологів").
    if letter_before or letter_after:
        return all(script_of(char) == script for char in (before, after) if char.isalpha())
    return _nearest_letter_script(text, index, -1) == script == _nearest_letter_script(text, index + 1, 1)


# Words are looked for this far either side of a pair, so a segment with thousands of
# pairs and no spaces stays linear.
_LONGEST_WORD = 64


def _word_around(text: str, index: int) -> tuple[int, int]:
    """The bounds of the space-separated word holding ``text[index]`` (a no-break space
    does not end a word: it is half of "Å\xa0" in "Å\xa0ibenik")."""
    low, high = max(0, index - _LONGEST_WORD), min(len(text), index + _LONGEST_WORD)
    start = max(text.rfind(" ", low, index), text.rfind("\t", low, index), low - 1) + 1
    ends = [end for end in (text.find(" ", index, high), text.find("\t", index, high)) if end >= 0]
    return start, min(ends, default=high)


# Characters of context kept on each side of a word for ``_nearest_letter_script``.
_MARGIN = 4


def _decoded_word(segment: str, start: int, end: int, pairs: list[tuple[int, int]]):
    """The word with every pair that decodes to a European letter decoded, as
    (context text, [(index in it, pair start)]), with a few characters either side."""
    head = segment[max(0, start - _MARGIN) : start]
    pieces, letters, cursor = [head], [], start
    length = len(head)
    for pair_start, pair_end in pairs:
        pair = segment[pair_start:pair_end]
        letter = _decode_pair(pair)
        if (
            letter is None
            or not letter.isalpha()
            or not any(low <= ord(letter) <= high for low, high in _EUROPEAN_LETTERS)
        ):
            continue
        pieces.append(segment[cursor:pair_start])
        length += pair_start - cursor
        letters.append((length, pair_start))
        pieces.append(letter)
        length += 1
        cursor = pair_end
    pieces.append(segment[cursor : end + _MARGIN])
    return "".join(pieces), letters


def _fix_lone_letters(segment: str, edits: list[Edit]) -> str:
    """Decode lone pairs word by word. A pair with evidence of its own proves the word is
    garbled, and then its Latin-1 pairs are decoded too ("DvoÅ™Ã¡k")."""
    words: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for match in _LONE_LETTER.finditer(segment):
        words.setdefault(_word_around(segment, match.start()), []).append(match.span())
    out: list[str] = []
    cursor = 0
    for (word_start, word_end), pairs in words.items():
        context, letters = _decoded_word(segment, word_start, word_end, pairs)
        proven = False
        for proven in (False, True):
            accepted = [
                _lone_letter(context, index, segment[start : start + 2], proven) for index, start in letters
            ]
            if not any(accepted):
                break
        for (index, start), ok in zip(letters, accepted):
            if not ok:
                continue
            pair, letter = segment[start : start + 2], context[index]
            out.append(segment[cursor:start])
            out.append(letter)
            cursor = start + 2
            edits.append(("mojibake", pair, f"replaced with {letter!r}; a UTF-8 letter read as Windows-1252"))
    if not out:
        return segment
    out.append(segment[cursor:])
    return "".join(out)


def fix_mojibake(text: str) -> tuple[str, list[Edit]]:
    """Fix encoding damage line by line (as ``ftfy.fix_text`` does), so a partly garbled
    article is fixed where it is garbled and left alone elsewhere."""
    edits: list[Edit] = []
    out: list[str] = []
    language = ArticleLanguage(text)
    if not text.isascii() and before_ftfy(text):
        # Before ftfy: it would read these C1 controls as Windows-1252 punctuation, and may
        # take the " ̈" of an NFKC form for a lost no-break space.
        spans = [(a, b) for a, b in c1_words(text) if not _LEAD_THEN_CONTINUATION.search(text, a, b)]
        text = repair_damaged_words(text, spans, language, edits, single_byte_readings_of)
        text = repair_damaged_words(text, nfkc_words(text), language, edits)
    changed = bool(edits)
    for line in text.split("\n"):
        fixed_parts = []
        for segment in _segments(line):
            if not _needs_ftfy(segment):
                fixed_parts.append(segment)
                continue
            fixed, explanation = ftfy.fix_and_explain(segment, FTFY_CONFIG)
            if fixed != segment:
                changed = True
                steps = [tuple(step) for step in explanation or []]
                kind = _kind(steps)
                provenance = _describe(steps)
                for old, new in diff_fragments(segment, fixed):
                    edits.append((kind, old, f"replaced with {new!r}; {provenance}"))
            if not fixed.isascii():
                again = _fix_lone_letters(fixed, edits)
                changed = changed or again != fixed
                fixed = again
            fixed_parts.append(fixed)
        out.append("".join(fixed_parts))
    text = "\n".join(out) if changed else text
    if not text.isascii():
        language.text = text
        text = repair_damaged_words(text, suspect_words(text), language, edits)
    return text, edits

"""Encoding damage (mojibake, double and partial mojibake, HTML entities) fixed with ftfy,
with every change narrowed to the exact fragment that changed and ftfy's explanation kept
as provenance.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

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
# ("Å\xa0ibenik" for "Šibenik", "DvoÅ™Ã¡k"): ftfy wants more evidence than one letter and
# leaves it, so it is decoded here, but only before a letter and only when the result is a
# European letter; a quoted “CAFÇ” has "Ç”", which would decode to "ǔ", and is kept.
_CP1252_HIGH = (
    "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
# The soft hyphen (0xAD) is left out: after a capital letter it is far more often a real
# soft hyphen ("SÆ\xadTER") than a garbled "ŭ".
_LONE_LETTER = re.compile(f"[\u00c2-\u00df][\u0080-\u00ac\u00ae-\u00bf{_CP1252_HIGH}]")
_EUROPEAN_LETTERS = ((0x00C0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF))


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
# place ("?" or SUB for a lost byte). ftfy also reads a space after some lead bytes as a
# lost no-break space, in every codec but MacRoman (ftfy.chardata.ALTERED_UTF8_RE).
_LEADS = _decoded_bytes(range(0xC0, 0x100), _CODECS)
_CONTINUATIONS = _decoded_bytes(range(0x80, 0xC0), _CODECS)
_LEADS_BEFORE_SPACE = _decoded_bytes(
    (0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9, 0xE2, 0xE3, 0xF0), [c for c in _CODECS if c != "macroman"]
)
_LEAD_THEN_CONTINUATION = re.compile(f"[{_LEADS}][{_CONTINUATIONS}?\x1a]|[{_LEADS_BEFORE_SPACE}] ")
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


def _fix_lone_letters(segment: str, edits: list[Edit]) -> str:
    def replace(match: re.Match[str]) -> str:
        pair = match.group()
        start, end = match.span()
        text = match.string
        # Word-final pairs are left alone unless the second character is a C1 control:
        # "Ä…" can be "ą" or a real "Ä" before an ellipsis.
        if not (
            text[end : end + 1].isalpha() or text[start - 1 : start].isalpha() and "\x80" <= pair[1] <= "\x9f"
        ):
            return pair
        letter = _decode_pair(pair)
        if (
            letter is None
            or not unicodedata.category(letter).startswith("L")
            or not any(low <= ord(letter) <= high for low, high in _EUROPEAN_LETTERS)
        ):
            return pair
        edits.append(("mojibake", pair, f"replaced with {letter!r}; a UTF-8 letter read as Windows-1252"))
        return letter

    return _LONE_LETTER.sub(replace, segment)


def fix_mojibake(text: str) -> tuple[str, list[Edit]]:
    """Fix encoding damage line by line (as ``ftfy.fix_text`` does), so a partly garbled
    article is fixed where it is garbled and left alone elsewhere."""
    edits: list[Edit] = []
    out: list[str] = []
    changed = False
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
    return ("\n".join(out) if changed else text), edits

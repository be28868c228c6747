"""Words that mojibake damaged beyond what ftfy can undo, repaired where a word list of the
article's language confirms the repair.

Three kinds of damage leave a word ftfy has no evidence to fix: a byte of a letter was lost
on the way ("ErdoÄan": the second byte of "ğ", read as a C1 control, was dropped), the
garbled text went through NFKC ("MÃ1⁄4nchen": the "¼" of "Ã¼" became "1⁄4"), or the bytes
were read in a code page ftfy will not guess from one word ("pi√π" in MacRoman,
"mГ©dicament" in Windows-1251, "tur\\x92stico": MacRoman bytes read as Latin-1). For a word
that looks like one of these, every reading that explains the damage is tried, and one is
taken only when the word list of the article's language (wordfreq's, from the package)
knows it and does not know the damaged word. A word the list knows is never touched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable, Iterator

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy code pages)

from transforms.repair.word_lists import WordList, frequencies

Edit = tuple[str, str, str | None]

# Code pages a UTF-8 text is read in by mistake, and what ftfy calls them.
_CODEPAGES = {
    "sloppy-windows-1252": "Windows-1252",
    "sloppy-windows-1250": "Windows-1250",
    "sloppy-windows-1251": "Windows-1251",
    "macroman": "MacRoman",
}
# Single-byte text read as Latin-1: its letters 0x80-0x9F become C1 controls.
_SINGLE_BYTE = {"macroman": "MacRoman", "cp437": "code page 437", "cp850": "code page 850"}


def _byte_table(codec: str) -> dict[str, int]:
    table = {}
    for byte in range(0x80, 0x100):
        char = bytes([byte]).decode(codec, errors="ignore")
        if char:
            table.setdefault(char, byte)
    return table


_TABLES = {codec: _byte_table(codec) for codec in _CODEPAGES}
# What NFKC made of a continuation byte's character, per code page ("1⁄4" from "¼", "3"
# from "³", " ̧" from "¸": a spacing accent becomes a space and a combining mark).
_TRACES = {
    codec: {
        form: byte
        for char, byte in table.items()
        if 0x80 <= byte <= 0xBF
        and (form := unicodedata.normalize("NFKC", char)) != char
        and form
        and len(form) <= 3
        and (" " not in form or unicodedata.combining(form[-1]))
    }
    for codec, table in _TABLES.items()
}
_LONGEST_TRACE = 3


def _leads(table: dict[str, int]) -> str:
    return "".join(char for char, byte in table.items() if 0xC2 <= byte <= 0xDF)


# Characters that begin a two-byte UTF-8 letter in some code page. Only the capitals among
# them are looked at after a small letter, where no word puts them (MacRoman's leads are
# quotes and dashes, so only its mathematical signs are kept).
_LATIN_LEADS = "".join(sorted(set(_leads(_TABLES["sloppy-windows-1252"]))
                              | set(_leads(_TABLES["sloppy-windows-1250"]))))
_CYRILLIC_LEADS = _leads(_TABLES["sloppy-windows-1251"])
_MAC_SIGNS = "¬√ƒ≈∆◊÷"
_TRIGGER = re.compile(f"[{re.escape(_LATIN_LEADS + _CYRILLIC_LEADS + _MAC_SIGNS)}]")
_C1 = re.compile("[\x80-\x9f]")
_TRACE_START = frozenset("0123456789⁄μ")
# Capitals no word starts with before a small letter (Ã, Â, Ð, Ù) or almost none (Ñ):
# there they are a lead whose second byte was lost ("Ãoltimos" for "últimos").
_NEVER_FIRST = frozenset("ÃÂÐÑÙ")
# A lead followed by what NFKC makes of a continuation: ftfy cannot read such a word, and
# may take " ̈" for a lost no-break space, so these words are read before ftfy runs.
_NFKC_FORM = re.compile(f"[{re.escape(_LATIN_LEADS)}](?:[0-9⁄μ]|TM| [\u0300-\u036f])")
# Continuation bytes that Windows-1252 shows as signs, not letters: after a lead and before
# a letter they are a garbled letter ftfy declined ("pÃ¢nÄ Ã®n": "®" is the second byte).
_SIGN_CONTINUATIONS = frozenset(
    char
    for char, byte in _TABLES["sloppy-windows-1252"].items()
    if 0x80 <= byte <= 0xBF and not char.isalnum()
)
# A C1 control or the lead of an NFKC form: one character class, so the scan skips fast.
_BEFORE_FTFY = re.compile(f"[\x80-\x9f{re.escape(_LATIN_LEADS)}]")
_WORD_BREAK = re.compile(r"[\s'’\-‐/.,;:!?\"“”„«»()\[\]{}<>|*]")

# How many bytes a lost-byte reading may add to one word, and how far the search for
# readings may go per word and code page (a real word needs a few hundred steps at most).
_MAX_LOST = 2
_MAX_STEPS = 2000
_MAX_WORD = 40
# Search steps per article (about a tenth of a second): an article garbled beyond ftfy
# throughout has hundreds of such words, and each may cost thousands; once it is spent,
# the words left stay as they are.
_ARTICLE_STEPS = 60_000


class Budget:
    """The search steps left for one article."""

    def __init__(self, steps: int = _ARTICLE_STEPS) -> None:
        self.left = steps
# Among readings the list knows, the most frequent wins only this far ahead of the next.
_MARGIN = 10.0


def _is_suspect(text: str, index: int) -> bool:
    """Whether the lead character at ``index`` sits where no word has one: a capital after
    a small letter ("ErdoÄan"), a lead before an NFKC form ("MÃ1⁄4nchen"), a capital lead
    alone between words of Latin letters ("attention Г bien"), a MacRoman sign after a
    letter ("pi√π"). Ordered so that the common case (a capital starting a word) is out
    after one test."""
    char = text[index]
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    if after == "T" and text.startswith("TM", index + 1):
        after = "⁄"  # "™" became "TM": an NFKC form like any other
    if after in _SIGN_CONTINUATIONS and char in _LATIN_LEADS:
        return text[index + 2 : index + 3].isalpha()
    if before.isalpha():
        if char in _MAC_SIGNS:
            return True
        if not char.isupper():
            return after in _TRACE_START
        if before.islower():
            return char in _LATIN_LEADS or before.isascii()
        return after in _TRACE_START
    if after.isalnum():
        return char.isupper() and (after in _TRACE_START or char in _NEVER_FIRST and after.islower())
    if not char.isupper() or before.isalnum():
        return False
    return _latin_around(text, index)


def _latin_around(text: str, index: int) -> bool:
    """Whether the letters nearest on both sides are small Latin letters."""
    left = text[max(0, index - 3) : index].rstrip(" ,.;:!?")
    right = text[index + 1 : index + 4].lstrip(" ,.;:!?")
    return bool(left) and bool(right) and all(
        char.isalpha() and char.islower() and char < "\u0250" for char in (left[-1], right[0])
    )


def _breaks(text: str, index: int) -> bool:
    """Whether ``text[index]`` ends a word; a space before a combining mark does not: it is
    what NFKC made of a spacing accent ("¸" became " ̧")."""
    char = text[index]
    if char == " " and index + 1 < len(text) and unicodedata.combining(text[index + 1]):
        return False
    return _WORD_BREAK.match(char) is not None


def _word_at(text: str, index: int) -> tuple[int, int]:
    start = index
    while start > 0 and not _breaks(text, start - 1):
        start -= 1
    end = index + 1
    while end < len(text) and not _breaks(text, end):
        end += 1
    return start, end


def suspect_words(text: str) -> list[tuple[int, int]]:
    """Spans of the words holding a lead character where no word has one; cheap, so it
    can run on every article (most have none)."""
    spans: list[tuple[int, int]] = []
    for match in _TRIGGER.finditer(text):
        index = match.start()
        if spans and index < spans[-1][1]:
            continue
        if _is_suspect(text, index):
            spans.append(_word_at(text, index))
    return spans


def _utf8_length(byte: int) -> int:
    return 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4


def utf8_readings(
    word: str, codec: str, max_lost: int = _MAX_LOST, budget: Budget | None = None
) -> Iterator[tuple[str, int, int]]:
    """(reading, bytes restored, NFKC forms undone) for each way ``word`` reads as UTF-8
    that was decoded in ``codec``, with lost continuation bytes put back and NFKC forms
    turned back into the character they came from. Letters the code page cannot hold
    ("ı" in "CumhurbaÅkanı") are the word's own and stay as they are."""
    table, traces = _TABLES[codec], _TRACES[codec]
    budget = budget or Budget()
    steps = 0

    def continues(index: int, count: int) -> bool:
        """Whether ``count`` continuation bytes (or NFKC forms of them) start at ``index``."""
        for _ in range(count):
            byte = table.get(word[index : index + 1])
            if byte is not None and 0x80 <= byte <= 0xBF:
                index += 1
                continue
            form = next((form for form in traces if word.startswith(form, index)), None)
            if form is None:
                return False
            index += len(form)
        return True

    def walk(index: int, out: str, pending: bytes, lost: int, undone: int) -> Iterator[tuple[str, int, int]]:
        nonlocal steps
        steps += 1
        budget.left -= 1
        if steps > _MAX_STEPS or budget.left < 0:
            return
        if pending and len(pending) == _utf8_length(pending[0]):
            try:
                char = pending.decode("utf-8")
            except UnicodeDecodeError:
                return
            if not char.isalpha():
                return
            out, pending = out + char, b""
        if not pending:
            if index == len(word):
                yield out, lost, undone
                return
            char = word[index]
            byte = table.get(char)
            size = _utf8_length(byte) if byte is not None and 0xC2 <= byte <= 0xF4 else 0
            followed = size > 0 and continues(index + 1, size - 1)
            # A lead followed by its continuations is one; a two-byte lead without may
            # have lost its byte. Three-byte leads are common letters ("é", "ç") and
            # count only when followed.
            if followed or size == 2:
                yield from walk(index + 1, out, bytes([byte]), lost, undone)
            # Otherwise the character may be the word's own: a letter ftfy fixed
            # ("İçiÅleri"), one the code page cannot hold ("ı").
            if not followed or size > 2:
                yield from walk(index + 1, out + char, b"", lost, undone)
            return
        clear = False
        if index < len(word):
            byte = table.get(word[index])
            if byte is not None and 0x80 <= byte <= 0xBF:
                clear = True
                yield from walk(index + 1, out, pending + bytes([byte]), lost, undone)
            for size in range(min(_LONGEST_TRACE, len(word) - index), 0, -1):
                form = word[index : index + size]
                byte = traces.get(form)
                if byte is not None:
                    clear = clear or not form[0].isascii()
                    yield from walk(index + size, out, pending + bytes([byte]), lost, undone + 1)
        # A byte lost from a two-byte letter, where the next character does not clearly
        # continue it (an "a" or a "3" may be the NFKC form of "ª" or "³", or a letter).
        if not clear and lost < max_lost and _utf8_length(pending[0]) == 2:
            for byte in range(0x80, 0xC0):
                yield from walk(index, out, pending + bytes([byte]), lost + 1, undone)

    yield from walk(0, "", b"", 0, 0)


def single_byte_readings(word: str) -> Iterator[tuple[str, str]]:
    """(reading, code page) for a word whose C1 controls are bytes of a single-byte code
    page read as Latin-1 ("tur\\x92stico" is MacRoman "turístico")."""
    positions = [i for i, char in enumerate(word) if "\x80" <= char <= "\x9f"]
    if not positions or len(positions) > 3:
        return
    for codec in _SINGLE_BYTE:
        letters = [bytes([ord(word[i])]).decode(codec) for i in positions]
        if all(letter.isalpha() for letter in letters):
            chars = list(word)
            for i, letter in zip(positions, letters):
                chars[i] = letter
            yield "".join(chars), codec


def _case_penalty(reading: str, word: str) -> int:
    """Restored letters take the case of the word around them: small in a word of small
    letters (or of one letter), capitals in a word of capitals."""
    letters = [c for c in word if c.isascii() and c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return sum(c.islower() for c in reading)
    return sum(c.isupper() for c in reading) - sum(c.isupper() for c in letters)


def choose(word: str, readings: dict[str, str], frequency: WordList) -> tuple[str, str] | None:
    """The reading the word list confirms, with how it was found; None when it knows the
    damaged word, knows no reading, or knows two without one clearly ahead."""
    if frequency(word) > 0:
        return None
    return _best(word, _known(word, readings, frequency))


def _known(word: str, readings: dict[str, str], frequency: WordList) -> dict[float, list]:
    """The readings the list knows, by frequency: (case penalty, reading, how) each."""
    known: dict[float, list[tuple[int, str, str]]] = {}
    for reading, how in readings.items():
        if reading != word and (value := frequency(reading)) > 0:
            known.setdefault(value, []).append((_case_penalty(reading, word), reading, how))
    return known


def _best(word: str, known: dict[float, list]) -> tuple[str, str] | None:
    if not known:
        return None
    ranked = sorted(known, reverse=True)
    if len(ranked) > 1 and ranked[0] < _MARGIN * ranked[1]:
        return None
    _, reading, how = min(known[ranked[0]])
    return reading, how


@lru_cache(maxsize=None)
def _how_utf8(codec: str, lost: int, undone: int) -> str:
    parts = [f"UTF-8 read as {_CODEPAGES[codec]}"]
    if lost:
        parts.append(f"{lost} lost byte{'s' if lost > 1 else ''} restored")
    if undone:
        parts.append("NFKC undone")
    return ", ".join(parts)


def readings_of(word: str, max_lost: int = _MAX_LOST, budget: Budget | None = None) -> dict[str, str]:
    """Every UTF-8 reading of a damaged word with at most ``max_lost`` bytes put back,
    with how it was found."""
    readings: dict[str, str] = {}
    if len(word) > _MAX_WORD:
        return readings
    for codec in _CODEPAGES:
        for reading, lost, undone in utf8_readings(word, codec, max_lost, budget):
            readings.setdefault(reading, _how_utf8(codec, lost, undone))
    return readings


def single_byte_readings_of(word: str, max_lost: int = 0, budget: Budget | None = None) -> dict[str, str]:
    """Every single-byte reading of a word with C1 controls, with how it was found (no byte
    is lost and little searched: the arguments after ``word`` read like ``readings_of``'s)."""
    return {
        reading: f"{_SINGLE_BYTE[codec]} read as Latin-1" for reading, codec in single_byte_readings(word)
    }


def repair_damaged_words(
    text: str,
    spans: list[tuple[int, int]],
    language: Callable[[], str],
    edits: list[Edit],
    readings: Callable[[str, int, Budget], dict[str, str]] = readings_of,
) -> str:
    """Replace each word of ``spans`` by the reading the article's word list confirms;
    ``language`` is asked for the article's language only if there is a word to check."""
    if not spans:
        return text
    code = language()
    frequency = frequencies(code)
    if frequency is None:
        return text
    out: list[str] = []
    cursor = 0
    budget = Budget()
    for start, end in spans:
        word = text[start:end]
        if budget.left <= 0:
            break
        if frequency(word) > 0:
            continue
        # Fewer lost bytes first: a reading the list knows ends the search, and most words
        # need none (NFKC, another code page), so the costly search for lost bytes is rare.
        for lost in range(_MAX_LOST + 1):
            known = _known(word, readings(word, lost, budget), frequency)
            if known:
                break
        found = _best(word, known)
        if found is None:
            continue
        reading, how = found
        out.append(text[cursor:start])
        out.append(reading)
        cursor = end
        edits.append(("mojibake", word, f"replaced with {reading!r}; beyond ftfy: {how}, "
                                        f"confirmed by the word list of '{code}' (wordfreq)"))
    if not out:
        return text
    out.append(text[cursor:])
    return "".join(out)


def before_ftfy(text: str) -> bool:
    """Whether ``text`` may hold a word to read before ftfy (``c1_words``, ``nfkc_words``):
    one scan, so most articles pay for nothing more."""
    return any(
        text[match.start()] <= "\x9f" or _NFKC_FORM.match(text, match.start())
        for match in _BEFORE_FTFY.finditer(text)
    )


def nfkc_words(text: str) -> list[tuple[int, int]]:
    """Spans of the suspect words that hold a lead followed by an NFKC form."""
    return [(start, end) for start, end in suspect_words(text) if _NFKC_FORM.search(text, start, end)]


def c1_words(text: str) -> list[tuple[int, int]]:
    """Spans of the words with a C1 control after a letter, inside the word or ending it."""
    spans: list[tuple[int, int]] = []
    for match in _C1.finditer(text):
        index = match.start()
        if spans and index < spans[-1][1]:
            continue
        after = text[index + 1 : index + 2]
        if index and text[index - 1].isalpha() and (after.isalpha() or not after.isalnum()):
            spans.append(_word_at(text, index))
    return spans

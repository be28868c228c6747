"""How plausible a decoded text is as written language: the share of its non-ASCII
characters that a wrong decode would explain better.

Only non-ASCII characters are evidence, because every encoding a news source may use reads
ASCII bytes as ASCII. A character is odd when text decoded with the wrong table shows it:
a control code or box drawing; a symbol or a foreign digit glued to a letter (``Geb³hren``,
``zim±``, ``declar๓``); a letter of another script than the text's (``f僡r``); a capital
after a small letter inside a word (``пРАВИТЕЛЬСТВО``, KOI8 read as Windows-1251);
Cyrillic spelling no language allows (``НЫЬЦИМ``, Hebrew read as KOI8-R); isolated Hangul
jamo or half-width katakana; a space between ideographs (Korean read as Chinese); or a
Latin letter that no one language's alphabet shares with the rest of the text (``Espańa``:
Polish ``ń`` among Spanish ``ó`` and ``í``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from transforms.repair.scripts import COMMON, script_of

# Non-ASCII Latin letters of the languages news is written in, by language (lowercase;
# capitals are compared through ``lower``). A text's letters should fit one of them.
ALPHABETS: dict[str, str] = {
    "fr": "àâæçéèêëîïôœùûüÿ",
    "de": "äöüß",
    "es": "áéíñóúü",
    "pt": "áâãàçéêíóôõú",
    "it": "àèéìíîòóùú",
    "ca": "àçèéíïòóúü",
    "nl": "áéèëïóöü",
    "pl": "ąćęłńóśźż",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "hu": "áéíóöőúüű",
    "ro": "ăâîșțşţ",
    "hr": "čćđšž",
    "sl": "čšž",
    "tr": "çğıöşüâîûİ",
    "lt": "ąčęėįšųūž",
    "lv": "āčēģīķļņšūž",
    "et": "äõöüšž",
    "fi": "äöåšž",
    "sv": "åäöé",
    "da": "æøåé",
    "is": "áðéíóúýþæö",
    "sq": "çë",
    "eu": "ñü",
    "en": "",
}
_ALPHABET_SETS = {language: frozenset(letters) for language, letters in ALPHABETS.items()}
# Symbols that are written against a letter in real text (°C, ©Reuters, l·l, €m).
_GLUED_SYMBOLS = frozenset("°©®·€£¥§№")
# Symbols that end a word in real text (km², Nokia™, 20°, 5€).
_TRAILING_SYMBOLS = frozenset("¹²³™®©°€£¥¢%‰")
# Russian, Ukrainian, Belarusian and Bulgarian spelling: ь and ы never start a word or
# follow a vowel (or ь, ъ, й). Hebrew read as KOI8-R breaks this in nearly every sentence.
_CYRILLIC_NEVER_FIRST = frozenset("ьыЬЫ")
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїєьъйАЕЁИОУЫЭЮЯІЇЄЬЪЙ")
# Vowels for the no-vowel test (ъ is one in Bulgarian).
_CYRILLIC_TRUE_VOWELS = frozenset("аеёиоуыэюяіїєъ")
# Lowercase news abbreviations without a vowel (million, billion, trillion).
_NO_VOWEL = frozenset({"млн", "млрд", "трлн"})
# Chinese and Japanese put no space between words; Korean does, so Korean read as Chinese
# or Japanese shows spaces between ideographs.
_IDEOGRAPH_OR_KANA = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]"
_SPACED_IDEOGRAPHS = re.compile(rf"(?<={_IDEOGRAPH_OR_KANA}) (?={_IDEOGRAPH_OR_KANA})")
_TOKEN = re.compile(r"[^\s.,;:!?()\[\]{}\"'«»“”„‘’‚‹›—–\-/…、。，．！？：；「」『』（）【】《》〈〉]+")


@lru_cache(maxsize=65536)
def _group(char: str) -> str:
    """The writing system of a letter, with Han and kana one group (Japanese mixes them in a
    word) and Hangul its own (Korean words do not mix with Han)."""
    script = script_of(char)
    if script != "CJK":
        return script
    return "Hangul" if unicodedata.name(char, "").startswith("HANGUL") else "HanKana"


@lru_cache(maxsize=65536)
def _always_odd(char: str) -> bool:
    """Characters no news text contains: control codes (C1 ones come from reading Windows
    code pages as ISO), unassigned and private-use code points, the replacement character,
    isolated Hangul jamo and half-width katakana (legacy forms a misread produces), box
    drawing."""
    code = ord(char)
    if char in "\t\n\r\f":
        return False
    if 0x3130 <= code <= 0x318F or 0xFF61 <= code <= 0xFF9F or code == 0xFFFD:
        return True
    if 0x2500 <= code <= 0x259F:  # box drawing and block elements: DOS screens, not prose
        return True
    return unicodedata.category(char) in ("Cc", "Co", "Cn")


def _is_letter(char: str) -> bool:
    """A letter or a combining mark; False for the empty string before a word's start."""
    return char.isalpha() or (char != "" and unicodedata.category(char).startswith("M"))


def odd_characters(text: str, language: str | None = None, alphabets: bool = True) -> tuple[int, int]:
    """(odd characters, non-ASCII characters) of ``text``. With ``language`` (the language
    of the text's ASCII words, the same in every reading), Latin letters outside that
    language's alphabet count once more: ``élčves`` fits Czech, but not a French text."""
    chars = Counter(text)
    non_ascii = sum(n for char, n in chars.items() if ord(char) > 127 and not char.isspace())
    if not non_ascii:
        return 0, 0
    groups: Counter[str] = Counter()
    latin: Counter[str] = Counter()
    for char, n in chars.items():
        if char.isalpha() and (group := _group(char)) != COMMON:
            groups[group] += n
            if group == "Latin" and ord(char) > 127:
                # Turkish İ lowercases to two characters (i and a dot); it is kept as is.
                latin[lower if len(lower := char.lower()) == 1 else char] += n
    dominant = groups.most_common(1)[0][0] if groups else COMMON
    odd = 0
    for char, n in chars.items():
        if ord(char) <= 127:
            continue
        if _always_odd(char):
            odd += n
        # A letter or mark of another script than the text's own (ASCII letters count towards it,
        # since they read the same in every encoding) is what a wrong table makes of an accent.
        elif _is_letter(char) and _group(char) not in (dominant, COMMON):
            odd += n
    for token in _TOKEN.findall(text):
        if token.isascii():
            continue
        odd += _odd_in_token(token, dominant)
    odd += len(_SPACED_IDEOGRAPHS.findall(text))
    if latin and alphabets:
        odd += sum(latin.values()) - max(
            sum(n for char, n in latin.items() if char in letters) for letters in _ALPHABET_SETS.values()
        )
        if language in _ALPHABET_SETS:
            odd += sum(n for char, n in latin.items() if char not in _ALPHABET_SETS[language])
    return odd, non_ascii


def _odd_in_token(token: str, dominant: str) -> int:
    odd = 0
    letter_groups = {_group(c) for c in token if c.isalpha()} - {COMMON}
    mixed = len(letter_groups) > 1
    previous = ""
    for index, char in enumerate(token):
        if ord(char) > 127:
            if _is_letter(char):
                if mixed and char.isalpha() and _group(char) not in (dominant, COMMON):
                    odd += 1  # counted twice: inside a word of another script is worse
                elif char.isupper() and previous.islower():
                    odd += 1
                elif char in _CYRILLIC_NEVER_FIRST and (not previous or previous in _CYRILLIC_VOWELS):
                    odd += 1
            elif not _always_odd(char):
                following = token[index + 1: index + 2]
                before_letter = bool(following) and _is_letter(following)
                # A symbol between letters is a misread letter (Catalan l·l aside); so is one
                # before a letter, unless it is written that way (°C, ©Reuters, №5).
                if before_letter and (_is_letter(previous) and char != "·" or char not in _GLUED_SYMBOLS):
                    odd += 1
                # Thai or Arabic-Indic digits against a letter (declar๓): a misread accent.
                elif unicodedata.category(char) == "Nd" and (before_letter or _is_letter(previous)):
                    odd += 1
                # A symbol ending a word is a misread letter too (zim±), unless words end so.
                elif _is_letter(previous) and not following and char not in _TRAILING_SYMBOLS:
                    odd += 1
        elif char.isupper() and previous.islower() and ord(previous) > 127:
            odd += 1
        previous = char
    if letter_groups == {"Cyrillic"}:
        odd += _odd_cyrillic_word(token)
    return odd


def _odd_cyrillic_word(word: str) -> int:
    """Spelling no Cyrillic news language allows: a word ending in ъ, or a lowercase word of
    three letters or more without a vowel (abbreviations are capitals, or in ``_NO_VOWEL``)."""
    odd = int(word[-1] in "ъЪ")
    if len(word) >= 3 and word.islower() and word not in _NO_VOWEL:
        odd += int(not any(char in _CYRILLIC_TRUE_VOWELS for char in word))
    return odd


def plausibility(text: str, language: str | None = None, alphabets: bool = True) -> float:
    """1.0 when no non-ASCII character of ``text`` is odd, falling with the share that is
    (floored at 0). ``alphabets=False`` leaves out the one-language alphabet test, which
    tells Western code pages apart but also flags a French name in a German text."""
    odd, non_ascii = odd_characters(text, language, alphabets)
    return max(0.0, 1.0 - odd / non_ascii) if non_ascii else 1.0

"""Which legacy encoding bytes that are not UTF-8 are in: charset-normalizer proposes the
encodings whose reading is not a mess, and ``transforms.decoding.plausibility`` picks among them.

charset-normalizer alone is weak on a sentence or two: Spanish ``ñ`` comes out as Polish
``ń`` (Windows-1250 ties with Windows-1252), Czech in ISO-8859-2 as Windows-1250. Its
proposals, plus the few readings it is known to drop (Western, sibling tables), are
therefore re-ranked by how plausible each one's text is, and its own order only breaks
ties (``bench/eval/decoding.py`` measures both).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

from charset_normalizer import from_bytes
from langdetect.lang_detect_exception import LangDetectException

from transforms.decoding.plausibility import plausibility
from transforms.language.detect import Detector

# The encodings news sources and archives publish in (Python codec names). Leaving out
# DOS, Mac and rare ISO tables keeps them from winning ties on short texts.
NEWS_ENCODINGS = (
    "cp1252", "latin_1", "iso8859_15",
    "cp1250", "iso8859_2",
    "cp1251", "koi8_r", "koi8_u", "iso8859_5", "cp866",
    "cp1253", "iso8859_7",
    "cp1254", "iso8859_9",
    "cp1255", "iso8859_8",
    "cp1256", "iso8859_6",
    "cp1257", "iso8859_13",
    "cp874",
    "gb18030", "big5", "big5hkscs",
    "shift_jis", "cp932", "euc_jp",
    "euc_kr", "cp949",
)
# Windows and ISO tables of one script, which charset-normalizer treats as siblings: once
# one reads as a mess it skips the other, even when the other is right (Czech in ISO-8859-2
# behind a messy Windows-1250). Weighing every single-byte table instead measured worse: its
# mess filter is worth keeping for the rest.
SIBLINGS = ("cp1250", "iso8859_2", "cp1257", "iso8859_13", "cp1253", "iso8859_7", "cp1254", "iso8859_9")
WESTERN_FIRST = ("cp1252", "latin_1")
# Plausibility is measured on the first characters only: a long article says enough early.
_SAMPLE_CHARS = 65536
_ASCII_WORD = re.compile(rb"(?<![\x80-\xff])\b[A-Za-z]{2,}\b(?![\x80-\xff])")
# charset-normalizer's mess ratio above which a reading is dropped. Its default (0.2) drops
# the right reading of some single sentences (a Polish one in ISO-8859-2 in the case set);
# 0.3 keeps them, and random bytes still get no reading at all.
MAX_MESS = 0.3
# When nothing passes MAX_MESS: the looser second look, and the plausibility a reading then
# needs (random bytes of 300 or more score under 0.8 in every news encoding).
LOOSE_MESS = 0.6
LOOSE_PLAUSIBILITY = 0.9
# langdetect needs a few different words to name a language; fewer, or a less sure
# answer, and no language is assumed.
MIN_ASCII_WORDS = 3
MIN_LANGUAGE_SCORE = 0.9
# Different ASCII words from which the language also counts towards confidence (an article
# has dozens; a sentence a handful). With it, word salads of 1 to 60 words from the case
# sets (about 11,000 decodes) had none wrong and confident.
TRUSTED_WORDS = 12
# How far ahead of every other reading the best one must be to count fully (see confidence).
DECISIVE_LEAD = 0.1


@dataclass(frozen=True, slots=True)
class Guess:
    encoding: str
    text: str
    # How sure the guess is (0-1): how sound its text is, scaled down when a different
    # reading of the same bytes is nearly as sound. See ``confidence``.
    confidence: float


@dataclass(frozen=True, slots=True)
class _Reading:
    encoding: str
    text: str
    plausibility: float
    # Plausibility without the ASCII words' language unless ``TRUSTED_WORDS`` name it: what
    # confidence is measured on, since langdetect on a few words can be wrong (a handful
    # of Polish words read as Portuguese); below that the language only breaks ties.
    sound: float


def guess(raw: bytes) -> Guess | None:
    """The most plausible reading of ``raw`` in a news encoding; None when no encoding reads
    it as text (random or binary bytes)."""
    language, words = ascii_language(raw)
    # Confidence counts the language only when enough words name it (see ``_Reading``).
    trusted = language if words >= TRUSTED_WORDS else None
    proposals = _proposals(raw, MAX_MESS)
    # The Western readings are always weighed: charset-normalizer drops Latin-1 as soon as
    # one byte in 0x80-0x9F reads as a control code, and finds some short Western texts a
    # mess. They go first, so a text several encodings read alike is named after them.
    western = [(encoding, text) for encoding in WESTERN_FIRST if (text := _strict(raw, encoding))]
    loose = not proposals
    if loose:
        # Nothing passed (charset-normalizer's sibling skip, see SIBLINGS, can leave a
        # sentence with no reading): look again with a looser mess limit, and keep only
        # readings nearly all sound (alphabets aside, so a French name in a German text
        # does not count against it).
        proposals = _proposals(raw, LOOSE_MESS)
    siblings = [(encoding, text) for encoding in SIBLINGS if (text := _strict(raw, encoding))]
    readings: dict[str, _Reading] = {}
    for encoding, text in western + proposals + siblings:
        sample = text[:_SAMPLE_CHARS]
        if text in readings or loose and plausibility(sample, alphabets=False) < LOOSE_PLAUSIBILITY:
            continue
        sound = plausibility(sample, trusted)
        ranked_by = sound if language == trusted else plausibility(sample, language)
        readings[text] = _Reading(encoding, text, ranked_by, sound)
    if not readings:
        return None
    # Equally plausible readings: Windows-1252 then Latin-1 first (the commonest legacy
    # encodings, and browsers' default for unlabelled Western pages), then
    # charset-normalizer's order (Python's sort is stable).
    ranked = sorted(readings.values(), key=lambda r: (-round(r.plausibility, 3), _prior(r.encoding)))
    best = ranked[0]
    return Guess(codecs.lookup(best.encoding).name, best.text, confidence(best, ranked[1:]))


def _proposals(raw: bytes, max_mess: float) -> list[tuple[str, str]]:
    matches = from_bytes(raw, cp_isolation=list(NEWS_ENCODINGS), threshold=max_mess,
                         preemptive_behaviour=False)
    return [(match.encoding, str(match)) for match in matches]


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _prior(encoding: str) -> int:
    return WESTERN_FIRST.index(encoding) if encoding in WESTERN_FIRST else len(WESTERN_FIRST)


def ascii_language(raw: bytes) -> tuple[str | None, int]:
    """The language of the ASCII words of ``raw`` (they read the same in every candidate
    encoding, so they are evidence no reading can bend), or None when there are too few;
    and how many different words there are. langdetect's own probabilities are used:
    ``Detector.detect`` wants 20 letters, and a sentence's ASCII words (``magyar hazai
    szerezte``) often have fewer."""
    words = _ASCII_WORD.findall(raw[:_SAMPLE_CHARS])
    distinct = len(set(words))
    if distinct < MIN_ASCII_WORDS:
        return None, distinct
    try:
        best = _detector().probabilities(b" ".join(words[:200]).decode("ascii"))[0]
    except (LangDetectException, IndexError):
        return None, distinct
    # langdetect names some languages with a region (zh-cn); the alphabets are by language.
    return (best.lang.split("-")[0] if best.prob >= MIN_LANGUAGE_SCORE else None), distinct


@lru_cache(maxsize=1)
def _detector() -> Detector:
    return Detector()


def confidence(best: _Reading, others: list[_Reading]) -> float:
    """How sound the best reading is, times how far ahead of every different reading it is
    (a lead of ``DECISIVE_LEAD`` or more counts fully; a tie, or a win the language alone
    decided, counts half)."""
    if not others:
        return round(best.sound, 3)
    lead = max(0.0, best.sound - max(other.sound for other in others))
    return round(best.sound * (0.5 + 0.5 * min(1.0, lead / DECISIVE_LEAD)), 3)


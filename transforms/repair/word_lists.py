"""The word lists that confirm a repair beyond ftfy, and the article's language that picks
one. The lists are wordfreq's small lists (words used about once per million words or more,
in 40 languages), which ship inside its wheel: nothing is downloaded at run time. The
article's language is detected as the language stage will detect it, and only for an
article with a damaged-looking word.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

# How often a word occurs in the article's language; 0 for a word the list does not know.
WordList = Callable[[str], float]

def frequencies(language: str) -> WordList | None:
    """How often a word occurs in ``language`` (0 for a word the list does not know), from
    wordfreq's small list, which ships in its wheel; None for a language it has no list of."""
    code = _WORDFREQ_CODES.get(language, language)
    table = _table(code)
    if table is None:
        return None
    from wordfreq.preprocess import preprocess_text

    return lambda word: table.get(preprocess_text(word, code), 0.0)


# langdetect's codes that wordfreq spells differently.
_WORDFREQ_CODES = {"no": "nb", "tl": "fil", "hr": "sh", "sr": "sh", "bs": "sh"}


@lru_cache(maxsize=None)
def _table(code: str) -> dict[str, float] | None:
    import wordfreq

    if code not in wordfreq.available_languages("small"):
        return None
    return wordfreq.get_frequency_dict(code, "small")


class ArticleLanguage:
    """The article's language, detected (as ``DetectLanguage`` will) only when a word
    needs a word list: most articles have no damaged word and never pay for it. Setting
    ``text`` to a better version of the article (after ftfy) detects again if asked."""

    _detector = None

    def __init__(self, text: str) -> None:
        self._text = text
        self._language: str | None = None

    @property
    def text(self) -> str:
        return self._text

    @text.setter
    def text(self, text: str) -> None:
        if text != self._text:
            self._text, self._language = text, None

    def __call__(self) -> str:
        if self._language is None:
            if ArticleLanguage._detector is None:
                from transforms.language.detect import Detector

                ArticleLanguage._detector = Detector()
            self._language = ArticleLanguage._detector.detect(self._text)[0]
        return self._language

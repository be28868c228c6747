"""Language: langdetect, seeded so the same text gets the same answer on every run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics
from langdetect.detector import Detector as LangdetectDetector
from langdetect.utils.ngram import NGram

from schemas.records import Article
from transforms.language_profiles import Profiles, load_profiles

UNKNOWN = "und"


@dataclass(frozen=True)
class LanguageConfig:
    """``prefix_chars``: detect on a bounded prefix (cut at a space); langdetect's answer
    settles long before the end of an article and its cost grows with length.
    ``min_score``: below it the envelope's stated language, if any, wins, else ``und``.
    ``min_letters``: texts with fewer letters are too short to tell.
    ``trials``: langdetect's random-walk trials averaged (its default is 7); on news
    articles 3 give the same answers as 7 (``make eval``) for less than half the time.
    """

    prefix_chars: int = 600
    min_score: float = 0.5
    min_letters: int = 20
    seed: int = 0
    trials: int = 3


# langdetect normalises every character through a chain of Unicode-block tests; the answer
# depends on the character alone, so it is worked out once per character and remembered.
_NORMALISED: dict[str, str] = {}


class FastDetector(LangdetectDetector):
    """langdetect's detector with its two hot loops written for CPython: the n-gram scan
    and the probability update give exactly the lists and floats the original does
    (tests/transforms/test_language.py compares them), in about half the time. It reads
    the profiles from ``language_profiles.Profiles`` instead of langdetect's factory."""

    def __init__(self, profiles: Profiles) -> None:
        super().__init__(profiles)
        self.table = profiles.table

    def _extract_ngrams(self) -> list[str]:
        known = self.word_lang_prob_map
        normalised = _NORMALISED
        found: list[str] = []
        grams, capital = " ", False
        for ch in self.text:
            c = normalised.get(ch)
            if c is None:
                c = normalised[ch] = NGram.normalize(ch)
            last = grams[-1]
            if last == " ":
                grams, capital = " ", False
                if c == " ":
                    continue
            elif len(grams) >= NGram.N_GRAM:
                grams = grams[1:]
            grams += c
            capital = c.isupper() and (capital or last.isupper())
            if capital:
                continue
            if c != " " and c in known:
                found.append(c)
            if len(grams) >= 2:
                if grams[-2:] in known:
                    found.append(grams[-2:])
                if len(grams) == 3 and grams in known:
                    found.append(grams)
        return found

    def _update_lang_prob(self, prob: list[float], word: str, alpha: float) -> bool:
        row = self.word_lang_prob_map.get(word)
        if row is None:
            return False
        base = alpha / self.BASE_FREQ
        prob[:] = [p * (base + w) for p, w in zip(prob, self.table[row].tolist())]
        return True

    def _normalize_prob(self, prob: list[float]) -> float:
        total = sum(prob)
        prob[:] = [p / total for p in prob]
        return max(prob)


class Detector:
    """Seeded langdetect; profiles are loaded once per process by langdetect itself."""

    def __init__(self, config: LanguageConfig = LanguageConfig()) -> None:
        self.profiles = load_profiles(config.seed)
        self.config = config

    def probabilities(self, text: str) -> list:
        """langdetect's ranked ``(lang, prob)`` list for the whole of ``text``."""
        detector = FastDetector(self.profiles)
        detector.n_trial = self.config.trials
        detector.append(text)
        return detector.get_probabilities()

    def detect(self, text: str, hint: str | None = None) -> tuple[str, float]:
        from langdetect.lang_detect_exception import LangDetectException

        sample = _prefix(text, self.config.prefix_chars)
        if sum(c.isalpha() for c in sample) >= self.config.min_letters:
            try:
                best = self.probabilities(sample)[0]
            except (LangDetectException, IndexError):
                best = None
            if best is not None and best.prob >= self.config.min_score:
                return _iso639_1(best.lang), round(float(best.prob), 4)
        if hint:
            return _iso639_1(hint), 0.0
        return UNKNOWN, 0.0


def _prefix(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit]


def _iso639_1(code: str) -> str:
    """langdetect says ``zh-cn``; the dataset says ``zh``."""
    return code.split("-")[0].split("_")[0].lower()[:3] or UNKNOWN


class DetectLanguageFn(beam.DoFn):
    def __init__(self, config: LanguageConfig) -> None:
        self.config = config
        self.unknown = Metrics.counter("language", "und")

    def setup(self) -> None:
        self.detector = Detector(self.config)

    def process(self, article: Article) -> Iterator[Article]:
        article.language, article.language_score = self.detector.detect(
            article.text, article.language_hint
        )
        if article.language == UNKNOWN:
            self.unknown.inc()
        yield article


class DetectLanguage(beam.PTransform):
    """Sets ``language`` (ISO 639-1, ``und`` when unknown) and ``language_score``."""

    def __init__(self, config: LanguageConfig = LanguageConfig()) -> None:
        super().__init__()
        self.config = config

    def expand(self, articles):
        return articles | "Detect" >> beam.ParDo(DetectLanguageFn(self.config))

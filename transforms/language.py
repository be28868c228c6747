"""Language: langdetect, seeded so the same text gets the same answer on every run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.records import Article

UNKNOWN = "und"


@dataclass(frozen=True)
class LanguageConfig:
    """``prefix_chars``: detect on a bounded prefix (cut at a space); langdetect's answer
    settles long before the end of an article and its cost grows with length.
    ``min_score``: below it the envelope's stated language, if any, wins, else ``und``.
    ``min_letters``: texts with fewer letters are too short to tell.
    """

    prefix_chars: int = 1000
    min_score: float = 0.5
    min_letters: int = 20
    seed: int = 0


class Detector:
    """Seeded langdetect; profiles are loaded once per process by langdetect itself."""

    def __init__(self, config: LanguageConfig = LanguageConfig()) -> None:
        from langdetect import DetectorFactory
        from langdetect.detector_factory import init_factory

        DetectorFactory.seed = config.seed
        init_factory()
        self.config = config

    def detect(self, text: str, hint: str | None = None) -> tuple[str, float]:
        from langdetect import detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        sample = _prefix(text, self.config.prefix_chars)
        if sum(c.isalpha() for c in sample) >= self.config.min_letters:
            try:
                best = detect_langs(sample)[0]
            except LangDetectException:
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

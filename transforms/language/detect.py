"""Language: langdetect, seeded so the same text gets the same answer on every run."""

import re
from dataclasses import dataclass
from typing import Iterator

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics
from langdetect.detector import Detector as LangdetectDetector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

from schemas.records import Article
from transforms.language.profiles import Profiles, load_profiles

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
# depends on the character alone, so it is worked out once per character (as a
# ``str.translate`` table) and remembered.
_NORMALISED: dict[int, str] = {}
# The n-grams of one normalised word (langdetect restarts its n-gram window at every space,
# so a text's n-grams are its words' n-grams in order); a bounded memo, since news
# vocabulary repeats.
_WORD_LIMIT = 200_000
_SPACES = re.compile(" {2,}")


class FastDetector(LangdetectDetector):
    """langdetect's detector with its hot loops rewritten: the n-gram scan works word by
    word on a translated text and remembers each word's n-grams, and the random walk
    multiplies numpy rows. Both give exactly the n-grams and floats the original does
    (tests/transforms/language/test_detect.py compares them) in about a third of the time. It
    reads the profiles from ``profiles.Profiles`` instead of langdetect's factory.
    """

    def __init__(self, profiles: Profiles) -> None:
        super().__init__(profiles)
        self.table = profiles.table
        self.words = profiles.words

    def append(self, text: str) -> None:
        """As langdetect's: links and addresses blanked, Vietnamese marks composed, cut at
        ``max_text_length``, runs of spaces collapsed; in one pass instead of one string
        concatenation per character."""
        text = NGram.normalize_vi(self.MAIL_RE.sub(" ", self.URL_RE.sub(" ", text)))
        self.text += _SPACES.sub(" ", text[: self.max_text_length])

    def _extract_ngrams(self) -> list[str]:
        text = self.text
        for ch in set(text):
            if ord(ch) not in _NORMALISED:
                _NORMALISED[ord(ch)] = NGram.normalize(ch)
        segments = text.translate(_NORMALISED).split(" ")
        words, last = self.words, len(segments) - 1
        found: list[str] = []
        for number, word in enumerate(segments):
            if word:
                key = (word, number < last)
                ngrams = words.get(key)
                if ngrams is None:
                    if len(words) >= _WORD_LIMIT:
                        words.clear()
                    ngrams = words[key] = self._scan(word + " " if key[1] else word)
                found.extend(ngrams)
        return found

    def _scan(self, chars: str) -> list[str]:
        """langdetect's own scan (``NGram.add_char`` and ``get``) over normalised
        characters from a fresh window."""
        known = self.word_lang_prob_map
        found: list[str] = []
        grams, capital = " ", False
        for c in chars:
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

    def _detect_block(self) -> None:
        """langdetect's random walk, step for step: the same draws from the same seeded
        generator, the same element-wise products, the same left-to-right sums."""
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        rows, table, choice = self.word_lang_prob_map, self.table, self.random.choice
        self.langprob = [0.0] * len(self.langlist)
        self.random.seed(self.seed)
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability(), dtype=np.float64)
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            base = alpha / self.BASE_FREQ
            step = 0
            while True:
                prob *= base + table[rows[choice(ngrams)]]
                if step % 5 == 0:
                    prob /= sum(prob.tolist())
                    if prob.max() > self.CONV_THRESHOLD or step >= self.ITERATION_LIMIT:
                        break
                step += 1
            for j, p in enumerate(prob.tolist()):
                self.langprob[j] += p / self.n_trial


class Detector:
    """Seeded langdetect; the profiles are loaded once per process (``load_profiles``)."""

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
        sample = _prefix(text, self.config.prefix_chars)
        if sum(map(str.isalpha, sample)) >= self.config.min_letters:
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

from datetime import datetime, timezone

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to
from hypothesis import given, settings
from hypothesis import strategies as st
from langdetect.detector import Detector as LangdetectDetector
from langdetect.lang_detect_exception import LangDetectException

from schemas.records import Article
from transforms.language.detect import UNKNOWN, DetectLanguage, Detector, FastDetector, LanguageConfig
from transforms.language.profiles import load_profiles

NOW = datetime(2026, 11, 21, tzinfo=timezone.utc)

SAMPLES = {
    "en": "The government announced new measures on Tuesday to support farmers hit by the drought.",
    "es": "El gobierno anunció el martes nuevas medidas para apoyar a los agricultores afectados.",
    "fr": "Le gouvernement a annoncé mardi de nouvelles mesures pour soutenir les agriculteurs.",
    "de": "Die Regierung kündigte am Dienstag neue Maßnahmen zur Unterstützung der Landwirte an.",
    "ru": "Правительство во вторник объявило о новых мерах поддержки фермеров, пострадавших от засухи.",
    "uk": "Уряд у вівторок оголосив про нові заходи підтримки фермерів, які постраждали від посухи.",
    "ar": "أعلنت الحكومة يوم الثلاثاء عن إجراءات جديدة لدعم المزارعين المتضررين من الجفاف.",
}


@pytest.fixture(scope="module")
def detector():
    return Detector()


@pytest.mark.parametrize("language,text", sorted(SAMPLES.items()))
def test_short_articles(detector, language, text):
    detected, score = detector.detect(text)
    assert detected == language
    assert 0.5 <= score <= 1.0


def test_the_same_text_gets_the_same_answer(detector):
    mixed = SAMPLES["en"] + " " + SAMPLES["fr"]
    assert len({detector.detect(mixed) for _ in range(5)}) == 1


def test_too_short_is_unknown_unless_the_envelope_says(detector):
    assert detector.detect("OK 12") == (UNKNOWN, 0.0)
    assert detector.detect("OK 12", hint="de") == ("de", 0.0)
    assert detector.detect("1234 5678 !!!! ????") == (UNKNOWN, 0.0)


def test_long_text_is_judged_on_a_prefix(detector):
    german = " ".join([SAMPLES["de"]] * 8)
    assert len(german) > LanguageConfig().prefix_chars
    assert detector.detect(german + " " + " ".join([SAMPLES["en"]] * 200))[0] == "de"
    assert detector.detect(SAMPLES["de"] + " " + " ".join([SAMPLES["en"]] * 200))[0] == "en"


def _langdetect_pair(text: str, trials: int):
    """The same text through langdetect's own detector and through ours."""
    import langdetect.detector_factory as factories

    factories.DetectorFactory.seed = LanguageConfig().seed
    factories.init_factory()
    original = LangdetectDetector(factories._factory)
    fast = FastDetector(load_profiles(LanguageConfig().seed))
    for detector in (original, fast):
        detector.n_trial = trials
        detector.append(text)
    return original, fast


@pytest.mark.parametrize("trials", [1, 3, 7])
@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_fast_detector_gives_langdetects_exact_answer(language, trials):
    text = f"  {SAMPLES[language]}   WHO and NATO,  2026: É ß ё ї ی ș see https://x.org/a?b=1 or a@b.de  "
    original, fast = _langdetect_pair(text, trials)
    assert fast.text == original.text
    assert fast._extract_ngrams() == original._extract_ngrams()
    assert [(p.lang, p.prob) for p in fast.get_probabilities()] == [
        (p.lang, p.prob) for p in original.get_probabilities()
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(sorted(SAMPLES)), min_size=1, max_size=4),
       st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_fast_detector_matches_langdetect_on_generated_text(languages, noise):
    text = " ".join(SAMPLES[lang] for lang in languages) + " " + noise
    original, fast = _langdetect_pair(text, 3)
    assert fast.text == original.text
    assert fast._extract_ngrams() == original._extract_ngrams()
    try:
        expected = [(p.lang, p.prob) for p in original.get_probabilities()]
    except LangDetectException:
        with pytest.raises(LangDetectException):
            fast.get_probabilities()
        return
    assert [(p.lang, p.prob) for p in fast.get_probabilities()] == expected


def test_transform_sets_language_on_every_article():
    articles = [Article(id=k, source=k, text=t, ingested_at=NOW) for k, t in SAMPLES.items()]
    with TestPipeline() as p:
        out = p | beam.Create(articles) | DetectLanguage() | beam.Map(lambda a: (a.id, a.language))
        assert_that(out, equal_to([(k, k) for k in SAMPLES]))

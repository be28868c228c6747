from datetime import datetime, timezone

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import Article
from transforms.language import UNKNOWN, DetectLanguage, Detector

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
    text = SAMPLES["de"] + " " + " ".join([SAMPLES["en"]] * 200)
    language, _ = detector.detect(text)
    assert language in {"de", "en"}


def test_transform_sets_language_on_every_article():
    articles = [Article(id=k, source=k, text=t, ingested_at=NOW) for k, t in SAMPLES.items()]
    with TestPipeline() as p:
        out = p | beam.Create(articles) | DetectLanguage() | beam.Map(lambda a: (a.id, a.language))
        assert_that(out, equal_to([(k, k) for k in SAMPLES]))

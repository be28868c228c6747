"""Stray foreign-script detection: stray fragments go in any script pairing; glosses,
quotes, repeated terms and whole articles in their own script stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.perturb import STRAY_WORDS, inject_stray_script
from transforms.repair.scripts import (
    dominant_script,
    judge_foreign_runs,
    letter_counts,
    remove_stray_script,
    script_of,
)

CASES = json.loads((Path(__file__).parents[1] / "cases" / "stray_script.json").read_text(encoding="utf-8"))

ENGLISH = (
    "Russian President Vladimir Putin on Thursday reiterated his desire to avoid conflict in "
    "Ukraine, calling on the West to respond to his demands for security guarantees.\n\n"
    "The Organization for Security and Cooperation in Europe said the two sides want to "
    "restore the ceasefire agreement reached in July 2020."
)
RUSSIAN = (
    "Президент России Владимир Путин в четверг заявил, что Москва не хочет конфликта на "
    "Украине, и призвал Запад немедленно ответить на требования о гарантиях безопасности.\n\n"
    "По его словам, переговоры с НАТО и США начнутся в начале следующего года в Женеве."
)
UKRAINIAN = (
    "Президент України Володимир Зеленський заявив, що Київ готовий до переговорів, але не "
    "погодиться на територіальні поступки. Він закликав партнерів посилити санкції."
)
ARABIC = (
    "قال الرئيس الروسي فلاديمير بوتين يوم الخميس إن بلاده لا تريد الحرب في أوكرانيا، ودعا "
    "الغرب إلى الرد فورا على مطالبه بشأن الضمانات الأمنية.\n\n"
    "وأضاف أن المفاوضات مع الولايات المتحدة ستبدأ في جنيف مطلع العام المقبل."
)
JAPANESE = (
    "ロシアのプーチン大統領は木曜日、ウクライナでの紛争を望まないと述べ、欧米に対して安全保障の"
    "保証を直ちに与えるよう求めた。交渉は来年初めにジュネーブで始まる見通しだ。"
)
GREEK = (
    "Ο Ρώσος πρόεδρος Βλαντιμίρ Πούτιν δήλωσε την Πέμπτη ότι η Μόσχα δεν επιθυμεί πόλεμο στην "
    "Ουκρανία και ζήτησε από τη Δύση εγγυήσεις ασφαλείας χωρίς καθυστέρηση."
)
HINDI = (
    "रूसी राष्ट्रपति व्लादिमीर पुतिन ने गुरुवार को कहा कि मॉस्को यूक्रेन में युद्ध नहीं चाहता और "
    "उन्होंने पश्चिमी देशों से सुरक्षा गारंटी की मांग दोहराई।"
)
HEBREW = (
    "נשיא רוסיה ולדימיר פוטין אמר ביום חמישי כי מוסקבה אינה רוצה במלחמה באוקראינה וקרא למערב "
    "להשיב מיד לדרישותיו לערבויות ביטחוניות."
)
ARTICLES = {
    "Latin": ENGLISH,
    "Cyrillic": RUSSIAN,
    "Arabic": ARABIC,
    "CJK": JAPANESE,
    "Greek": GREEK,
    "Devanagari": HINDI,
    "Hebrew": HEBREW,
}


@pytest.mark.parametrize(
    "char, script",
    [
        ("a", "Latin"),
        ("é", "Latin"),
        ("ř", "Latin"),
        ("Ａ", "Latin"),
        ("ж", "Cyrillic"),
        ("ї", "Cyrillic"),
        ("ب", "Arabic"),
        ("ﻻ", "Arabic"),
        ("α", "Greek"),
        ("ש", "Hebrew"),
        ("क", "Devanagari"),
        ("漢", "CJK"),
        ("か", "CJK"),
        ("カ", "CJK"),
        ("한", "CJK"),
        ("ท", "Thai"),
        ("ა", "Georgian"),
        ("5", "Common"),
        ("“", "Common"),
        ("µ", "Common"),
        ("ª", "Common"),
        ("\u0301", "Common"),
    ],
)
def test_script_of(char, script):
    assert script_of(char) == script


@pytest.mark.parametrize("script, text", ARTICLES.items())
def test_whole_articles_keep_their_script(script, text):
    assert dominant_script(text) == script
    assert remove_stray_script(text) == (text, [])


@pytest.mark.parametrize(
    "text",
    [
        "Officials in Kyiv (Київ) said the talks would go on.",
        "Crowds chanted «Слава Україні» outside the embassy in the capital.",
        "The state broadcaster called him “Путин” in its headline on Monday.",
        "The word is ‘мир’, which means both peace and world.",
        "The Greek word [λόγος] has many meanings, the professor explained.",
        "The city of Київ is also written Київ in the signs near the station.",
        "Researchers measured a 5 μm particle and the π value in the lab.",
        "A Київ-based group published the report on Tuesday morning.",
        "Новини\nThe headline above was left in the original language by the editors.",
    ],
)
def test_legitimate_foreign_script_in_an_english_article_stays(text):
    assert remove_stray_script(text) == (text, [])


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["label"])
def test_each_sign_of_legitimate_use(case):
    """Each case names the sign that keeps its word, or null for a stray word that goes."""
    _, runs = judge_foreign_runs(case["text"])
    (run,) = [run for run in runs if case["word"] in run.text]
    assert run.because == case["sign"]
    assert (case["word"] in remove_stray_script(case["text"])[0]) == (case["sign"] is not None)


def test_ftfy_style_negatives_keep_their_foreign_words():
    for text in ("ВІКІ is Ukrainian for WIKI",
                 "Je vous souhaite une bonne fête عيد سعيد.Que la paix soit avec vous."):
        assert remove_stray_script(text) == (text, [])


def test_a_title_before_a_latin_name_does_not_make_the_dropped_word_a_name():
    text = "Biden also spoke with French President كتب Emmanuel Macron on Monday."
    assert remove_stray_script(text)[0] == "Biden also spoke with French President Emmanuel Macron on Monday."


def test_latin_names_in_a_russian_article_stay():
    text = RUSSIAN + " Об этом сообщает Reuters и NATO News."
    assert remove_stray_script(text) == (text, [])


@pytest.mark.parametrize(
    "text, stray, expected",
    [
        (
            "وبر one The atmosphere of optimism that followed the talks faded quickly.",
            "وبر ",
            "one The atmosphere of optimism that followed the talks faded quickly.",
        ),
        (
            "The talks in Geneva ended без results on Monday evening, officials said.",
            "без ",
            "The talks in Geneva ended results on Monday evening, officials said.",
        ),
        (
            "The minister said the talks would resume next week 新闻",
            " 新闻",
            "The minister said the talks would resume next week",
        ),
        # At a paragraph's start before a sentence-opening "And": not a list "X and Y".
        (
            "शहर And the talks went on.",
            "शहर ",
            "And the talks went on.",
        ),
    ],
)
def test_stray_fragments_in_an_english_article_are_removed(text, stray, expected):
    result, edits = remove_stray_script(text)
    assert result == expected
    assert [fragment for _, fragment, _ in edits] == [stray]
    assert edits[0][0] == "stray_script"


@pytest.mark.parametrize("host", sorted(ARTICLES))
@pytest.mark.parametrize("seed", range(4))
def test_stray_words_of_every_other_script_are_removed(host, seed):
    text = ARTICLES[host]
    for script in STRAY_WORDS:
        if script == host:
            continue
        damaged = inject_stray_script(text, seed, script=script)
        assert damaged != text
        assert remove_stray_script(damaged)[0] == text, (host, script)


def test_counts_ignore_digits_and_punctuation():
    assert letter_counts("Kyiv 2022 — «Київ»!") == {"Latin": 4, "Cyrillic": 4}


# Plain words: no names, titles, language names or list punctuation, so the only thing in
# the text that could make a dropped word look meant is the dropped word itself.
PLAIN_WORDS = [
    word for word in ENGLISH.lower().replace(",", "").replace(".", "").split()
    if word not in {"russian", "president", "organization", "and", "or", "for", "in"}
]


@settings(max_examples=80, deadline=None)
@given(
    # An article's worth of letters: with fewer than the dropped word's ("on on 2020 2020"),
    # the dropped word's script is the article's own and nothing is stray.
    st.lists(st.sampled_from(PLAIN_WORDS), min_size=5, max_size=40).map(" ".join)
    .filter(lambda text: sum(char.isalpha() for char in text) >= 20),
    st.integers(0, 2**32),
)
def test_injected_stray_word_is_removed_from_generated_text(text, seed):
    assert remove_stray_script(inject_stray_script(text, seed))[0] == remove_stray_script(text)[0]

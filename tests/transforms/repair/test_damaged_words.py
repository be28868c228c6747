"""Mojibake beyond ftfy: a damaged word is repaired only where the article's word list
knows the repair and not the damaged word. Cases: ``tests/transforms/cases/
mojibake_beyond_ftfy.json`` (news lines in twelve languages: damaged, or legitimate
look-alikes that must stay)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import ftfy
import pytest

from bench import languages
from transforms.repair.damaged_words import (
    Budget,
    choose,
    readings_of,
    single_byte_readings_of,
    suspect_words,
)
from transforms.repair.mojibake import FTFY_CONFIG
from transforms.repair.repair import clean_text

CASES = json.loads(
    (Path(__file__).parents[1] / "cases" / "mojibake_beyond_ftfy.json").read_text(encoding="utf-8")
)


def _id(case: dict) -> str:
    return f"{case['language']}:{case['label']}"


def beyond_ftfy(edits) -> list:
    return [edit for edit in edits if "beyond ftfy" in (edit[2] or "")]


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "fix"], ids=_id)
def test_damage_ftfy_leaves_is_repaired_and_recorded(case):
    assert ftfy.fix_text(case["original"], FTFY_CONFIG._replace(explain=False)) != case["fixed"]
    fixed, edits = clean_text(case["original"])
    assert fixed == case["fixed"]
    assert beyond_ftfy(edits)


@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "keep"], ids=_id)
def test_legitimate_look_alikes_stay(case):
    fixed, edits = clean_text(case["original"])
    assert fixed == case["original"]
    assert not beyond_ftfy(edits)


@pytest.mark.xfail(strict=True, reason="documented limits: see each case's label")
@pytest.mark.parametrize("case", [c for c in CASES if c["expect"] == "fail"], ids=_id)
def test_damage_this_does_not_undo(case):
    assert clean_text(case["original"])[0] == case["fixed"]


def test_every_reading_of_a_lost_byte_is_tried():
    assert "Erdoğan" in readings_of("ErdoÄan")
    assert "München" in readings_of("MÃ1⁄4nchen")
    assert "Москвы" in readings_of("МÐ3⁄4сÐoÐ2Ñ‹")
    assert "turístico" in single_byte_readings_of("tur\x92stico")


def test_a_word_the_list_knows_is_never_touched():
    listed = {"Äpfel": 1e-5, "Apfel": 1e-4}
    assert choose("Äpfel", {"Apfel": "a reading"}, lambda word: listed.get(word, 0.0)) is None


def test_two_readings_the_list_knows_equally_well_are_left_alone():
    frequency = {"erdoğan": 1e-4, "erdoćan": 5e-5}

    def known(word: str) -> float:
        return frequency.get(word.lower(), 0.0)

    assert choose("ErdoÄan", readings_of("ErdoÄan"), known) is None
    frequency["erdoćan"] = 1e-6
    assert choose("ErdoÄan", readings_of("ErdoÄan"), known) == (
        "Erdoğan", "UTF-8 read as Windows-1252, 1 lost byte restored")


@pytest.mark.parametrize("language", sorted(languages.ARTICLES))
def test_clean_articles_have_no_suspect_word(language):
    """The check runs on words that look damaged only: clean text has none, so it costs a
    scan and nothing else."""
    for text in languages.ARTICLES[language]:
        assert suspect_words(text) == []


def test_the_word_lists_ship_in_the_package():
    """Nothing is downloaded at run time: wordfreq's lists are files of its wheel."""
    assert (resources.files("wordfreq") / "data" / "small_tr.msgpack.gz").is_file()


def test_an_article_has_a_search_budget_and_the_words_past_it_stay():
    """A whole article garbled beyond ftfy has hundreds of such words: the search for
    readings stops when the article's steps are spent."""
    assert "Erdoğan" in readings_of("ErdoÄan", budget=Budget(1000))
    spent = Budget(20)
    assert "Erdoğan" not in readings_of("ErdoÄan", budget=spent) and spent.left < 0

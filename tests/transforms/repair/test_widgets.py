"""Site widgets go and are recorded; lines of articles that mention the same things stay.
Cases: ``tests/transforms/cases/widgets.json`` (eight languages, written from the shapes of
real news pages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.content_articles import LANGUAGES
from transforms.repair.boilerplate import boilerplate_reason
from transforms.repair.repair import repair_text
from transforms.repair.widgets import form_reason, widget_reason

CASES = json.loads((Path(__file__).parents[1] / "cases" / "widgets.json").read_text(encoding="utf-8"))


def article_with(language: str, line: str) -> str:
    body = LANGUAGES[language]["body"]
    return f"{body[0]} {body[1]}\n\n{line}\n\n{body[-1]}"


@pytest.mark.parametrize("case", CASES["widgets"], ids=lambda case: f"{case['language']}:{case['line'][:40]}")
def test_a_widget_line_is_removed_and_recorded_with_its_kind(case):
    text = article_with(case["language"], case["line"])
    title, kept, repairs = repair_text(text)
    assert case["line"] not in kept.split("\n") and title != case["line"]
    removed = [r for r in repairs if r.kind == "boilerplate" and r.text == case["line"]]
    assert removed and case["kind"] in removed[0].detail


@pytest.mark.parametrize("case", CASES["content"], ids=lambda case: f"{case['language']}:{case['line'][:40]}")
def test_a_line_that_only_mentions_a_widget_stays(case):
    text = article_with(case["language"], case["line"])
    _, kept, repairs = repair_text(text)
    assert case["line"] in kept.split("\n")
    assert not [r for r in repairs if r.kind == "boilerplate"]


def test_the_mirror_sign_up_form_no_longer_leaves_an_invalid_email_behind():
    line = ("Sign up to FREE email alerts from Mirror - The Coronavirus Briefing Subscribe Thank you for "
            "subscribing We have more newsletters Show me See our privacy notice Invalid Email")
    _, kept, repairs = repair_text(article_with("en", line))
    assert "Invalid Email" not in kept
    assert [r.detail for r in repairs if r.kind == "boilerplate"] == ["newsletter sign-up form"]


def test_one_form_phrase_is_not_a_form():
    assert form_reason("thank you for subscribing to the idea, the minister told parliament") is None
    assert form_reason("thank you for subscribing we have more newsletters") is not None


@pytest.mark.parametrize(
    "line",
    ["(Image: Boris Johnson speaking in Downing Street on Tuesday)", "(Foto: die Altstadt nach dem Brand)",
     "(Photo: firefighters at the scene)"],
)
def test_a_caption_that_describes_the_picture_stays(line):
    assert boilerplate_reason(line) is None


@pytest.mark.parametrize("line", ["(Image: Getty Images)", "(Foto: dpa)", "(Фото: ТАСС)", "Getty Images"])
def test_a_line_that_is_only_a_credit_goes(line):
    assert widget_reason(line, line.casefold(), line.casefold().strip("()")) == "credit or media label"

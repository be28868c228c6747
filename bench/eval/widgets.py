"""``make eval`` section "Widgets": site furniture goes, content that looks like it stays.

Cases: ``tests/transforms/cases/widgets.json``, written from the shapes of real news pages
in the eight languages copydesk's boilerplate vocabulary reads: widget lines (newsletter
sign-up forms, video players, share prompts, subscription pitches, advertising markers,
page labels, credit-only lines) and content lines that mention the same things (a story
about newsletters, a quote about live television, a caption that describes the picture).
Each line is put between two paragraphs of an article in its language
(``bench.content_articles``) and the article goes through ``repair_text``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.scoring import Row, pct

SECTION = "Widgets"
CASES = Path(__file__).resolve().parents[2] / "tests" / "transforms" / "cases" / "widgets.json"


def article_with(language: str, line: str) -> str:
    from bench.content_articles import LANGUAGES

    body = LANGUAGES[language]["body"]
    return f"{body[0]} {body[1]}\n\n{line}\n\n{body[-1]}"


def _removed(case: dict) -> list[str]:
    from bench.eval.boilerplate import removed_as_boilerplate

    return removed_as_boilerplate(article_with(case["language"], case["line"]))


def evaluate_widgets() -> tuple[list[Row], dict]:
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    rows, report = _measure(cases["widgets"], cases["content"], "")
    more_rows, report["heldout"] = _measure(cases["heldout_widgets"], cases["heldout_content"],
                                            "held-out (written after the vocabulary, never tuned for): ")
    return rows + more_rows, report


def _measure(widgets: list[dict], content: list[dict], prefix: str) -> tuple[list[Row], dict]:
    total: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    missed, lost = [], []
    for case in widgets:
        total[case["kind"]] += 1
        if case["line"] in _removed(case):
            caught[case["kind"]] += 1
        else:
            missed.append(case["line"])
    lost = [case["line"] for case in content if _removed(case)]
    languages = ", ".join(sorted({case["language"] for case in widgets}))
    rows = [] if prefix else [
        Row(SECTION, f"widget lines removed: {kind}", total[kind], pct(caught[kind] / total[kind]), "100%")
        for kind in sorted(total)
    ]
    everything = sum(total.values())
    rows.append(Row(SECTION, f"{prefix}widget lines removed, all kinds ({languages})", everything,
                    pct(sum(caught.values()) / everything), "100%"))
    rows.append(Row(SECTION, f"{prefix}look-alike content lines kept (whole articles untouched)",
                    len(content), f"{len(content) - len(lost)} of {len(content)}", "all"))
    return rows, {"widgets": dict(total), "caught": dict(caught), "missed": missed, "content_lost": lost}

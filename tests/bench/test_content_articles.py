"""The generated content-rich articles: deterministic, every kind of content line present
and recorded, and none of those lines taken by Repair as boilerplate."""

from __future__ import annotations

from collections import Counter

from bench.content_articles import CONTENT_KINDS, LANGUAGES, content_article, publisher_run
from bench.eval.boilerplate import removed_as_boilerplate


def test_articles_are_deterministic_and_record_their_lines():
    assert content_article(7).text == content_article(7).text
    for seed in range(40):
        article = content_article(seed)
        lines = article.text.split("\n")
        for kind in CONTENT_KINDS:
            assert article.content[kind], (seed, kind)
            assert all(line in lines for line in article.content[kind]), (seed, kind)
        assert len(article.boilerplate) == 3 and all(line in lines for line in article.boilerplate)


def test_every_language_is_generated():
    assert {content_article(seed).language for seed in range(80)} == set(LANGUAGES)


def test_no_content_line_is_taken_for_boilerplate_and_the_furniture_goes():
    for seed in range(120):
        article = content_article(seed)
        taken = Counter(removed_as_boilerplate(article.text))
        for kind in CONTENT_KINDS:
            assert not [line for line in article.content[kind] if line in taken], (seed, kind)
        assert all(line in taken for line in article.boilerplate), seed


def test_publisher_run_has_templates_wire_copies_and_fillers():
    run = publisher_run(publishers=3, extra_publishers=2)
    sites = Counter(item.publisher for item in run)
    assert len(sites) == 5 and all(count >= 4 for count in sites.values())
    wire = [item for item in run if item.wire]
    assert len(wire) == 3 and len({item.text.split("\n\n")[0] for item in wire}) == 1
    for item in run:
        assert all(line in item.text.split("\n") for line in item.template + item.content)

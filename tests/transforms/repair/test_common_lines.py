"""Common lines: counted per publisher and per story, found at every size of run, never
made of lines that recur only across publishers."""

from __future__ import annotations

import random

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.repair.boilerplate import BoilerplateConfig, normalise_line
from transforms.repair.common_lines import (
    FindCommonLines,
    common_line_threshold,
    common_lines_by_article,
    find_common_lines,
    publisher_key,
)


def test_threshold_is_per_publisher():
    config = BoilerplateConfig()
    assert common_line_threshold(2, config) == 3
    assert common_line_threshold(7, config) == 4
    assert common_line_threshold(10_000, config) == 5000


def test_publisher_key():
    assert publisher_key("Kyiv Post ", "https://other.example/a", "x/a.txt") == "publisher:kyiv post"
    assert publisher_key(None, "https://www.Example.com:8080/a?b", "x/a.txt") == "host:example.com"
    assert publisher_key("", "example.org/news/1", "x/a.txt") == "host:example.org"
    assert publisher_key(None, "not a url", "site/2024/a.txt") == "folder:site/2024"
    assert publisher_key(None, None, "dump/all.jsonl#12") == "folder:dump"
    assert publisher_key(None, None, "kafka://news/3/120") == "topic:news"


def _story(rng: random.Random, footer: str) -> str:
    words = ["council", "river", "budget", "bridge", "school", "harbour", "mayor", "vote"]
    body = " ".join(rng.choice(words) for _ in range(30)).capitalize() + "."
    heading = " ".join(rng.choice(words) for _ in range(4)).title()
    return f"{heading}\n\n{body}\n\n{footer}"


def test_find_common_lines_counts_distinct_stories_per_publisher():
    rng = random.Random(3)
    footer = "Independent journalism since 1821"
    site = [("site", _story(rng, footer)) for _ in range(6)]
    copied = ("site", _story(rng, "unique closing line of one story"))
    # The same line at five other publishers, once each: wire copy, not a template.
    wire = [(f"other{n}", _story(rng, "unique closing line of one story")) for n in range(5)]
    items = site + [copied] * 5 + wire
    rows = [(f"id{n}", publisher, text) for n, (publisher, text) in enumerate(items)]
    with TestPipeline() as pipeline:
        common = pipeline | beam.Create(rows) | FindCommonLines()
        assert_that(common, equal_to([(f"id{n}", normalise_line(footer)) for n in range(6)]))
    assert find_common_lines(items) == {"site": {normalise_line(footer)}}
    assert common_lines_by_article(rows) == {f"id{n}": {normalise_line(footer)} for n in range(6)}


def test_a_publishers_template_is_found_whatever_the_size_of_the_run():
    rng = random.Random(5)
    site = [("small site", _story(rng, "Наши новости в Телеграме")) for _ in range(4)]
    others = [(f"site{n % 500}", _story(rng, f"line {n}")) for n in range(5000)]
    alone = find_common_lines(site)
    assert alone == {"small site": {normalise_line("Наши новости в Телеграме")}}
    assert find_common_lines(site + others)["small site"] == alone["small site"]

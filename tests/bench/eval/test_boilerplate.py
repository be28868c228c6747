"""The Boilerplate section of ``make eval``: the old run-wide rule it compares with, and
its rows on a small run."""

from __future__ import annotations

from bench.eval import boilerplate as evb
from transforms.repair.boilerplate import normalise_line


def test_run_wide_rule_needs_half_a_percent_of_the_run():
    footer = "Independent since 1821"
    texts = [f"{topic} was the subject of this story.\n\n{footer}" for topic in ("Rain", "Trade", "Art")]
    assert evb.run_wide_common_lines(texts) == {normalise_line(footer)}
    padding = [f"Another story {chr(0x4E00 + n)} with its own words." for n in range(800)]
    # 803 stories: the line would need max(3, ceil(4.015)) = 5 of them.
    assert normalise_line(footer) not in evb.run_wide_common_lines(texts + padding)


def test_content_rows_count_removals():
    rows, report = evb.content_safety(articles=16)
    assert sum(report["content_lines"].values()) > 16 * 7
    assert report["content_removed"] == {}
    assert report["furniture_caught"] == report["furniture"] == 48
    assert [row.case for row in rows][-1] == "bench.perturb furniture in the same articles"


def test_run_wide_rule_spared_articles_made_mostly_of_common_lines():
    common = frozenset({normalise_line("Share the news"), normalise_line("Follow the money")})
    long_story = "A long paragraph about the council and its budget for the year.\n\nShare the news"
    assert evb.run_wide_removes(long_story, common) == {"Share the news"}
    assert evb.run_wide_removes("Short.\n\nShare the news\n\nFollow the money", common) == set()

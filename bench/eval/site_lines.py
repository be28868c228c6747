"""``make eval`` section "Near-copies: nearly empty pages": pages of one site with almost no
text of their own share a line the site puts on its pages (``bench.reprints.
nearly_empty_pages``, with and without the site's header and footer, among twelve full
pages of that site so that its template is learnt); none may be merged with another. Two
controls must still be merged: a revision of one of the site's full pages, and a full
article reprinted on another site with the site line under it.
"""

from __future__ import annotations

from itertools import combinations

from bench.scoring import Row

SECTION = "Near-copies"


def site_line_set() -> tuple[list, list[str], dict[str, str]]:
    """(articles, ids of the nearly empty pages, control id -> the id it copies)."""
    from datetime import datetime, timedelta, timezone

    from bench import reprints
    from schemas.records import Article

    start = datetime(2024, 5, 1, tzinfo=timezone.utc)

    def page(name: str, text: str, minutes: int, host: str = "valley.example") -> Article:
        return Article(id=name, source=f"eval/{name}", text=text, ingested_at=start,
                       published_at=start + timedelta(minutes=minutes), order=name,
                       url=f"https://www.{host}/news/{name}")

    header = reprints.base_article(700, words=(230, 240))
    footer = reprints.base_article(701, words=(460, 470))
    full = [page(f"full{i}", f"{header}\n\n{reprints.base_article(710 + i, words=(200, 400))}\n\n{footer}", i)
            for i in range(12)]
    empty = [page(f"empty{i}", text, 60 + i)
             for i, text in enumerate(reprints.nearly_empty_pages(9, header, footer))]
    revision, _ = reprints.reprint(full[0].text, seed=1, edits=("swap_words",))
    story = reprints.base_article(730, words=(250, 300))
    site_line = empty[-1].text
    controls = [page("full0-revision", revision, 90),
                page("story", story, 91, host="wire.example"),
                page("story-reprint", f"{story}\n\n{site_line}", 92)]
    copies = {"full0-revision": "full0", "story-reprint": "story"}
    return full + empty + controls, [a.id for a in empty], copies


def evaluate_site_lines() -> tuple[list[Row], dict]:
    from bench.eval.sections import run_near_copies

    articles, empty, controls = site_line_set()
    marks = run_near_copies(articles)
    label = {item: duplicate_of or item for item, (duplicate_of, _) in marks.items()}
    merged = [pair for pair in combinations(empty, 2) if label[pair[0]] == label[pair[1]]]
    merged += [(item, label[item]) for item in empty if label[item] not in empty and label[item] != item]
    caught = sum(marks[copy][0] == original for copy, original in controls.items())
    pairs = len(empty) * (len(empty) - 1) // 2
    rows = [Row(SECTION, "nearly empty pages of one site sharing a site line: pairs merged", pairs,
                f"{len(merged)}", "0"),
            Row(SECTION, "nearly empty pages: real copies still merged (a revision on the site, "
                         "a reprint on another site)", len(controls), f"{caught} of {len(controls)}", "all")]
    return rows, {"merged": merged, "controls_caught": caught}

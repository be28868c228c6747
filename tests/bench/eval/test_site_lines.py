"""The nearly empty pages of the Near-copies site-line case share their site's line."""

from bench.eval.site_lines import site_line_set


def test_the_nearly_empty_pages_share_one_line_and_the_controls_copy_real_text():
    articles, empty, copies = site_line_set()
    texts = {a.id: a.text for a in articles}
    line = texts[empty[-1]]
    assert len(empty) == 6 and all(line in texts[page] for page in empty)
    assert all(len(texts[page].split()) < len(line.split()) + 12 for page in empty[:2])
    assert texts["story"] in texts["story-reprint"] and copies["story-reprint"] == "story"
    assert copies["full0-revision"] == "full0"

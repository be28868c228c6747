"""The generated-damage section of ``make eval``: what it injects and which kinds it covers."""

import pytest

from bench.eval import sections as ev
from bench.scoring import words_lost


@pytest.mark.parametrize("category", sorted(ev.BOILERPLATE))
def test_inject_category_adds_lines_and_keeps_the_text(category):
    text = "First paragraph here.\n\nSecond paragraph here."
    damaged = ev.inject_category(text, category, seed=3)
    assert damaged != text
    assert words_lost(text, damaged)[0] == 0
    assert "{" not in damaged


def test_repair_cases_cover_every_required_kind():
    texts = [("en/0", "en", "A “quoted” café story.\n\nMore text about Zürich here."),
             ("ru/0", "ru", "Новости дня: город готовится к празднику.")]
    kinds = {case.kind for case in ev.repair_cases(texts)}
    for required in ("mojibake_cp1252", "mojibake_latin1", "double_mojibake", "partial_mojibake",
                     "legacy_bytes_cp1252", "legacy_bytes_latin1", "legacy_bytes_cp1251", "bom_utf8",
                     "bom_utf16le", "stray_script_arabic", "stray_script_greek", "boilerplate_cms_footer",
                     "boilerplate_share_bar", "boilerplate_breadcrumb", "boilerplate_tag_list",
                     "boilerplate_newsletter"):
        assert required in kinds

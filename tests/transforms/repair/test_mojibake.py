import ftfy
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import transforms.repair.mojibake as mojibake_module
from transforms.repair.mojibake import FTFY_CONFIG, _needs_ftfy, fix_mojibake

# Characters news text is made of, and the ones encoding damage is made of.
TYPOGRAPHY = "“”‘’‚„–—…•·€£¥©®™°±§¶×÷«»¡¿\u00a0"
LETTERS = "éèêëàâäçñöüßÉÀÇÑÖÜøåæœłńśźżčšžřďťňőűăşţğıİЖжДдЯяЁёΩωαβγ"
DAMAGE = "ÃÂÅÐÑÎâ€™œ\x80\x81\x8d\x8f\x90\x9d\x1a?\u0301\u0308\ufffd\ud800"
alphabet = st.sampled_from("abc XYZ 019.,;:'\"!-\t" + TYPOGRAPHY + LETTERS + DAMAGE)
CODECS = ["sloppy-windows-1252", "latin-1", "sloppy-windows-1251", "macroman", "cp437",
          "sloppy-windows-1250", "iso-8859-2"]


@st.composite
def mojibake(draw) -> str:
    """Real text with a fragment encoded as UTF-8 and read back in another codec."""
    before, middle, after = (draw(st.text(alphabet, max_size=12)) for _ in range(3))
    codec = draw(st.sampled_from(CODECS))
    garbled = middle.encode("utf-8", "surrogatepass").decode(codec, errors="replace")
    return before + garbled + after


@settings(max_examples=1500)
@given(text=st.text(alphabet, max_size=40) | mojibake())
@example("Ã©")
@example("â€™s")
@example("Ã ")
@example("e\u0301")
@example("café\x85")
@example("RozpoÄ\ufffdet obce")
def test_a_segment_skipped_is_one_ftfy_leaves_alone(text):
    if not _needs_ftfy(text):
        assert ftfy.fix_and_explain(text, FTFY_CONFIG)[0] == text


def test_typographic_text_skips_ftfy_and_damaged_text_does_not():
    assert not _needs_ftfy("“Kyiv’s” 5 € – £3 … «Ukraine» — café")
    assert _needs_ftfy("Kyivâ€™s")
    assert _needs_ftfy("cafÃ©")
    assert _needs_ftfy("fish &amp; chips")


def _always_ftfy(segment: str) -> bool:
    """The rule before the pre-check: every line that is not plain ASCII goes to ftfy."""
    return not segment.isascii() or "&" in segment or "\x1b" in segment


@settings(max_examples=400)
@given(lines=st.lists(st.text(alphabet, max_size=30) | mojibake(), max_size=4))
def test_fix_mojibake_is_unchanged_by_the_pre_check(lines):
    text = "\n".join(lines)
    fixed = fix_mojibake(text)
    original = mojibake_module._needs_ftfy
    mojibake_module._needs_ftfy = _always_ftfy
    try:
        assert fix_mojibake(text) == fixed
    finally:
        mojibake_module._needs_ftfy = original


@pytest.mark.parametrize(
    "text",
    [
        "KESÄ\u00a0ALKAA NYT",  # a word, a no-break space, the next word
        "GÄ£ÄXY ÑÍGHT",  # a lowercase ģ between capitals would be leetspeak decoded
        "Readers saw Ã’s and Â’s everywhere.",  # a quote-like pair outside a word
        "Hansen – BrÃ¥ten",  # a Latin-1 pair ftfy declines in an inconsistent line
        "SKÅL™ lager",  # a trademark sign after a word
        "radius 10 Å—",  # a pair standing alone in Latin text
        "the minister Ñ– said",  # a Cyrillic one-letter word needs Cyrillic around it
    ],
)
def test_pairs_without_evidence_stay(text):
    assert fix_mojibake(text) == (text, [])


@pytest.mark.parametrize(
    "clean, word",
    [("The ferry to Šibenik left.", "Šibenik"), ("Floods in Śląsk again.", "Śląsk"),
     ("Медичні сестри трьох лікарень.", "сестри"), ("Рибалки і екологи.", "і")],
)
def test_lone_pairs_with_evidence_are_decoded(clean, word):
    """Words ftfy leaves garbled: the pass after it decodes them, pair by pair."""
    damaged = clean.replace(f" {word} ", f" {word.encode('utf-8').decode('sloppy-windows-1252')} ")
    assert ftfy.fix_and_explain(damaged, FTFY_CONFIG)[0] == damaged
    fixed, edits = fix_mojibake(damaged)
    assert fixed == clean
    assert edits and all(detail.endswith("read as Windows-1252") for _, _, detail in edits)

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from transforms.entities.spans import whole_word_matches


def with_regex(text: str, names: list[str]) -> list[tuple[int, int, str]]:
    """The pattern the consistency rules compiled for every article, as the oracle."""
    pattern = re.compile(r"(?<![\w.'’-])(?:" + "|".join(re.escape(n) for n in names)
                         + r")(?![\w’]|'\w|-\w)")
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


def test_names_standing_as_words_are_found_longest_first():
    text = ("New York and NEW YORK; New Yorker, New York's and New York-based. "
            "York.York, O'York, York’s, York_1, (York) -York")
    names = ["New York", "NEW YORK", "York"]
    assert list(whole_word_matches(text, names)) == with_regex(text, names)
    # Not "New Yorker", "New York's", "New York-based", ".York", "O'York", "York’s",
    # "York_1", "-York"; "York." and "(York)" are words.
    assert [name for _, _, name in whole_word_matches(text, names)] == [
        "New York", "NEW YORK", "York", "York"]


LETTERS = st.sampled_from(list("AaBbYo’'-._ ,\né1"))


@given(st.text(LETTERS, max_size=60),
       st.lists(st.text(st.sampled_from(list("AaBbYo’'-.é")), min_size=1, max_size=4),
                min_size=1, max_size=5, unique=True))
@example("Ab Ab-b Ab'b Ab’ aAb", ["Ab", "Ab Ab"])
@settings(max_examples=500)
def test_the_same_matches_as_the_pattern(text, names):
    names = sorted(names, key=len, reverse=True)
    assert list(whole_word_matches(text, names)) == with_regex(text, names)

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import reprints
from transforms.near_copies import minhash


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def shingles(text: str) -> np.ndarray:
    return minhash.shingle_hashes(minhash.word_hashes(text), 5)


def test_generation_is_deterministic():
    assert reprints.base_article(7) == reprints.base_article(7)
    assert reprints.base_article(7) != reprints.base_article(8)
    assert reprints.reprint(reprints.base_article(7), 3) == reprints.reprint(reprints.base_article(7), 3)
    one, two = reprints.corpus(60, seed=2), reprints.corpus(60, seed=2)
    assert [a.text for a in one.articles] == [a.text for a in two.articles]
    assert one.canonical == two.canonical


def test_base_articles_have_paragraphs_and_the_asked_length():
    text = reprints.base_article(1, words=(200, 201))
    assert "\n\n" in text
    assert 200 <= len(text.split()) < 240


def test_header_footer_keeps_the_text_inside():
    base = reprints.base_article(2)
    framed = reprints.header_footer(base, rng())
    assert base in framed and not framed.startswith(base) and not framed.endswith(base)


def test_cut_paragraph_removes_one_inner_paragraph():
    base = reprints.base_article(3, words=(400, 500))
    cut = reprints.cut_paragraph(base, rng())
    before, after = base.split("\n\n"), cut.split("\n\n")
    assert len(after) == len(before) - 1
    assert after[0] == before[0] and after[-1] == before[-1]


def test_straight_quotes_leave_no_curly_ones():
    text = "He said “no” and it’s ‘final’."
    assert reprints.straight_quotes(text) == "He said \"no\" and it's 'final'."


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), count=st.integers(1, 6))
def test_swap_words_changes_at_most_count_words(seed, count):
    base = reprints.base_article(seed % 50)
    swapped = reprints.swap_words(base, rng(seed), count)
    before, after = base.split(), swapped.split()
    assert len(before) == len(after)
    assert 0 < sum(a != b for a, b in zip(before, after)) <= count or swapped == base


def test_truncate_keeps_a_prefix():
    base = reprints.base_article(4, words=(400, 500))
    cut = reprints.truncate(base, rng(), keep=0.5)
    assert base.startswith(cut.rstrip("…"))
    assert 0.45 < len(cut.split()) / len(base.split()) < 0.55


def test_exact_copy_has_the_same_words():
    base = reprints.base_article(5)
    copy = reprints.exact_copy(base, rng(3))
    assert minhash.words(copy) == minhash.words(base)


@pytest.mark.parametrize("seed", range(8))
def test_reprints_stay_contained_in_their_original(seed):
    base = reprints.base_article(seed)
    copy, edits = reprints.reprint(base, seed)
    assert edits and set(edits) <= set(reprints.EDITS)
    assert minhash.containment(shingles(base), shingles(copy)) >= 0.7


def test_hard_negatives_share_little():
    for group in (reprints.same_event(1, 5), reprints.same_template(2, 5)):
        sets = [shingles(text) for text in group]
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                assert 0.0 < minhash.containment(sets[i], sets[j]) < 0.5


def test_corpus_truth_points_at_originals_published_first():
    corpus = reprints.corpus(300, seed=1)
    by_id = {a.id: a for a in corpus.articles}
    assert len(by_id) == len(corpus.articles) >= 300
    duplicates = {i: c for i, c in corpus.canonical.items() if c is not None}
    assert 0.2 < len(duplicates) / len(corpus.articles) < 0.5
    kinds = set(corpus.kind.values())
    assert {"original", "exact", "same_event", "same_template"} <= kinds
    for article_id, original in duplicates.items():
        assert corpus.kind[original] == "original"
        when = by_id[article_id].published_at
        assert when is None or when > by_id[original].published_at


def test_score_counts_right_and_wrong_marks():
    corpus = reprints.corpus(100, seed=4)
    truth = dict(corpus.canonical)
    assert reprints.score(corpus, truth)["recall"] == 1.0
    assert reprints.score(corpus, truth)["precision"] == 1.0
    nothing = reprints.score(corpus, {i: None for i in truth})
    assert nothing["recall"] == 0.0 and nothing["marked"] == 0
    originals = [i for i, k in corpus.kind.items() if k == "original"]
    wrong = reprints.score(corpus, {originals[0]: originals[1]})
    assert wrong["precision"] == 0.0

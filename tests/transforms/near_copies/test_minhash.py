import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import reprints
from transforms.near_copies import minhash

SAMPLE = "Putin said “everything possible” was done, Russia’s envoy added.\n\nNo casualties."


def test_words_ignore_case_punctuation_quote_style_and_spacing():
    straight = 'PUTIN said "everything   possible" was done -- Russia\'s envoy added. No casualties'
    assert minhash.words(SAMPLE) == minhash.words(straight)
    assert minhash.words(SAMPLE)[:4] == ["putin", "said", "everything", "possible"]
    assert np.array_equal(minhash.word_hashes(SAMPLE), minhash.word_hashes(straight))


def test_composed_and_decomposed_accents_and_compatibility_forms_are_one_word():
    assert minhash.words("Cafe\u0301 ＦＵＬＬ") == minhash.words("café full")
    assert np.array_equal(minhash.word_hashes("Cafe\u0301"), minhash.word_hashes("CAFÉ"))


def test_marks_do_not_split_words():
    assert minhash.words("हिन्दी समाचार") == ["हिन्दी", "समाचार"]


def test_content_hash_equal_for_exact_copies_and_empty_for_no_words():
    copy = minhash.content_hash(minhash.word_hashes(SAMPLE.upper().replace("“", '"')))
    assert copy == minhash.content_hash(minhash.word_hashes(SAMPLE))
    assert copy != minhash.content_hash(minhash.word_hashes(SAMPLE + " more"))
    assert minhash.content_hash(minhash.word_hashes(" … — ")) == ""


def test_word_hashes_are_the_same_in_another_process():
    # Python's own hash is salted per process; ours must not be.
    code = (
        "from transforms.near_copies import minhash; "
        f"print(minhash.word_hashes({SAMPLE!r}).tolist())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "12345", "PYTHONPATH": "."},
    )
    assert out.stdout.strip() == str(minhash.word_hashes(SAMPLE).tolist())


def test_distinct_words_get_distinct_hashes():
    words = list(reprints.vocabulary())
    hashes = minhash.word_hashes(" ".join(words))
    assert len(hashes) == len(words)
    assert len(set(hashes.tolist())) == len(set(words))


def test_shingles_are_unique_sorted_ngrams():
    hashes = minhash.word_hashes("a b c d e a b c d e f")
    shingles = minhash.shingle_hashes(hashes, 5)
    # 7 windows, "a b c d e" twice.
    assert len(shingles) == 6
    assert np.all(np.diff(shingles.astype(np.float64)) > 0)
    assert len(minhash.shingle_hashes(minhash.word_hashes("two words"), 5)) == 1
    assert len(minhash.shingle_hashes(minhash.word_hashes(""), 5)) == 0


def test_shingles_depend_on_word_order():
    one = minhash.shingle_hashes(minhash.word_hashes("a b c d e"), 5)
    other = minhash.shingle_hashes(minhash.word_hashes("e d c b a"), 5)
    assert not np.array_equal(one, other)


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        minhash.shingle_hashes(minhash.word_hashes("a b"), 0)
    with pytest.raises(ValueError):
        minhash.MinHasher(bands=0, rows=4)
    with pytest.raises(ValueError):
        minhash.MinHasher(bands=300, rows=1)


def _random_sets(seed: int, size: int, shared: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.Generator(np.random.PCG64(seed))
    common = rng.integers(0, 2**63, size=int(size * shared), dtype=np.uint64)
    a = np.unique(np.concatenate([common, rng.integers(0, 2**63, size=size, dtype=np.uint64)]))
    b = np.unique(np.concatenate([common, rng.integers(0, 2**63, size=size, dtype=np.uint64)]))
    return a, b


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), shared=st.floats(0.0, 4.0))
def test_signature_agreement_estimates_jaccard(seed, shared):
    a, b = _random_sets(seed, 300, shared)
    hasher = minhash.MinHasher(bands=64, rows=4, seed=seed % 97)
    estimate = float(np.mean(hasher.signature(a) == hasher.signature(b)))
    # 256 permutations: the standard error is at most 1/32.
    assert abs(estimate - minhash.jaccard(a, b)) < 0.13


def test_signature_is_seeded_and_deterministic():
    a, _ = _random_sets(1, 200, 0.0)
    one = minhash.MinHasher(20, 4, 1).signature(a)
    assert np.array_equal(one, minhash.MinHasher(20, 4, 1).signature(a))
    assert not np.array_equal(one, minhash.MinHasher(20, 4, 2).signature(a))



def test_batches_give_exactly_what_single_texts_give():
    texts = [reprints.base_article(i) for i in range(6)] + ["", "two words", "…", "Ünï 🙂 x"]
    texts += [reprints.base_article(9, words=(3000, 3001))]
    hasher = minhash.MinHasher(20, 4, 1)
    batch = hasher.prints(texts, 5)
    for text, got in zip(texts, batch):
        (alone,) = hasher.prints([text], 5)
        assert got.content == alone.content
        assert np.array_equal(got.shingles, alone.shingles)
        assert got.bands == alone.bands
        assert np.array_equal(got.shingles, np.unique(got.shingles))
    assert batch[6].bands == () and batch[8].bands == () and len(batch[7].bands) == 20
    # Chunking is an implementation detail, even through the middle of a long text.
    words, offsets = minhash.word_hashes_many(texts)
    shingles, offsets = minhash.shingle_hashes_many(words, offsets, 5)
    whole = hasher.signatures(shingles, offsets)
    assert np.array_equal(whole, hasher.signatures(shingles, offsets, chunk=7))
    for i in range(len(texts)):
        assert np.array_equal(whole[i], hasher.signature(shingles[offsets[i] : offsets[i + 1]]))


def test_band_keys_name_their_band_and_fit_sqlite_integers():
    a, b = _random_sets(3, 200, 1.0)
    hasher = minhash.MinHasher(bands=20, rows=4)
    keys = hasher.band_keys(hasher.signature(a))
    assert [k >> minhash.BAND_HASH_BITS for k in keys] == list(range(20))
    assert all(0 <= k < 2**63 for k in keys)
    assert keys == hasher.band_keys(hasher.signature(a.copy()))
    assert keys != hasher.band_keys(hasher.signature(b))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), shared=st.floats(0.0, 3.0))
def test_containment_is_at_least_jaccard(seed, shared):
    a, b = _random_sets(seed, 50, shared)
    b = b[: len(b) // 2]
    assert minhash.containment(a, b) >= minhash.jaccard(a, b)
    assert minhash.containment(a, b) == minhash.overlap(a, b) / min(len(a), len(b))


def test_containment_is_one_for_a_truncation():
    hashes = minhash.shingle_hashes(minhash.word_hashes(reprints.base_article(5)), 5)
    assert minhash.containment(hashes, hashes[: len(hashes) // 3]) == 1.0
    assert minhash.containment(hashes, np.zeros(0, dtype=np.uint64)) == 0.0

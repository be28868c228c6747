"""Confirming a pair: two pages of one site that share no more than a site line are not
copies; the same texts on two sites, or a page and its copy on one site, are."""

from bench import reprints
from transforms.near_copies import NearCopyConfig, similarity
from transforms.near_copies.minhash import shingle_hashes, word_hashes

CONFIG = NearCopyConfig()


def shingles(text: str):
    return shingle_hashes(word_hashes(text), CONFIG.shingle_size)


def test_pages_of_one_site_sharing_only_its_line_are_not_copies():
    first, second = (shingles(text) for text in reprints.nearly_empty_pages(4)[:2])
    value, is_copy = similarity(first, second, CONFIG)
    assert value > CONFIG.threshold and is_copy  # on two sites: a short reprint
    assert similarity(first, second, CONFIG, same_site=True) == (value, False)


def test_a_copy_on_one_site_shares_more_than_a_line():
    article = reprints.base_article(5, words=(200, 260))
    copy, _ = reprints.reprint(article, seed=2, edits=("swap_words",))
    value, is_copy = similarity(shingles(article), shingles(copy), CONFIG, same_site=True)
    assert is_copy and value > CONFIG.threshold

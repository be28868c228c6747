import apache_beam as beam
import numpy as np
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from bench import reprints
from transforms.near_copies import NearCopyConfig, minhash
from transforms.near_copies.candidates import node
from transforms.near_copies.templates import SALTS, StripTemplates, template_of

CONFIG = NearCopyConfig()
HEADER = reprints.base_article(800, words=(120, 130))


def shingles(text: str) -> np.ndarray:
    return minhash.shingle_hashes(minhash.word_hashes(text), CONFIG.shingle_size).astype("<u8")


def fingerprint(article_id: str, text: str, site: str) -> tuple:
    return (article_id, (True, False, 0.0, "", article_id), "content-" + article_id,
            shingles(text).tobytes(), (), site)


def site_pages(count: int) -> list[tuple]:
    # More pages than salts, so that every salt of the site gets some.
    bodies = [reprints.base_article(810 + i, words=(100, 200)) for i in range(count)]
    return [
        fingerprint(f"page{i:02d}", f"{HEADER}\n\n{body}", "site.example") for i, body in enumerate(bodies)
    ]


def test_a_template_is_what_most_sampled_pages_share():
    pages = site_pages(12)
    ((site, template),) = template_of(("site.example", [(0, fp[3]) for fp in pages]), CONFIG)
    template = np.frombuffer(template, dtype="<u8")
    assert site == "site.example"
    assert np.isin(shingles(HEADER), template).mean() > 0.9
    assert np.isin(np.frombuffer(pages[0][3], dtype="<u8"), template).mean() < 0.6


def test_too_small_a_sample_teaches_no_template():
    pages = site_pages(CONFIG.template_min_articles - 1)
    assert list(template_of(("site.example", [(0, fp[3]) for fp in pages]), CONFIG)) == []


def test_each_node_loses_its_own_sites_template_and_nothing_else():
    pages = site_pages(2 * SALTS)
    elsewhere = fingerprint("other", f"{HEADER}\n\n{reprints.base_article(900)}", "other.example")
    bare = fingerprint("bare", f"{HEADER}\n\n{reprints.base_article(901)}", "")
    everything = pages + [elsewhere, bare]
    header = shingles(HEADER)

    def check(nodes):
        by_id = {key: value[1] for key, value in nodes}
        assert sorted(by_id) == sorted(fp[0] for fp in everything)
        for fp in pages:
            kept = np.frombuffer(by_id[fp[0]][3], dtype="<u8")
            assert len(kept) and not np.isin(kept, header).any()
        for fp in (elsewhere, bare):
            assert by_id[fp[0]] == fp

    with TestPipeline() as p:
        fingerprints = p | "Fingerprints" >> beam.Create(everything)
        nodes = fingerprints | "Nodes" >> beam.Map(node) | StripTemplates(CONFIG, fingerprints)
        assert_that(nodes | beam.combiners.Count.Globally(), equal_to([len(everything)]), label="Count")
        assert_that(nodes | beam.combiners.ToList(), lambda lists: check(lists[0]))

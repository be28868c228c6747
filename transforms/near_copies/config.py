"""The near-copy stage's settings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NearCopyConfig:
    """``shingle_size``: words per shingle. ``bands`` x ``rows`` MinHash permutations,
    ``seed``ed; few rows per band so that truncated reprints (Jaccard near 0.5 while
    containment is near 1) still share a band: with 20 x 3 a pair shares a band with
    probability 0.93 at Jaccard 0.5, 0.42 at 0.3, 0.02 at 0.1 (tuned on bench.reprints:
    recall 0.997 against 0.985 for 20 x 4, for 5% more candidates and fewer permutations).
    ``threshold``: minimum containment |A∩B| / min(|A|, |B|) of shingle sets for a copy:
    reprints cut paragraphs and add headers and footers, which Jaccard punishes and
    containment does not; different articles about one event stay far below it.
    ``min_shingles``: a text with fewer shingles is too short for containment to mean
    anything (a one-line brief is contained in many articles), so it needs Jaccard instead.
    ``max_bucket``: band buckets larger than this are split (see ``candidates``).
    ``shard_bits``: band buckets are grouped 2**shard_bits shards per band (see
    ``ExactCopiesFn``); raise it when a corpus has more than ~10^8 articles x bands.
    ``template_share``: robustness against site templates the boilerplate step left in:
    per publisher, of a deterministic sample of ``template_sample`` articles (needs at
    least ``template_min_articles``), shingles found in this share of them are the site's
    template and do not count when a pair is confirmed. None turns this off.
    ``site_line_shingles``: two pages of one publisher are copies only if they share more
    shingles than this (after their site's template): nearly empty pages of one site share
    little but a line the site puts on its pages (a sign-up line, a standing paragraph of
    up to boilerplate's 300 characters, about 50 words), and that line is no evidence of a
    copy. Pages of different publishers never share a site line, so it does not apply.
    ``max_rounds``: star rounds (two ``GroupByKey``s each) unrolled into the graph to find
    clusters; a component needing more (a chain of revisions, each copying the last, of
    more than 65 articles) is finished by a union-find over its edges in one place (see
    ``clustering``).
    """

    shingle_size: int = 5
    bands: int = 20
    rows: int = 3
    seed: int = 1
    threshold: float = 0.7
    min_shingles: int = 20
    max_bucket: int = 64
    shard_bits: int = 6
    template_share: float | None = 0.6
    template_min_articles: int = 10
    template_sample: int = 50
    site_line_shingles: int = 50
    max_rounds: int = 6

    def scheme(self) -> str:
        """What fingerprints depend on; an index built with another scheme cannot be used."""
        return f"w{self.shingle_size}-b{self.bands}x{self.rows}-s{self.seed}-v1"

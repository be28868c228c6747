"""Near-copies: marks every reprint or exact copy with the id of its canonical article.

One module per stage; no stage gathers the corpus, its pairs or its clusters in one place
or in a side input: every step is a join by key (the one exception, components that need
more than ``max_rounds`` star rounds, is in ``clustering``).

1. ``fingerprints``: normalised content hash, word-shingle hashes, MinHash band keys.
2. ``candidates``, exact copies: group by content hash; the lowest-ranked member stays,
   the rest follow it.
3. ``candidates``, pairs: group by LSH band (band index + band hash; buckets travel in
   shards of many buckets), pair the members of each bucket; an oversized bucket (a
   template or a wire story reprinted thousands of times) gives O(n) pairs.
4. ``templates`` and ``confirm``: each article's shingles lose its site's template (learnt
   per publisher from a sample), then each pair meets both fingerprints by id (two
   ``GroupByKey``s) and is confirmed on the real containment of the sets.
5. ``components`` (Beam) over ``clustering`` (Beam-free): the connected components of the
   confirmed pairs by large-star / small-star rounds (finished stars leave the loop;
   ``max_rounds`` at most, then a union-find over what is still open); canonical =
   lowest ``rank``.
6. ``marks``: a member with a confirmed pair with its canonical is its copy; one without
   is checked against it directly (step 4 again, on the fingerprints of confirmed pairs
   only), so every ``similarity`` is a real similarity to ``duplicate_of``, and if that
   check fails the member stays canonical (a chain through a roundup is not a copy).
   Exact copies take their representative's answer; the answers meet the articles by id.

Known limits: LSH works on Jaccard, so a copy whose Jaccard with its original is low
although its containment is high (a reprint of a third of a long text, or of the body only
of a page whose template outweighs it) becomes a candidate only by chance (about 42% at
Jaccard 0.3 with 20 bands of 3 rows).
"""

from transforms.near_copies.clustering import COPY, FOLLOW, cluster, resolve
from transforms.near_copies.config import NearCopyConfig
from transforms.near_copies.confirm import ConfirmPairs, Pair, similarity
from transforms.near_copies.find import FindNearCopies
from transforms.near_copies.fingerprints import (
    Fingerprint,
    FingerprintFn,
    fingerprint,
    fingerprints,
    is_pinned,
    pinned,
    publisher,
    rank,
)
from transforms.near_copies.templates import template_of, without_template

__all__ = [
    "COPY",
    "FOLLOW",
    "ConfirmPairs",
    "FindNearCopies",
    "Fingerprint",
    "FingerprintFn",
    "NearCopyConfig",
    "Pair",
    "cluster",
    "fingerprint",
    "fingerprints",
    "is_pinned",
    "pinned",
    "publisher",
    "rank",
    "resolve",
    "similarity",
    "template_of",
    "without_template",
]

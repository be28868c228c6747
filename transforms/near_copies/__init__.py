"""Near-copies: marks every reprint or exact copy with the id of its canonical article.

One module per step; no stage gathers the corpus, its pairs or its clusters in one place
or in a side input: every step is a join by key (the one exception, components that need
more than ``max_rounds`` star rounds, is in ``clustering``).

0. ``minhash`` (Beam-free): word hashes, shingles, MinHash, containment.
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
7. ``match_index``: after the steps above, each in-batch cluster is decided against the
   persistent index (``transforms.state``), so copies across batches and workers join.

Known limits: LSH works on Jaccard, so a copy whose Jaccard with its original is low
although its containment is high (a reprint of a third of a long text, or of the body only
of a page whose template outweighs it) becomes a candidate only by chance (about 42% at
Jaccard 0.3 with 20 bands of 3 rows).
"""

from transforms.runtime.face import lazy_face

_NAMES = {
    "COPY": "clustering",
    "ConfirmPairs": "confirm",
    "FOLLOW": "clustering",
    "FindNearCopies": "find",
    "Fingerprint": "fingerprints",
    "FingerprintFn": "fingerprints",
    "MatchIndex": "match_index",
    "NearCopyConfig": "config",
    "Pair": "confirm",
    "cluster": "clustering",
    "fingerprint": "fingerprints",
    "is_pinned": "fingerprints",
    "pinned": "fingerprints",
    "publisher": "fingerprints",
    "rank": "fingerprints",
    "resolve": "clustering",
    "similarity": "confirm",
    "template_of": "templates",
    "without_template": "templates",
}
__all__ = sorted(_NAMES)
__getattr__ = lazy_face(__name__, _NAMES)

"""Stages 2 and 3: exact copies (one content hash), then candidate pairs (one LSH band
bucket). Only pair ends leave this stage; fingerprints meet them by key in ``confirm``."""

from collections import defaultdict
from typing import Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.utils.windowed_value import WindowedValue

from transforms.near_copies import minhash
from transforms.near_copies.clustering import FOLLOW

# Joins are GroupByKey over inputs tagged at the source: (id, (NODE, fingerprint)) meets
# (id, (PAIR, other id)), (id, (CARRIED, other fingerprint)) or (id, (WANTED, None)).
# Cheaper than CoGroupByKey, which adds a tagging and an untagging step per element, and
# the first join drops repeated pairs by itself (every copy of a pair goes to the key of
# its first id).
NODE, PAIR, CARRIED, WANTED = 0, 1, 2, 3


def node(fp: tuple) -> tuple[str, tuple]:
    return fp[0], (NODE, tuple(fp))


class ExactCopiesFn(beam.DoFn):
    """One content hash: the lowest-ranked member goes on to near-copy detection (as a
    join node, and its band keys into shards), the others follow it (same words, so the
    same similarity to anything).

    Band keys travel as (shard, [(band key, id), ...]) emitted once per shard at the end of
    a bundle: Beam's cost is per element and nearly every band bucket holds one article, so
    one element per (article, band) would cost more than all the hashing. A shard is the
    band index plus the top ``shard_bits`` of the band hash: a bucket never spans two
    shards, and a shard holds about articles / 2**shard_bits entries."""

    FOLLOWERS = "followers"
    SHARDS = "shards"

    def __init__(self, shard_bits: int) -> None:
        self.shift = minhash.BAND_HASH_BITS - shard_bits
        self.copies = Metrics.counter("near_copies", "exact_copies")

    def start_bundle(self) -> None:
        self.buffers: dict = defaultdict(lambda: defaultdict(list))

    def process(self, element: tuple[str, Iterable[tuple]], window=beam.DoFn.WindowParam):
        content, members = element
        # The same article read twice (same id) is one article, not a copy of itself.
        members = sorted({f[0]: f for f in members}.values(), key=lambda f: f[1])
        # No words at all: nothing to compare, every such article stands alone. A copy on
        # its representative's own site is compared like any pair (``ConfirmPairs``), where
        # a nearly empty page is told from a real copy (``similarity``'s ``same_site``).
        site = members[0][5]
        same_site = [m for m in members[1:] if site and m[5] == site]
        followers = [m for m in members[1:] if not (site and m[5] == site)] if content else []
        firsts = [members[0], *same_site] if content else members
        shards = self.buffers[window]
        for first in firsts:
            yield node(first)
            for key in first[4]:
                shards[key >> self.shift].append((key, first[0]))
        for member in followers:
            self.copies.inc()
            yield beam.pvalue.TaggedOutput(self.FOLLOWERS, (member[0], (FOLLOW, members[0][0], None)))

    def finish_bundle(self) -> Iterator[WindowedValue]:
        for window, shards in self.buffers.items():
            for shard, entries in shards.items():
                value = WindowedValue((shard, entries), window.max_timestamp(), [window])
                yield beam.pvalue.TaggedOutput(self.SHARDS, value)
        self.buffers.clear()


class BucketPairsFn(beam.DoFn):
    """One shard: its band buckets, and all pairs of each bucket (as pair ends, first id
    lowest). A bucket with more than ``max_bucket`` members (a template or a wire story
    reprinted thousands of times) is split into chunks of ``max_bucket`` paired within
    themselves, plus each chunk's first member paired with the bucket's first member: O(n)
    pairs, and real copies still join up in one cluster."""

    def __init__(self, max_bucket: int) -> None:
        self.max_bucket = max_bucket
        self.oversized = Metrics.counter("near_copies", "oversized_buckets")

    def process(self, element: tuple[int, Iterable[list]]) -> Iterator[tuple[str, tuple]]:
        buckets: dict[int, set[str]] = defaultdict(set)
        for entries in element[1]:
            for key, article_id in entries:
                buckets[key].add(article_id)
        for bucket in buckets.values():
            if len(bucket) > 1:
                for a, b in self.pairs(sorted(bucket)):
                    yield a, (PAIR, b)

    def pairs(self, members: list[str]) -> Iterator[tuple[str, str]]:
        if len(members) <= self.max_bucket:
            yield from _all_pairs(members)
            return
        self.oversized.inc()
        for start in range(0, len(members), self.max_bucket):
            if start:
                yield members[0], members[start]
            yield from _all_pairs(members[start : start + self.max_bucket])


def _all_pairs(members: list[str]) -> Iterator[tuple[str, str]]:
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            yield a, b

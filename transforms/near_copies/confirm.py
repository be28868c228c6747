"""Stage 4: confirm candidate pairs on the real shingle sets (containment), not on the
MinHash estimate. Each id meets its fingerprint by key, so a worker only ever holds the
fingerprints of the pairs it compares."""

from typing import Iterable, Iterator, NamedTuple

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from transforms.near_copies import minhash
from transforms.near_copies.candidates import CARRIED, NODE, WANTED
from transforms.near_copies.config import NearCopyConfig
from transforms.near_copies.fingerprints import Fingerprint


class Pair(NamedTuple):
    """A confirmed pair; ``similarity`` is the containment of the two shingle sets."""

    a: str
    b: str
    similarity: float
    rank_a: tuple
    rank_b: tuple


def similarity(
    a: np.ndarray, b: np.ndarray, config: NearCopyConfig, same_site: bool = False
) -> tuple[float, bool]:
    """(containment, is it a copy) from two real shingle sets; ``same_site``: both pages
    are of one publisher, so what they share must be more than a site line."""
    shared = minhash.overlap(a, b)
    smaller = min(len(a), len(b))
    if smaller == 0:
        return 0.0, False
    contained = shared / smaller
    if same_site and shared <= config.site_line_shingles:
        return contained, False
    if smaller >= config.min_shingles:
        return contained, contained >= config.threshold
    return contained, shared / (len(a) + len(b) - shared) >= config.threshold


def _split(values: Iterable[tuple]) -> tuple[tuple | None, list, bool]:
    node, others, wanted = None, [], False
    for tag, value in values:
        if tag == NODE:
            node = value
        elif tag == WANTED:
            wanted = True
        else:
            others.append(value)
    return node, others, wanted


class CarryFirstFn(beam.DoFn):
    """Join step one: pairs keyed by their first id meet that article's fingerprint,
    which travels on to the second id. A node marked WANTED goes on too (tagged), so that
    step two need not shuffle every node when only a few are second ends."""

    SECOND = "second"

    def process(self, element) -> Iterator[tuple[str, tuple]]:
        node, others, wanted = _split(element[1])
        if node is None:
            return
        for other in sorted(set(others)):
            yield other, (CARRIED, node)
        if wanted:
            yield beam.pvalue.TaggedOutput(self.SECOND, (element[0], (NODE, node)))


class CompareFn(beam.DoFn):
    """Join step two: the second fingerprint arrives; compute the real similarity. The
    fingerprints of confirmed pairs go on (tagged) to the check against canonicals: only
    they can be a duplicate or a canonical."""

    PAIRED = "paired"

    def __init__(self, config: NearCopyConfig) -> None:
        self.config = config
        self.confirmed = Metrics.counter("near_copies", "confirmed_pairs")
        self.rejected = Metrics.counter("near_copies", "rejected_pairs")

    def process(self, element) -> Iterator:
        node, carried_ones, _ = _split(element[1])
        if node is None:
            return
        second = Fingerprint._make(node)
        theirs = second.shingle_set()
        paired = False
        for carried in carried_ones:
            first = Fingerprint._make(carried)
            same_site = bool(first.publisher) and first.publisher == second.publisher
            value, is_copy = similarity(first.shingle_set(), theirs, self.config, same_site)
            (self.confirmed if is_copy else self.rejected).inc()
            if is_copy:
                paired = True
                yield tuple(Pair(first.id, second.id, round(value, 4), first.rank, second.rank))
                yield beam.pvalue.TaggedOutput(self.PAIRED, (first.id, carried))
        if paired:
            yield beam.pvalue.TaggedOutput(self.PAIRED, (second.id, node))


class ConfirmPairs(beam.PTransform):
    """Pair ends (id, (PAIR, other id)) -> confirmed ``Pair`` tuples (``.pairs``) and the
    fingerprints of their articles (``[CompareFn.PAIRED]``, (id, fingerprint), an id
    possibly more than once). ``nodes``: (id, (NODE, fingerprint)), shingles already
    without their site's template. With ``only_wanted`` the second ids are marked (id,
    (WANTED, None)) among the pair ends, and only their nodes go to the second join."""

    def __init__(self, config: NearCopyConfig, nodes, only_wanted: bool = False) -> None:
        super().__init__()
        self.config = config
        self.nodes = nodes
        self.only_wanted = only_wanted

    def expand(self, pair_ends):
        carried = (
            (self.nodes, pair_ends)
            | "WithPairs" >> beam.Flatten()
            | "JoinFirst" >> beam.GroupByKey()
            | "CarryFirst" >> beam.ParDo(CarryFirstFn()).with_outputs(CarryFirstFn.SECOND, main="carried")
        )
        second = carried[CarryFirstFn.SECOND] if self.only_wanted else self.nodes
        return (
            (second, carried.carried)
            | "WithCarried" >> beam.Flatten()
            | "JoinSecond" >> beam.GroupByKey()
            | "Compare" >> beam.ParDo(CompareFn(self.config)).with_outputs(CompareFn.PAIRED, main="pairs")
        )


class AnyOneFn(beam.CombineFn):
    """Keeps one of an id's fingerprints (all are the same), combined before the shuffle."""

    def create_accumulator(self):
        return None

    def add_input(self, kept, value):
        return value if kept is None else kept

    def merge_accumulators(self, accumulators):
        return next((kept for kept in accumulators if kept is not None), None)

    def extract_output(self, kept):
        return kept


class PairedNodes(beam.PTransform):
    """``ConfirmPairs``' fingerprints of confirmed pairs -> nodes, once per id."""

    def expand(self, paired):
        return (
            paired
            | "OnePerId" >> beam.CombinePerKey(AnyOneFn())
            | "AsNodes" >> beam.MapTuple(lambda article_id, fp: (article_id, (NODE, fp)))
        )

"""``FindNearCopies``: the near-copy stages wired together (see the package docstring)."""

import apache_beam as beam

from transforms.near_copies.candidates import BucketPairsFn, ExactCopiesFn
from transforms.near_copies.components import ConnectedComponents
from transforms.near_copies.config import NearCopyConfig
from transforms.near_copies.confirm import CompareFn, ConfirmPairs, PairedNodes
from transforms.near_copies.fingerprints import FingerprintFn
from transforms.near_copies.marks import (
    Answers,
    DirectOrCheckFn,
    MarkCopies,
    check_ends,
    confirmed_pair,
    wanted_pair,
)
from transforms.near_copies.templates import StripTemplates


class FindNearCopies(beam.PTransform):
    """PCollection[Article] -> the same articles, each duplicate with ``duplicate_of`` (the
    canonical's id) and ``similarity`` (its containment against the canonical's real
    shingle set); canonicals keep both None. Nothing is dropped. ``templates``: a store
    of site templates learnt beforehand (``transforms.state.site_templates``), instead of
    learning them from these articles."""

    def __init__(self, config: NearCopyConfig = NearCopyConfig(), templates=None) -> None:
        super().__init__()
        self.config = config
        self.templates = templates

    def expand(self, articles):
        config = self.config
        fingerprints = (
            articles
            | "Batch" >> beam.BatchElements(min_batch_size=16, max_batch_size=128)
            | "Fingerprint" >> beam.ParDo(FingerprintFn(config))
        )
        exact = (
            fingerprints
            | "KeyByContent" >> beam.Map(lambda f: (f[2], f))
            | "GroupByContent" >> beam.GroupByKey()
            | "ExactCopies"
            >> beam.ParDo(ExactCopiesFn(config.shard_bits)).with_outputs(
                ExactCopiesFn.FOLLOWERS, ExactCopiesFn.SHARDS, main="nodes"
            )
        )
        nodes = exact.nodes
        if config.template_share is not None:
            nodes = nodes | "StripTemplates" >> StripTemplates(config, fingerprints, self.templates)
        compared = (
            exact[ExactCopiesFn.SHARDS]
            | "GroupByBandShard" >> beam.GroupByKey()
            | "BucketPairs" >> beam.ParDo(BucketPairsFn(config.max_bucket))
            | "Confirm" >> ConfirmPairs(config, nodes)
        )
        confirmed = compared.pairs
        labels = (
            confirmed
            | "Edges" >> beam.Map(lambda pair: (pair[3], pair[4]))
            | "Clusters" >> ConnectedComponents(config.max_rounds)
        )
        decided = (
            (
                labels | "KeyByWantedPair" >> beam.FlatMap(wanted_pair),
                confirmed | "KeyByConfirmedPair" >> beam.Map(confirmed_pair),
            )
            | "WithConfirmed" >> beam.Flatten()
            | "JoinPairs" >> beam.GroupByKey()
            | "DirectOrCheck"
            >> beam.ParDo(DirectOrCheckFn()).with_outputs(DirectOrCheckFn.UNCHECKED, main="copies")
        )
        # Only articles in confirmed pairs can be checked: their fingerprints, not all.
        paired = compared[CompareFn.PAIRED] | "PairedNodes" >> PairedNodes()
        checks = (
            decided[DirectOrCheckFn.UNCHECKED]
            | "CheckEnds" >> beam.FlatMap(check_ends)
            | "CheckAgainstCanonical" >> ConfirmPairs(config, paired, only_wanted=True)
        )
        checked = checks.pairs | "CheckedCopies" >> beam.Map(lambda pair: (pair[0], (pair[1], pair[2])))
        answers = (
            (decided.copies, checked)
            | "AllCopies" >> beam.Flatten()
            | "Answers" >> Answers(exact[ExactCopiesFn.FOLLOWERS])
        )
        return articles | "MarkCopies" >> MarkCopies(answers)

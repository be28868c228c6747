"""MatchIndex: the near-copy index step of a streaming micro-batch, after ``FindNearCopies``.

``FindNearCopies`` clusters the batch on its own; this step matches each in-batch cluster
against the articles of every other batch, on any worker, atomically (``near_copy_index.
decide``: lock the band buckets, look up, insert, commit). The cluster's canonical decides
first; if it turns out to be a copy of an indexed article, its in-batch copies follow that
article when they are copies of it too (checked on its stored shingles), else each decides
on its own. Every article of the batch is stored with its answer, so a replay on any worker
gets the same answers back and no article ever becomes a copy of itself.
"""

import dataclasses
import logging
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.records import Article
from transforms.near_copies import Fingerprint, NearCopyConfig, minhash, similarity
from transforms.near_copies.fingerprints import fingerprints
from transforms.near_copies.templates import strip_print
from transforms.state.near_copy_index import (
    Answer,
    IndexedArticle,
    IndexSession,
    NearCopyIndex,
    batch_hash,
    decide,
    lock_keys,
    prune_if_due,
    record,
)
from transforms.state.spec import DEFAULT_NEAR_COPY_DAYS


def as_row(fp: Fingerprint, batch: int, now: float, canonical_id: str | None = None,
           value: float | None = None) -> IndexedArticle:
    return IndexedArticle(fp.id, canonical_id or fp.id, value, fp.content, fp.shingles, fp.bands,
                          batch, now)


def match_clusters(session: IndexSession, clusters: list[tuple[str, list[Article]]],
                   config: NearCopyConfig, hasher: minhash.MinHasher, batch: int, now: float,
                   hold: Callable[[], None] | None = None,
                   templates=None) -> dict[str, tuple[str | None, float | None]]:
    """id -> (duplicate_of, similarity) for in-batch clusters: (canonical id, the canonical
    and the members ``FindNearCopies`` made its copies). One transaction for them all,
    holding the lock keys of every article in them: a commit per article would cost more
    than the lookups, and unrelated articles still almost never share a key.
    ``templates``: the run's site templates (``transforms.state.site_templates``), taken
    out of the shingles compared and stored, as ``FindNearCopies`` took them out."""
    prints = fingerprints([a for _, members in clusters for a in members], config, hasher)
    if templates is not None:
        prints = [Fingerprint._make(strip_print(fp, templates.get(fp.publisher))) for fp in prints]
    by_id = {fp.id: fp for fp in prints}
    keys = sorted({k for fp in prints for k in lock_keys(fp.bands, fp.content)})
    answers: dict[str, Answer] = {}
    with session.locked(keys):
        for canonical_id, members in clusters:
            answers.update(_match_cluster(session, canonical_id, members, by_id, config, batch, now, hold))
    # An article whose stored canonical is itself is canonical: never a copy of itself.
    return {i: (None, None) if target == i else (target, value) for i, (target, value) in answers.items()}


def _match_cluster(session: IndexSession, canonical_id: str, members: list[Article],
                   prints: dict[str, Fingerprint], config: NearCopyConfig, batch: int, now: float,
                   hold: Callable[[], None] | None) -> dict[str, Answer]:
    is_copy = partial(similarity, config=config)
    answers: dict[str, Answer] = {}
    if canonical_id not in {a.id for a in members}:
        # Not a cluster (the canonical is missing): every article stands for itself.
        for article in members:
            answers[article.id] = decide(session, as_row(prints[article.id], batch, now), is_copy)
        return answers
    head = prints[canonical_id]
    target, _ = answers[head.id] = decide(session, as_row(head, batch, now), is_copy, hold=hold)
    for article in members:
        if article.id == head.id:
            continue
        fp = prints[article.id]
        if target == head.id:
            answers[fp.id] = record(session, as_row(fp, batch, now, head.id, article.similarity))
        else:
            answers[fp.id] = decide(session, as_row(fp, batch, now), is_copy, prefer=target)
    return answers


# Test hook: COPYDESK_STATE_FAILPOINT=stop-in-transaction makes this process SIGSTOP itself
# once, inside a near-copy transaction that holds its locks, to prove that a frozen worker
# costs the others no more than the server's timeouts.
FAILPOINT_ENV = "COPYDESK_STATE_FAILPOINT"
_failpoint_used = False


def _failpoint() -> Callable[[], None] | None:
    if os.environ.get(FAILPOINT_ENV) != "stop-in-transaction" or _failpoint_used:
        return None

    def stop() -> None:
        global _failpoint_used
        if not _failpoint_used:
            _failpoint_used = True
            logging.getLogger(__name__).warning("failpoint stop-in-transaction: stopping this worker")
            for handler in logging.getLogger().handlers:
                handler.flush()
            os.kill(os.getpid(), signal.SIGSTOP)

    return stop


class MatchClustersFn(beam.DoFn):
    """A few in-batch clusters -> their articles with the index's answers."""

    def __init__(self, index: NearCopyIndex, config: NearCopyConfig,
                 near_copy_days: float, templates=None) -> None:
        self.index = index
        self.config = config
        self.days = near_copy_days
        self.templates = templates
        self.from_index = Metrics.counter("near_copies", "index_duplicates")
        self.pruned = Metrics.counter("near_copies", "index_pruned")

    def setup(self) -> None:
        self.hasher = minhash.MinHasher(self.config.bands, self.config.rows, self.config.seed)
        self.session = self.index.open(self.config.scheme())
        self.pruned.inc(prune_if_due(self.session, self.days))

    def process(self, clusters: list[tuple[str, list[Article]]], batch_key: str) -> Iterator[Article]:
        # The batch key comes here, not to the constructor: it may be a side input known
        # only at run time (the streaming worker's graph is built once).
        # One transaction for the clusters, tried again whole if the store drops out.
        answers = self.session.patiently("matching near-copies", lambda: match_clusters(
            self.session, clusters, self.config, self.hasher, batch_hash(batch_key), time.time(),
            hold=_failpoint(), templates=self.templates))
        for _, members in clusters:
            for article in members:
                duplicate_of, value = answers[article.id]
                if duplicate_of is not None and duplicate_of != article.duplicate_of:
                    self.from_index.inc()
                yield dataclasses.replace(article, duplicate_of=duplicate_of, similarity=value)

    def teardown(self) -> None:
        session = getattr(self, "session", None)
        if session is not None:
            session.close()


def _cluster(element: tuple[str, Iterable[Article]]) -> tuple[str, list[Article]]:
    # The same article read twice (same id) is one article.
    canonical_id, members = element
    return canonical_id, sorted({a.id: a for a in members}.values(), key=lambda a: a.id)


class MatchIndex(beam.PTransform):
    """Articles marked by ``FindNearCopies`` -> the same articles, matched against the
    near-copy index of every earlier (or concurrent) batch, and added to it. ``batch_key``
    names the micro-batch (its file stem, or ``AsSingleton`` of it): a replay of it gets the
    same answers.
    ``near_copy_days``: entries older than this are pruned. ``templates``: site templates
    learnt beforehand, the ones given to ``FindNearCopies`` (a run in chunks); without
    them the index compares whole shingle sets."""

    def __init__(self, index: NearCopyIndex, batch_key,
                 config: NearCopyConfig = NearCopyConfig(),
                 near_copy_days: float = DEFAULT_NEAR_COPY_DAYS, templates=None) -> None:
        super().__init__()
        self.index = index
        self.batch_key = batch_key
        self.config = config
        self.near_copy_days = near_copy_days
        self.templates = templates

    def expand(self, articles):
        return (
            articles
            | "KeyByCanonical" >> beam.Map(lambda a: (a.duplicate_of or a.id, a))
            | "GroupClusters" >> beam.GroupByKey()
            | "Members" >> beam.Map(_cluster)
            | "FewClusters" >> beam.BatchElements(
                min_batch_size=1, max_batch_size=64, element_size_fn=lambda c: len(c[1]))
            | "MatchClusters" >> beam.ParDo(
                MatchClustersFn(self.index, self.config, self.near_copy_days, self.templates),
                self.batch_key)
        )

"""Near-copies: marks every reprint or exact copy with the id of its canonical article.

Stages, each scalable past one machine (only confirmed duplicate pairs are ever gathered
into one place, never the corpus's texts or signatures):

1. Fingerprint: normalised content hash, word-shingle hashes, MinHash band keys.
2. Exact copies: group by content hash; the lowest-ranked member stays, the rest follow it.
3. Candidates: group by LSH band (band index + band hash; buckets travel in shards of
   many buckets, see ``ExactCopiesFn``), pair the members of each bucket.
   A bucket with more than ``max_bucket`` members (a template or a wire story reprinted
   thousands of times) is split into chunks of ``max_bucket`` paired within themselves,
   plus each chunk's first member paired with the bucket's first member: O(n) pairs, and
   real copies still join up through union-find.
4. Confirm: join each pair with both articles' shingle sets (GroupByKey by id, twice; the
   first join drops repeated pairs) and compute the real containment on the sets, not the
   signature estimate. Shingles of the article's site template (learnt per publisher from
   a sample, see ``template_of``) do not count, so two different articles in one long
   template are not copies.
5. Cluster: gather the confirmed pairs, union-find, canonical = lowest rank. A member with no
   confirmed pair with its canonical is checked against it directly (step 4 again), so
   every ``similarity`` is a real similarity to ``duplicate_of``; if that check fails the
   member stays canonical (a chain through a roundup is not a copy).
6. Apply: a side input of duplicates only (id -> canonical, similarity) marks the articles.

With a ``NearCopyIndex`` the articles of earlier micro-batches take part too: their band
keys and content hashes give candidates, their stored shingle sets confirm them, they
always stay canonical (their rows are already written, even if a newcomer was published
earlier), and this batch's answers are added to the index at the end.

Known limits: LSH works on Jaccard, so a copy whose Jaccard with its original is low
although its containment is high (a reprint of a third of a long text, or of the body only
of a page whose template outweighs it) becomes a candidate only by chance (about 42% at
Jaccard 0.3 with 20 bands of 3 rows). Micro-batches running at the same time on different
workers do not see each other's articles until they are written.
"""

import dataclasses
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Iterator, NamedTuple
from urllib.parse import urlsplit

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics
from apache_beam.utils.windowed_value import WindowedValue

from schemas.records import Article
from transforms import minhash
from transforms.near_copy_index import IndexedArticle, NearCopyIndex


@dataclass(frozen=True)
class NearCopyConfig:
    """``shingle_size``: words per shingle. ``bands`` x ``rows`` MinHash permutations,
    ``seed``d; few rows per band so that truncated reprints (Jaccard near 0.5 while
    containment is near 1) still share a band: with 20 x 3 a pair shares a band with
    probability 0.93 at Jaccard 0.5, 0.42 at 0.3, 0.02 at 0.1 (tuned on bench.reprints:
    recall 0.997 against 0.985 for 20 x 4, for 5% more candidates and fewer permutations).
    ``threshold``: minimum containment |A∩B| / min(|A|, |B|) of shingle sets for a copy:
    reprints cut paragraphs and add headers and footers, which Jaccard punishes and
    containment does not; different articles about one event stay far below it.
    ``min_shingles``: a text with fewer shingles is too short for containment to mean
    anything (a one-line brief is contained in many articles), so it needs Jaccard instead.
    ``max_bucket``: band buckets larger than this are split (see the module docstring).
    ``shard_bits``: band buckets are grouped 2**shard_bits shards per band (see
    ``ExactCopiesFn``); raise it when a corpus has more than ~10^8 articles x bands.
    ``template_share``: robustness against site templates the boilerplate step left in:
    per publisher, of a deterministic sample of ``template_sample`` articles (needs at
    least ``template_min_articles``), shingles found in this share of them are the site's
    template and do not count when a pair is confirmed. None turns this off.
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

    def scheme(self) -> str:
        """What fingerprints depend on; an index built with another scheme cannot be used."""
        return f"w{self.shingle_size}-b{self.bands}x{self.rows}-s{self.seed}-v1"


class Fingerprint(NamedTuple):
    """What near-copy detection knows about one article; ``rank`` orders canonicals.
    Crosses shuffles as a plain tuple (``tuple(fp)``, ``Fingerprint._make``): Beam encodes
    plain tuples and bytes several times faster than pickling a class."""

    id: str
    rank: tuple
    content: str
    shingles: bytes
    bands: tuple[int, ...]
    # Whose site template the text may carry: publisher_id, else the URL's host, else "".
    publisher: str = ""

    def shingle_set(self) -> np.ndarray:
        return np.frombuffer(self.shingles, dtype="<u8")


class Pair(NamedTuple):
    """A confirmed pair; ``similarity`` is the containment of the two shingle sets."""

    a: str
    b: str
    similarity: float
    rank_a: tuple
    rank_b: tuple


# What the mapping side input holds per duplicate: ("copy", canonical_id, similarity) or
# ("follow", exact_copy_representative, None), resolved when applied.
COPY = "copy"
FOLLOW = "follow"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def rank(article: Article) -> tuple:
    """Canonical order: already indexed first (its rows are written; see ``pinned``), then
    earliest ``published_at`` (unknown last), then ``order``, then id."""
    return _rank(False, _seconds(article.published_at), article.order, article.id)


def _rank(indexed: bool, seconds: float | None, order: str, article_id: str) -> tuple:
    return (not indexed, seconds is None, seconds or 0.0, order, article_id)


def pinned(fp: Fingerprint) -> Fingerprint:
    """The same fingerprint ranked as an indexed article: it always stays canonical."""
    return fp._replace(rank=(False,) + tuple(fp.rank[1:]))


def is_pinned(rank_: tuple) -> bool:
    return not rank_[0]


def _seconds(when: datetime | None) -> float | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (when - _EPOCH).total_seconds()


def fingerprints(
    articles: list[Article], config: NearCopyConfig, hasher: minhash.MinHasher
) -> list[Fingerprint]:
    prints = hasher.prints([a.text for a in articles], config.shingle_size)
    return [
        Fingerprint(
            a.id, rank(a), p.content, p.shingles.astype("<u8").tobytes(), p.bands, publisher(a)
        )
        for a, p in zip(articles, prints)
    ]


def publisher(article: Article) -> str:
    if article.publisher_id:
        return article.publisher_id
    host = urlsplit(article.url).hostname if article.url else None
    return host.removeprefix("www.") if host else ""


def fingerprint(
    article: Article, config: NearCopyConfig, hasher: minhash.MinHasher
) -> Fingerprint:
    return fingerprints([article], config, hasher)[0]


def similarity(a: np.ndarray, b: np.ndarray, config: NearCopyConfig) -> tuple[float, bool]:
    """(containment, is it a copy) from two real shingle sets."""
    shared = minhash.overlap(a, b)
    smaller = min(len(a), len(b))
    if smaller == 0:
        return 0.0, False
    contained = shared / smaller
    if smaller >= config.min_shingles:
        return contained, contained >= config.threshold
    return contained, shared / (len(a) + len(b) - shared) >= config.threshold


def without_template(shingles: np.ndarray, template: np.ndarray | None) -> np.ndarray:
    if template is None or not len(shingles):
        return shingles
    return np.setdiff1d(shingles, template, assume_unique=True)


def template_of(element: tuple[str, list[tuple]], config: NearCopyConfig):
    """(publisher, sample of (id hash, shingles)) -> (publisher, template shingles): those in
    at least ``template_share`` of the sampled articles. A site's navigation and footer
    repeat on every page; a wire story repeats across publishers, not within one site's
    sample, so it is not taken for a template."""
    site, sample = element
    if len(sample) < config.template_min_articles:
        return
    values, seen = np.unique(
        np.concatenate([np.frombuffer(shingles, dtype="<u8") for _, shingles in sample]),
        return_counts=True,
    )
    common = values[seen >= config.template_share * len(sample)]
    if len(common):
        yield site, common.astype("<u8").tobytes()


def _sample_key(fp: tuple) -> tuple[str, tuple]:
    # No ``int`` in the hint: Beam would encode the unsigned 64-bit digest as a signed one.
    # Deterministic sample: the articles whose ids hash lowest, so replays agree.
    digest = int.from_bytes(hashlib.blake2b(fp[0].encode("utf-8"), digest_size=8).digest(), "big")
    return fp[5], (digest, fp[3])


class FingerprintFn(beam.DoFn):
    """A batch of articles -> their fingerprints (numpy's per-call cost is paid per batch)."""

    def __init__(self, config: NearCopyConfig) -> None:
        self.config = config

    def setup(self) -> None:
        self.hasher = minhash.MinHasher(self.config.bands, self.config.rows, self.config.seed)

    def process(self, batch: list[Article]) -> Iterator[tuple]:
        for fp in fingerprints(batch, self.config, self.hasher):
            yield tuple(fp)


class IndexFn(beam.DoFn):
    """Base for steps that read or write the index: one session per worker."""

    def __init__(self, index: NearCopyIndex, config: NearCopyConfig) -> None:
        self.index = index
        self.config = config

    def setup(self) -> None:
        self.session = self.index.open(self.config.scheme())

    def teardown(self) -> None:
        session = getattr(self, "session", None)
        if session is not None:
            session.close()


class MarkIndexedFn(IndexFn):
    """Articles already in the index keep their answer: a canonical is pinned (it stays
    canonical), a duplicate leaves matching with its stored answer (replays agree)."""

    KNOWN = "known"

    def process(self, element: tuple):
        fp = Fingerprint._make(element)
        answer = self.session.answers([fp.id]).get(fp.id)
        if answer is None:
            yield element
        elif answer[0] == fp.id:
            yield tuple(pinned(fp))
        else:
            yield beam.pvalue.TaggedOutput(self.KNOWN, (fp.id, (COPY, answer[0], answer[1])))


class LookUpIndexFn(IndexFn):
    """Candidates from earlier batches: indexed canonicals sharing a band key or the
    content hash. Emits the pairs and the stored fingerprints to confirm them with."""

    STORED = "stored"

    def __init__(self, index: NearCopyIndex, config: NearCopyConfig) -> None:
        super().__init__(index, config)
        self.found = Metrics.counter("near_copies", "index_candidates")

    def process(self, element: tuple):
        fp = Fingerprint._make(element[1][1])
        others = self.session.candidates(fp.bands, [fp.content]) - {fp.id}
        for row in self.session.fetch(sorted(others)):
            self.found.inc()
            stored = Fingerprint(
                row.id, _rank(True, row.published_at, row.order, row.id), row.content,
                row.shingles, (), row.publisher,
            )
            yield beam.pvalue.TaggedOutput(self.STORED, _node(stored))
            yield _pair_end(fp.id, row.id)


class UpdateIndexFn(IndexFn):
    """After the batch: its canonicals (with band keys and shingles) and its duplicates
    (with their answer) go into the index, written once per bundle."""

    def start_bundle(self) -> None:
        self.rows: list[IndexedArticle] = []

    def process(self, element: tuple, mapping: dict) -> None:
        # Articles already indexed come through too: inserts keep the first answer.
        fp = Fingerprint._make(element)
        duplicate_of, value = resolve(fp.id, mapping)
        seconds = None if fp.rank[1] else fp.rank[2]
        if duplicate_of is None:
            row = IndexedArticle(fp.id, fp.id, None, seconds, fp.rank[3], fp.content,
                                 fp.shingles, fp.bands, fp.publisher)
        else:
            row = IndexedArticle(fp.id, duplicate_of, value, seconds, fp.rank[3], fp.content,
                                 publisher=fp.publisher)
        self.rows.append(row)
        if len(self.rows) >= 500:
            self.finish_bundle()

    def finish_bundle(self) -> None:
        self.session.add(self.rows)
        self.rows = []


# Joins are GroupByKey over inputs tagged at the source: (id, (NODE, fingerprint)) meets
# (id, (PAIR, other id)) or (id, (CARRIED, other fingerprint)). Cheaper than CoGroupByKey,
# which adds a tagging and an untagging step per element, and the first join drops repeated
# pairs by itself (every copy of a pair goes to the key of its first id).
NODE, PAIR, CARRIED = 0, 1, 2


def _node(fp: Fingerprint | tuple) -> tuple[str, tuple]:
    return fp[0], (NODE, tuple(fp))


def _pair_end(a: str, b: str) -> tuple[str, tuple]:
    a, b = _ordered((a, b))
    return a, (PAIR, b)


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
        # No words at all: nothing to compare, every such article stands alone.
        firsts = members if not content else members[:1]
        shards = self.buffers[window]
        for first in firsts:
            yield _node(first)
            for key in first[4]:
                shards[key >> self.shift].append((key, first[0]))
        if content:
            for member in members[1:]:
                self.copies.inc()
                yield beam.pvalue.TaggedOutput(
                    self.FOLLOWERS, (member[0], (FOLLOW, members[0][0], None))
                )

    def finish_bundle(self) -> Iterator[WindowedValue]:
        for window, shards in self.buffers.items():
            for shard, entries in shards.items():
                value = WindowedValue((shard, entries), window.max_timestamp(), [window])
                yield beam.pvalue.TaggedOutput(self.SHARDS, value)
        self.buffers.clear()


class BucketPairsFn(beam.DoFn):
    """One shard: its band buckets, and all pairs of each bucket (as pair ends, first id
    lowest), or O(n) pairs when a bucket is oversized."""

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


def _ordered(pair: tuple[str, str]) -> tuple[str, str]:
    a, b = pair
    return (a, b) if a < b else (b, a)


def _split(values: Iterable[tuple]) -> tuple[tuple | None, list]:
    node, others = None, []
    for tag, value in values:
        if tag == NODE:
            node = value
        else:
            others.append(value)
    return node, others


class CarryFirstFn(beam.DoFn):
    """Join step one: pairs keyed by their first id meet that article's fingerprint,
    which travels on to the second id."""

    def process(self, element) -> Iterator[tuple[str, tuple]]:
        node, others = _split(element[1])
        if node is None:
            return
        for other in sorted(set(others)):
            yield other, (CARRIED, node)


class CompareFn(beam.DoFn):
    """Join step two: the second fingerprint arrives; compute the real similarity."""

    def __init__(self, config: NearCopyConfig) -> None:
        self.config = config
        self.confirmed = Metrics.counter("near_copies", "confirmed_pairs")
        self.rejected = Metrics.counter("near_copies", "rejected_pairs")

    def setup(self) -> None:
        self.templates: dict[str, np.ndarray] = {}

    def template(self, site: str, templates: dict) -> np.ndarray | None:
        if site not in templates:
            return None
        if site not in self.templates:
            self.templates[site] = np.frombuffer(templates[site], dtype="<u8")
        return self.templates[site]

    def process(self, element, templates=None) -> Iterator[tuple]:
        node, carried_ones = _split(element[1])
        if node is None:
            return
        templates = templates or {}
        second = Fingerprint._make(node)
        theirs = without_template(second.shingle_set(), self.template(second.publisher, templates))
        for carried in carried_ones:
            first = Fingerprint._make(carried)
            mine = without_template(first.shingle_set(), self.template(first.publisher, templates))
            value, is_copy = similarity(mine, theirs, self.config)
            (self.confirmed if is_copy else self.rejected).inc()
            if is_copy:
                yield tuple(Pair(first.id, second.id, round(value, 4), first.rank, second.rank))


class ConfirmPairs(beam.PTransform):
    """Pair ends (id, (PAIR, other id)) -> confirmed ``Pair`` tuples. Each id is joined with
    its fingerprint by key (two GroupByKeys), so a worker only ever holds the fingerprints
    of the pairs it compares. ``nodes``: (id, (NODE, fingerprint))."""

    def __init__(self, config: NearCopyConfig, nodes, templates=None) -> None:
        super().__init__()
        self.config = config
        self.nodes = nodes
        self.templates = templates

    def expand(self, pair_ends):
        extra = {}
        if self.templates is not None:
            extra["templates"] = beam.pvalue.AsDict(self.templates)
        carried = (
            (self.nodes, pair_ends)
            | "WithPairs" >> beam.Flatten()
            | "JoinFirst" >> beam.GroupByKey()
            | "CarryFirst" >> beam.ParDo(CarryFirstFn())
        )
        return (
            (self.nodes, carried)
            | "WithCarried" >> beam.Flatten()
            | "JoinSecond" >> beam.GroupByKey()
            | "Compare" >> beam.ParDo(CompareFn(self.config), **extra)
        )


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while (parent := self.parent.setdefault(root, root)) != root:
            root = parent
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster(pairs: Iterable[tuple]) -> tuple[dict[str, tuple], list[tuple[str, str]]]:
    """Connected components of confirmed pairs. Returns the duplicates that have a
    confirmed pair with their canonical (id -> (COPY, canonical, similarity)) and the
    (duplicate, canonical) pairs still to be checked directly. Indexed articles are never
    made duplicates: their answer is already written."""
    forest = UnionFind()
    ranks: dict[str, tuple] = {}
    direct: dict[tuple[str, str], float] = {}
    for pair in map(Pair._make, pairs):
        forest.union(pair.a, pair.b)
        ranks[pair.a], ranks[pair.b] = pair.rank_a, pair.rank_b
        direct[_ordered((pair.a, pair.b))] = pair.similarity
    components: dict[str, list[str]] = defaultdict(list)
    for node in ranks:
        components[forest.find(node)].append(node)
    copies: dict[str, tuple] = {}
    unchecked: list[tuple[str, str]] = []
    for members in components.values():
        canonical = min(members, key=ranks.__getitem__)
        for member in sorted(members):
            if member == canonical or is_pinned(ranks[member]):
                continue
            value = direct.get(_ordered((member, canonical)))
            if value is None:
                unchecked.append((member, canonical))
            else:
                copies[member] = (COPY, canonical, value)
    return copies, unchecked


class ClusterFn(beam.DoFn):
    UNCHECKED = "unchecked"

    def __init__(self) -> None:
        self.unchecked = Metrics.counter("near_copies", "checked_against_canonical")

    def process(self, pairs: list[tuple]):
        copies, unchecked = cluster(pairs)
        yield from copies.items()
        for pair in unchecked:
            self.unchecked.inc()
            yield beam.pvalue.TaggedOutput(self.UNCHECKED, pair)


def resolve(article_id: str, mapping: dict) -> tuple[str | None, float | None]:
    """(duplicate_of, similarity) for one article from the duplicates-only mapping."""
    entry = mapping.get(article_id)
    if entry is None:
        return None, None
    kind, target, value = entry
    if kind == FOLLOW:
        followed = mapping.get(target)
        if followed is not None and followed[0] == COPY:
            return followed[1], followed[2]
        return target, 1.0
    return target, value


class MarkCopiesFn(beam.DoFn):
    def __init__(self) -> None:
        self.duplicates = Metrics.counter("near_copies", "duplicates")

    def process(self, article: Article, mapping: dict) -> Iterator[Article]:
        duplicate_of, value = resolve(article.id, mapping)
        if duplicate_of is not None:
            self.duplicates.inc()
        yield dataclasses.replace(article, duplicate_of=duplicate_of, similarity=value)


def _in_pairs(node: tuple[str, tuple], wanted: dict) -> bool:
    return node[0] in wanted


class FindNearCopies(beam.PTransform):
    """PCollection[Article] -> the same articles, each duplicate with ``duplicate_of`` (the
    canonical's id) and ``similarity`` (its containment against the canonical's real
    shingle set); canonicals keep both None. Nothing is dropped. With ``index`` (a
    ``NearCopyIndex``), earlier batches' articles take part and this batch is added."""

    def __init__(
        self, config: NearCopyConfig = NearCopyConfig(), index: NearCopyIndex | None = None
    ) -> None:
        super().__init__()
        self.config = config
        self.index = index

    def expand(self, articles):
        config, index = self.config, self.index
        fingerprints = (
            articles
            | "Batch" >> beam.BatchElements(min_batch_size=16, max_batch_size=128)
            | "Fingerprint" >> beam.ParDo(FingerprintFn(config))
        )
        known = []
        matchable = fingerprints
        if index is not None:
            marked = fingerprints | "MarkIndexed" >> beam.ParDo(
                MarkIndexedFn(index, config)
            ).with_outputs(MarkIndexedFn.KNOWN, main="matchable")
            matchable, known = marked.matchable, [marked[MarkIndexedFn.KNOWN]]
        exact = (
            matchable
            | "KeyByContent" >> beam.Map(lambda f: (f[2], f))
            | "GroupByContent" >> beam.GroupByKey()
            | "ExactCopies"
            >> beam.ParDo(ExactCopiesFn(config.shard_bits)).with_outputs(
                ExactCopiesFn.FOLLOWERS, ExactCopiesFn.SHARDS, main="nodes"
            )
        )
        nodes = exact.nodes
        pair_ends = [
            exact[ExactCopiesFn.SHARDS]
            | "GroupByBandShard" >> beam.GroupByKey()
            | "BucketPairs" >> beam.ParDo(BucketPairsFn(config.max_bucket))
        ]
        if index is not None:
            looked_up = nodes | "LookUpIndex" >> beam.ParDo(
                LookUpIndexFn(index, config)
            ).with_outputs(LookUpIndexFn.STORED, main="pair_ends")
            pair_ends.append(looked_up.pair_ends)
            nodes = (nodes, looked_up[LookUpIndexFn.STORED]) | "AllNodes" >> beam.Flatten()
        templates = None
        if config.template_share is not None:
            templates = (
                fingerprints
                | "WithPublisher" >> beam.Filter(lambda f: f[5])
                | "KeyByPublisher" >> beam.Map(_sample_key)
                | "SamplePerPublisher" >> beam.combiners.Top.SmallestPerKey(config.template_sample)
                | "Templates" >> beam.FlatMap(template_of, config)
            )
        confirmed = (
            pair_ends
            | "AllPairEnds" >> beam.Flatten()
            | "Confirm" >> ConfirmPairs(config, nodes, templates)
        )
        clustered = (
            confirmed
            | "GatherConfirmed" >> beam.combiners.ToList()
            | "Cluster" >> beam.ParDo(ClusterFn()).with_outputs(ClusterFn.UNCHECKED, main="copies")
        )
        # Few pairs, all of them duplicates: a side input of their ids keeps the second
        # join from shuffling every fingerprint again (repeated ids just overwrite).
        unchecked_ids = clustered.unchecked | "UncheckedIds" >> beam.FlatMap(
            lambda p: [(p[0], True), (p[1], True)]
        )
        wanted = nodes | "OnlyUnchecked" >> beam.Filter(
            _in_pairs, wanted=beam.pvalue.AsDict(unchecked_ids)
        )
        checked = (
            clustered.unchecked
            | "UncheckedEnds" >> beam.Map(lambda p: (p[0], (PAIR, p[1])))
            | "CheckAgainstCanonical" >> ConfirmPairs(config, wanted, templates)
            | "CheckedCopies" >> beam.Map(lambda p: (p[0], (COPY, p[1], p[2])))
        )
        mapping = [clustered.copies, checked, exact[ExactCopiesFn.FOLLOWERS]] + known
        mapping = mapping | "Duplicates" >> beam.Flatten()
        if index is not None:
            _ = fingerprints | "UpdateIndex" >> beam.ParDo(
                UpdateIndexFn(index, config), mapping=beam.pvalue.AsDict(mapping)
            )
        return articles | "MarkCopies" >> beam.ParDo(
            MarkCopiesFn(), mapping=beam.pvalue.AsDict(mapping)
        )

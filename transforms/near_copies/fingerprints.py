"""Stage 1: what near-copy detection knows about one article, and its canonical order."""

from datetime import datetime, timezone
from typing import Iterator, NamedTuple
from urllib.parse import urlsplit

import apache_beam as beam
import numpy as np

from schemas.records import Article
from transforms.near_copies import minhash
from transforms.near_copies.config import NearCopyConfig


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


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def rank(article: Article) -> tuple:
    """Canonical order: already indexed first (its rows are written; see ``pinned``), then
    earliest ``published_at`` (unknown last), then ``order``, then id. Ends with the id,
    so two articles never tie and the id can be read back from it."""
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


def fingerprint(
    article: Article, config: NearCopyConfig, hasher: minhash.MinHasher
) -> Fingerprint:
    return fingerprints([article], config, hasher)[0]


def publisher(article: Article) -> str:
    if article.publisher_id:
        return article.publisher_id
    host = urlsplit(article.url).hostname if article.url else None
    return host.removeprefix("www.") if host else ""


class FingerprintFn(beam.DoFn):
    """A batch of articles -> their fingerprints (numpy's per-call cost is paid per batch)."""

    def __init__(self, config: NearCopyConfig) -> None:
        self.config = config

    def setup(self) -> None:
        self.hasher = minhash.MinHasher(self.config.bands, self.config.rows, self.config.seed)

    def process(self, batch: list[Article]) -> Iterator[tuple]:
        for fp in fingerprints(batch, self.config, self.hasher):
            yield tuple(fp)

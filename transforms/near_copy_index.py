"""Persistent near-copy index: lets a reprint that arrives in a later micro-batch be marked
as a duplicate of the original an earlier batch already wrote.

``NearCopyIndex`` is a picklable description of a store (it only knows how to connect);
each worker calls ``open(scheme)`` in ``DoFn.setup`` and gets an ``IndexSession`` with five
methods. The default, ``SqliteNearCopyIndex``, is one SQLite file under the output folder
(``DIR/_state/near_copies.sqlite``): right for one machine, where the direct runner's
workers share the file (WAL mode, a busy timeout, idempotent inserts).

A shared database takes over by implementing the same two classes over the same three
tables (``meta``, ``articles``, ``bands``; see ``_SCHEMA``): for example PostgreSQL with
``INSERT ... ON CONFLICT DO NOTHING`` and an index on ``bands(band)``, reached from every
worker of a distributed runner. What makes that safe: every write is an insert keyed by
article id and the first writer wins, so replays and racing workers agree on one answer;
lookups only ever read rows of earlier batches, because a batch's rows are written after
its clustering has finished.

Only canonicals have band rows and shingles: later articles are compared against them.
Duplicates are stored as id -> (canonical id, similarity), so that replaying a batch gives
back the answer already written.
"""

from __future__ import annotations

import os
import sqlite3
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Iterable

STATE_DIR = "_state"
FILE_NAME = "near_copies.sqlite"


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """One article as the index keeps it. ``published_at`` is seconds since the epoch
    (None when unknown); ``shingles`` (uint64 little-endian bytes) and ``bands`` are empty
    for duplicates."""

    id: str
    canonical_id: str
    similarity: float | None
    published_at: float | None
    order: str
    content: str
    shingles: bytes = b""
    bands: tuple[int, ...] = ()
    publisher: str = ""

    @property
    def is_canonical(self) -> bool:
        return self.canonical_id == self.id


class IndexSession(ABC):
    """An open connection to an index; one per worker, opened in ``DoFn.setup``."""

    @abstractmethod
    def answers(self, ids: Iterable[str]) -> dict[str, tuple[str, float | None]]:
        """id -> (canonical id, similarity) for the ids already indexed."""

    @abstractmethod
    def candidates(self, bands: Iterable[int], contents: Iterable[str]) -> set[str]:
        """Ids of indexed canonicals sharing a band key or a content hash."""

    @abstractmethod
    def fetch(self, ids: Iterable[str]) -> list[IndexedArticle]:
        """The stored rows of these ids (missing ids are left out)."""

    @abstractmethod
    def add(self, rows: Iterable[IndexedArticle]) -> None:
        """Insert rows; an id already present keeps its first answer."""

    def close(self) -> None:  # noqa: B027 - optional for stores without a connection
        pass


class NearCopyIndex(ABC):
    """A picklable description of a store; ``open`` connects (in ``DoFn.setup``)."""

    @abstractmethod
    def open(self, scheme: str) -> IndexSession:
        """Connect; ``scheme`` names how fingerprints were made, and a store built with
        another scheme must refuse, since its band keys would never match."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    canonical_id TEXT NOT NULL,
    similarity REAL,
    published_at REAL,
    ord TEXT NOT NULL,
    content TEXT NOT NULL,
    shingles BLOB NOT NULL,
    publisher TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_content ON articles (content) WHERE canonical_id = id;
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (band, id)
) WITHOUT ROWID;
"""

# SQLite's default limit on bound parameters is 999 in old builds; stay below it.
_CHUNK = 900


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class SqliteSession(IndexSession):
    def __init__(self, path: str, scheme: str, timeout: float) -> None:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('scheme', ?)", (scheme,))
        (stored,) = self.db.execute("SELECT value FROM meta WHERE key = 'scheme'").fetchone()
        if stored != scheme:
            self.db.close()
            raise ValueError(
                f"The near-copy index {path} was built with fingerprints {stored}, not "
                f"{scheme}; use the same near-copy settings or point the run at a new "
                "output folder."
            )

    def answers(self, ids: Iterable[str]) -> dict[str, tuple[str, float | None]]:
        found: dict[str, tuple[str, float | None]] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id, canonical_id, similarity FROM articles WHERE id IN ({marks})"
            for article_id, canonical_id, value in self.db.execute(query, chunk):
                found[article_id] = (canonical_id, value)
        return found

    def candidates(self, bands: Iterable[int], contents: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(bands)):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT DISTINCT id FROM bands WHERE band IN ({marks})"
            found.update(row[0] for row in self.db.execute(query, chunk))
        for chunk in _chunks([c for c in contents if c]):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id FROM articles WHERE canonical_id = id AND content IN ({marks})"
            found.update(row[0] for row in self.db.execute(query, chunk))
        return found

    def fetch(self, ids: Iterable[str]) -> list[IndexedArticle]:
        rows = []
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            query = (
                "SELECT id, canonical_id, similarity, published_at, ord, content, shingles, "
                f"publisher FROM articles WHERE id IN ({marks})"
            )
            for *head, site in self.db.execute(query, chunk):
                rows.append(IndexedArticle(*head, publisher=site))
        return rows

    def add(self, rows: Iterable[IndexedArticle]) -> None:
        rows = list(rows)
        if not rows:
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany(
                "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.id, r.canonical_id, r.similarity, r.published_at, r.order, r.content,
                     r.shingles, r.publisher)
                    for r in rows
                ],
            )
            # Band rows only for rows that are canonical as stored: a row ignored above
            # (the id was already there with another answer) must not become a candidate.
            self.db.executemany(
                "INSERT OR IGNORE INTO bands SELECT ?, id FROM articles "
                "WHERE id = ? AND canonical_id = id",
                [(band, r.id) for r in rows if r.is_canonical for band in r.bands],
            )

    def close(self) -> None:
        self.db.close()


@dataclass(frozen=True)
class SqliteNearCopyIndex(NearCopyIndex):
    """The embedded default: one SQLite file. ``timeout``: seconds a writer waits for
    another worker's write to finish."""

    path: str
    timeout: float = 60.0

    @classmethod
    def under(cls, output_dir: str) -> "SqliteNearCopyIndex":
        """The index kept with a run's output: ``output_dir/_state/near_copies.sqlite``."""
        return cls(os.path.join(output_dir, STATE_DIR, FILE_NAME))

    def open(self, scheme: str) -> IndexSession:
        return SqliteSession(self.path, scheme, self.timeout)

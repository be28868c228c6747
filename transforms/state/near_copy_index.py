"""Persistent near-copy index: a reprint that arrives in another micro-batch, on another
worker, or at the same moment as its original, is marked as a duplicate of it.

The contract is ``decide``: in a transaction that holds a lock on each LSH band bucket
(and the content hash) the article touches (``lock_keys``, ``session.locked``), it
re-reads a stored answer (a replay gets its first answer back, so nothing becomes a copy
of itself), else looks up the indexed canonicals it shares a bucket with, confirms them on
their stored shingles, and inserts itself with its answer. Two near-copies share a bucket,
so they share a lock: whichever commits second sees the first, whatever the timing.

First come is canonical: a newcomer never takes the place of an indexed article, even one
published later, because that article's rows are already written (and read) as canonical;
rewriting them would need a second pass over published data.

``NearCopyIndex`` is a picklable description of a store; workers call ``open(scheme)`` in
``DoFn.setup``. Backends: ``SqliteNearCopyIndex`` here (one machine, ``BEGIN IMMEDIATE``
serialises writers) and ``transforms.state.postgres.PostgresNearCopyIndex`` (several
machines, advisory locks per band bucket). Rows older than the retention window are
pruned (``prune``), so the index is bounded by the window, not by the stream's history.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

STATE_DIR = "_state"
FILE_NAME = "near_copies.sqlite"
# How often (seconds) a worker runs the pruning statement; it is a range delete on an index.
PRUNE_EVERY = 3600.0
# Advisory lock keys live in a 31-bit space: distinct buckets rarely share a key, and a
# shared key only serialises two unrelated articles, it never merges them.
LOCK_BITS = 31

Answer = tuple[str, float | None]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """One article as the index keeps it. Canonicals carry their shingles (uint64
    little-endian bytes) and band keys; duplicates only their answer. ``batch`` is a hash of
    the micro-batch that indexed it: articles of one batch were already compared with each
    other by the in-run clustering, so they are not candidates for each other."""

    id: str
    canonical_id: str
    similarity: float | None
    content: str
    shingles: bytes = b""
    bands: tuple[int, ...] = ()
    batch: int = 0
    indexed_at: float = 0.0
    seq: int = 0

    @property
    def is_canonical(self) -> bool:
        return self.canonical_id == self.id


class IndexSession(ABC):
    """An open connection to an index; one per worker, opened in ``DoFn.setup``."""

    @abstractmethod
    def locked(self, keys: list[int]) -> AbstractContextManager[None]:
        """A transaction serialised with every other one holding any of ``keys``; commits
        on exit, rolls back on error."""

    @abstractmethod
    def answers(self, ids: Iterable[str]) -> dict[str, Answer]:
        """id -> (canonical id, similarity) for the ids already indexed."""

    @abstractmethod
    def candidates(self, bands: Iterable[int], content: str, batch: int) -> set[str]:
        """Ids of indexed canonicals of other batches sharing a band key or the content hash."""

    @abstractmethod
    def fetch(self, ids: Iterable[str]) -> list[IndexedArticle]:
        """The stored rows of these ids (missing ids are left out)."""

    @abstractmethod
    def add(self, row: IndexedArticle) -> None:
        """Insert one row; an id already present keeps its first answer."""

    @abstractmethod
    def prune(self, before: float) -> int:
        """Forget the rows indexed before this time (seconds since the epoch); how many."""

    @abstractmethod
    def due_for_pruning(self, now: float, every: float) -> bool:
        """True at most once per ``every`` seconds across all workers of the index."""

    def patiently(self, what: str, action: Callable[[], T]) -> T:
        """Run ``action`` (whole transactions), waiting out an outage of a store that can
        have one (``what`` names the work for the log)."""
        return action()

    def close(self) -> None:  # noqa: B027 - optional for stores without a connection
        pass


class NearCopyIndex(ABC):
    """A picklable description of a store; ``open`` connects (in ``DoFn.setup``)."""

    @abstractmethod
    def open(self, scheme: str) -> IndexSession:
        """Connect; ``scheme`` names how fingerprints were made, and a store built with
        another scheme must refuse, since its band keys would never match."""


def batch_hash(batch_key: str) -> int:
    """A micro-batch's file stem as a signed 64-bit integer (8 bytes a row, not ~40)."""
    digest = hashlib.blake2b(batch_key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_keys(bands: Iterable[int], content: str) -> list[int]:
    """The sorted lock keys of an article (sorted, so two transactions never deadlock)."""
    mask = (1 << LOCK_BITS) - 1
    keys = {(band ^ (band >> LOCK_BITS)) & mask for band in bands}
    if content:
        digest = hashlib.blake2b(content.encode("utf-8"), digest_size=4).digest()
        keys.add(int.from_bytes(digest, "big") & mask)
    return sorted(keys)


def best_match(session: IndexSession, shingles: np.ndarray, bands: Iterable[int], content: str,
               batch: int, is_copy: Callable[[np.ndarray, np.ndarray], tuple[float, bool]],
               prefer: str | None = None) -> Answer | None:
    """The indexed canonical this article is a copy of: ``prefer`` if it is one, else the
    earliest indexed. Same content hash is a copy outright (similarity 1.0)."""
    found = session.candidates(bands, content, batch)
    if prefer is not None:
        found.add(prefer)
    rows = sorted(session.fetch(sorted(found)), key=lambda r: (r.id != prefer, r.seq, r.id))
    for row in rows:
        if not row.is_canonical:
            continue
        if content and row.content == content:
            return row.id, 1.0
        value, copy = is_copy(shingles, np.frombuffer(row.shingles, dtype="<u8"))
        if copy:
            return row.id, round(value, 4)
    return None


def decide(session: IndexSession, row: IndexedArticle,
           is_copy: Callable[[np.ndarray, np.ndarray], tuple[float, bool]],
           prefer: str | None = None, hold: Callable[[], None] | None = None) -> Answer:
    """The article's answer, stored: (its own id, None) if it is canonical, else (the
    canonical's id, similarity). The caller holds its ``lock_keys`` (``session.locked``).
    ``row`` is the article as a canonical would be stored. ``prefer``: try this canonical
    first (the one its in-batch canonical was matched to). ``hold``: a test hook, called
    between the lookup and the insert."""
    known = session.answers([row.id]).get(row.id)
    if known is not None:
        return known
    shingles = np.frombuffer(row.shingles, dtype="<u8")
    match = best_match(session, shingles, row.bands, row.content, row.batch, is_copy, prefer)
    if hold is not None:
        hold()
    if match is None:
        session.add(row)
        return row.id, None
    session.add(IndexedArticle(row.id, match[0], match[1], row.content, batch=row.batch,
                               indexed_at=row.indexed_at))
    return match


def decide_alone(session: IndexSession, row: IndexedArticle,
                 is_copy: Callable[[np.ndarray, np.ndarray], tuple[float, bool]],
                 hold: Callable[[], None] | None = None) -> Answer:
    """``decide`` in a transaction of its own."""
    with session.locked(lock_keys(row.bands, row.content)):
        return decide(session, row, is_copy, hold=hold)


def record(session: IndexSession, row: IndexedArticle) -> Answer:
    """Store an answer decided elsewhere (an in-batch copy of a canonical that stays
    canonical); an answer already stored wins. The caller holds the row's lock keys."""
    known = session.answers([row.id]).get(row.id)
    if known is not None:
        return known
    session.add(IndexedArticle(row.id, row.canonical_id, row.similarity, row.content,
                               batch=row.batch, indexed_at=row.indexed_at))
    return row.canonical_id, row.similarity


def prune_if_due(session: IndexSession, days: float, now: float | None = None) -> int:
    """Run the pruning statement if no worker has for ``PRUNE_EVERY`` seconds."""
    now = time.time() if now is None else now
    if not session.due_for_pruning(now, PRUNE_EVERY):
        return 0
    return session.prune(now - days * 86400.0)


def encode_bands(bands: Iterable[int]) -> bytes:
    return np.asarray(list(bands), dtype="<i8").tobytes()


def decode_bands(blob: bytes) -> tuple[int, ...]:
    return tuple(int(b) for b in np.frombuffer(blob, dtype="<i8"))


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    canonical_id TEXT NOT NULL,
    similarity REAL,
    content TEXT NOT NULL,
    shingles BLOB NOT NULL,
    bands BLOB NOT NULL,
    batch INTEGER NOT NULL,
    indexed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_content ON articles (content) WHERE canonical_id = id;
CREATE INDEX IF NOT EXISTS articles_age ON articles (indexed_at);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (band, seq)
) WITHOUT ROWID;
"""

# SQLite's default limit on bound parameters is 999 in old builds; stay below it.
_CHUNK = 900
# Network filesystems whose locks SQLite cannot trust (SQLite's "WAL does not work over a
# network filesystem"; rollback journals rely on their broken fcntl locks too).
NETWORK_FILESYSTEMS = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "fuse.sshfs",
                                 "glusterfs", "lustre", "ceph", "fuse.ceph", "efs"})


def chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def filesystem_type(path: str) -> str | None:
    """The type of the filesystem holding ``path`` (Linux), or None when unknown."""
    try:
        with open("/proc/self/mounts", encoding="utf-8") as mounts:
            table = [line.split()[1:3] for line in mounts if len(line.split()) > 2]
    except OSError:
        return None
    path = os.path.realpath(path)
    best, kind = "", None
    for point, fs in table:
        point = point.replace("\\040", " ")
        if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, fs
    return kind


def check_local_disk(path: str) -> None:
    """Refuse a state folder on a network filesystem, with what to do instead."""
    folder = os.path.abspath(path)
    while not os.path.exists(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    kind = filesystem_type(folder)
    if kind in NETWORK_FILESYSTEMS:
        raise RuntimeError(
            f"The state location {path} is on a network filesystem ({kind}), where SQLite's "
            "locks do not hold between machines; keep it on a local disk (--state-url PATH), "
            "or give workers on several machines a PostgreSQL server "
            "(--state-url postgresql://USER@HOST:PORT/DB)."
        )


def connect_sqlite(path: str, timeout: float) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, on a local disk."""
    folder = os.path.dirname(os.path.abspath(path))
    check_local_disk(folder)
    os.makedirs(folder, exist_ok=True)
    # Beam may run a DoFn's setup and its bundles on different threads (never at once).
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


@contextmanager
def sqlite_transaction(db: sqlite3.Connection) -> Iterator[None]:
    # IMMEDIATE takes the write lock before the first read, so a lookup and the insert
    # that follows it see one state of the file.
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class SqliteSession(IndexSession):
    def __init__(self, path: str, scheme: str, timeout: float) -> None:
        self.path = path
        self.db = connect_sqlite(path, timeout)
        with sqlite_transaction(self.db):
            # One statement at a time: executescript would commit the open transaction.
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self.db.execute(statement)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('scheme', ?)", (scheme,))
            (stored,) = self.db.execute("SELECT value FROM meta WHERE key = 'scheme'").fetchone()
        if stored != scheme:
            self.db.close()
            raise ValueError(
                f"The near-copy index {path} was built with fingerprints {stored}, not "
                f"{scheme}; use the same near-copy settings or point the run at a new "
                "state location."
            )

    def locked(self, keys: list[int]) -> AbstractContextManager[None]:
        # One write lock for the whole file: every transaction is serialised on one machine.
        return sqlite_transaction(self.db)

    def answers(self, ids: Iterable[str]) -> dict[str, Answer]:
        found: dict[str, Answer] = {}
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id, canonical_id, similarity FROM articles WHERE id IN ({marks})"
            for article_id, canonical_id, value in self.db.execute(query, chunk):
                found[article_id] = (canonical_id, value)
        return found

    def candidates(self, bands: Iterable[int], content: str, batch: int) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(bands)):
            marks = ",".join("?" * len(chunk))
            query = (f"SELECT a.id FROM bands b JOIN articles a ON a.seq = b.seq "
                     f"WHERE b.band IN ({marks}) AND a.batch <> ?")
            found.update(row[0] for row in self.db.execute(query, [*chunk, batch]))
        if content:
            query = "SELECT id FROM articles WHERE canonical_id = id AND content = ? AND batch <> ?"
            found.update(row[0] for row in self.db.execute(query, (content, batch)))
        return found

    def fetch(self, ids: Iterable[str]) -> list[IndexedArticle]:
        rows = []
        for chunk in chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            query = ("SELECT id, canonical_id, similarity, content, shingles, bands, batch, "
                     f"indexed_at, seq FROM articles WHERE id IN ({marks})")
            for head in self.db.execute(query, chunk):
                rows.append(IndexedArticle(*head[:5], decode_bands(head[5]), *head[6:]))
        return rows

    def add(self, row: IndexedArticle) -> None:
        canonical = row.is_canonical
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO articles (id, canonical_id, similarity, content, shingles, "
            "bands, batch, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row.id, row.canonical_id, row.similarity, row.content,
             row.shingles if canonical else b"", encode_bands(row.bands) if canonical else b"",
             row.batch, row.indexed_at),
        )
        if canonical and cursor.rowcount == 1:
            self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)",
                                [(band, cursor.lastrowid) for band in set(row.bands)])

    def prune(self, before: float) -> int:
        pruned = 0
        while True:
            with sqlite_transaction(self.db):
                old = self.db.execute("SELECT seq, bands FROM articles WHERE indexed_at < ? "
                                      "ORDER BY indexed_at LIMIT 2000", (before,)).fetchall()
                self.db.executemany("DELETE FROM bands WHERE band = ? AND seq = ?",
                                    [(band, seq) for seq, blob in old for band in decode_bands(blob)])
                self.db.executemany("DELETE FROM articles WHERE seq = ?", [(seq,) for seq, _ in old])
            pruned += len(old)
            if len(old) < 2000:
                return pruned

    def due_for_pruning(self, now: float, every: float) -> bool:
        with sqlite_transaction(self.db):
            row = self.db.execute("SELECT value FROM meta WHERE key = 'pruned_at'").fetchone()
            if row is not None and now - float(row[0]) < every:
                return False
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('pruned_at', ?)", (repr(now),))
            return True

    def close(self) -> None:
        self.db.close()


@dataclass(frozen=True)
class SqliteNearCopyIndex(NearCopyIndex):
    """The embedded default: one SQLite file on the worker machine's local disk, shared by
    every worker process of that machine. ``timeout``: seconds a writer waits for another."""

    path: str
    timeout: float = 60.0

    @classmethod
    def under(cls, state_dir: str) -> "SqliteNearCopyIndex":
        """The index in a state folder: ``state_dir/near_copies.sqlite``."""
        return cls(os.path.join(state_dir, FILE_NAME))

    def open(self, scheme: str) -> IndexSession:
        return SqliteSession(self.path, scheme, self.timeout)

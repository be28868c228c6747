"""The shared state on a PostgreSQL server, for workers on more than one machine.

Same contracts as the SQLite stores (``near_copy_index``, ``entity_stats``), with the
serialisation narrowed to what must be serialised: a near-copy decision holds transaction
advisory locks on the article's band buckets, so only articles sharing a bucket wait for
each other; entity counts are upserts in one transaction with the batch's key, whose
primary key makes a second add of the same batch, on any machine, a no-op.

Connections come from the worker process's pool (``transforms.state.connections``: the
URL, the password, timeouts, waiting out an outage). Every transaction here is safe to
run again after a try that may have committed: a near-copy answer already stored is read
back, a batch key already stored adds nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from transforms.state.entity_stats import MentionCounts, keys_by_group, merged, name_keys, sorted_rows
from transforms.state.near_copy_index import (
    Answer,
    IndexedArticle,
    IndexSession,
    NearCopyIndex,
    decode_bands,
    encode_bands,
)
from transforms.state.connections import LOCK_SPACE, describe, ensure_schema, patiently, pool

T = TypeVar("T")

_INDEX_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS copydesk_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS near_copy_articles ("
    " seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, canonical_id TEXT NOT NULL,"
    " similarity REAL, content TEXT NOT NULL, shingles BYTEA NOT NULL, bands BYTEA NOT NULL,"
    " batch BIGINT NOT NULL, indexed_at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS near_copy_content ON near_copy_articles (content)"
    " WHERE canonical_id = id",
    "CREATE INDEX IF NOT EXISTS near_copy_age ON near_copy_articles (indexed_at)",
    "CREATE TABLE IF NOT EXISTS near_copy_bands ("
    " band BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (band, seq))",
)

_STATS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entity_mentions (label_group TEXT NOT NULL, name TEXT NOT NULL,"
    " mentions BIGINT NOT NULL, PRIMARY KEY (label_group, name))",
    "CREATE TABLE IF NOT EXISTS entity_name_keys (label_group TEXT NOT NULL, key TEXT NOT NULL,"
    " name TEXT NOT NULL, PRIMARY KEY (label_group, key, name))",
    "CREATE TABLE IF NOT EXISTS entity_batches (batch TEXT PRIMARY KEY,"
    " added_at DOUBLE PRECISION NOT NULL)",
)


class PostgresSession(IndexSession):
    """A worker's access to the index (one thread at a time, as a DoFn's): a connection
    from the pool for each transaction, or for each statement outside one."""

    def __init__(self, url: str, scheme: str) -> None:
        self.url = url
        self.pool = pool(url)
        self.db = None
        stored = patiently(url, "opening the near-copy index", lambda: self._scheme(scheme))
        if stored != scheme:
            raise ValueError(
                f"The near-copy index at {describe(url)} was built with fingerprints {stored}, "
                f"not {scheme}; use the same near-copy settings or another database."
            )

    def _scheme(self, scheme: str) -> str:
        with self.pool.connection() as db:
            ensure_schema(db, self.url, _INDEX_SCHEMA)
            with db.transaction():
                db.execute("INSERT INTO copydesk_meta VALUES ('scheme', %s) ON CONFLICT DO NOTHING",
                           (scheme,))
                (stored,) = db.execute("SELECT value FROM copydesk_meta WHERE key = 'scheme'").fetchone()
        return stored

    def patiently(self, what: str, action: Callable[[], T]) -> T:
        return patiently(self.url, what, action)

    @contextmanager
    def locked(self, keys: list[int]) -> Iterator[None]:
        with self.pool.connection() as db, db.transaction():
            # The subquery's order is the order the locks are taken in: two transactions
            # needing overlapping keys wait for each other, never deadlock.
            db.execute(
                "SELECT pg_advisory_xact_lock(%s, k) FROM "
                "(SELECT k FROM unnest(%s::int[]) AS k ORDER BY k) AS keys",
                (LOCK_SPACE, sorted(keys)),
            )
            self.db = db
            try:
                yield
            finally:
                self.db = None

    @contextmanager
    def _connection(self) -> Iterator:
        if self.db is not None:
            yield self.db
        else:
            with self.pool.connection() as db:
                yield db

    def answers(self, ids: Iterable[str]) -> dict[str, Answer]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT id, canonical_id, similarity FROM near_copy_articles WHERE id = ANY(%s)",
                (list(ids),)).fetchall()
        return {article_id: (canonical_id, value) for article_id, canonical_id, value in rows}

    def candidates(self, bands: Iterable[int], content: str, batch: int) -> set[str]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT a.id FROM near_copy_bands b JOIN near_copy_articles a ON a.seq = b.seq"
                " WHERE b.band = ANY(%s) AND a.batch <> %s"
                " UNION SELECT id FROM near_copy_articles"
                " WHERE canonical_id = id AND content = %s AND content <> '' AND batch <> %s",
                (list(bands), batch, content, batch)).fetchall()
        return {row[0] for row in rows}

    def fetch(self, ids: Iterable[str]) -> list[IndexedArticle]:
        with self._connection() as db:
            rows = db.execute(
                "SELECT id, canonical_id, similarity, content, shingles, bands, batch, indexed_at,"
                " seq FROM near_copy_articles WHERE id = ANY(%s)", (list(ids),)).fetchall()
        return [IndexedArticle(*r[:4], bytes(r[4]), decode_bands(bytes(r[5])), *r[6:]) for r in rows]

    def add(self, row: IndexedArticle) -> None:
        canonical = row.is_canonical
        with self._connection() as db:
            inserted = db.execute(
                "INSERT INTO near_copy_articles (id, canonical_id, similarity, content, shingles,"
                " bands, batch, indexed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (id) DO NOTHING RETURNING seq",
                (row.id, row.canonical_id, row.similarity, row.content,
                 row.shingles if canonical else b"", encode_bands(row.bands) if canonical else b"",
                 row.batch, row.indexed_at)).fetchone()
            if canonical and inserted is not None:
                db.execute(
                    "INSERT INTO near_copy_bands SELECT unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING",
                    (sorted(set(row.bands)), inserted[0]))

    def prune(self, before: float) -> int:
        pruned = 0
        while True:
            removed = self.patiently("pruning the near-copy index", lambda: self._prune_some(before))
            pruned += removed
            if removed < 5000:
                return pruned

    def _prune_some(self, before: float) -> int:
        with self.pool.connection() as db, db.transaction():
            old = db.execute(
                "DELETE FROM near_copy_articles WHERE seq IN (SELECT seq FROM near_copy_articles"
                " WHERE indexed_at < %s ORDER BY indexed_at LIMIT 5000) RETURNING seq, bands",
                (before,)).fetchall()
            pairs = [(band, seq) for seq, blob in old for band in decode_bands(bytes(blob))]
            if pairs:
                db.execute(
                    "DELETE FROM near_copy_bands b USING unnest(%s::bigint[], %s::bigint[])"
                    " AS gone(band, seq) WHERE b.band = gone.band AND b.seq = gone.seq",
                    ([p[0] for p in pairs], [p[1] for p in pairs]))
        return len(old)

    def due_for_pruning(self, now: float, every: float) -> bool:
        def moved() -> bool:
            with self.pool.connection() as db:
                # One statement: the worker whose update moves the mark is the one that prunes.
                return db.execute(
                    "INSERT INTO copydesk_meta VALUES ('pruned_at', %s) ON CONFLICT (key) DO UPDATE"
                    " SET value = excluded.value WHERE %s - copydesk_meta.value::float8 >= %s"
                    " RETURNING 1", (repr(now), now, every)).fetchone() is not None

        return self.patiently("checking when the index was pruned", moved)


@dataclass(frozen=True)
class PostgresNearCopyIndex(NearCopyIndex):
    """The near-copy index on a PostgreSQL server (its URL, without a password)."""

    url: str

    def __repr__(self) -> str:
        return f"PostgresNearCopyIndex({describe(self.url)!r})"

    def open(self, scheme: str) -> IndexSession:
        return PostgresSession(self.url, scheme)


@dataclass(frozen=True)
class PostgresEntityStats:
    """Entity mention counts on a PostgreSQL server; pickles as its URL (no password)."""

    url: str

    def __repr__(self) -> str:
        return f"PostgresEntityStats({describe(self.url)!r})"

    @contextmanager
    def _connection(self) -> Iterator:
        with pool(self.url).connection() as db:
            ensure_schema(db, self.url, _STATS_SCHEMA)
            yield db

    def evidence(self, batch: MentionCounts, batch_key: str | None = None) -> dict[tuple[str, str], int]:
        return patiently(self.url, "reading entity statistics", lambda: self._evidence(batch, batch_key))

    def _evidence(self, batch: MentionCounts, batch_key: str | None) -> dict[tuple[str, str], int]:
        groups, keys = [], []
        for group, wanted in keys_by_group(batch).items():
            groups.extend([group] * len(wanted))
            keys.extend(sorted(wanted))
        with self._connection() as db, db.transaction():
            rows = db.execute(
                "SELECT m.label_group, m.name, m.mentions FROM entity_mentions m WHERE"
                " (m.label_group, m.name) IN (SELECT k.label_group, k.name FROM entity_name_keys k"
                " JOIN unnest(%s::text[], %s::text[]) AS q(label_group, key)"
                " ON k.label_group = q.label_group AND k.key = q.key)",
                (groups, keys)).fetchall()
            seen = batch_key is not None and db.execute(
                "SELECT 1 FROM entity_batches WHERE batch = %s", (batch_key,)).fetchone() is not None
        return merged({(group, name): n for group, name, n in rows}, batch, seen)

    def add(self, counts: MentionCounts, batch: str | None = None) -> bool:
        return patiently(self.url, "storing entity statistics", lambda: self._add(counts, batch))

    def _add(self, counts: MentionCounts, batch: str | None) -> bool:
        rows = sorted_rows(counts)
        keys = sorted({(group, key, name) for group, name, _ in rows for key in name_keys(name)})
        with self._connection() as db, db.transaction():
            if batch is not None:
                # Two workers adding one batch: the second waits on the key, then adds nothing;
                # so does a retry whose first try committed.
                inserted = db.execute(
                    "INSERT INTO entity_batches VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING 1",
                    (batch, time.time())).fetchone()
                if inserted is None:
                    return False
            db.execute(
                "INSERT INTO entity_mentions SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[])"
                " ON CONFLICT (label_group, name) DO UPDATE"
                " SET mentions = entity_mentions.mentions + excluded.mentions",
                ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]))
            db.execute(
                "INSERT INTO entity_name_keys SELECT * FROM unnest(%s::text[], %s::text[], %s::text[])"
                " ON CONFLICT DO NOTHING",
                ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]))
        return True

    def counts(self) -> dict[tuple[str, str], int]:
        """Every stored count (for inspection and tests; batches use ``evidence``)."""
        with self._connection() as db:
            rows = db.execute("SELECT label_group, name, mentions FROM entity_mentions").fetchall()
        return {(group, name): n for group, name, n in rows}

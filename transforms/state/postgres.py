"""The shared state on a PostgreSQL server, for workers on more than one machine.

Same contracts as the SQLite stores (``near_copy_index``, ``entity_stats``), with the
serialisation narrowed to what must be serialised: a near-copy decision holds transaction
advisory locks on the article's band buckets, so only articles sharing a bucket wait for
each other; entity counts are upserts in one transaction with the batch's key, whose
primary key makes a second add of the same batch, on any machine, a no-op.

Each worker opens one connection in ``DoFn.setup`` (psycopg 3, autocommit; transactions
are explicit). The password comes from the URL or from ``$COPYDESK_STATE_PASSWORD``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from transforms.state.entity_stats import MentionCounts, keys_by_group, merged, name_keys, sorted_rows
from transforms.state.near_copy_index import (
    Answer,
    IndexedArticle,
    IndexSession,
    NearCopyIndex,
    decode_bands,
    encode_bands,
)

PASSWORD_ENV = "COPYDESK_STATE_PASSWORD"
# First key of every advisory lock copydesk takes ("COPY"), so they cannot collide with
# another application's locks on the same server.
LOCK_SPACE = 0x434F5059
SCHEMA_LOCK = 0

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


def connect(url: str, schema: Iterable[str]):
    """An autocommit connection with the tables created (once, under a lock: concurrent
    ``CREATE TABLE IF NOT EXISTS`` can fail on PostgreSQL)."""
    import psycopg

    extra = {}
    if os.environ.get(PASSWORD_ENV):
        extra["password"] = os.environ[PASSWORD_ENV]
    try:
        db = psycopg.connect(url, autocommit=True, **extra)
    except psycopg.OperationalError as error:
        raise RuntimeError(
            f"Cannot reach the state database {redact(url)} ({str(error).strip()}); check the "
            f"host, port and user, and set ${PASSWORD_ENV} if it needs a password."
        ) from None
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, SCHEMA_LOCK))
        for statement in schema:
            db.execute(statement)
    return db


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown without its details
        return "postgresql://..."
    user = f"{parts['user']}@" if parts.get("user") else ""
    where = f"{parts.get('host', '')}{':' + str(parts['port']) if parts.get('port') else ''}"
    return f"postgresql://{user}{where}/{parts.get('dbname', '')}"


class PostgresSession(IndexSession):
    def __init__(self, url: str, scheme: str) -> None:
        self.db = connect(url, _INDEX_SCHEMA)
        with self.db.transaction():
            self.db.execute("INSERT INTO copydesk_meta VALUES ('scheme', %s) ON CONFLICT DO NOTHING",
                            (scheme,))
            (stored,) = self.db.execute(
                "SELECT value FROM copydesk_meta WHERE key = 'scheme'").fetchone()
        if stored != scheme:
            self.db.close()
            raise ValueError(
                f"The near-copy index at {redact(url)} was built with fingerprints {stored}, "
                f"not {scheme}; use the same near-copy settings or another database."
            )

    @contextmanager
    def locked(self, keys: list[int]) -> Iterator[None]:
        with self.db.transaction():
            # The subquery's order is the order the locks are taken in: two transactions
            # needing overlapping keys wait for each other, never deadlock.
            self.db.execute(
                "SELECT pg_advisory_xact_lock(%s, k) FROM "
                "(SELECT k FROM unnest(%s::int[]) AS k ORDER BY k) AS keys",
                (LOCK_SPACE, sorted(keys)),
            )
            yield

    def answers(self, ids: Iterable[str]) -> dict[str, Answer]:
        rows = self.db.execute(
            "SELECT id, canonical_id, similarity FROM near_copy_articles WHERE id = ANY(%s)",
            (list(ids),))
        return {article_id: (canonical_id, value) for article_id, canonical_id, value in rows}

    def candidates(self, bands: Iterable[int], content: str, batch: int) -> set[str]:
        rows = self.db.execute(
            "SELECT a.id FROM near_copy_bands b JOIN near_copy_articles a ON a.seq = b.seq"
            " WHERE b.band = ANY(%s) AND a.batch <> %s"
            " UNION SELECT id FROM near_copy_articles"
            " WHERE canonical_id = id AND content = %s AND content <> '' AND batch <> %s",
            (list(bands), batch, content, batch))
        return {row[0] for row in rows}

    def fetch(self, ids: Iterable[str]) -> list[IndexedArticle]:
        rows = self.db.execute(
            "SELECT id, canonical_id, similarity, content, shingles, bands, batch, indexed_at, seq"
            " FROM near_copy_articles WHERE id = ANY(%s)", (list(ids),))
        return [IndexedArticle(*r[:4], bytes(r[4]), decode_bands(bytes(r[5])), *r[6:]) for r in rows]

    def add(self, row: IndexedArticle) -> None:
        canonical = row.is_canonical
        inserted = self.db.execute(
            "INSERT INTO near_copy_articles (id, canonical_id, similarity, content, shingles, bands,"
            " batch, indexed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO NOTHING RETURNING seq",
            (row.id, row.canonical_id, row.similarity, row.content,
             row.shingles if canonical else b"", encode_bands(row.bands) if canonical else b"",
             row.batch, row.indexed_at)).fetchone()
        if canonical and inserted is not None:
            self.db.execute(
                "INSERT INTO near_copy_bands SELECT unnest(%s::bigint[]), %s ON CONFLICT DO NOTHING",
                (sorted(set(row.bands)), inserted[0]))

    def prune(self, before: float) -> int:
        pruned = 0
        while True:
            with self.db.transaction():
                old = self.db.execute(
                    "DELETE FROM near_copy_articles WHERE seq IN (SELECT seq FROM near_copy_articles"
                    " WHERE indexed_at < %s ORDER BY indexed_at LIMIT 5000) RETURNING seq, bands",
                    (before,)).fetchall()
                pairs = [(band, seq) for seq, blob in old for band in decode_bands(bytes(blob))]
                if pairs:
                    self.db.execute(
                        "DELETE FROM near_copy_bands b USING unnest(%s::bigint[], %s::bigint[])"
                        " AS gone(band, seq) WHERE b.band = gone.band AND b.seq = gone.seq",
                        ([p[0] for p in pairs], [p[1] for p in pairs]))
            pruned += len(old)
            if len(old) < 5000:
                return pruned

    def due_for_pruning(self, now: float, every: float) -> bool:
        # One statement: the worker whose update moves the mark is the one that prunes.
        moved = self.db.execute(
            "INSERT INTO copydesk_meta VALUES ('pruned_at', %s) ON CONFLICT (key) DO UPDATE"
            " SET value = excluded.value WHERE %s - copydesk_meta.value::float8 >= %s"
            " RETURNING 1", (repr(now), now, every)).fetchone()
        return moved is not None

    def close(self) -> None:
        self.db.close()


@dataclass(frozen=True)
class PostgresNearCopyIndex(NearCopyIndex):
    """The near-copy index on a PostgreSQL server (``postgresql://USER@HOST:PORT/DB``)."""

    url: str

    def __repr__(self) -> str:
        return f"PostgresNearCopyIndex({redact(self.url)!r})"

    def open(self, scheme: str) -> IndexSession:
        return PostgresSession(self.url, scheme)


class PostgresEntityStats:
    """Entity mention counts on a PostgreSQL server; pickles as its URL."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __repr__(self) -> str:
        return f"PostgresEntityStats({redact(self.url)!r})"

    def evidence(self, batch: MentionCounts, batch_key: str | None = None) -> dict[tuple[str, str], int]:
        groups, keys = [], []
        for group, wanted in keys_by_group(batch).items():
            groups.extend([group] * len(wanted))
            keys.extend(sorted(wanted))
        with connect(self.url, _STATS_SCHEMA) as db:
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
        rows = sorted_rows(counts)
        keys = sorted({(group, key, name) for group, name, _ in rows for key in name_keys(name)})
        with connect(self.url, _STATS_SCHEMA) as db, db.transaction():
            if batch is not None:
                # Two workers adding one batch: the second waits on the key, then adds nothing.
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
        with connect(self.url, _STATS_SCHEMA) as db:
            rows = db.execute("SELECT label_group, name, mentions FROM entity_mentions").fetchall()
        return {(group, name): n for group, name, n in rows}

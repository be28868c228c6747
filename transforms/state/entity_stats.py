"""Name counts that outlive a batch, so the streaming worker's evidence grows with the stream.

A misspelling that arrives today is recognised because yesterday's batches spelt the name
right. ``ResolveEntities(stats_store=...)`` asks the store for the ``evidence`` a batch
needs before resolving it and ``add``s the batch's counts after.

Two promises every store keeps:

* A batch is counted once, globally, forever: its key goes into a ``batches`` table in the
  same transaction as its counts, and a key already there adds nothing (a replay after a
  crash or a rebalance, on any worker, at any later time).
* A batch reads only the rows it can use, not the whole table: the stored names within a
  few edits of its own names (they share a key of ``knowledge.token_variants``, the same
  blocking ``NearNames`` searches with) and the full names ending in a surname it mentions.
  So a batch's cost follows its own names, not the stream's history.

Backends: ``SqliteEntityStats`` (one file, one machine) and
``transforms.state.postgres.PostgresEntityStats`` (any number of machines).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Protocol, runtime_checkable

from transforms.entities.knowledge import fold_key, token_variants
from transforms.state.near_copy_index import chunks, connect_sqlite, sqlite_transaction

# (label group, cleaned name) -> mentions.
MentionCounts = Mapping[tuple[str, str], int]

STATE_DIR = "_state"
STATS_FILE = "entity_stats.sqlite"
# Keys that find a person's full names from a lone surname (and its near spellings).
SURNAME = "$"


# Checkable, since Beam checks a side argument against its hint (canonical._with_stored).
@runtime_checkable
class EntityStatsStore(Protocol):
    """Persistent mention counts shared by the batches of a stream."""

    def evidence(self, batch: MentionCounts, batch_key: str | None = None) -> dict[tuple[str, str], int]:
        """The counts to resolve this batch with: the stored counts of the names it may
        resolve against, plus its own unless batch ``batch_key`` is already stored (a
        replay must see the evidence it saw the first time, not its own counts twice)."""
        ...

    def add(self, counts: MentionCounts, batch: str | None = None) -> bool:
        """Add these counts to the stored ones; False if batch ``batch`` was already added."""
        ...


def default_stats_path(state_dir: str | Path) -> Path:
    return Path(state_dir) / STATS_FILE


def name_keys(name: str) -> set[str]:
    """The lookup keys a stored name is found by."""
    folded = fold_key(name)
    keys = set(token_variants(folded)) if folded else set()
    tokens = folded.split()
    if len(tokens) > 1:
        keys.update(SURNAME + v for v in token_variants(tokens[-1]))
    return keys


def wanted_keys(name: str) -> set[str]:
    """The keys of every stored name that can decide how ``name`` resolves: its spellings
    and near spellings, and, for a lone word, the full names ending in it or near it."""
    folded = fold_key(name)
    if not folded:
        return set()
    keys = set(token_variants(folded))
    if " " not in folded:
        keys.update(SURNAME + v for v in keys.copy())
    return keys


def keys_by_group(names: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {}
    for group, name in names:
        wanted.setdefault(group, set()).update(wanted_keys(name))
    return wanted


def merged(stored: MentionCounts, batch: MentionCounts, seen: bool) -> dict[tuple[str, str], int]:
    counts = dict(stored)
    if not seen:
        for key, n in batch.items():
            counts[key] = counts.get(key, 0) + n
    return counts


def sorted_rows(counts: MentionCounts) -> list[tuple[str, str, int]]:
    # Sorted, so two writers upsert shared rows in one order and never deadlock.
    return sorted((group, name, int(n)) for (group, name), n in counts.items() if n)


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS mentions (label_group TEXT NOT NULL, name TEXT NOT NULL,"
    " mentions INTEGER NOT NULL, PRIMARY KEY (label_group, name))",
    "CREATE TABLE IF NOT EXISTS name_keys (label_group TEXT NOT NULL, key TEXT NOT NULL,"
    " name TEXT NOT NULL, PRIMARY KEY (label_group, key, name)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS batches (batch TEXT PRIMARY KEY, added_at REAL NOT NULL)",
)


class SqliteEntityStats:
    """The embedded store: one SQLite file on a local disk. Safe for several processes on
    one machine (``BEGIN IMMEDIATE``); pickles as its path, so Beam can ship it to workers."""

    _TIMEOUT_SECONDS = 60.0

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"SqliteEntityStats({str(self.path)!r})"

    def _connect(self):
        try:
            connection = connect_sqlite(str(self.path), self._TIMEOUT_SECONDS)
            with sqlite_transaction(connection):
                for statement in _SCHEMA:
                    connection.execute(statement)
        except (OSError, sqlite3.Error) as error:
            raise RuntimeError(
                f"Cannot open the entity statistics at {self.path} ({error}); check that the "
                "state folder is writable and on a local disk."
            ) from error
        return connection

    def evidence(self, batch: MentionCounts, batch_key: str | None = None) -> dict[tuple[str, str], int]:
        with closing(self._connect()) as db:
            stored: dict[tuple[str, str], int] = {}
            for group, keys in keys_by_group(batch).items():
                names: set[str] = set()
                for chunk in chunks(sorted(keys)):
                    marks = ",".join("?" * len(chunk))
                    names.update(row[0] for row in db.execute(
                        f"SELECT name FROM name_keys WHERE label_group = ? AND key IN ({marks})",
                        [group, *chunk]))
                for chunk in chunks(sorted(names)):
                    marks = ",".join("?" * len(chunk))
                    for name, n in db.execute(
                            f"SELECT name, mentions FROM mentions WHERE label_group = ? "
                            f"AND name IN ({marks})", [group, *chunk]):
                        stored[(group, name)] = n
            seen = batch_key is not None and db.execute(
                "SELECT 1 FROM batches WHERE batch = ?", (batch_key,)).fetchone() is not None
            return merged(stored, batch, seen)

    def add(self, counts: MentionCounts, batch: str | None = None) -> bool:
        rows = sorted_rows(counts)
        with closing(self._connect()) as db, sqlite_transaction(db):
            if batch is not None:
                inserted = db.execute("INSERT OR IGNORE INTO batches VALUES (?, ?)",
                                      (batch, time.time())).rowcount
                if not inserted:
                    return False
            db.executemany(
                "INSERT INTO mentions (label_group, name, mentions) VALUES (?, ?, ?)"
                " ON CONFLICT (label_group, name) DO UPDATE"
                " SET mentions = mentions + excluded.mentions", rows)
            db.executemany("INSERT OR IGNORE INTO name_keys VALUES (?, ?, ?)",
                           [(group, key, name) for group, name, _ in rows for key in name_keys(name)])
        return True

    def counts(self) -> dict[tuple[str, str], int]:
        """Every stored count (for inspection and tests; batches use ``evidence``)."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT label_group, name, mentions FROM mentions")
            return {(group, name): n for group, name, n in rows}


class MemoryEntityStats:
    """Counts kept in this process only: for tests and one-off runs."""

    def __init__(self, counts: MentionCounts | None = None) -> None:
        self._counts: dict[tuple[str, str], int] = dict(counts or {})
        self._batches: set[str] = set()

    def evidence(self, batch: MentionCounts, batch_key: str | None = None) -> dict[tuple[str, str], int]:
        return merged(self._counts, batch, batch_key in self._batches)

    def add(self, counts: MentionCounts, batch: str | None = None) -> bool:
        if batch is not None:
            if batch in self._batches:
                return False
            self._batches.add(batch)
        for key, n in counts.items():
            self._counts[key] = self._counts.get(key, 0) + n
        return True

    def counts(self) -> dict[tuple[str, str], int]:
        return dict(self._counts)

"""Name counts that outlive a batch, so the streaming worker's evidence grows with the stream.

A misspelling that arrives today is recognised because yesterday's batches spelt the name
right. ``ResolveEntities(stats_store=...)`` reads the counts before resolving a batch and
adds the batch's counts after. The embedded store is one SQLite file under the output
directory; anything with ``counts()`` and ``add()`` (a shared database) can replace it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Protocol, runtime_checkable

# (label group, cleaned name) -> mentions.
MentionCounts = Mapping[tuple[str, str], int]

STATE_DIR = "_state"
STATS_FILE = "entity_stats.sqlite"


# Checkable, since Beam checks a side argument against its hint (canonical._with_stored).
@runtime_checkable
class EntityStatsStore(Protocol):
    """Persistent mention counts shared by the batches of a stream."""

    def counts(self, exclude_batch: str | None = None) -> dict[tuple[str, str], int]:
        """Every stored count, less what batch ``exclude_batch`` added (a replayed batch
        must see the evidence it saw the first time, not its own counts twice)."""
        ...

    def add(self, counts: MentionCounts, batch: str | None = None) -> None:
        """Add these counts to the stored ones (not replace them). A named batch is added
        once: after a crash the worker replays it, and its mentions must not count twice."""
        ...


def default_stats_path(output_dir: str | Path) -> Path:
    return Path(output_dir) / STATE_DIR / STATS_FILE


class SqliteEntityStats:
    """The embedded store: one SQLite file. Safe for several processes on one machine
    (SQLite locks the file); pickles as its path, so Beam can ship it to workers."""

    _TIMEOUT_SECONDS = 30.0
    # How many recent batches are remembered for replay; a worker replays at most its last.
    KEEP_BATCHES = 1000

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"SqliteEntityStats({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self._TIMEOUT_SECONDS)
            connection.execute(
                "CREATE TABLE IF NOT EXISTS mentions ("
                " label_group TEXT NOT NULL, name TEXT NOT NULL, mentions INTEGER NOT NULL,"
                " PRIMARY KEY (label_group, name))"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS batches ("
                " seq INTEGER PRIMARY KEY AUTOINCREMENT, batch TEXT NOT NULL UNIQUE,"
                " counts TEXT NOT NULL)"
            )
        except (OSError, sqlite3.Error) as error:
            raise RuntimeError(
                f"Cannot open the entity statistics at {self.path} ({error}); check that the "
                "output directory is writable and not on a network share without locking."
            ) from error
        return connection

    def counts(self, exclude_batch: str | None = None) -> dict[tuple[str, str], int]:
        with closing(self._connect()) as connection:
            rows = connection.execute("SELECT label_group, name, mentions FROM mentions")
            counts = {(group, name): mentions for group, name, mentions in rows}
            if exclude_batch is not None:
                found = connection.execute(
                    "SELECT counts FROM batches WHERE batch = ?", (exclude_batch,)).fetchone()
                if found:
                    _subtract(counts, _decode(found[0]))
            return counts

    def add(self, counts: MentionCounts, batch: str | None = None) -> None:
        rows = [(group, name, int(n)) for (group, name), n in counts.items() if n]
        with closing(self._connect()) as connection, connection:
            if batch is not None:
                seen = connection.execute(
                    "SELECT 1 FROM batches WHERE batch = ?", (batch,)).fetchone()
                if seen:
                    return
                connection.execute("INSERT INTO batches (batch, counts) VALUES (?, ?)",
                                   (batch, _encode(rows)))
                # Only the latest batches can be replayed; older records are not needed.
                connection.execute(
                    "DELETE FROM batches WHERE seq <= (SELECT MAX(seq) FROM batches) - ?",
                    (self.KEEP_BATCHES,))
            connection.executemany(
                "INSERT INTO mentions (label_group, name, mentions) VALUES (?, ?, ?)"
                " ON CONFLICT (label_group, name) DO UPDATE"
                " SET mentions = mentions + excluded.mentions",
                rows,
            )


class MemoryEntityStats:
    """Counts kept in this process only: for tests and one-off runs."""

    def __init__(self, counts: MentionCounts | None = None) -> None:
        self._counts: dict[tuple[str, str], int] = dict(counts or {})
        self._batches: dict[str, dict[tuple[str, str], int]] = {}

    def counts(self, exclude_batch: str | None = None) -> dict[tuple[str, str], int]:
        counts = dict(self._counts)
        if exclude_batch in self._batches:
            _subtract(counts, self._batches[exclude_batch].items())
        return counts

    def add(self, counts: MentionCounts, batch: str | None = None) -> None:
        if batch is not None:
            if batch in self._batches:
                return
            self._batches[batch] = dict(counts)
        for key, n in counts.items():
            self._counts[key] = self._counts.get(key, 0) + n


def _subtract(counts: dict[tuple[str, str], int], rows) -> None:
    for key, n in rows:
        left = counts.get(key, 0) - n
        if left > 0:
            counts[key] = left
        else:
            counts.pop(key, None)


def _encode(rows: list[tuple[str, str, int]]) -> str:
    return json.dumps(rows, ensure_ascii=False)


def _decode(text: str) -> list[tuple[tuple[str, str], int]]:
    return [((group, name), n) for group, name, n in json.loads(text)]

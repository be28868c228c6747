"""Each publisher's site template, learnt once over a whole run that goes through in chunks.

``FindNearCopies`` learns a publisher's template from a sample of the articles it is
given; in a run in chunks that would be a sample of the chunk, and the near-copy index
would compare shingles that kept the template. So the run's first pass learns the
templates from the sample a run in one pass takes (``pipelines.chunks``), and every
chunk's ``FindNearCopies`` and ``MatchIndex`` take them out of the same shingles. One
SQLite file on a local disk: the launcher writes it, the chunks' workers only read it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

import numpy as np

_SCHEMA = "CREATE TABLE IF NOT EXISTS templates (publisher TEXT PRIMARY KEY, shingles BLOB NOT NULL)"


class SqliteTemplates:
    """Template shingles per publisher. Pickles as its path, so Beam can ship it to workers."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._seen: dict[str, np.ndarray | None] = {}

    def __repr__(self) -> str:
        return f"SqliteTemplates({str(self.path)!r})"

    def __getstate__(self) -> dict:
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])

    def add(self, templates: Iterable[tuple[str, bytes]]) -> None:
        with closing(sqlite3.connect(self.path)) as db, db:
            db.execute(_SCHEMA)
            db.executemany("INSERT OR REPLACE INTO templates VALUES (?, ?)", templates)

    def get(self, publisher: str) -> np.ndarray | None:
        """The publisher's template shingles, or None when it has none."""
        if not publisher:
            return None
        if publisher not in self._seen:
            if self._db is None:
                with closing(sqlite3.connect(self.path)) as db, db:
                    db.execute(_SCHEMA)
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                           check_same_thread=False)
            row = self._db.execute("SELECT shingles FROM templates WHERE publisher = ?",
                                   (publisher,)).fetchone()
            self._seen[publisher] = None if row is None else np.frombuffer(row[0], dtype="<u8")
        return self._seen[publisher]

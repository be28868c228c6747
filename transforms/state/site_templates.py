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

from transforms.state.run_file import RunFile

_SCHEMA = "CREATE TABLE IF NOT EXISTS templates (publisher TEXT PRIMARY KEY, shingles BLOB NOT NULL)"


class SqliteTemplates(RunFile):
    """Template shingles per publisher."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path)
        self._seen: dict[str, np.ndarray | None] = {}

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
            row = self.reader().execute("SELECT shingles FROM templates WHERE publisher = ?",
                                   (publisher,)).fetchone()
            self._seen[publisher] = None if row is None else np.frombuffer(row[0], dtype="<u8")
        return self._seen[publisher]

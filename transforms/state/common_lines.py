"""The lines each publisher repeats, counted over a whole run that goes through in chunks.

A run in chunks (``pipelines.chunks``) counts the short lines of every article here
before its first chunk, so each chunk's repair removes the lines that are their
publisher's template in the whole run, as ``FindCommonLines`` finds them in a run in one
pass, and not those of the chunk alone. One SQLite file on a local disk: the run's
launcher writes it, the chunks' workers only read it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from itertools import islice

from transforms.repair.boilerplate import BoilerplateConfig
from transforms.repair.common_lines import common_line_threshold
from transforms.state.near_copy_index import chunks
from transforms.state.run_file import RunFile

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS stories (publisher TEXT NOT NULL, signature TEXT NOT NULL,"
    " PRIMARY KEY (publisher, signature)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS lines (publisher TEXT NOT NULL, line TEXT NOT NULL,"
    " signature TEXT NOT NULL, PRIMARY KEY (publisher, line, signature)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS common (publisher TEXT NOT NULL, line TEXT NOT NULL,"
    " PRIMARY KEY (publisher, line)) WITHOUT ROWID",
)


class SqliteCommonLines(RunFile):
    """Stories and short lines per publisher, and the verdicts ``settle`` draws from them."""

    def add(self, articles: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        """(publisher, story signature, its distinct short lines) per article; copies of a
        story (one signature) count once, as in ``FindCommonLines``."""
        with closing(sqlite3.connect(self.path)) as db, db:
            for statement in _SCHEMA:
                db.execute(statement)
            rows = iter(articles)
            while part := list(islice(rows, 1000)):
                db.executemany("INSERT OR IGNORE INTO stories VALUES (?, ?)",
                               [(publisher, signature) for publisher, signature, _ in part])
                db.executemany("INSERT OR IGNORE INTO lines VALUES (?, ?, ?)",
                               [(publisher, line, signature)
                                for publisher, signature, lines in part for line in lines])

    def settle(self, config: BoilerplateConfig = BoilerplateConfig()) -> int:
        """Decide every publisher's template lines, once every article is added; how many."""
        with closing(sqlite3.connect(self.path)) as db, db:
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute("CREATE TEMP TABLE thresholds (publisher TEXT PRIMARY KEY, needed INTEGER)")
            stories = db.execute("SELECT publisher, count(*) FROM stories GROUP BY publisher")
            db.executemany("INSERT INTO thresholds VALUES (?, ?)",
                           [(p, common_line_threshold(n, config)) for p, n in stories.fetchall()])
            db.execute("DELETE FROM common")
            db.execute(
                "INSERT INTO common SELECT l.publisher, l.line FROM lines l"
                " JOIN thresholds t ON t.publisher = l.publisher"
                " GROUP BY l.publisher, l.line HAVING count(*) >= max(t.needed)")
            return db.execute("SELECT count(*) FROM common").fetchone()[0]

    def common(self, publisher: str, lines: Iterable[str]) -> set[str]:
        """Which of these lines are the publisher's template."""
        lines = sorted(set(lines))
        if not lines:
            return set()
        found: set[str] = set()
        for part in chunks(lines):
            marks = ",".join("?" * len(part))
            found.update(row[0] for row in self.reader().execute(
                f"SELECT line FROM common WHERE publisher = ? AND line IN ({marks})",
                [publisher, *part]))
        return found

"""A SQLite file of one run that goes through in chunks (``pipelines.chunks``): the run's
launcher writes it on a local disk before the first chunk, the chunks' workers only read
it. Shared by the run's common lines and site templates."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class RunFile:
    """The file's path and a read-only connection opened on first use. Pickles as its
    path, so Beam can ship it to workers, each of which opens its own connection."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    def __getstate__(self) -> dict:
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])

    def reader(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                       check_same_thread=False)
        return self._db

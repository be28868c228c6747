"""Where a stream's shared state lives, chosen with ``--state-url``.

* A folder (default ``DIR/_state``): SQLite files on the worker machine's local disk,
  shared by every worker process of that machine.
* ``postgresql://USER@HOST:PORT/DB``: one PostgreSQL server shared by workers on any
  number of machines (``transforms.state.connections``: the password, the timeouts).

``StateSpec`` is what travels in the pipeline graph: a location and the retention, no
connection and no password; each store connects in its worker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from transforms.state.entity_stats import EntityStatsStore, SqliteEntityStats, default_stats_path
from transforms.state.near_copy_index import NearCopyIndex, SqliteNearCopyIndex, check_local_disk

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
DEFAULT_NEAR_COPY_DAYS = 30.0


@dataclass(frozen=True)
class StateSpec:
    """``location``: a folder or a PostgreSQL URL (a password in it is kept by this process
    only, never by the spec). ``near_copy_days``: fingerprints older than this are pruned
    from the near-copy index (a reprint later than that is not found)."""

    location: str
    near_copy_days: float = DEFAULT_NEAR_COPY_DAYS

    def __post_init__(self) -> None:
        if "://" in self.location and not self.is_postgres:
            raise ValueError(
                f"Unknown state location {self.location.split('://')[0]}://...; give a folder on "
                "a local disk or postgresql://USER@HOST:PORT/DB."
            )
        if self.near_copy_days <= 0:
            raise ValueError("--near-copy-days must be a positive number of days.")
        if self.is_postgres:
            from transforms.state.connections import remember_password

            object.__setattr__(self, "location", remember_password(self.location))

    @property
    def is_postgres(self) -> bool:
        return self.location.startswith(POSTGRES_SCHEMES)

    def near_copy_index(self) -> NearCopyIndex:
        if self.is_postgres:
            from transforms.state.postgres import PostgresNearCopyIndex

            return PostgresNearCopyIndex(self.location)
        return SqliteNearCopyIndex.under(self.location)

    def entity_stats(self) -> EntityStatsStore:
        if self.is_postgres:
            from transforms.state.postgres import PostgresEntityStats

            return PostgresEntityStats(self.location)
        return SqliteEntityStats(default_stats_path(self.location))

    def check(self) -> None:
        """Raise, with a sentence saying what to do, if the workers could not use this
        state: a folder on a network filesystem, a server that cannot be reached."""
        if self.is_postgres:
            from transforms.state.connections import check_server

            check_server(self.location)
        else:
            check_local_disk(self.location)

    def __repr__(self) -> str:
        return f"StateSpec({self.describe()!r}, near_copy_days={self.near_copy_days:g})"

    def describe(self) -> str:
        """The location without a password, for logs."""
        if self.is_postgres:
            from transforms.state.connections import describe

            return describe(self.location)
        return os.path.abspath(self.location)

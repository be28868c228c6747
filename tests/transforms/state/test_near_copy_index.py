"""The near-copy index on both backends (a SQLite file, a real PostgreSQL server): atomic
decisions under any interleaving of workers, replays, retention."""

import multiprocessing
import pickle
import random
import threading
import time
from functools import partial

import numpy as np
import pytest

from bench import reprints
from schemas.records import Article
from transforms.near_copies import NearCopyConfig, minhash, similarity
from transforms.near_copies.fingerprints import fingerprints
from transforms.near_copies.match_index import as_row, match_clusters
from transforms.state.near_copy_index import (
    PRUNE_EVERY,
    IndexedArticle,
    batch_hash,
    decide_alone,
    filesystem_type,
    lock_keys,
    prune_if_due,
    record,
)
from transforms.state.spec import StateSpec

CONFIG = NearCopyConfig()
SCHEME = CONFIG.scheme()
IS_COPY = partial(similarity, config=CONFIG)
NOW = 1_800_000_000.0


def rows_of(texts: dict[str, str], batch: str, now: float = NOW) -> dict[str, IndexedArticle]:
    """Each text as the index would store it as a canonical of ``batch``."""
    articles = [Article(id=i, source=i, text=t, ingested_at=None) for i, t in texts.items()]
    hasher = minhash.MinHasher(CONFIG.bands, CONFIG.rows, CONFIG.seed)
    return {fp.id: as_row(fp, batch_hash(batch), now) for fp in fingerprints(articles, CONFIG, hasher)}


@pytest.fixture(scope="module")
def texts():
    original = reprints.base_article(301, words=(300, 500))
    reprint, _ = reprints.reprint(original, seed=4, edits=("header_footer", "cut_paragraph", "truncate"))
    return {"A": original, "R": reprint, "U": reprints.base_article(302)}


def open_index(location: str):
    return StateSpec(location).near_copy_index().open(SCHEME)


def test_first_answer_wins_and_only_other_batches_canonicals_are_candidates(state_location, texts):
    session = open_index(state_location)
    first = rows_of({"A": texts["A"]}, "b1")["A"]
    session.add(first)
    session.add(IndexedArticle("D", "A", 0.9, "cd", batch=batch_hash("b1"), indexed_at=NOW))
    session.add(IndexedArticle("A", "Z", 0.5, "other"))
    assert session.answers(["A", "D", "missing"]) == {"A": ("A", None), "D": ("A", pytest.approx(0.9))}
    assert session.candidates(first.bands, "", batch_hash("b2")) == {"A"}
    assert session.candidates([], first.content, batch_hash("b2")) == {"A"}
    # Its own batch already compared its articles with each other.
    assert session.candidates(first.bands, first.content, batch_hash("b1")) == set()
    (fetched,) = session.fetch(["A"])
    assert fetched.shingles == first.shingles and fetched.bands == first.bands and fetched.is_canonical
    session.close()
    # Another worker's connection sees the same rows.
    assert open_index(state_location).answers(["D"])["D"][0] == "A"


def test_decide_finds_the_reprint_and_a_replay_gets_the_same_answer(state_location, texts):
    session = open_index(state_location)
    rows = rows_of(texts, "b1") | {"R": rows_of({"R": texts["R"]}, "b2")["R"]}
    assert decide_alone(session, rows["A"], IS_COPY) == ("A", None)
    assert decide_alone(session, rows["U"], IS_COPY) == ("U", None)
    target, value = decide_alone(session, rows["R"], IS_COPY)
    assert target == "A" and 0.7 <= value <= 1.0
    # Replays, even on another connection: the stored answers, never a copy of itself.
    again = open_index(state_location)
    assert decide_alone(again, rows["A"], IS_COPY) == ("A", None)
    assert decide_alone(again, rows["R"], IS_COPY) == (target, pytest.approx(value))
    with again.locked([]):
        assert record(again, IndexedArticle("A", "U", 0.8, "x")) == ("A", None)


def test_a_held_lookup_makes_the_reprint_wait_and_one_canonical_wins(state_location, texts):
    """Worker A (the micro-batch of partition 0) is held between its lookup and its insert
    while worker B (partition 1) processes the reprint: B waits for A's band buckets, then
    sees A. Both run what the MatchIndex step runs."""
    hasher = minhash.MinHasher(CONFIG.bands, CONFIG.rows, CONFIG.seed)
    original = Article(id="A", source="A", text=texts["A"], ingested_at=None)
    reprint = Article(id="R", source="R", text=texts["R"], ingested_at=None)
    a_session, b_session = open_index(state_location), open_index(state_location)
    looked_up, release = threading.Event(), threading.Event()
    results: dict = {}

    def hold():
        looked_up.set()
        assert release.wait(30)

    def worker(session, article, batch, hook=None):
        results.update(match_clusters(session, [(article.id, [article])], CONFIG, hasher,
                                      batch_hash(batch), NOW, hold=hook))

    a = threading.Thread(target=worker, args=(a_session, original, "partition-0", hold))
    a.start()
    assert looked_up.wait(30)
    b = threading.Thread(target=worker, args=(b_session, reprint, "partition-1"))
    b.start()
    b.join(1.0)
    assert b.is_alive(), "the reprint was decided while its original's decision was open"
    release.set()
    a.join(30)
    b.join(30)
    assert results["A"] == (None, None)
    assert results["R"][0] == "A"


def test_lock_keys_are_sorted_and_shared_by_copies(texts):
    rows = rows_of(texts, "b")
    a, r = (lock_keys(rows[i].bands, rows[i].content) for i in "AR")
    assert a == sorted(a) and all(0 <= k < 2**31 for k in a)
    # A reprint shares a band bucket with its original, hence a lock.
    assert set(a) & set(r)


def _race(location: str, rows: list[IndexedArticle], barrier, seed: int, out) -> None:
    session = open_index(location)
    rng = random.Random(seed)
    barrier.wait()
    for row in rows:
        time.sleep(rng.random() * 0.01)
        out.put((row.id, decide_alone(session, row, IS_COPY)))
    session.close()


@pytest.mark.slow
def test_processes_racing_on_pairs_leave_exactly_one_canonical_per_pair(state_location):
    """Three processes, each original and its reprint given to random processes at random
    moments: every pair ends with one canonical and the other article pointing at it."""
    pairs = 12
    texts = {}
    for i in range(pairs):
        texts[f"o{i}"] = reprints.base_article(400 + i, words=(200, 400))
        texts[f"r{i}"] = reprints.reprint(texts[f"o{i}"], seed=i, edits=("header_footer", "truncate"))[0]
    # Each article arrives in its own batch (a partition of its own), as on two workers.
    rows = [rows_of({i: t}, f"batch-{i}")[i] for i, t in texts.items()]
    rng = random.Random(7)
    rng.shuffle(rows)
    shares = [rows[k::3] for k in range(3)]
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(3), context.Queue()
    workers = [context.Process(target=_race, args=(state_location, share, barrier, k, out))
               for k, share in enumerate(shares)]
    for worker in workers:
        worker.start()
    answers = dict(out.get(timeout=120) for _ in rows)
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    for i in range(pairs):
        o, r = answers[f"o{i}"], answers[f"r{i}"]
        canonicals = [x for x, (target, _) in ((f"o{i}", o), (f"r{i}", r)) if target == x]
        assert len(canonicals) == 1, (i, o, r)
        assert o[0] == r[0] == canonicals[0]


def test_retention_prunes_old_entries_and_their_band_keys(state_location, texts):
    session = open_index(state_location)
    day = 86400.0
    old = rows_of({"A": texts["A"]}, "b1", now=NOW - 40 * day)["A"]
    fresh = rows_of({"U": texts["U"]}, "b2", now=NOW - 1 * day)["U"]
    session.add(old)
    session.add(fresh)
    session.add(IndexedArticle("D", "A", 0.9, "d", indexed_at=NOW - 40 * day))
    assert prune_if_due(session, days=30, now=NOW) == 2
    assert session.answers(["A", "D", "U"]) == {"U": ("U", None)}
    assert session.candidates(old.bands, old.content, batch_hash("b3")) == set()
    assert session.candidates(fresh.bands, "", batch_hash("b3")) == {"U"}
    # Pruning runs once per period across workers: another connection does not run it again.
    session.add(rows_of({"R": texts["R"]}, "b4", now=NOW - 40 * day)["R"])
    assert prune_if_due(open_index(state_location), days=30, now=NOW + 1) == 0
    assert prune_if_due(open_index(state_location), days=30, now=NOW + PRUNE_EVERY) == 1
    # A reprint of a forgotten original is canonical now.
    assert decide_alone(session, rows_of({"R2": texts["R"]}, "b5")["R2"], IS_COPY) == ("R2", None)


def test_an_index_built_with_other_fingerprints_is_refused(state_location):
    open_index(state_location).close()
    with pytest.raises(ValueError, match="same near-copy settings"):
        StateSpec(state_location).near_copy_index().open(NearCopyConfig(bands=7).scheme())


def test_the_index_description_is_picklable_for_workers(state_location):
    index = StateSpec(state_location).near_copy_index()
    assert pickle.loads(pickle.dumps(index)) == index


def test_many_candidates_stay_under_sqlite_parameter_limits(tmp_path):
    session = open_index(str(tmp_path))
    shingles = np.arange(30, dtype="<u8").tobytes()
    for i in range(1200):
        session.add(IndexedArticle(f"a{i}", f"a{i}", None, f"c{i}", shingles, (i,), batch=1))
    assert len(session.answers(f"a{i}" for i in range(1200))) == 1200
    assert len(session.candidates(range(1200), "", 2)) == 1200


def test_sqlite_state_on_a_network_filesystem_is_refused(tmp_path, monkeypatch):
    assert filesystem_type("/proc/self") == "proc"
    monkeypatch.setattr("transforms.state.near_copy_index.filesystem_type", lambda path: "nfs4")
    with pytest.raises(RuntimeError, match="network filesystem"):
        open_index(str(tmp_path))


def test_connections_opening_a_new_file_at_once_all_get_wal(tmp_path):
    """The switch to WAL takes the file for itself without waiting out the busy timeout;
    connections opening a new file together take turns instead of 'database is locked'."""

    from transforms.state.near_copy_index import connect_sqlite

    path = str(tmp_path / "state" / "new.sqlite")
    start = threading.Barrier(12)
    modes, errors = [], []

    def open_it() -> None:
        start.wait()
        try:
            db = connect_sqlite(path, timeout=60)
            modes.append(db.execute("PRAGMA journal_mode").fetchone()[0])
            db.execute("BEGIN IMMEDIATE")
            db.execute("COMMIT")
            db.close()
        except Exception as error:  # collected: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and modes == ["wal"] * 12

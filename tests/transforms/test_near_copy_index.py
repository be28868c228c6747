import os
import pickle

import numpy as np
import pytest

from transforms.near_copies import NearCopyConfig
from transforms.near_copy_index import IndexedArticle, SqliteNearCopyIndex

SCHEME = NearCopyConfig().scheme()


def row(article_id: str, canonical: str, bands=(), content="c", shingles=b"") -> IndexedArticle:
    return IndexedArticle(article_id, canonical, None if canonical == article_id else 0.9,
                          1.0, "o", content, shingles, tuple(bands))


def test_session_round_trip_and_first_writer_wins(tmp_path):
    index = SqliteNearCopyIndex.under(str(tmp_path))
    assert index.path == os.path.join(str(tmp_path), "_state", "near_copies.sqlite")
    session = index.open(SCHEME)
    shingles = np.arange(5, dtype="<u8").tobytes()
    session.add([row("a", "a", bands=[1, 2], content="ca", shingles=shingles), row("b", "a")])
    session.add([row("a", "zzz", bands=[3]), row("b", "b", bands=[4])])
    assert session.answers(["a", "b", "missing"]) == {"a": ("a", None), "b": ("a", 0.9)}
    # Only canonicals are candidates; a duplicate's later band rows are ignored too.
    assert session.candidates([2, 3, 4], []) == {"a"}
    assert session.candidates([], ["ca", "nothing"]) == {"a"}
    assert session.candidates([99], []) == set()
    (fetched,) = session.fetch(["a"])
    assert fetched.shingles == shingles and fetched.is_canonical
    session.close()
    # Another worker sees the same rows.
    assert index.open(SCHEME).answers(["b"]) == {"b": ("a", 0.9)}


def test_many_lookups_at_once_stay_under_sqlite_parameter_limits(tmp_path):
    session = SqliteNearCopyIndex.under(str(tmp_path)).open(SCHEME)
    session.add([row(f"a{i}", f"a{i}", bands=[i]) for i in range(2500)])
    assert len(session.answers(f"a{i}" for i in range(2500))) == 2500
    assert len(session.candidates(range(2500), [])) == 2500


def test_an_index_built_with_other_fingerprints_is_refused(tmp_path):
    index = SqliteNearCopyIndex.under(str(tmp_path))
    index.open(SCHEME).close()
    with pytest.raises(ValueError, match="new output folder"):
        index.open(NearCopyConfig(bands=7).scheme())


def test_index_is_picklable_for_workers(tmp_path):
    index = SqliteNearCopyIndex.under(str(tmp_path))
    assert pickle.loads(pickle.dumps(index)) == index

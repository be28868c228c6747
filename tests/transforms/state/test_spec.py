"""Choosing the state backend from ``--state-url``, and refusing what cannot work."""

import pickle

import pytest

from transforms.state.entity_stats import SqliteEntityStats
from transforms.state.near_copy_index import SqliteNearCopyIndex
from transforms.state.connections import describe
from transforms.state.postgres import PostgresEntityStats, PostgresNearCopyIndex
from transforms.state.spec import StateSpec


def test_a_folder_is_sqlite_and_a_postgresql_url_is_postgres(tmp_path):
    local = StateSpec(str(tmp_path))
    assert local.near_copy_index() == SqliteNearCopyIndex(str(tmp_path / "near_copies.sqlite"))
    assert isinstance(local.entity_stats(), SqliteEntityStats)
    for url in ("postgresql://copydesk@db:5432/copydesk", "postgres://copydesk@db/copydesk"):
        shared = StateSpec(url, near_copy_days=7)
        assert isinstance(shared.near_copy_index(), PostgresNearCopyIndex)
        assert isinstance(shared.entity_stats(), PostgresEntityStats)
        assert pickle.loads(pickle.dumps(shared)) == shared


@pytest.mark.parametrize("location, days, message", [
    ("mysql://db/copydesk", 30, "postgresql://USER@HOST:PORT/DB"),
    ("folder", 0, "positive"),
])
def test_bad_state_settings_say_what_to_give(location, days, message):
    with pytest.raises(ValueError, match=message):
        StateSpec(location, days)


def test_a_folder_on_a_network_filesystem_is_refused_before_any_batch(tmp_path, monkeypatch):
    StateSpec(str(tmp_path / "_state")).check()
    monkeypatch.setattr("transforms.state.near_copy_index.filesystem_type", lambda path: "nfs4")
    with pytest.raises(RuntimeError, match="network filesystem .nfs4.*postgresql://"):
        StateSpec(str(tmp_path / "_state")).check()


def test_an_unreachable_server_is_named_without_its_password():
    url = "postgresql://copydesk:s3cret@127.0.0.1:1/copydesk?connect_timeout=5"
    with pytest.raises(RuntimeError) as raised:
        StateSpec(url).check()
    assert "postgresql://copydesk@127.0.0.1:1/copydesk" in str(raised.value)
    shown = [str(raised.value), repr(StateSpec(url)), repr(StateSpec(url).near_copy_index()),
             repr(StateSpec(url).entity_stats())]
    assert not any("s3cret" in text for text in shown)
    assert describe(url) == "postgresql://copydesk@127.0.0.1:1/copydesk"


def test_the_test_server_is_reachable(postgres_url):
    StateSpec(postgres_url).check()

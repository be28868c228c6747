"""Reaching the PostgreSQL state server: URLs whose password holds any character, the
password kept out of everything shown or pickled, timeouts on every connection, a pool
per process, the schema made once, and an outage waited out."""

from __future__ import annotations

import logging
import pickle
import threading

import psycopg
import pytest

from transforms.state import connections
from transforms.state.connections import (
    PASSWORD_ENV,
    PASSWORD_FILE_ENV,
    connection_params,
    describe,
    password_for,
    patiently,
    pool,
    remember_password,
    split_password,
)
from transforms.state.spec import StateSpec

# Each holds the characters a URL gives meaning to; the words between them are checked too.
PASSWORDS = ["Pw%Sekr3t", "Ab/Cd-1234", "Kp5Qe@Rt8Sf", "Hash#Tag9", "two words", "%41%zz%",
             "Zq9Lb%Xv7Nc/Wm3Pd@Kp5Qe#Rt8Sf Hy6Tg?x=1"]


def shows(text: str | bytes, password: str) -> bool:
    """Whether ``text`` holds the password, percent-encoded or not, or a long piece of it."""
    import re
    import urllib.parse

    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    forms = {password, urllib.parse.quote(password, safe=""), urllib.parse.quote_plus(password)}
    forms.update(piece for piece in re.split(r"[^A-Za-z0-9]+", password) if len(piece) >= 4)
    return any(form in text for form in forms)


@pytest.mark.parametrize("password", PASSWORDS)
def test_a_password_with_any_character_is_split_from_the_url(password):
    url = f"postgresql://copydesk:{password}@db.example:5433/copydesk?lock_timeout=3s"
    bare, found = split_password(url)
    assert found == password or (password == "%41%zz%" and found == "A%zz%")
    assert bare == "postgresql://copydesk@db.example:5433/copydesk?lock_timeout=3s"
    params = connection_params(bare)
    assert (params["user"], params["host"], params["port"], params["dbname"]) == (
        "copydesk", "db.example", "5433", "copydesk")
    assert "-c lock_timeout=3s" in params["options"]
    assert describe(url) == "postgresql://copydesk@db.example:5433/copydesk"
    spec = StateSpec(url)
    for shown in (repr(spec), spec.describe(), repr(spec.near_copy_index()), repr(spec.entity_stats()),
                  pickle.dumps(spec), pickle.dumps(spec.near_copy_index()), pickle.dumps(spec.entity_stats()),
                  str(params)):
        assert not shows(shown, password), shown


def test_every_connection_has_timeouts_and_keepalives_which_the_url_can_change():
    params = connection_params("postgresql://u@h/db")
    assert params["connect_timeout"] == "10" and params["keepalives"] == "1"
    assert params["keepalives_idle"] and params["tcp_user_timeout"]
    for setting in ("idle_in_transaction_session_timeout", "lock_timeout", "statement_timeout"):
        assert f"-c {setting}=" in params["options"]
    changed = connection_params("postgresql://u@h/db?connect_timeout=2&lock_timeout=1s&options=-c%20work_mem%3D8MB")
    assert changed["connect_timeout"] == "2"
    assert "-c lock_timeout=1s" in changed["options"] and "-c work_mem=8MB" in changed["options"]
    assert "lock_timeout" not in changed


def test_the_password_comes_from_the_url_then_the_file_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    assert password_for("postgresql://u@h1/db") == "from-env"
    secret = tmp_path / "password"
    secret.write_text("from-file\n")
    monkeypatch.setenv(PASSWORD_FILE_ENV, str(secret))
    assert password_for("postgresql://u@h1/db") == "from-file"
    bare = remember_password("postgresql://u:from-url@h2/db")
    assert password_for(bare) == "from-url"
    monkeypatch.setenv(PASSWORD_FILE_ENV, str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="--state-password-file"):
        password_for("postgresql://u@h1/db")


def test_the_server_sees_the_timeouts(postgres_url):
    url = postgres_url + "&lock_timeout=1500ms"
    with pool(url).connection() as db:
        settings = dict(db.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('lock_timeout',"
            " 'idle_in_transaction_session_timeout', 'statement_timeout')").fetchall())
    assert settings == {"lock_timeout": "1500", "idle_in_transaction_session_timeout": "5000",
                        "statement_timeout": "60000"}


def test_a_pool_reuses_idle_connections_and_drops_broken_ones(postgres_url):
    shared = pool(postgres_url)
    with shared.connection() as db:
        first = db.info.backend_pid
    with shared.connection() as db, shared.connection() as other:
        assert db.info.backend_pid == first and other.info.backend_pid != first
    with connections.connect(postgres_url) as admin:
        admin.execute("SELECT pg_terminate_backend(%s, 10000)", (first,))
    # The dead connection looks idle: it is handed out, fails, and is not given back.
    with pytest.raises(psycopg.OperationalError), shared.connection() as db:
        assert db.info.backend_pid == first
        db.execute("SELECT 1")
    with shared.connection() as db:
        assert db.info.backend_pid != first and db.execute("SELECT 1").fetchone() == (1,)


def test_a_lock_held_by_a_frozen_transaction_is_freed_by_the_idle_timeout(postgres_url, caplog):
    """The holder stops inside a transaction (as a SIGSTOPped worker would); the server cuts
    it off after the idle timeout, and a waiter gets the lock within its lock timeout."""
    url = postgres_url + "&idle_in_transaction_session_timeout=1s&lock_timeout=20s"
    holder = connections.connect(url)
    holder.execute("BEGIN")
    holder.execute("SELECT pg_advisory_xact_lock(1, 2)")

    def take() -> str:
        with pool(url).connection() as db, db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(1, 2)")
            return "locked"

    with caplog.at_level(logging.WARNING):
        assert patiently(url, "taking a lock", take) == "locked"
    assert not [r for r in caplog.records if "took too long" in r.getMessage()]
    with pytest.raises(psycopg.Error):
        holder.execute("SELECT 1")
    holder.close()


def test_schema_is_made_once_per_process_without_the_lock_once_it_exists(postgres_url):
    from transforms.state.postgres import _STATS_SCHEMA

    with pool(postgres_url).connection() as db:
        connections.ensure_schema(db, postgres_url, _STATS_SCHEMA)
    # Another process: the tables exist, so it takes no lock (a held lock does not stall it).
    connections._READY.clear()
    blocker = connections.connect(postgres_url)
    blocker.execute("BEGIN")
    blocker.execute("SELECT pg_advisory_xact_lock(%s, %s)", (connections.LOCK_SPACE, connections.SCHEMA_LOCK))
    done = threading.Event()

    def ensure() -> None:
        with pool(postgres_url).connection() as db:
            connections.ensure_schema(db, postgres_url, _STATS_SCHEMA)
        done.set()

    thread = threading.Thread(target=ensure, daemon=True)
    thread.start()
    thread.join(30)
    blocker.close()
    assert done.is_set()


def test_a_password_parameter_is_split_from_the_url_too():
    bare, found = split_password("postgresql://u@h/db?sslmode=require&password=Ab%2FCd%23&application_name=x")
    assert found == "Ab/Cd#"
    assert bare == "postgresql://u@h/db?sslmode=require&application_name=x"
    assert split_password("postgresql://u@h/db?password=x") == ("postgresql://u@h/db", "x")


@pytest.mark.timeout(60)
def test_a_server_that_accepts_and_never_answers_is_given_up_on():
    """The connect timeout covers the whole handshake, not only the TCP connection."""
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(RuntimeError, match="Cannot reach the state database .*timeout"):
            connections.check_server(f"postgresql://u:Pw%Sekr3t@127.0.0.1:{port}/db?connect_timeout=2")

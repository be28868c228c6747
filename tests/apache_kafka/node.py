"""One Apache Kafka node (KRaft broker and controller in one JVM) for the tests, run from the
jars that ``make test`` copies from Maven Central into ``lib/`` (pinned in ``pom.xml``).
Nothing is downloaded here. Its data and log live in a folder the caller gives."""

from __future__ import annotations

import base64
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

from pipelines.broker import BrokerProcess, create_topic, port_open

HERE = os.path.dirname(os.path.abspath(__file__))
JARS = os.path.join(HERE, "lib")
LOG_CONFIG = os.path.join(HERE, "log4j2.properties")
SETUP_HINT = "run `make test` once (it needs Java 17 and Maven) or `make kafka-jars`"
# A small heap, and C1 only: on a loaded 2-core machine the node is ready in 3.5-5 s instead
# of 7-11 s with the optimising compiler, and leaves the cores to the tests.
JVM_OPTIONS = ("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
               "-Djava.awt.headless=true")
# Apache Kafka's defaults, except where one node or a test's patience needs otherwise.
TEST_SETTINGS = {
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "4",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "4",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    # A group's first members are assigned at once instead of after 3 s.
    "group.initial.rebalance.delay.ms": "0",
    # Tests may ask for sessions shorter than the default floor of 6 s.
    "group.min.session.timeout.ms": "1000",
    # Two cores: fewer request threads than the defaults of 8 and 3.
    "num.io.threads": "2",
    "num.network.threads": "2",
}


class KafkaError(RuntimeError):
    """The test Kafka node could not be set up or started."""


def java() -> str:
    home = os.environ.get("JAVA_HOME")
    found = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not found or not os.access(found, os.X_OK):
        raise KafkaError("Apache Kafka needs Java 17 or newer and no `java` was found; set JAVA_HOME or "
                         "put java on the PATH (Debian: apt-get install openjdk-17-jre-headless).")
    return found


def classpath() -> str:
    if not os.path.isdir(JARS) or not any(name.endswith(".jar") for name in os.listdir(JARS)):
        raise KafkaError(f"Apache Kafka's jars are not in {JARS}; {SETUP_HINT}.")
    return os.path.join(JARS, "*")


def free_ports(host: str, count: int) -> list[int]:
    """Ports free at once, so that two calls cannot hand out the same one."""
    probes = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind((host, 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def random_cluster_id() -> str:
    """As ``kafka-storage random-uuid`` prints it: 16 random bytes, URL-safe base64, never
    starting with "-" (Kafka's ``Uuid.randomUuid`` draws again too: the storage tool would
    read such an id as an option, and 1 start in 64 failed)."""
    while True:
        found = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        if not found.startswith("-"):
            return found


def _all_led(topic: dict) -> bool:
    partitions = topic["partitions"]
    return (topic["error_code"] == 0 and bool(partitions)
            and all(p["error_code"] == 0 and p["leader_id"] >= 0 for p in partitions))


def _die_with_parent() -> None:
    # A test run killed outright must not leave a 512 MB JVM behind it.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class KafkaNode(BrokerProcess):
    """``start()``/``stop()`` or a context manager; ``bootstrap_servers`` once started.
    ``pause()`` and ``resume()`` freeze and thaw the JVM (SIGSTOP/SIGCONT) to test a broker
    that stops answering."""

    def __init__(self, folder: str, host: str = "127.0.0.1") -> None:
        self.folder = folder
        self.host = host
        self.port = 0
        self.log_path = os.path.join(folder, "kafka.log")

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 120.0) -> "KafkaNode":
        command = [java(), *JVM_OPTIONS, f"-Dlog4j2.configurationFile={LOG_CONFIG}", "-cp", classpath()]
        os.makedirs(self.folder, exist_ok=True)
        # Free ports can be taken by someone else before the JVM binds them: if it exits,
        # try others; if it runs but never answers, stop there.
        for _attempt in range(3):
            self.port, controller_port = free_ports(self.host, 2)
            config = self._configure(controller_port)
            self._run(command + ["kafka.tools.StorageTool", "format",
                                 "--cluster-id", random_cluster_id(), "--config", config])
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    command + ["kafka.Kafka", config], stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True,
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None)
            if self._wait_ready(timeout):
                return self
            hung = self.process.poll() is None
            self._kill()
            if hung:
                break
        raise KafkaError(f"Apache Kafka did not start; its log {self.log_path} ends:\n{self.log_tail()}")

    def _configure(self, controller_port: int) -> str:
        data = os.path.join(self.folder, "data")
        shutil.rmtree(data, ignore_errors=True)
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{self.host}:{controller_port}",
            "listeners": f"PLAINTEXT://{self.host}:{self.port},CONTROLLER://{self.host}:{controller_port}",
            "advertised.listeners": f"PLAINTEXT://{self.host}:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": data,
            **TEST_SETTINGS,
        }
        path = os.path.join(self.folder, "server.properties")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(f"{key}={value}\n" for key, value in settings.items())
        return path

    def _run(self, command: list[str]) -> None:
        with open(self.log_path, "ab") as log:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                  timeout=120)
        if done.returncode != 0:
            raise KafkaError(f"Formatting Kafka's storage failed ({done.returncode}); "
                             f"its log {self.log_path} ends:\n{self.log_tail()}")

    def _wait_ready(self, timeout: float) -> bool:
        """Until the node answers a metadata request naming itself as an unfenced broker."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            if port_open(self.host, self.port, timeout=0.2) and self._serving():
                return True
            time.sleep(0.1)
        return False

    def _serving(self) -> bool:
        from kafka.admin import KafkaAdminClient
        from kafka.errors import KafkaError as ClientError

        try:
            admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=3000)
        except ClientError:
            return False
        try:
            brokers = admin.describe_cluster()["brokers"]
        except ClientError:
            return False
        finally:
            admin.close()
        return any(b["port"] == self.port and not b.get("is_fenced") for b in brokers)

    def create_topic(self, topic: str, partitions: int = 1, timeout: float = 30.0) -> None:
        """Create ``topic`` with ``partitions`` partitions (an existing topic is left as is),
        and return once the broker names a leader for each, as clients expect right after."""
        from kafka.admin import KafkaAdminClient

        create_topic(self.bootstrap_servers, topic, partitions)
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        try:
            deadline = time.monotonic() + timeout
            while not _all_led(admin.describe_topics([topic])[0]):
                if time.monotonic() > deadline:
                    raise KafkaError(f"Topic {topic} still lacks a partition leader after {timeout:.0f} s; "
                                     f"see {self.log_path}.")
                time.sleep(0.05)
        finally:
            admin.close()

    def log_size(self) -> int:
        try:
            return os.path.getsize(self.log_path)
        except FileNotFoundError:
            return 0

    def log_tail(self, since: int = 0, lines: int = 80) -> str:
        """The last ``lines`` lines the node logged after byte ``since``."""
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(since)
                text = handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> "KafkaNode":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

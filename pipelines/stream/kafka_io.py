"""Kafka plumbing shared by ``copydesk stream`` and ``copydesk produce``: client settings
(security passed through), the codec check, a Kafka message as a ``RawInput``, and the
Kafka Connect style dead-letter headers.

kafka-python is the client: it is pure Python, so a worker image needs no librdkafka.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, TypeVar

from schemas.records import DateOutOfRange, RawInput
from transforms.reading.envelope import parse_timestamp
from transforms.runtime.outage import Backoff, Outage, short_error, sleep_unless
from transforms.decoding.charset_hints import content_type_charset

log = logging.getLogger(__name__)

VALUE_FORMATS = ("text", "json")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI")
CODECS = ("gzip", "snappy", "lz4", "zstd")
# Read from the environment so a password need not appear in `ps` or a shell history.
SASL_PASSWORD_ENV = "COPYDESK_KAFKA_SASL_PASSWORD"
SSL_PASSWORD_ENV = "COPYDESK_KAFKA_SSL_PASSWORD"

_SOURCE = re.compile(r"kafka://(?P<topic>[^/]+)/(?P<partition>\d+)/(?P<offset>\d+)")


@dataclass(frozen=True)
class KafkaSettings:
    """How to reach the cluster. Only ``bootstrap_servers`` is needed for a plain local
    broker; the rest is handed unchanged to kafka-python (``security_protocol``,
    ``sasl_mechanism``, ``sasl_plain_username``, ``ssl_cafile``, ...)."""

    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password: str | None = field(default=None, repr=False)
    ssl_check_hostname: bool = True
    client_id: str = field(default_factory=lambda: f"copydesk-{socket.gethostname()}-{os.getpid()}")

    def client_config(self) -> dict[str, Any]:
        """Keyword arguments common to ``KafkaConsumer``, ``KafkaProducer`` and the admin client."""
        config: dict[str, Any] = {
            "bootstrap_servers": [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()],
            "client_id": self.client_id,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol.startswith("SASL"):
            config["sasl_mechanism"] = self.sasl_mechanism or "PLAIN"
            if self.sasl_username is not None:
                config["sasl_plain_username"] = self.sasl_username
            if self.sasl_password is not None:
                config["sasl_plain_password"] = self.sasl_password
        if self.security_protocol.endswith("SSL"):
            config["ssl_check_hostname"] = self.ssl_check_hostname
            for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_password"):
                value = getattr(self, name)
                if value is not None:
                    config[name] = value
        return config


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--bootstrap-servers`` and the security settings, as Kafka's own tools name them."""
    group = parser.add_argument_group("Kafka connection")
    group.add_argument("--bootstrap-servers", required=True, metavar="HOST:PORT[,HOST:PORT]",
                       help="Kafka brokers to bootstrap from")
    group.add_argument("--security-protocol", default="PLAINTEXT", choices=SECURITY_PROTOCOLS,
                       help="default PLAINTEXT")
    group.add_argument("--sasl-mechanism", choices=SASL_MECHANISMS,
                       help="with SASL_PLAINTEXT or SASL_SSL (default PLAIN)")
    group.add_argument("--sasl-username", metavar="USER")
    group.add_argument("--sasl-password", metavar="PASSWORD",
                       help=f"better: set ${SASL_PASSWORD_ENV}")
    group.add_argument("--ssl-cafile", metavar="PEM", help="CA bundle to verify the brokers")
    group.add_argument("--ssl-certfile", metavar="PEM", help="client certificate (mutual TLS)")
    group.add_argument("--ssl-keyfile", metavar="PEM", help="client private key (mutual TLS)")
    group.add_argument("--ssl-password", metavar="PASSWORD",
                       help=f"password of the key file; better: set ${SSL_PASSWORD_ENV}")
    group.add_argument("--no-ssl-check-hostname", dest="ssl_check_hostname", action="store_false",
                       help="do not check that broker certificates match their host names")


def settings_from_args(args: argparse.Namespace) -> KafkaSettings:
    for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
        path = getattr(args, name, None)
        if path and not os.path.isfile(path):
            raise ValueError(f"--{name.replace('_', '-')} {path!r} does not exist; give a PEM file.")
    return KafkaSettings(
        bootstrap_servers=args.bootstrap_servers,
        security_protocol=args.security_protocol,
        sasl_mechanism=args.sasl_mechanism,
        sasl_username=args.sasl_username,
        sasl_password=args.sasl_password or os.environ.get(SASL_PASSWORD_ENV),
        ssl_cafile=args.ssl_cafile,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        ssl_password=args.ssl_password or os.environ.get(SSL_PASSWORD_ENV),
        ssl_check_hostname=args.ssl_check_hostname,
    )


class CodecError(RuntimeError):
    """kafka-python cannot decompress a codec a producer may use."""


def check_codecs() -> None:
    """Fail at start-up, not on the first compressed batch: a partition whose records the
    consumer cannot decompress would stall forever."""
    from kafka import codec

    probes: dict[str, tuple[Callable[[], bool], Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
        "gzip": (codec.has_gzip, codec.gzip_encode, codec.gzip_decode),
        "snappy": (codec.has_snappy, codec.snappy_encode, codec.snappy_decode),
        "lz4": (codec.has_lz4, codec.lz4_encode, codec.lz4_decode),
        "zstd": (codec.has_zstd, codec.zstd_encode, codec.zstd_decode),
    }
    packages = {"gzip": "(built in)", "snappy": "python-snappy", "lz4": "lz4", "zstd": "zstandard"}
    sample = b"copydesk codec check " * 64
    missing = []
    for name, (available, encode, decode) in probes.items():
        try:
            ok = available() and decode(encode(sample)) == sample
        except Exception:  # a broken native module is as bad as a missing one
            ok = False
        if not ok:
            missing.append(name)
    if missing:
        wanted = " ".join(packages[m] for m in missing)
        raise CodecError(
            f"kafka-python cannot decompress {', '.join(missing)} record batches; "
            f"install {wanted} into this environment (pip install {wanted})."
        )


def message_source(topic: str, partition: int, offset: int) -> str:
    return f"kafka://{topic}/{partition}/{offset}"


def parse_source(source: str) -> tuple[str, int, int] | None:
    """``kafka://TOPIC/PARTITION/OFFSET`` as (topic, partition, offset); None for other sources."""
    match = _SOURCE.fullmatch(source)
    if match is None:
        return None
    return match["topic"], int(match["partition"]), int(match["offset"])


def message_order(partition: int, offset: int) -> str:
    """Sorts like the topic was read: by partition, then offset."""
    return f"{partition:05d}/{offset:020d}"


# The headers copydesk reads; any other header may hold any bytes.
READ_HEADERS = ("title", "url", "published_at", "language", "content-type")


class UnreadableRecord(ValueError):
    """Why one consumed record cannot become an article, as one sentence."""


def header_map(headers: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    """The headers copydesk reads, as text; the last of repeated keys wins, as in Kafka
    Connect. ``UnreadableRecord`` when one of them is not UTF-8."""
    found: dict[str, str] = {}
    for key, value in headers or ():
        name = key.lower()
        if value is None or name not in READ_HEADERS:
            continue
        try:
            found[name] = value.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise UnreadableRecord(
                f"The Kafka header {key!r} is not UTF-8 text; publish header values as UTF-8."
            ) from None
    return found


def event_time(headers: dict[str, str], timestamp_ms: int | None) -> datetime | None:
    """``published_at`` from the header when it parses, else the Kafka record timestamp.
    ``DateOutOfRange`` when UTC cannot hold the one chosen."""
    stamp = headers.get("published_at")
    if stamp:
        parsed, _ = parse_timestamp(stamp, "The published_at header")
        if parsed is not None:
            return parsed
        log.debug("published_at header %r is not a date; using the record timestamp", stamp)
    if timestamp_ms is None or timestamp_ms < 0:
        return None
    try:
        return datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise DateOutOfRange(
            f"The Kafka record timestamp {timestamp_ms} ms falls outside the years 1 to 9999; "
            f"fix the producer's clock or send a published_at header."
        ) from None


def publisher_key(key: bytes | None) -> str | None:
    if not key:
        return None
    try:
        return key.decode("utf-8").strip() or None
    except UnicodeDecodeError:
        raise UnreadableRecord(
            "The Kafka key is not UTF-8 text; publish keys (publisher ids) as UTF-8."
        ) from None


def to_raw_input(message: Any, value_format: str = "text") -> RawInput:
    """One consumed record (kafka-python ``ConsumerRecord``) as one input of the pipeline.

    The value is the article as raw bytes (``text``) or a batch-style JSON envelope
    (``json``); the key is the publisher's id; the headers ``title``, ``url``,
    ``published_at`` and ``language`` carry metadata, the record timestamp standing in
    for ``published_at``; a ``content-type`` header's charset declares the value's
    encoding. Tombstones (null values) never get here.

    It never raises: a record it cannot read (a key or header that is not UTF-8, a date
    out of range, a record the client could not decode) becomes an input carrying the
    reason, which decoding turns into a reject, so one record cannot stop its partition.
    """
    common = dict(
        source=message_source(message.topic, message.partition, message.offset),
        raw=bytes(message.value or b""),
        kind="envelope" if value_format == "json" else "text",
        order=message_order(message.partition, message.offset),
    )
    problem = getattr(message, "problem", None)
    if problem:
        return RawInput(**common, problem=problem)
    try:
        headers = header_map(message.headers)
        return RawInput(
            **common,
            title=headers.get("title") or None,
            url=headers.get("url") or None,
            published_at=event_time(headers, message.timestamp),
            language=headers.get("language") or None,
            publisher_id=publisher_key(message.key),
            encoding=content_type_charset(headers.get("content-type")),
        )
    except (UnreadableRecord, DateOutOfRange) as error:
        return RawInput(**common, problem=str(error))
    except Exception as error:  # one record must never stop its partition
        reason = f"copydesk could not read this Kafka record ({short_error(error)})."
        return RawInput(**common, problem=reason)


class Unreadable:
    """Stands in for a record the Kafka client cannot decode (``CorruptRecordError``: a
    header key that is not UTF-8, a damaged batch), so that its offset still gets a row."""

    key = None
    value = b""
    headers: list = []
    timestamp = None

    def __init__(self, topic: str, partition: int, offset: int, reason: str) -> None:
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.problem = (f"The Kafka client cannot decode the record at this offset ({short_error(reason)}); "
                        f"its bytes could not be kept.")


def unreadable_at(reader: Any, topic: str, partition: int, offset: int, timeout: float = 10.0) -> str | None:
    """Why the client cannot decode the record at ``offset`` of ``partition``, None if it
    can (or there is none yet). ``reader`` is a consumer outside the group."""
    from kafka import TopicPartition
    from kafka.errors import CorruptRecordError

    tp = TopicPartition(topic, partition)
    reader.assign([tp])
    if offset >= (reader.end_offsets([tp]).get(tp) or 0):
        return None
    reader.seek(tp, offset)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if reader.poll(timeout_ms=500, max_records=1):
                return None
        except CorruptRecordError as error:
            return str(error)
    return None


def dead_letter_headers(
    message: Any, reason: str, stage: str, connector: str, task: str
) -> list[tuple[str, bytes]]:
    """The original headers plus Kafka Connect's ``__connect.errors.*`` context headers,
    so tools that already read Connect dead-letter queues read ours."""
    context = {
        "__connect.errors.topic": message.topic,
        "__connect.errors.partition": str(message.partition),
        "__connect.errors.offset": str(message.offset),
        "__connect.errors.connector.name": connector,
        "__connect.errors.task.id": task,
        "__connect.errors.stage": stage,
        "__connect.errors.class.name": "copydesk.transforms.reading.read.DecodeInputs",
        "__connect.errors.exception.class.name": "copydesk.RejectedInput",
        "__connect.errors.exception.message": reason,
        "__connect.errors.timestamp": str(int(time.time() * 1000)),
    }
    kept = [(k, v) for k, v in (message.headers or ()) if not k.startswith("__connect.errors.")]
    return kept + [(k, v.encode("utf-8")) for k, v in context.items()]


T = TypeVar("T")


# One outage per broker list, shared by every wait on it in this process.
_OUTAGES: dict[str, Outage] = {}


def retry_kafka(
    action: Callable[[], T], what: str, servers: str, should_stop: Callable[[], bool],
    backoff: Backoff | None = None,
) -> T | None:
    """Run ``action`` until it stops raising Kafka errors, however long that takes, saying
    so in the log once, then once a minute, then once when Kafka answers; None if
    ``should_stop`` turns true first."""
    from kafka.errors import KafkaError

    backoff = backoff or Backoff()
    outage = _OUTAGES.setdefault(servers, Outage(f"Kafka at {servers}", log))
    while not should_stop():
        try:
            result = action()
        except KafkaError as error:
            outage.failed(what, short_error(error))
            sleep_unless(backoff.next(), should_stop)
            continue
        outage.answered(what)
        return result
    return None


def quiet_kafka_logging(level: int = logging.CRITICAL) -> None:
    """kafka-python logs every reconnect attempt at ERROR; the worker says what matters
    itself, once, in plain words."""
    logging.getLogger("kafka").setLevel(level)

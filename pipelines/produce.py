"""``copydesk produce``: publish a folder's articles to a Kafka topic, one message each.

A ``*.txt`` file is one raw article: its bytes are the value, untouched (so a worker
meets the same encodings the batch path does). A ``*.json`` file or each line of a
``*.jsonl`` file is an envelope: by default its ``text`` becomes the value and its
``title``, ``url``, ``published_at`` and ``language`` become headers; with
``--value-format json`` the envelope itself is the value. Every message carries a
``source`` header: the file's path relative to the folder it was found under.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from pipelines.stream.kafka_io import (
    CODECS,
    VALUE_FORMATS,
    KafkaSettings,
    add_connection_arguments,
    quiet_kafka_logging,
    settings_from_args,
)
from transforms.reading.envelope import InvalidInput, parse_envelope
from transforms.reading.paths import readable
from transforms.runtime.outage import short_error

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".json", ".jsonl")
HEADER_FIELDS = ("title", "url", "published_at", "language")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Message:
    value: bytes
    headers: list[tuple[str, bytes]]
    key: bytes | None = None
    # Where it came from (``file.jsonl#3``), to name it in errors.
    source: str = ""


@dataclass(frozen=True)
class Refused:
    """An envelope batch would reject, reported instead of sent."""

    source: str
    reason: str


def find_files(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(path, source) of every article file under ``paths``, in a stable order."""
    found = []
    for root in paths:
        if os.path.isfile(root):
            found.append((root, readable(os.path.basename(root))))
            continue
        if not os.path.isdir(root):
            raise FileNotFoundError(
                f"{root!r} is neither a file nor a folder; give article files or folders."
            )
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.endswith(SUFFIXES) and not name.startswith("."):
                    path = os.path.join(folder, name)
                    found.append((path, readable(os.path.relpath(path, root))))
    return found


def messages(
    path: str, source: str, value_format: str = "text", key: bytes | None = None
) -> Iterator[Message | Refused]:
    """The messages of one file, as ``copydesk batch`` would read its articles; an
    envelope batch would reject is ``Refused`` with batch's reason."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if path.endswith(".jsonl"):
        for number, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                yield _envelope(line, f"{source}#{number}", value_format, key)
    elif path.endswith(".json"):
        yield _envelope(raw, source, value_format, key)
    elif value_format == "json":
        text = raw.decode("utf-8", errors="replace")
        yield Message(json.dumps({"text": text}).encode("utf-8"), [("source", source.encode())], key, source)
    else:
        yield Message(raw, [("source", source.encode())], key, source)


def _envelope(raw: bytes, source: str, value_format: str, key: bytes | None) -> Message | Refused:
    headers = [("source", source.encode())]
    try:
        envelope = parse_envelope(raw)
    except InvalidInput as error:
        return Refused(source, str(error))
    if value_format == "json":
        return Message(raw, headers, key, source)
    for name in HEADER_FIELDS:
        value = envelope.get(name)
        if isinstance(value, str) and value.strip():
            headers.append((name, _utf8(value)))
    return Message(_utf8(envelope["text"]), headers, key, source)


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of a JSON string; a lone surrogate (a ``"\\ud800"`` escape), which has
    none, becomes U+FFFD, as ``copydesk batch`` makes it."""
    return _SURROGATE.sub("\ufffd", text).encode("utf-8")


# How long produce waits for a broker that does not answer before it says so.
CONNECT_TIMEOUT_MS = 4000
MAX_REQUEST_BYTES = 16 * 1024 * 1024


class PublishFailed(RuntimeError):
    """Publishing stopped, as one sentence; ``sent`` messages were acknowledged before."""

    def __init__(self, message: str, sent: int) -> None:
        super().__init__(message)
        self.sent = sent


def produce(
    settings: KafkaSettings, topic: str, items: Iterable[Message], compression: str | None = None,
    rate: float | None = None, partitions: int | None = None,
) -> int:
    """Send ``items`` to ``topic`` (created with ``partitions`` if missing), at most ``rate``
    per second; the number sent. Waits until the broker has acknowledged every one.
    ``PublishFailed`` says why it stopped (a broker that does not answer within
    ``CONNECT_TIMEOUT_MS``, a message too large) and how many were sent before."""
    from kafka import KafkaProducer
    from kafka.errors import KafkaError

    from pipelines.broker import create_topic

    items = iter(items)
    first = next(items, None)
    if first is None:
        return 0  # nothing to send (every envelope refused): no broker needed
    items = itertools.chain([first], items)
    config = {**settings.client_config(), "bootstrap_timeout_ms": CONNECT_TIMEOUT_MS}
    servers = settings.bootstrap_servers
    try:
        if partitions:
            create_topic(servers, topic, partitions, config)
        producer = KafkaProducer(**config, compression_type=compression, linger_ms=5,
                                 max_request_size=MAX_REQUEST_BYTES, max_block_ms=CONNECT_TIMEOUT_MS,
                                 request_timeout_ms=CONNECT_TIMEOUT_MS)
    except KafkaError as error:
        raise PublishFailed(f"Kafka at {servers} does not answer ({short_error(error)}); check that "
                            f"the broker is running (copydesk broker) and the address is right", 0) from None
    pending: list = []
    acknowledged = 0

    def settle() -> None:
        nonlocal acknowledged
        producer.flush(timeout=CONNECT_TIMEOUT_MS / 1000)
        for message, future in pending:
            try:
                future.get(timeout=CONNECT_TIMEOUT_MS / 1000)
            except KafkaError as error:
                raise PublishFailed(_why(error, message, servers), acknowledged) from None
            acknowledged += 1
        pending.clear()

    started = time.monotonic()
    try:
        for count, message in enumerate(items):
            if rate:
                wait = started + count / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                pending.append((message, producer.send(topic, value=message.value, key=message.key,
                                                       headers=message.headers)))
            except KafkaError as error:
                settle()
                raise PublishFailed(_why(error, message, servers), acknowledged) from None
            if len(pending) >= 1000:
                settle()
        settle()
    finally:
        producer.close(timeout=CONNECT_TIMEOUT_MS / 1000)
    return acknowledged


def _why(error: Exception, message: Message, servers: str) -> str:
    from kafka.errors import MessageSizeTooLargeError, RecordListTooLargeError

    if isinstance(error, (MessageSizeTooLargeError, RecordListTooLargeError)):
        return (f"{message.source or 'a message'} is {len(message.value):,} bytes, more than one Kafka "
                f"message may hold here ({short_error(error)}); split it, or raise the "
                f"topic's max.message.bytes")
    return (f"Kafka at {servers} stopped answering ({short_error(error)}); check that the broker is "
            f"running (copydesk broker) and the address is right")


def add_produce_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="files or folders (read recursively): *.txt, *.json, *.jsonl")
    parser.add_argument("--topic", required=True, help="topic to publish to")
    parser.add_argument("--key", help="publisher id sent as every message's key")
    parser.add_argument("--value-format", choices=VALUE_FORMATS, default="text",
                        help="text: the article as the value, metadata in headers (default); "
                             "json: the batch envelope as the value (for stream --value-format json)")
    parser.add_argument("--compression", choices=CODECS,
                        help="compress record batches with this codec (default none)")
    parser.add_argument("--rate", type=float, metavar="N", help="at most N messages per second")
    parser.add_argument("--partitions", type=int, metavar="N",
                        help="create the topic with N partitions if it does not exist")
    add_connection_arguments(parser)


def run_produce(args: argparse.Namespace) -> int:
    """Publish; 1 when a message could not be sent or an envelope was refused."""
    from pipelines.cli import UsageError

    try:
        files = find_files(args.paths)
        settings = settings_from_args(args)
    except (FileNotFoundError, ValueError) as error:
        raise UsageError(str(error)) from None
    if not files:
        raise UsageError(f"No .txt, .json or .jsonl files under {' '.join(args.paths)}; give article files.")
    quiet_kafka_logging()
    key = args.key.encode("utf-8") if args.key else None
    refused: list[Refused] = []

    def items() -> Iterator[Message]:
        for path, source in files:
            for item in messages(path, source, args.value_format, key):
                if isinstance(item, Refused):
                    print(f"copydesk: {item.source} not sent: {item.reason}", file=sys.stderr)
                    refused.append(item)
                else:
                    yield item

    try:
        sent = produce(settings, args.topic, items(), args.compression, args.rate, args.partitions)
    except PublishFailed as error:
        done = f"{error.sent} messages were sent before it stopped" if error.sent else "nothing was sent"
        print(f"copydesk: {error}; {done}.", file=sys.stderr)
        return 1
    print(f"Published {sent} messages from {len(files)} files to {args.topic} on {args.bootstrap_servers}"
          + (f"; {len(refused)} not sent (see above)." if refused else "."))
    return 1 if refused else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipelines.produce ...`` is ``copydesk produce ...``."""
    from pipelines.cli import main as copydesk

    return copydesk(["produce", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    # Run the copy imported under its package name, so loggers and classes are named
    # pipelines.produce, not __main__.
    from pipelines import produce

    sys.exit(produce.main())

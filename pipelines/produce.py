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
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from pipelines.stream.kafka_io import (
    CODECS,
    VALUE_FORMATS,
    KafkaSettings,
    add_connection_arguments,
    settings_from_args,
)

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".json", ".jsonl")
HEADER_FIELDS = ("title", "url", "published_at", "language")


@dataclass(frozen=True)
class Message:
    value: bytes
    headers: list[tuple[str, bytes]]
    key: bytes | None = None


def find_files(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(path, source) of every article file under ``paths``, in a stable order."""
    found = []
    for root in paths:
        if os.path.isfile(root):
            found.append((root, os.path.basename(root)))
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
                    found.append((path, os.path.relpath(path, root)))
    return found


def messages(
    path: str, source: str, value_format: str = "text", key: bytes | None = None
) -> Iterator[Message]:
    """The messages of one file, as ``copydesk batch`` would read its articles."""
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
        yield Message(json.dumps({"text": text}).encode("utf-8"), [("source", source.encode())], key)
    else:
        yield Message(raw, [("source", source.encode())], key)


def _envelope(raw: bytes, source: str, value_format: str, key: bytes | None) -> Message:
    headers = [("source", source.encode())]
    if value_format == "json":
        return Message(raw, headers, key)
    try:
        envelope = json.loads(raw)
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("text"), str):
        # Sent as it is: the worker rejects it with a reason, as the batch path would.
        return Message(raw, headers, key)
    for name in HEADER_FIELDS:
        value = envelope.get(name)
        if isinstance(value, str) and value.strip():
            headers.append((name, value.encode("utf-8")))
    return Message(envelope["text"].encode("utf-8"), headers, key)


def produce(
    settings: KafkaSettings, topic: str, items: Iterable[Message], compression: str | None = None,
    rate: float | None = None, partitions: int | None = None,
) -> int:
    """Send ``items`` to ``topic`` (created with ``partitions`` if missing), at most ``rate``
    per second; the number sent. Waits until the broker has acknowledged every one."""
    from kafka import KafkaProducer

    from pipelines.broker import create_topic

    if partitions:
        create_topic(settings.bootstrap_servers, topic, partitions, settings.client_config())
    producer = KafkaProducer(
        **settings.client_config(),
        compression_type=compression,
        linger_ms=5,
        max_request_size=16 * 1024 * 1024,
    )
    sent = 0
    started = time.monotonic()
    try:
        futures = []
        for message in items:
            if rate:
                wait = started + sent / rate - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            futures.append(producer.send(topic, value=message.value, key=message.key,
                                         headers=message.headers))
            sent += 1
        producer.flush()
        for future in futures:
            future.get(timeout=60)
    finally:
        producer.close()
    return sent


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
    from kafka.errors import KafkaError

    from pipelines.cli import UsageError

    try:
        files = find_files(args.paths)
        settings = settings_from_args(args)
    except (FileNotFoundError, ValueError) as error:
        raise UsageError(str(error)) from None
    if not files:
        raise UsageError(f"No .txt, .json or .jsonl files under {' '.join(args.paths)}; give article files.")
    key = args.key.encode("utf-8") if args.key else None
    items = (m for path, source in files for m in messages(path, source, args.value_format, key))
    try:
        sent = produce(settings, args.topic, items, args.compression, args.rate, args.partitions)
    except KafkaError as error:
        raise UsageError(
            f"Could not publish to {args.bootstrap_servers} ({error}); check that the broker is "
            f"running (copydesk broker) and the address is right."
        ) from None
    print(f"Published {sent} messages from {len(files)} files to {args.topic} on {args.bootstrap_servers}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipelines.produce ...`` is ``copydesk produce ...``."""
    from pipelines.cli import main as copydesk

    return copydesk(["produce", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    # Run the copy imported under its package name, so loggers and classes are named
    # pipelines.produce, not __main__.
    from pipelines import produce

    sys.exit(produce.main())

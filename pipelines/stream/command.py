"""``copydesk stream``: a long-lived worker from a Kafka topic to the batch dataset, exactly once.

Beam's Python DirectRunner cannot run an unbounded pipeline usefully (the watermark
never advances past an unbounded source, so nothing downstream fires), so the worker
polls Kafka with a kafka-python consumer group and runs each micro-batch through the
same stages as ``copydesk batch``, on a pipeline built once per worker
(``pipelines.batch.RecordsPipeline``).

Exactly once, per micro-batch:

1. Records are taken from partitions this worker owns and holds the lock of
   (``StreamState``), up to ``max_batch_records``, until Kafka has no more, or for at
   most ``max_batch_seconds``.
2. An intent (partition -> first and last offset, the file stem, ``ingested_at``) is
   written durably under ``DIR/_state/stream/TOPIC/intents/``.
3. The worker checks with the broker that it still owns the partitions (a worker evicted
   while frozen leaves the batch to the new owner), then the pipeline writes the batch's
   files: hidden temp name, fsync, rename; the names come from the topic and offset
   ranges, so writing the batch again replaces them.
4. Rejected records go to the dead-letter topic, if one is set.
5. The per-partition progress files move to the end of the ranges; the intent is removed.
6. The offsets are committed to Kafka (for lag tools and other consumers; the progress
   files are what a restarted worker trusts).

A worker killed at any step leaves either nothing (before 2) or an intent, which the
next owner of any of its partitions replays exactly, reading the same offset ranges
again, before it consumes anything new from those partitions.

Where each part lives: ``pipelines.stream.worker`` (the loop and the protocol),
``pipelines.stream.batching`` (cutting batches, re-reading a batch's ranges),
``pipelines.stream.partitions`` (ownership and offset commits), ``pipelines.stream.intents``
(progress, partition locks and intents on the output volume), ``pipelines.stream.dead_letters``,
``pipelines.stream.broker_watch``, ``pipelines.stream.metrics`` and ``pipelines.stream.micro_batch`` (the
pipeline built once, run per batch).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import signal
import sys
import threading
from typing import Sequence

from pipelines.stream.kafka_io import (
    VALUE_FORMATS,
    add_connection_arguments,
    check_codecs,
    quiet_kafka_logging,
    settings_from_args,
)
from pipelines.stream.worker import StreamConfig, StreamWorker

log = logging.getLogger(__name__)

# Loggers whose INFO lines are the worker's main output.
WORKER_LOGGERS = ("pipelines.stream.command", "pipelines.stream.worker", "pipelines.stream.intents",
                  "pipelines.stream.batching", "pipelines.stream.partitions", "pipelines.stream.dead_letters",
                  "pipelines.stream.broker_watch", "pipelines.stream.metrics", "pipelines.stream.kafka_io")


# Command line ---------------------------------------------------------------------------


def add_stream_arguments(parser: argparse.ArgumentParser) -> None:
    from pipelines.cli import add_processing_arguments
    from transforms.state.spec import DEFAULT_NEAR_COPY_DAYS

    parser.add_argument("--topic", required=True, help="topic to consume")
    parser.add_argument("--group", default="copydesk",
                        help="consumer group; workers sharing it share the partitions (default copydesk)")
    parser.add_argument("--output", "-o", required=True, metavar="DIR",
                        help="dataset folder, the same layout as copydesk batch")
    parser.add_argument("--max-batch-records", type=_positive_int, default=200, metavar="N",
                        help="records per micro-batch at most (default 200)")
    parser.add_argument("--max-batch-seconds", type=_positive_float,
                        default=StreamConfig.max_batch_seconds, metavar="S",
                        help="close a micro-batch at the latest this long after its first record, "
                             "sooner once everything in Kafka is read "
                             f"(default {StreamConfig.max_batch_seconds:g})")
    parser.add_argument("--value-format", choices=VALUE_FORMATS, default="text",
                        help="text: the value is a raw article (default); json: a batch-style envelope")
    parser.add_argument("--start-from", choices=("earliest", "latest"), default="earliest",
                        help="where a new group starts: earliest reads the backlog (default), "
                             "latest skips it")
    parser.add_argument("--dead-letter-topic", metavar="TOPIC",
                        help="also send rejected messages here, with __connect.errors.* headers")
    parser.add_argument("--metrics-port", type=int, metavar="PORT",
                        help="serve Prometheus metrics on this port (0 picks a free one)")
    parser.add_argument("--metrics-address", default="127.0.0.1", metavar="ADDRESS",
                        help="the address the metrics are served on (default 127.0.0.1, this "
                             "machine only; 0.0.0.0 in a container, for probes and scrapers)")
    parser.add_argument("--state-url", "--state-dir", dest="state_url", metavar="URL",
                        help="near-copy index and entity statistics: a folder on this machine's "
                             "local disk (default DIR/_state) or postgresql://USER@HOST:PORT/DB "
                             "for workers on several machines (password: $COPYDESK_STATE_PASSWORD "
                             "or --state-password-file; timeouts: docs/state-server.md)")
    parser.add_argument("--state-password-file", metavar="FILE",
                        help="the state database's password, on the file's first line")
    parser.add_argument("--near-copy-days", type=_positive_float, default=DEFAULT_NEAR_COPY_DAYS,
                        metavar="N", help="the near-copy index forgets articles older than this "
                                          f"(default {DEFAULT_NEAR_COPY_DAYS:g})")
    parser.add_argument("--session-timeout-ms", type=_positive_int, default=45_000, metavar="MS",
                        help="consumer group session timeout (default 45000)")
    add_processing_arguments(parser)
    add_connection_arguments(parser)


def run_stream(args: argparse.Namespace) -> int:
    """Run the worker in the foreground until SIGTERM or SIGINT."""
    from pipelines.cli import UsageError, check_output
    from pipelines.cli import batch_config as cli_batch_config
    from pipelines.stream.kafka_io import CodecError
    from transforms.state.connections import PASSWORD_FILE_ENV
    from transforms.state.spec import StateSpec

    batch_config = dataclasses.replace(cli_batch_config(args), near_copy_days=args.near_copy_days)
    if "://" in args.output:
        raise UsageError(
            f"copydesk stream writes to a local or mounted folder, not {args.output!r}: its progress "
            f"files need file locks; mount a shared volume (NFS, EFS, Filestore) and give its path."
        )
    check_output(args.output)
    if args.state_password_file:
        # Read by each worker when it connects: the path travels, the password does not.
        os.environ[PASSWORD_FILE_ENV] = os.path.abspath(args.state_password_file)
    try:
        # A password in the URL stays in this process; the spec and the config do not hold it.
        state = StateSpec(args.state_url or os.path.join(args.output, "_state"), args.near_copy_days)
        # Unusable state stops the worker here, not at every batch.
        state.check()
    except (ValueError, RuntimeError) as error:
        raise UsageError(str(error)) from None
    try:
        settings = settings_from_args(args)
        check_codecs()
    except (ValueError, CodecError) as error:
        raise UsageError(str(error)) from None
    _configure_logging(getattr(args, "log_level", None))
    config = StreamConfig(
        topic=args.topic, output=args.output, group=args.group,
        max_batch_records=args.max_batch_records, max_batch_seconds=args.max_batch_seconds,
        value_format=args.value_format, start_from=args.start_from,
        dead_letter_topic=args.dead_letter_topic, state_dir=state.location,
        session_timeout_ms=args.session_timeout_ms,
        pipeline_args=tuple(getattr(args, "pipeline_args", ()) or ()),
    )
    worker = StreamWorker(config, settings, batch_config)
    if args.metrics_port is not None:
        try:
            worker.metrics.serve(args.metrics_port, args.metrics_address)
        except OSError as error:
            raise UsageError(f"Cannot serve metrics on {args.metrics_address} port {args.metrics_port} "
                             f"({error.strerror}); pick a free port or another address.") from None
    _handle_signals(worker)
    return worker.run()


def _configure_logging(level: str | None) -> None:
    # The per-batch line is the worker's main output, so it shows unless asked otherwise.
    if level in (None, "WARNING"):
        for name in WORKER_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)
    quiet_kafka_logging(logging.DEBUG if level == "DEBUG" else logging.CRITICAL)


def _handle_signals(worker: StreamWorker) -> None:
    """First SIGTERM/SIGINT: finish the batch in progress, commit, leave the group. If that
    takes longer than the grace period, or a second signal comes, exit at once: the batch
    in progress is replayed by whoever takes its partitions."""

    def abandon(reason: str) -> None:
        log.warning("%s: exiting now; the batch in progress is replayed by the next owner", reason)
        worker.discard_spool()
        logging.shutdown()
        os._exit(0)

    def handler(signum, _frame) -> None:
        if worker.stopping:
            abandon(f"second {signal.Signals(signum).name}")
        log.info("%s: finishing the current batch, then leaving the group",
                 signal.Signals(signum).name)
        worker.stop()
        grace = worker.config.shutdown_grace_seconds
        timer = threading.Timer(grace, abandon, args=(f"still busy {grace:.0f} s after the signal",))
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipelines.stream.command ...`` is ``copydesk stream ...``."""
    from pipelines.cli import main as copydesk

    return copydesk(["stream", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    # Run the copy imported under its package name, so loggers and classes are named
    # pipelines.stream.command, not __main__.
    from pipelines.stream import command as stream

    sys.exit(stream.main())

"""The ``copydesk`` command: ``batch``, ``stream``, ``produce``, ``broker``, ``entities``.

``batch`` and ``stream`` hand Beam the flags its ``PipelineOptions`` define (``--runner``,
``--direct_num_workers``, ``--direct_running_mode``, ``--project``, ...); any other flag is
an error naming the closest valid one, since Beam would drop it with only a warning.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import sys
import tempfile
from typing import Sequence

from pipelines.runners import RunnerError

# Beam warnings that say nothing about the user's run (the GCP extras are not installed;
# local worker processes start without a staging folder), also when a worker forwards them.
QUIET_WARNINGS = (
    "apitools not found",
    "No semi_persistent_directory found",
    # The launcher polling for Flink's job server while it starts.
    "Waiting for grpc channel to be ready",
    # Beam 2.62 checks its own Top combiner's DoFn, which emits in finish_bundle, and warns
    # on every run that builds one.
    "No iterator is returned by the process method",
)


class _DropQuietWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not any(quiet in message for quiet in QUIET_WARNINGS)


def configure_logging(level: str = "WARNING") -> None:
    """Called before Beam is imported, since Beam logs on import."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_DropQuietWarnings())


from pipelines.run_errors import RunStopped  # noqa: E402  (logging is configured first)


class UsageError(Exception):
    """A one-sentence message for an unusable command line."""


def _byte_size(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    text = value.strip().lower().removesuffix("ib").removesuffix("b")
    scale = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        size = int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size such as 5242880, 512k or 5m") from None
    if size <= 0:
        raise argparse.ArgumentTypeError("the size must be positive")
    return size


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="files or folders (read recursively): *.txt, *.json, *.jsonl")
    parser.add_argument("--output", "-o", required=True, metavar="DIR",
                        help="dataset folder: DIR/{articles,duplicates,rejects}/date=YYYY-MM-DD/")
    parser.add_argument("--chunk-size", type=_count, default=None, metavar="N",
                        help="on the local runner, go through more inputs than this N at a "
                             "time, in publication order (default 5000; docs/scaling.md)")
    add_processing_arguments(parser)


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number <= 0:
        raise argparse.ArgumentTypeError("the number must be positive")
    return number


def add_processing_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags batch and stream share: they become the ``BatchConfig``."""
    from transforms.reading.read import DEFAULT_MAX_BYTES

    parser.add_argument("--max-bytes", type=_byte_size, default=DEFAULT_MAX_BYTES,
                        metavar="SIZE", help="reject inputs larger than this (default 5m)")
    parser.add_argument("--fix-names", action="store_true",
                        help="correct garbled entity names in the text too (recorded in repairs)")
    parser.add_argument("--aliases", metavar="FILE",
                        help="extra entity alias table (JSON) merged over the packaged one")
    parser.add_argument("--skip-entities", action="store_true",
                        help="leave out entity tagging and canonical names (for benchmarks)")


def batch_config(args: argparse.Namespace):
    """The ``BatchConfig`` of ``add_processing_arguments``' flags, checked before any work."""
    from pipelines.batch import BatchConfig
    from transforms.entities.canonical import read_alias_file

    if args.aliases:
        try:
            read_alias_file(args.aliases)
        except ValueError as error:
            raise UsageError(str(error)) from None
    return BatchConfig(max_bytes=args.max_bytes, fix_names=args.fix_names, aliases=args.aliases,
                       skip_entities=args.skip_entities)


def check_output(output: str) -> None:
    """Fail before any work when the output folder cannot be written."""
    if "://" in output:
        return
    try:
        os.makedirs(output, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output, prefix=".copydesk-check-"):
            pass
    except OSError as error:
        raise UsageError(
            f"Cannot write to output folder {output!r} ({error.strerror}); choose a writable folder."
        ) from None


def run_batch(args: argparse.Namespace, beam_args: Sequence[str]) -> int:
    from pipelines.batch import batch_stem, run_files
    from pipelines.progress import ProgressDisplay
    from pipelines.run_errors import readable_failures
    from pipelines.summary import summarise
    from transforms.reading.read import InputError, input_roots

    config = batch_config(args)
    try:
        # Only that each input exists: the workers list the folders.
        input_roots(args.inputs)
    except InputError as error:
        raise UsageError(str(error)) from None
    check_output(args.output)
    with ProgressDisplay(), readable_failures(args.output):
        # Said once Ctrl-C is read as the run's: from here it is one line and exit 130.
        logging.getLogger(__name__).info("reading %s into %s", ", ".join(args.inputs), args.output)
        result = run_files(args.inputs, args.output, batch_stem(args.inputs), config, beam_args,
                           chunk_size=args.chunk_size)
    print(summarise(result, args.output))
    return 0


# Commands whose modules carry their own arguments and runner; a module is imported only
# when its command runs (or for the full help), so `copydesk batch` does not pay for Kafka.
OTHER_COMMANDS = (
    ("stream", "pipelines.stream.command", "a long-lived worker from a Kafka topic to the dataset"),
    ("produce", "pipelines.produce", "publish articles from files to a Kafka topic"),
    ("broker", "pipelines.broker", "start a local Kafka-compatible broker for development"),
    ("entities", "pipelines.entities", "list the canonical entities of a dataset"),
)


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``command`` only that command's arguments filled in."""
    root = _Parser(
        prog="copydesk",
        description="Clean, deduplicated, entity-tagged news as Parquet partitioned by date.",
        epilog="batch and stream also take Apache Beam's pipeline options (for example "
               "--runner, --direct_num_workers 2 --direct_running_mode multi_processing); "
               "any other flag is an error.",
    )
    _add_log_level(root, "WARNING")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    batch = commands.add_parser("batch", help="a folder of raw articles in, the dataset out")
    if command in (None, "batch"):
        # Its flags import the reading stage, hence Beam: seconds that produce need not wait.
        add_batch_arguments(batch)
    _add_log_level(batch, argparse.SUPPRESS)
    for name, _, help_text in OTHER_COMMANDS:
        sub = commands.add_parser(name, help=help_text)
        if command in (None, name):
            getattr(_module(name), f"add_{name}_arguments")(sub)
            # Also after the command, where it would otherwise be an unknown flag.
            _add_log_level(sub, argparse.SUPPRESS)
    return root


def _add_log_level(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--log-level", default=default,
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="INFO shows progress (default WARNING)")


def _subparser(root: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    # argparse exposes a command's parser only through its _SubParsersAction.
    for action in root._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]
    raise LookupError(command)


def _module(command: str):
    import importlib

    return importlib.import_module(dict((n, m) for n, m, _ in OTHER_COMMANDS)[command])


def command_of(argv: Sequence[str]) -> str | None:
    """The command named on the command line, if it is one of ours."""
    names = {"batch", *(name for name, _, _ in OTHER_COMMANDS)}
    words = iter(argv)
    for word in words:
        if word == "--log-level":
            next(words, None)
        elif not word.startswith("-"):
            return word if word in names else None
    return None


# Commands that run a Beam pipeline, so also take Beam's own flags.
BEAM_COMMANDS = ("batch", "stream")


def beam_parser() -> argparse.ArgumentParser:
    """The parser Beam reads its options with: every registered ``PipelineOptions`` class's
    flags, exactly as Beam will accept them, those of every runner copydesk can use among
    them."""
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.runners import register_runner_options

    register_runner_options()
    captured: list[argparse.ArgumentParser] = []
    PipelineOptions([]).get_all_options(add_extra_args_fn=captured.append)
    return captured[0]


class _ParseError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """argparse's parser, raising instead of exiting: a misspelt flag explains a missing
    required one better than argparse's own message does."""

    def error(self, message: str):
        raise _ParseError(self, message)


def check_leftovers(command: str, leftovers: Sequence[str], ours: argparse.ArgumentParser) -> None:
    """Fail on anything neither copydesk nor (for a pipeline command) Beam understands."""
    if not leftovers:
        return
    if command in BEAM_COMMANDS:
        _, leftovers = beam_parser().parse_known_args(list(leftovers))
    flags = [word for word in leftovers if word.startswith("-")]
    if flags:
        raise UsageError(unknown_flag(flags[0], command, ours))
    if leftovers:
        raise UsageError(f"error: unexpected argument {leftovers[0]!r}; see copydesk {command} -h")


def check_runner_name(command: str, beam_args: Sequence[str]) -> None:
    """Fail on a ``--runner`` that names no runner, or one that cannot start here."""
    if command not in BEAM_COMMANDS:
        return
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

    from pipelines.runners import check_runner

    name = PipelineOptions(list(beam_args)).view_as(StandardOptions).runner
    if name:
        check_runner(name)


def unknown_flag(word: str, command: str, ours: argparse.ArgumentParser) -> str:
    """The error for a flag nobody knows, with the closest copydesk or Beam flag."""
    known = _flags(ours) + (_flags(beam_parser()) if command in BEAM_COMMANDS else [])
    flag = word.split("=", 1)[0]
    close = difflib.get_close_matches(flag, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else f"; see copydesk {command} -h"
    return f"error: unknown flag {flag}{hint}"


def first_unknown(argv: Sequence[str], command: str, ours: argparse.ArgumentParser) -> str | None:
    """The first word of ``argv`` that looks like a flag and is no flag (nor an
    abbreviation of one) of ``ours``, of the top level or, for a pipeline command, of Beam."""
    known = _flags(ours, short=True) + ["--log-level"]
    if command in BEAM_COMMANDS:
        known += _flags(beam_parser())
    for word in argv:
        flag = word.split("=", 1)[0]
        if flag.startswith("-") and flag not in ("-", "--") and not flag[1:2].isdigit() \
                and not any(k.startswith(flag) for k in known):
            return word
    return None


def _flags(parser: argparse.ArgumentParser, short: bool = False) -> list[str]:
    # argparse keeps its options only in _actions; there is no public list of them.
    return [flag for action in parser._actions for flag in action.option_strings
            if short or flag.startswith("--")]


def main(argv: Sequence[str] | None = None) -> int:
    configure_logging()
    from transforms.runtime.allocator import keep_freed_memory

    keep_freed_memory()
    argv = list(sys.argv[1:] if argv is None else argv)
    command = command_of(argv)
    root = parser(command)
    try:
        args, beam_args = root.parse_known_args(argv)
    except _ParseError as error:
        ours = _subparser(root, command) if command else root
        unknown = first_unknown(argv, command, ours) if command else None
        if unknown is None:
            argparse.ArgumentParser.error(error.parser, str(error))
        print(f"copydesk: {unknown_flag(unknown, command, ours)}", file=sys.stderr)
        return 2
    logging.getLogger().setLevel(args.log_level)
    if args.log_level == "INFO":
        # copydesk's progress, not Beam's own INFO lines (DEBUG shows them).
        logging.getLogger("apache_beam").setLevel(logging.WARNING)
    try:
        # The runner first: a runner that cannot load here also leaves its flags unknown.
        check_runner_name(args.command, beam_args)
        check_leftovers(args.command, beam_args, _subparser(root, args.command))
        if args.command == "batch":
            return run_batch(args, beam_args)
        args.pipeline_args = beam_args
        return getattr(_module(args.command), f"run_{args.command}")(args)
    except UsageError as error:
        print(f"copydesk: {error}", file=sys.stderr)
        return 2
    except RunnerError as error:
        print(f"copydesk: error: {error}", file=sys.stderr)
        return 2
    except RunStopped as error:
        print(f"copydesk: {error}.", file=sys.stderr)
        if error.code == 130:
            # Interrupted, Beam's worker threads may never finish; exiting must not wait for them.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return error.code
    except KeyboardInterrupt:
        print("copydesk: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

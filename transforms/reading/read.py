"""Read: files and folders in, one ``RawInput`` per article; then decode each into an
``Article`` or a ``Reject`` with a reason a person understands.

The launcher only checks that each input exists; the workers list the folders (Beam's
``fileio.MatchAll``, local or object-store paths alike) and read the files, so the job
graph holds the inputs as given, not one entry per file. A large JSON Lines file is read
as byte ranges by several workers.
"""

import logging
import os
import posixpath
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Iterable, Iterator, Sequence

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import FileMetadata
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from schemas.records import Article, RawInput, Reject, Repair, stable_id
from transforms.decoding.charset_hints import declared_in_envelope, declared_in_markup
from transforms.decoding.decoder import BinaryInput, decode
from transforms.reading.envelope import READ_FROM, InvalidInput, parse_envelope, parse_timestamp
from transforms.reading.paths import (
    compression, open_input, open_stored, plain_name, portable_path, readable,
)
from transforms.runtime import progress
from transforms.runtime.outage import short_error

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt",)
ENVELOPE_SUFFIXES = (".json",)
LINES_SUFFIXES = (".jsonl", ".ndjson")
SUPPORTED = TEXT_SUFFIXES + ENVELOPE_SUFFIXES + LINES_SUFFIXES
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# A JSON Lines file larger than this is read as ranges of this size by several workers.
LINE_RANGE_BYTES = 64 * 1024 * 1024
ENVELOPE_KEYS = ("text", "title", "url", "source", "published_at", "language")
GLOB = re.compile(r"[*?\[\]]")
METRICS = "copydesk"


class InputError(ValueError):
    """An unusable command-line input; the message is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read and the name it gets in the output (its path relative to its root)."""

    path: str
    source: str
    size: int = -1


@dataclass(frozen=True, slots=True)
class InputRoot:
    """One input as the user gave it: the pattern the workers match, and how a matched
    path gets its ``source``. ``folder``: a folder, prefix or glob, whose hidden entries
    (a name starting with ``.`` or ``_``) are skipped; otherwise the one file ``root``."""

    pattern: str
    root: str
    folder: bool
    remote: bool = False

    def source_of(self, path: str) -> str | None:
        if not self.folder:
            if path != self.root:
                return None
            return path if self.remote else os.path.basename(path)
        separator = "/" if self.remote else os.sep
        prefix = self.root.rstrip(separator) + separator
        if not path.startswith(prefix):
            return None
        relative = path[len(prefix):].replace(separator, "/")
        if any(part.startswith((".", "_")) for part in relative.split("/")):
            return None
        return relative


def input_roots(inputs: Iterable[str]) -> list[InputRoot]:
    """Check each input exists (cheaply: nothing is listed) and say how to match it."""
    return [_remote_root(given) if "://" in given else _local_root(given) for given in inputs]


def _local_root(given: str) -> InputRoot:
    path = os.path.abspath(given)
    # Beam's patterns cannot quote *, ? or [: a "?" in their place matches them, and
    # ``source_of`` keeps only the paths really under this input.
    literal = GLOB.sub("?", path)
    if os.path.isfile(path):
        return InputRoot(literal, path, folder=False)
    if os.path.isdir(path):
        return InputRoot(os.path.join(literal, "**"), path, folder=True)
    raise InputError(f"Input {given!r} does not exist; give a file or a folder of articles.")


def _remote_root(given: str) -> InputRoot:
    """Object-store inputs (gs://, s3://): a glob, one object, or a prefix read recursively."""
    try:
        if not GLOB.search(given) and not given.endswith("/") and FileSystems.exists(given):
            return InputRoot(given, given, folder=False, remote=True)
        if GLOB.search(given):
            root = InputRoot(given, posixpath.dirname(GLOB.split(given, 1)[0]), True, remote=True)
        else:
            root = InputRoot(given.rstrip("/") + "/**", given.rstrip("/"), True, remote=True)
        # One match is enough to know the input is there; nothing more is listed here.
        found = FileSystems.match([root.pattern], limits=[1])[0].metadata_list
    except (OSError, ValueError) as error:
        raise InputError(f"Cannot reach input {given!r} ({error}); check the path and that "
                         "Beam's extra for its storage is installed.") from None
    if not found:
        raise InputError(f"Input {given!r} matches no files; give a file, a prefix or a glob.")
    return root


def matched_file(meta: FileMetadata, roots: Sequence[InputRoot]) -> Iterator[tuple[str, str, int]]:
    """A matched path as (path, source, size) under the first input that takes it: two
    inputs naming one file give it one source, so it is read once."""
    for root in roots:
        source = root.source_of(meta.path)
        if source is not None:
            yield portable_path(meta.path), readable(source), meta.size_in_bytes
            return


def list_inputs(inputs: Iterable[str]) -> list[InputFile]:
    """Every input file, listed on this machine (the pipeline lists on its workers)."""
    roots = input_roots(inputs)
    seen: set[str] = set()
    found: list[InputFile] = []
    for result in FileSystems.match([r.pattern for r in roots]):
        for meta in sorted(result.metadata_list, key=lambda m: m.path):
            for path, source, size in matched_file(meta, roots):
                if path not in seen:
                    seen.add(path)
                    found.append(InputFile(path, source, size))
    return found


def is_lines(source: str) -> bool:
    return plain_name(source).lower().endswith(LINES_SUFFIXES)


class ReadFiles(beam.DoFn):
    """One ``RawInput`` per file, or per line of a JSON Lines file."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.files = Metrics.counter(METRICS, "files_read")

    def process(self, item: InputFile) -> Iterator[RawInput]:
        self.files.inc()
        progress.add(progress.FILES_READ)
        name = plain_name(item.source).lower()
        if name.endswith(LINES_SUFFIXES):
            for line in self._lines(item):
                progress.add(progress.INPUTS)
                yield line
            return
        kind = "envelope" if name.endswith(ENVELOPE_SUFFIXES) else "text"
        if not name.endswith(SUPPORTED):
            kind = "unsupported"
        try:
            with open_input(item.path) as handle:
                # One byte past the limit is enough to know the input is too large.
                raw = handle.read(self.max_bytes + 1)
        except Exception as error:  # noqa: BLE001 - no file may stop the run
            yield self._unreadable(item, item.source, error)
            return
        progress.add(progress.INPUTS)
        yield RawInput(source=item.source, raw=raw, kind=kind, order=item.source)

    def _lines(self, item: InputFile) -> Iterator[RawInput]:
        number = 0
        try:
            with open_input(item.path) as handle:
                head = handle.read(2)
                if _utf16(head):
                    # UTF-16 lines cannot be split on the newline byte: decode the whole file.
                    text = decode(head + handle.read()).text.removesuffix("\n")
                    for number, line in enumerate(text.split("\n"), start=1):
                        yield line_input(item.source, number, line.encode("utf-8"))
                    return
            # Opened again rather than rewound: a decompressing stream may not seek.
            with open_input(item.path) as handle:
                for number, line in lines_in_range(handle, 0, None, 0, self.max_bytes):
                    yield line_input(item.source, number, line)
        except Exception as error:  # noqa: BLE001 - no file may stop the run
            # The lines read so far stand; the rest of the file is one reject, named by
            # the line where the damage starts.
            yield self._unreadable(item, f"{item.source}#{number + 1}", error)

    def _unreadable(self, item: InputFile, source: str, error: Exception) -> RawInput:
        """A file that cannot be read, or read to its end (a damaged archive): a reject
        that keeps the file's stored bytes (up to the size limit)."""
        packed = compression(item.source)
        what, fix = ((f"read as {packed}", "replace it with a whole copy") if packed
                     else ("read", "check that it can be read"))
        try:
            with open_stored(item.path) as handle:
                stored = handle.read(self.max_bytes)
        except OSError:
            stored = b""
        return RawInput(source=source, raw=stored, kind="unsupported", order=source,
                        problem=f"The file cannot be {what} ({type(error).__name__}: "
                                f"{str(error)[:120]}); {fix}.")


def _utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def line_input(source: str, number: int, line: bytes) -> RawInput:
    """Line ``number`` (from 1) of a JSON Lines file: its source and order name the line."""
    return RawInput(source=f"{source}#{number}", raw=line.rstrip(b"\r"), kind="envelope",
                    order=f"{source}#{number:012d}")


def lines_in_range(handle: BinaryIO, start: int, end: int | None, newlines_before: int,
                   max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(number, line) for each line that starts at a byte in [start, end) (``end`` None:
    to the end of the file); ``newlines_before`` counts the newlines before ``start``.
    A line longer than ``max_bytes`` is cut one byte past it (enough to reject it) and the
    rest skipped unread, so memory stays bounded whatever the file holds."""
    number = newlines_before + 1
    if start > 0:
        handle.seek(start - 1)
        if handle.read(1) != b"\n":
            # The line under way at ``start`` belongs to the range before this one.
            if not _skip_line(handle):
                return
            number += 1
    while end is None or handle.tell() < end:
        line = handle.readline(max_bytes + 2)
        if not line:
            return
        if line.endswith(b"\n"):
            line = line[:-1]
        elif len(line) == max_bytes + 2:
            line = line[:max_bytes + 1]
            _skip_line(handle)
        yield number, line
        number += 1


def _skip_line(handle: BinaryIO) -> bool:
    """Move past the next newline; False at the end of the file."""
    while True:
        block = handle.readline(1 << 20)
        if not block:
            return False
        if block.endswith(b"\n"):
            return True


@dataclass(frozen=True, slots=True)
class LineRange:
    """Bytes [start, end) of a JSON Lines file; ``newlines_before`` numbers its lines."""

    path: str
    source: str
    start: int
    end: int
    size: int
    newlines_before: int = -1


class PlanReads(beam.DoFn):
    """A file read whole, or a large JSON Lines file cut into ranges (``RANGES``)."""

    RANGES = "ranges"

    def __init__(self, range_bytes: int) -> None:
        self.range_bytes = range_bytes
        self.files = Metrics.counter(METRICS, "files_found")

    def process(self, item: InputFile) -> Iterator[InputFile]:
        self.files.inc()
        progress.add(progress.FILES_FOUND)
        if (not is_lines(item.source) or item.size <= self.range_bytes
                or compression(item.source) or self._utf16(item)):
            yield item
            return
        for start in range(0, item.size, self.range_bytes):
            end = min(start + self.range_bytes, item.size)
            yield beam.pvalue.TaggedOutput(
                self.RANGES, LineRange(item.path, item.source, start, end, item.size))

    @staticmethod
    def _utf16(item: InputFile) -> bool:
        with open_input(item.path) as handle:
            return _utf16(handle.read(2))


def count_newlines(part: LineRange) -> tuple[str, tuple[int, int, LineRange]]:
    """The newlines in a range, keyed by file so that its ranges can be numbered."""
    newlines = 0
    with open_input(part.path) as handle:
        handle.seek(part.start)
        left = part.end - part.start
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            newlines += block.count(b"\n")
            left -= len(block)
    return part.path, (part.start, newlines, part)


def number_ranges(element: tuple[str, Iterable[tuple[int, int, LineRange]]]) -> Iterator[LineRange]:
    """Each range with the newlines of all the ranges before it in its file."""
    _, counted = element
    before = 0
    for _start, newlines, part in sorted(counted, key=lambda c: c[0]):
        yield LineRange(part.path, part.source, part.start, part.end, part.size, before)
        before += newlines


class ReadLineRange(beam.DoFn):
    """One ``RawInput`` per line starting in a range of a JSON Lines file."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.ranges = Metrics.counter(METRICS, "line_ranges_read")

    def process(self, part: LineRange) -> Iterator[RawInput]:
        self.ranges.inc()
        with open_input(part.path) as handle:
            for number, line in lines_in_range(handle, part.start, part.end,
                                               part.newlines_before, self.max_bytes):
                progress.add(progress.INPUTS)
                yield line_input(part.source, number, line)
        if part.end >= part.size:
            progress.add(progress.FILES_READ)


class ReadInputs(beam.PTransform):
    """Files and folders in (as given on the command line), ``RawInput`` out.

    ``range_bytes``: JSON Lines files larger than this are read in ranges of this size.
    """

    def __init__(self, inputs: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES,
                 range_bytes: int = LINE_RANGE_BYTES) -> None:
        super().__init__()
        self.roots = input_roots(inputs)
        self.max_bytes = max_bytes
        self.range_bytes = range_bytes

    def expand(self, pbegin):
        patterns = list(dict.fromkeys(root.pattern for root in self.roots))
        files = (
            pbegin
            | "Patterns" >> beam.Create(patterns, reshuffle=False)
            | "Match" >> fileio.MatchAll()
            | "Sources" >> beam.FlatMap(matched_file, self.roots)
            # A file two inputs name is read once; the grouping also spreads the files
            # over the workers before the expensive stages are fused onto them.
            | "Once" >> beam.Distinct()
            | "Files" >> beam.MapTuple(InputFile)
        )
        planned = files | "Plan" >> beam.ParDo(PlanReads(self.range_bytes)).with_outputs(
            PlanReads.RANGES, main="whole")
        whole = planned.whole | "ReadFiles" >> beam.ParDo(ReadFiles(self.max_bytes))
        lines = (
            planned[PlanReads.RANGES]
            | "Spread ranges" >> beam.Reshuffle()
            | "Count newlines" >> beam.Map(count_newlines)
            | "By file" >> beam.GroupByKey()
            | "Number ranges" >> beam.FlatMap(number_ranges)
            | "Spread numbered" >> beam.Reshuffle()
            | "ReadLineRanges" >> beam.ParDo(ReadLineRange(self.max_bytes))
        )
        return (whole, lines) | "AllInputs" >> beam.Flatten()


class DecodeInput(beam.DoFn):
    """Bytes to an ``Article``, or a ``Reject`` on the ``rejects`` output.

    ``ingested_at`` is an argument of ``process``, not of the DoFn, so that a pipeline built
    once can be given it at run time as a side input (the streaming worker's micro-batches).
    """

    REJECTS = "rejects"

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def process(self, item: RawInput, ingested_at: datetime) -> Iterator:
        try:
            yield to_article(item, ingested_at, self.max_bytes)
        except InvalidInput as invalid:
            raw = item.raw[: self.max_bytes]
            yield beam.pvalue.TaggedOutput(
                self.REJECTS,
                Reject(stable_id(item.source, item.raw), item.source, str(invalid), raw, ingested_at),
            )


def to_article(item: RawInput, ingested_at: datetime, max_bytes: int) -> Article:
    """The article an input decodes to; ``InvalidInput`` saying why it cannot be one,
    also when reading it fails in a way nobody foresaw: no one input may stop a run."""
    try:
        return _to_article(item, ingested_at, max_bytes)
    except InvalidInput:
        raise
    except Exception as error:  # noqa: BLE001 - the input is set aside, the run goes on
        log.warning("input %s could not be read", item.source, exc_info=True)
        raise InvalidInput(f"copydesk failed to read this input ({short_error(error)}); it is "
                           f"set aside here so that the run goes on.") from None


def _to_article(item: RawInput, ingested_at: datetime, max_bytes: int) -> Article:
    if item.problem:
        raise InvalidInput(item.problem)
    if len(item.raw) > max_bytes:
        raise InvalidInput(
            f"The input is larger than the {_size(max_bytes)} limit; raise --max-bytes "
            f"to accept it (raw keeps its first {_size(max_bytes)})."
        )
    if item.kind == "unsupported":
        raise InvalidInput(
            "The file type is not supported; give articles as .txt, .json or .jsonl files "
            "(also compressed: .gz, .bz2, .xz, .zst)."
        )
    if not item.raw.strip():
        raise InvalidInput("The input is empty or only whitespace, so there is no article.")
    try:
        decoded = decode(item.raw, _hint(item))
    except BinaryInput as binary:
        raise InvalidInput(str(binary)) from None
    repairs = []
    if decoded.bom:
        repairs.append(Repair("encoding", "\ufeff", f"removed the {decoded.encoding} byte order mark"))
    repairs += [Repair("encoding", "", note) for note in decoded.notes]
    article = Article(
        id=stable_id(item.source, item.raw),
        source=item.source,
        text=decoded.text,
        ingested_at=ingested_at,
        raw=item.raw,
        keep_raw=not decoded.confident,
        title=item.title,
        url=item.url,
        publisher_id=item.publisher_id,
        published_at=item.published_at,
        language_hint=item.language,
        repairs=repairs,
        order=item.order or item.source,
    )
    if item.kind == "envelope":
        _apply_envelope(article, decoded.text)
    if not article.text.strip():
        raise InvalidInput("The article text is empty or only whitespace.")
    return article


def _hint(item: RawInput) -> str | None:
    """The charset declared for ``item``: by its transport (a Kafka content-type), else by
    its envelope's ``encoding`` field, else by an HTML or XML declaration at its top."""
    if item.encoding:
        return item.encoding
    if item.kind == "envelope":
        return declared_in_envelope(item.raw)
    return declared_in_markup(item.raw)


# NewsAPI's "content" ends with how much it left out: "... lost the vote… [+2312 chars]".
_TRUNCATED = re.compile(r"\s*\[\+\d+ chars\]\s*$")


def _apply_envelope(article: Article, text: str) -> None:
    envelope = parse_envelope(text)
    article.text = envelope["text"]
    article.title = _string(envelope, "title") or article.title
    article.url = _string(envelope, "url") or article.url
    article.publisher_id = _string(envelope, "source") or article.publisher_id
    article.language_hint = _string(envelope, "language") or article.language_hint
    cut = _TRUNCATED.search(article.text)
    if cut:
        article.text = article.text[:cut.start()]
        article.repairs.append(Repair("boilerplate", cut.group(), "removed a news API's truncation "
                                      "marker: the source sent only the start of the article"))
    for field, other in envelope.get(READ_FROM, {}).items():
        article.repairs.append(Repair("metadata", other, f"the envelope's {other} read as {field}"))
    stamp = envelope.get("published_at")
    if stamp is not None:
        article.published_at, note = parse_timestamp(stamp)
        if note:
            article.repairs.append(Repair("metadata", str(stamp), note))


def _string(envelope: dict, key: str) -> str | None:
    value = envelope.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _size(n: int) -> str:
    return f"{n / 1048576:g} MiB" if n >= 1048576 else f"{n} bytes"


class DecodeInputs(beam.PTransform):
    """``RawInput`` in; ``{"articles": Article, "rejects": Reject}`` out. ``ingested_at``:
    a datetime, or ``AsSingleton`` of one known only at run time."""

    def __init__(self, ingested_at, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__()
        self.ingested_at = ingested_at
        self.max_bytes = max_bytes

    def expand(self, inputs):
        decoded = (
            inputs
            | "Progress" >> beam.ParDo(LogProgress("read"))
            | "Decode" >> beam.ParDo(DecodeInput(self.max_bytes), self.ingested_at).with_outputs(
                DecodeInput.REJECTS, main="articles"
            )
        )
        return {"articles": decoded.articles, "rejects": decoded.rejects}


class LogProgress(beam.DoFn):
    """A log line every ``every`` elements per worker, so a long run shows it is moving."""

    def __init__(self, what: str, every: int = 1000) -> None:
        self.what = what
        self.every = every

    def setup(self) -> None:
        self.seen = 0
        self.started = time.monotonic()

    def process(self, element):
        self.seen += 1
        if self.seen % self.every == 0:
            rate = self.seen / max(time.monotonic() - self.started, 1e-9)
            log.info("%s %d inputs on this worker (%.0f/s)", self.what, self.seen, rate)
        yield element

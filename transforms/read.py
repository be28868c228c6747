"""Read: files and folders in, one ``RawInput`` per article; then decode each into an
``Article`` or a ``Reject`` with a reason a person understands.

Listing happens on the launching machine; reading and decoding happen on workers, so a
large folder is read in parallel.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Iterator

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from schemas.records import Article, RawInput, Reject, Repair, stable_id
from transforms.decoding import BinaryInput, decode

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt",)
ENVELOPE_SUFFIXES = (".json",)
LINES_SUFFIXES = (".jsonl", ".ndjson")
SUPPORTED = TEXT_SUFFIXES + ENVELOPE_SUFFIXES + LINES_SUFFIXES
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
ENVELOPE_KEYS = ("text", "title", "url", "source", "published_at", "language")


class InputError(ValueError):
    """An unusable command-line input; the message is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to read and the name it gets in the output (its path relative to its root)."""

    path: str
    source: str


def list_inputs(inputs: Iterable[str]) -> list[InputFile]:
    """Expand files and folders (recursively) into input files, each listed once.

    Hidden files and folders are skipped; files of other types inside a folder are listed
    too, so that they get a row in ``rejects`` instead of vanishing.
    """
    seen: set[str] = set()
    found: list[InputFile] = []
    for given in inputs:
        if "://" in given:
            found.extend(_list_remote(given, seen))
            continue
        path = os.path.abspath(given)
        if os.path.isfile(path):
            candidates = [(path, os.path.basename(path))]
        elif os.path.isdir(path):
            candidates = sorted(_walk(path))
        else:
            raise InputError(f"Input {given!r} does not exist; give a file or a folder of articles.")
        for file_path, source in candidates:
            if file_path not in seen:
                seen.add(file_path)
                found.append(InputFile(file_path, source))
    return found


def _walk(root: str) -> Iterator[tuple[str, str]]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for name in files:
            if name.startswith((".", "_")):
                continue
            path = os.path.join(folder, name)
            yield path, os.path.relpath(path, root).replace(os.sep, "/")


def _list_remote(pattern: str, seen: set[str]) -> Iterator[InputFile]:
    """Object-store inputs (gs://, s3://): a prefix is read recursively."""
    root = pattern.rstrip("/")
    glob = pattern if any(c in pattern for c in "*?[") else root + "/**"
    for result in FileSystems.match([glob]):
        for meta in result.metadata_list:
            if meta.path not in seen:
                seen.add(meta.path)
                source = meta.path[len(root) + 1:] if meta.path.startswith(root + "/") else meta.path
                yield InputFile(meta.path, source)


class ReadFiles(beam.DoFn):
    """One ``RawInput`` per file, or per line of a JSON Lines file."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def process(self, item: InputFile) -> Iterator[RawInput]:
        name = item.source.lower()
        if name.endswith(LINES_SUFFIXES):
            yield from self._lines(item)
            return
        kind = "envelope" if name.endswith(ENVELOPE_SUFFIXES) else "text"
        if not name.endswith(SUPPORTED):
            kind = "unsupported"
        with FileSystems.open(item.path, compression_type="uncompressed") as handle:
            # One byte past the limit is enough to know the input is too large.
            raw = handle.read(self.max_bytes + 1)
        yield RawInput(source=item.source, raw=raw, kind=kind, order=item.source)

    def _lines(self, item: InputFile) -> Iterator[RawInput]:
        with FileSystems.open(item.path, compression_type="uncompressed") as handle:
            head = handle.read(4)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                # UTF-16 lines cannot be split on the newline byte: decode the whole file.
                text = decode(head + handle.read()).text
                lines: Iterable[bytes] = (line.encode("utf-8") for line in text.split("\n"))
            else:
                lines = _split_lines(head, handle)
            for number, line in enumerate(lines, start=1):
                source = f"{item.source}#{number}"
                yield RawInput(
                    source=source,
                    raw=line.rstrip(b"\r"),
                    kind="envelope",
                    order=f"{item.source}#{number:012d}",
                )


def _split_lines(head: bytes, handle) -> Iterator[bytes]:
    """Lines of a file read in blocks, so a large JSON Lines file is never held whole."""
    buffer = head
    while True:
        block = handle.read(1 << 20)
        if not block:
            break
        buffer += block
        *complete, buffer = buffer.split(b"\n")
        yield from complete
    if buffer:
        yield buffer


class ReadInputs(beam.PTransform):
    """Files and folders in, ``RawInput`` out."""

    def __init__(self, files: list[InputFile], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__()
        self.files = files
        self.max_bytes = max_bytes

    def expand(self, pbegin):
        return (
            pbegin
            # Create's own reshuffle would only be followed by this one.
            | "ListFiles" >> beam.Create(self.files, reshuffle=False)
            # Spread files over workers before the expensive stages are fused onto them.
            | "Spread" >> beam.Reshuffle()
            | "ReadFiles" >> beam.ParDo(ReadFiles(self.max_bytes))
        )


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
            yield self._article(item, ingested_at)
        except InvalidInput as invalid:
            raw = item.raw[: self.max_bytes]
            yield beam.pvalue.TaggedOutput(
                self.REJECTS,
                Reject(stable_id(item.source, item.raw), item.source, str(invalid), raw, ingested_at),
            )

    def _article(self, item: RawInput, ingested_at: datetime) -> Article:
        if len(item.raw) > self.max_bytes:
            raise InvalidInput(
                f"The input is larger than the {_size(self.max_bytes)} limit; raise --max-bytes "
                f"to accept it (raw keeps its first {_size(self.max_bytes)})."
            )
        if item.kind == "unsupported":
            raise InvalidInput(
                "The file type is not supported; give articles as .txt, .json or .jsonl files."
            )
        if not item.raw.strip():
            raise InvalidInput("The input is empty or only whitespace, so there is no article.")
        try:
            decoded = decode(item.raw)
        except BinaryInput as binary:
            raise InvalidInput(str(binary)) from None
        repairs = []
        if decoded.bom:
            repairs.append(Repair("encoding", "\ufeff", f"removed the {decoded.encoding} byte order mark"))
        if decoded.guessed:
            repairs.append(Repair("encoding", "", f"the bytes are not UTF-8; decoded as {decoded.encoding}"))
        article = Article(
            id=stable_id(item.source, item.raw),
            source=item.source,
            text=decoded.text,
            ingested_at=ingested_at,
            raw=item.raw,
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


class InvalidInput(ValueError):
    """Why an input cannot become an article, as one sentence."""


def _apply_envelope(article: Article, text: str) -> None:
    try:
        envelope = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"The input is not valid JSON ({error.msg} at line {error.lineno} column "
            f"{error.colno}); fix it or remove it."
        ) from None
    if not isinstance(envelope, dict):
        raise InvalidInput("The JSON is not an object; an article envelope is {\"text\": ...}.")
    body = envelope.get("text")
    if not isinstance(body, str):
        raise InvalidInput("The JSON object has no \"text\" string, so there is no article.")
    article.text = body
    article.title = _string(envelope, "title") or article.title
    article.url = _string(envelope, "url") or article.url
    article.publisher_id = _string(envelope, "source") or article.publisher_id
    article.language_hint = _string(envelope, "language") or article.language_hint
    stamp = envelope.get("published_at")
    if stamp is not None:
        article.published_at, note = parse_timestamp(stamp)
        if note:
            article.repairs.append(Repair("metadata", str(stamp), note))


def _string(envelope: dict, key: str) -> str | None:
    value = envelope.get(key)
    return value.strip() or None if isinstance(value, str) else None


def parse_timestamp(value: object) -> tuple[datetime | None, str | None]:
    """An ISO 8601 timestamp as UTC, and a note when it had to be read leniently or dropped."""
    if not isinstance(value, str):
        return None, "published_at is not a string; ignored"
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, "published_at is not an ISO 8601 timestamp; ignored"
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc), "published_at has no UTC offset; read as UTC"
    return parsed.astimezone(timezone.utc), None


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

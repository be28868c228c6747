"""Write: Parquet (zstd) in Hive-style ``date=YYYY-MM-DD`` folders, one file per table,
date and run (or micro-batch), appearing atomically.

File names come from a stem the caller chooses deterministically (the batch inputs, or a
Kafka offset range), so writing the same input again replaces its files instead of adding
rows beside them. A file is written under a hidden name (readers skip names starting with
``.``), flushed to disk, then renamed into place.
"""

from __future__ import annotations

import os
import posixpath
import re
import uuid
from typing import Iterable, Iterator

import apache_beam as beam
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from apache_beam.metrics import Metrics

from schemas.arrow import TABLES, to_table
from schemas.records import Article, Reject

ROWS_PER_FILE = 50_000
COMPRESSION = "zstd"


def table_of(record: Article | Reject) -> str:
    if isinstance(record, Reject):
        return "rejects"
    return "duplicates" if record.duplicate_of else "articles"


def partition_key(record: Article | Reject) -> tuple[tuple[str, str], Article | Reject]:
    """The (table, date) a record is written to, as the key it is grouped by."""
    return (table_of(record), record.date), record


def file_name(stem: str, part: int) -> str:
    return f"{stem}-{part:05d}.parquet"


def stem_pattern(stem: str) -> re.Pattern[str]:
    return re.compile(re.escape(stem) + r"-\d{5}\.parquet")


def temp_pattern(stem: str) -> re.Pattern[str]:
    """Hidden files a writer killed mid-write left behind (see ``write_file``)."""
    return re.compile(r"\." + re.escape(stem) + r"-\d{5}\.parquet\.[0-9a-f]{32}\.tmp")


def filesystem(output: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem an output lives on (local, or an object store by URI) and its root."""
    if "://" in output:
        return pafs.FileSystem.from_uri(output)
    return pafs.LocalFileSystem(), os.path.abspath(output)


def write_file(fs: pafs.FileSystem, folder: str, name: str, table) -> str:
    """Write ``table`` to ``folder/name`` so that a reader sees all of it or none of it."""
    fs.create_dir(folder, recursive=True)
    final = posixpath.join(folder, name)
    temp = posixpath.join(folder, f".{name}.{uuid.uuid4().hex}.tmp")
    try:
        with fs.open_output_stream(temp) as sink:
            pq.write_table(table, sink, compression=COMPRESSION)
        if isinstance(fs, pafs.LocalFileSystem):
            fsync_path(temp)
        fs.move(temp, final)
        if isinstance(fs, pafs.LocalFileSystem):
            fsync_path(folder)
    finally:
        if fs.get_file_info(temp).type != pafs.FileType.NotFound:
            fs.delete_file(temp)
    return final


def fsync_path(path: str) -> None:
    """Flush a file or a folder (a rename is durable once its folder is flushed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WritePartition(beam.DoFn):
    """All rows of one (table, date) of this run, sorted by id, into deterministic files.
    The stem comes to ``process`` so that it can be a side input known only at run time."""

    def __init__(self, output: str, rows_per_file: int = ROWS_PER_FILE) -> None:
        self.output = output
        self.rows_per_file = rows_per_file
        self.rows = {t: Metrics.counter("rows", t) for t in TABLES}

    def setup(self) -> None:
        self.fs, self.root = filesystem(self.output)

    def process(self, element: tuple[tuple[str, str], Iterable[Article | Reject]],
                stem: str) -> Iterator[str]:
        (table, date), records = element
        ordered = sorted(records, key=lambda r: (r.id, r.source))
        folder = posixpath.join(self.root, table, f"date={date}")
        for part, start in enumerate(range(0, len(ordered), self.rows_per_file)):
            rows = ordered[start:start + self.rows_per_file]
            yield write_file(self.fs, folder, file_name(stem, part), to_table(table, rows))
            self.rows[table].inc(len(rows))


class RemoveStale(beam.DoFn):
    """Delete files of this stem that this run did not write: an input whose date or table
    changed since the last run must not leave its old rows behind. It runs once every file
    of the run is in place, so any temporary file of the stem is a crashed writer's."""

    def __init__(self, output: str) -> None:
        self.output = output

    def process(self, _unused, written: list[str], stem: str) -> Iterator[str]:
        fs, root = filesystem(self.output)
        keep = set(written)
        for path in stale_files(fs, root, stem, keep, temporary=True):
            fs.delete_file(path)
            yield path


def stale_files(fs: pafs.FileSystem, root: str, stem: str, keep: set[str],
                temporary: bool = False) -> list[str]:
    """Files of this stem not in ``keep``; with ``temporary``, also leftover temp files."""
    pattern = stem_pattern(stem)
    leftover = temp_pattern(stem)
    found = []
    for table in TABLES:
        base = posixpath.join(root, table)
        if fs.get_file_info(base).type != pafs.FileType.Directory:
            continue
        for info in fs.get_file_info(pafs.FileSelector(base, recursive=True)):
            if info.type != pafs.FileType.File or info.path in keep:
                continue
            if pattern.fullmatch(info.base_name) or (
                    temporary and leftover.fullmatch(info.base_name)):
                found.append(info.path)
    return sorted(found)


def written_files(output: str, stem: str) -> list[str]:
    """The dataset files a run with this stem left, for summaries and tests."""
    fs, root = filesystem(output)
    return stale_files(fs, root, stem, keep=set())


def count_rows(output: str, path: str) -> int:
    """Rows of one written file, from its footer."""
    fs, _ = filesystem(output)
    with fs.open_input_file(path) as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def read_columns(output: str, path: str, columns: list[str]):
    """Some columns of one written file, wherever the output lives."""
    fs, _ = filesystem(output)
    return pq.read_table(path, columns=columns, filesystem=fs)


class WriteDatePartitions(beam.PTransform):
    """``{"articles": Article, "rejects": Reject}`` in (duplicates are the articles with
    ``duplicate_of`` set); the final paths of the files written out. ``stem``: a string,
    or ``AsSingleton`` of one known only at run time."""

    def __init__(self, output: str, stem, rows_per_file: int = ROWS_PER_FILE) -> None:
        super().__init__()
        self.output = output
        self.stem = stem
        self.rows_per_file = rows_per_file

    def expand(self, tables):
        # One grouping per input, not a Flatten before one grouping: the local runner
        # writes a Flatten's elements out and reads them back, and every article would
        # pay one more encode and decode for it.
        written = [
            tables[name]
            | f"Key {name}" >> beam.Map(partition_key)
            | f"Group {name}" >> beam.GroupByKey()
            | f"Write {name}" >> beam.ParDo(WritePartition(self.output, self.rows_per_file), self.stem)
            for name in ("articles", "rejects")
        ] | "AllWritten" >> beam.Flatten()
        _ = (
            written.pipeline
            | "Once" >> beam.Create([None])
            | "RemoveStale" >> beam.ParDo(
                RemoveStale(self.output), written=beam.pvalue.AsList(written), stem=self.stem
            )
        )
        return written

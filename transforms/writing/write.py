"""Write: Parquet (zstd) in Hive-style ``date=YYYY-MM-DD`` folders, appearing atomically;
per table, date and run (or micro-batch), one file per shard of about ``rows_per_file``
rows.

File names come from a stem the caller chooses deterministically (the batch inputs, or a
Kafka offset range) and the shard number, and a row's shard from a hash of its id and the
row count of its (table, date), so writing the same input again replaces its files instead
of adding rows beside them. A file is written under a hidden name (readers skip names
starting with ``.``), flushed to disk, then renamed into place.
"""

import os
import posixpath
import re
import uuid
import zlib
from collections import Counter, defaultdict
from datetime import datetime
from typing import Iterable, Iterator

import apache_beam as beam
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from apache_beam.metrics import Metrics

from schemas.arrow import TABLES, to_table
from schemas.records import Article, Reject, partition_date

ROWS_PER_FILE = 50_000
COMPRESSION = "zstd"


def table_of(record: Article | Reject) -> str:
    if isinstance(record, Reject):
        return "rejects"
    return "duplicates" if record.duplicate_of else "articles"


def partition_key(record: Article | Reject) -> tuple[tuple[str, str], Article | Reject]:
    """The (table, date) a record is written to, as the key it is grouped by."""
    return (table_of(record), record.date), record


def shard_of(record_id: str, shards: int) -> int:
    """A row's shard: the same id and shard count give the same shard in every process."""
    return zlib.crc32(record_id.encode("utf-8", "surrogatepass")) % shards


def shard_key(element: tuple[tuple[str, str], Article | Reject], sizes: dict,
              rows_per_file: int) -> tuple[tuple[str, str, int], Article | Reject]:
    """(table, date) becomes (table, date, shard), so that no key holds more than about
    ``rows_per_file`` rows, however many rows one date has."""
    (table, date), record = element
    shards = max(1, -(-sizes[(table, date)] // rows_per_file))
    return (table, date, shard_of(record.id, shards)), record


def file_name(stem: str, shard: int) -> str:
    return f"{stem}-{shard:05d}.parquet"


# A run in chunks (``pipelines.chunks``) writes each chunk under its own stem, the run's
# plus this suffix; the run's stem owns those files too, so a rerun of the same inputs
# replaces them, in chunks or not.
_CHUNK = r"(?:-c\d{5})?"


def chunk_stem(stem: str, number: int) -> str:
    return f"{stem}-c{number:05d}"


def stem_pattern(stem: str) -> re.Pattern[str]:
    return re.compile(re.escape(stem) + _CHUNK + r"-\d{5}\.parquet")


def temp_pattern(stem: str) -> re.Pattern[str]:
    """Hidden files a writer killed mid-write left behind (see ``write_file``)."""
    return re.compile(r"\." + re.escape(stem) + _CHUNK + r"-\d{5}\.parquet\.[0-9a-f]{32}\.tmp")


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
    """The rows of one (table, date, shard) of this run, sorted by id, into one file. The
    stem comes to ``process`` so that it can be a side input known only at run time."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.rows = {t: Metrics.counter("rows", t) for t in TABLES}

    def setup(self) -> None:
        self.fs, self.root = filesystem(self.output)

    def process(self, element: tuple[tuple[str, str, int], Iterable[Article | Reject]],
                stem: str) -> Iterator[str]:
        (table, date, shard), records = element
        yield self.write(stem, table, date, shard, records)

    def write(self, stem: str, table: str, date: str, shard: int,
              records: Iterable[Article | Reject]) -> str:
        rows = sorted(records, key=lambda r: (r.id, r.source))
        folder = posixpath.join(self.root, table, f"date={date}")
        path = write_file(self.fs, folder, file_name(stem, shard), to_table(table, rows))
        self.rows[table].inc(len(rows))
        return path


class WriteAll(WritePartition):
    """Every row of a micro-batch at once: the files the grouped steps write (the same
    shards, from the same counts), then this stem's other files removed, from one
    listing of the dataset."""

    def __init__(self, output: str, rows_per_file: int) -> None:
        super().__init__(output)
        self.rows_per_file = rows_per_file

    def process(self, _unused: None, articles: list[Article], rejects: list[Reject],
                stem: str) -> Iterator[str]:
        keyed = [partition_key(record) for record in (*articles, *rejects)]
        sizes = Counter(key for key, _ in keyed)
        shards: dict[tuple[str, str, int], list] = defaultdict(list)
        for element in keyed:
            key, record = shard_key(element, sizes, self.rows_per_file)
            shards[key].append(record)
        written = [self.write(stem, *key, rows) for key, rows in sorted(shards.items())]
        for path in stale_files(self.fs, self.root, stem, keep=set(written), temporary=True):
            self.fs.delete_file(path)
        yield from written


class RemoveStale(beam.DoFn):
    """In one folder this run wrote to, delete the files of this stem it did not write (a
    rerun with fewer shards) and the temporary files of the stem: it runs once every file
    of the folder is in place, so those are a crashed writer's."""

    def __init__(self, output: str) -> None:
        self.output = output

    def process(self, element: tuple[str, Iterable[str]], stem: str) -> Iterator[str]:
        folder, written = element
        fs, _ = filesystem(self.output)
        for path in stem_files(fs, folder, stem, keep=set(written), temporary=True):
            fs.delete_file(path)
            yield path


class RemoveUnwritten(beam.DoFn):
    """Delete the files of this stem in every folder this run did not write to: an input
    whose date or table changed since the last run must not leave its old rows behind."""

    def __init__(self, output: str) -> None:
        self.output = output

    def process(self, _unused: None, folders: list[str], stem: str) -> Iterator[str]:
        fs, root = filesystem(self.output)
        written = set(folders)
        for path in stale_files(fs, root, stem, keep=set(), temporary=True):
            if posixpath.dirname(path) not in written:
                fs.delete_file(path)
                yield path


def stem_files(fs: pafs.FileSystem, folder: str, stem: str, keep: set[str],
               temporary: bool = False) -> list[str]:
    """Files of this stem in one folder, apart from those in ``keep``."""
    return _of_stem(fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True)),
                    stem, keep, temporary)


def stale_files(fs: pafs.FileSystem, root: str, stem: str, keep: set[str],
                temporary: bool = False) -> list[str]:
    """Files of this stem not in ``keep``; with ``temporary``, also leftover temp files."""
    found = []
    for table in TABLES:
        base = posixpath.join(root, table)
        if fs.get_file_info(base).type != pafs.FileType.Directory:
            continue
        found += _of_stem(fs.get_file_info(pafs.FileSelector(base, recursive=True)),
                          stem, keep, temporary)
    return sorted(found)


def _of_stem(infos: Iterable[pafs.FileInfo], stem: str, keep: set[str],
             temporary: bool) -> list[str]:
    pattern = stem_pattern(stem)
    leftover = temp_pattern(stem)
    return sorted(
        info.path for info in infos
        if info.type == pafs.FileType.File and info.path not in keep
        and (pattern.fullmatch(info.base_name) or (temporary and leftover.fullmatch(info.base_name)))
    )


def written_rejects(output: str, stem: str, ingested_at: datetime) -> list[str]:
    """The rejects files a run with this stem wrote (the streaming worker reads them back
    for its dead letters). A reject's partition is the date it was ingested, so one folder
    is listed, not the dataset a long-lived worker grows by a file or more each batch."""
    fs, root = filesystem(output)
    folder = posixpath.join(root, "rejects", f"date={partition_date(None, ingested_at)}")
    if fs.get_file_info(folder).type != pafs.FileType.Directory:
        return []
    return _of_stem(fs.get_file_info(pafs.FileSelector(folder)), stem, set(), temporary=False)


class WriteDatePartitions(beam.PTransform):
    """``{"articles": Article, "rejects": Reject}`` in (duplicates are the articles with
    ``duplicate_of`` set); the final paths of the files written out. ``stem``: a string,
    or ``AsSingleton`` of one known only at run time (the streaming worker's micro-batch)."""

    def __init__(self, output: str, stem, rows_per_file: int = ROWS_PER_FILE) -> None:
        super().__init__()
        self.output = output
        self.stem = stem
        self.rows_per_file = rows_per_file

    def expand(self, tables):
        # One grouping per input, not a Flatten before one grouping: the local runner
        # writes a Flatten's elements out and reads them back, and every article would
        # pay one more encode and decode for it.
        written = [self._write(tables[name], name) for name in ("articles", "rejects")]
        written = written | "AllWritten" >> beam.Flatten()
        _ = (
            written
            | "By folder" >> beam.Map(lambda path: (posixpath.dirname(path), path))
            | "Folder files" >> beam.GroupByKey()
            | "RemoveStale" >> beam.ParDo(RemoveStale(self.output), self.stem)
        )
        written_folders = (
            written
            | "Folders" >> beam.Map(posixpath.dirname)
            | "Distinct folders" >> beam.Distinct()
        )
        # The list is one folder per (table, date) written: three tables times the dates.
        _ = (
            written.pipeline
            | "Once" >> beam.Create([None])
            | "RemoveUnwritten" >> beam.ParDo(
                RemoveUnwritten(self.output),
                folders=beam.pvalue.AsList(written_folders), stem=self.stem,
            )
        )
        return written

    def _write(self, records, name: str):
        keyed = records | f"Key {name}" >> beam.Map(partition_key)
        # One count per (table, date): as many entries as dates, never one per row. The
        # rows wait for it, which costs the local runner one more encode and decode of each.
        sizes = keyed | f"Count {name}" >> beam.combiners.Count.PerKey()
        return (
            keyed
            | f"Shard {name}" >> beam.Map(shard_key, beam.pvalue.AsDict(sizes), self.rows_per_file)
            | f"Group {name}" >> beam.GroupByKey()
            | f"Write {name}" >> beam.ParDo(WritePartition(self.output), self.stem)
        )


class WriteMicroBatch(WriteDatePartitions):
    """What ``WriteDatePartitions`` writes and removes, in one step over all the rows: for
    the streaming worker's micro-batches (at most ``--max-batch-records`` rows), where
    each of the grouped steps' eleven fused stages costs every batch the local runner's
    set-up (docs/streaming.md), and the rows fit in memory twice over."""

    def expand(self, tables):
        # Two side inputs, not a Flatten: the local runner would write a Flatten's rows out
        # and read them back in a stage of its own.
        return (
            tables["articles"].pipeline
            | "Once" >> beam.Create([None])
            | "Write all" >> beam.ParDo(WriteAll(self.output, self.rows_per_file),
                                        beam.pvalue.AsList(tables["articles"]),
                                        beam.pvalue.AsList(tables["rejects"]), self.stem)
        )

"""Input paths as Beam and SQLite can carry them, and how their files are opened.

A local file name need not be UTF-8 (a folder shared with other systems holds Latin-1
names); Python holds its undecodable bytes as lone surrogates, which neither Beam's string
coder nor SQLite nor Parquet can encode, so one such name would stop a run. Such a path
crosses the pipeline as NUL (which no path holds) and its bytes in hex, and is opened as
itself; its ``source`` shows each undecodable byte as ``\\xNN``."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from contextlib import contextmanager
from typing import BinaryIO, Iterator

import zstandard
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

_MARK = "\0"
# Compressed inputs (``feed.jsonl.gz``), known by their suffix.
COMPRESSED = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd", ".zstd": "zstd"}


def portable_path(path: str) -> str:
    """``path`` itself when it is valid UTF-8, else its portable form."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return _MARK + os.fsencode(path).hex()
    return path


def local_path(portable: str) -> str:
    """The path ``portable_path`` was given."""
    if portable.startswith(_MARK):
        return os.fsdecode(bytes.fromhex(portable[1:]))
    return portable


def readable(name: str) -> str:
    """A file name to show and write: each undecodable byte as ``\\xNN``."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def compression(name: str) -> str | None:
    """The compression a file's suffix names (``gzip``), or None."""
    return COMPRESSED.get(os.path.splitext(name.lower())[1])


def plain_name(name: str) -> str:
    """The name without its compression suffix: ``feed.jsonl.gz`` is read as ``feed.jsonl``."""
    return os.path.splitext(name)[0] if compression(name) else name


@contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """An input file (a path as the pipeline carries it) opened for reading, decompressed
    when its suffix names a compression (a stream with ``readline(size)``, as the line
    reader needs; only an uncompressed file is read in ranges, so only it must seek)."""
    with open_stored(path) as stored:
        packed = compression(local_path(path))
        if packed is None:
            yield stored
            return
        with _DECOMPRESS[packed](stored) as handle:
            yield handle


def open_stored(path: str) -> BinaryIO:
    """An input file's bytes as stored, compressed or not."""
    return FileSystems.open(local_path(path), compression_type=CompressionTypes.UNCOMPRESSED)


def _zstd(stored: BinaryIO) -> BinaryIO:
    reader = zstandard.ZstdDecompressor().stream_reader(stored, read_across_frames=True,
                                                        closefd=False)
    return io.BufferedReader(reader)


_DECOMPRESS = {
    "gzip": lambda stored: gzip.GzipFile(fileobj=stored),
    "bzip2": bz2.BZ2File,
    "xz": lzma.LZMAFile,
    "zstd": _zstd,
}

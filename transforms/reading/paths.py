"""Input paths as Beam and SQLite can carry them.

A local file name need not be UTF-8 (a folder shared with other systems holds Latin-1
names); Python holds its undecodable bytes as lone surrogates, which neither Beam's string
coder nor SQLite nor Parquet can encode, so one such name would stop a run. Such a path
crosses the pipeline as NUL (which no path holds) and its bytes in hex, and is opened as
itself; its ``source`` shows each undecodable byte as ``\\xNN``."""

from __future__ import annotations

import os
from typing import BinaryIO

from apache_beam.io.filesystems import FileSystems

_MARK = "\0"


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


def open_input(path: str) -> BinaryIO:
    """An input file (a path as the pipeline carries it) opened for reading, as stored."""
    return FileSystems.open(local_path(path), compression_type="uncompressed")

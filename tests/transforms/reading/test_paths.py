import bz2
import gzip
import lzma
import os

import pytest
import zstandard

from transforms.reading.paths import (
    compression, local_path, open_input, open_stored, plain_name, portable_path, readable,
)

LATIN1 = os.fsdecode(b"/data/caf\xe9 \xff.txt")


@pytest.mark.parametrize("path", ["/data/a.txt", "/data/café/ü.json", "gs://bucket/a b.txt", LATIN1])
def test_a_path_comes_back_from_its_portable_form(path):
    portable = portable_path(path)
    portable.encode("utf-8")  # what Beam's string coder and SQLite do with it
    assert local_path(portable) == path


def test_a_utf8_path_crosses_as_itself_and_only_an_undecodable_one_is_marked():
    assert portable_path("/data/café.txt") == "/data/café.txt"
    assert portable_path(LATIN1).startswith("\0")


def test_a_source_shows_each_undecodable_byte_as_an_escape():
    assert readable(os.fsdecode(b"caf\xe9 \xff.txt")) == "caf\\xe9 \\xff.txt"
    assert readable("café.txt") == "café.txt"


def test_a_file_with_a_latin1_name_is_opened_from_its_portable_form(tmp_path):
    path = os.path.join(str(tmp_path), os.fsdecode(b"r\xe9sum\xe9.txt"))
    with open(path, "wb") as handle:
        handle.write(b"bytes")
    with open_input(portable_path(path)) as handle:
        assert handle.read() == b"bytes"


@pytest.mark.parametrize("suffix,pack", [
    (".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress),
    (".zst", lambda data: zstandard.ZstdCompressor().compress(data)),
])
def test_a_compressed_input_is_read_decompressed_by_line(tmp_path, suffix, pack):
    data = b"".join(b'{"text": "line %d"}\n' % n for n in range(3000))
    path = str(tmp_path / f"feed.jsonl{suffix}")
    with open(path, "wb") as handle:
        handle.write(pack(data))
    assert compression(path) and plain_name("feed.jsonl" + suffix) == "feed.jsonl"
    with open_input(path) as handle:
        first = handle.readline(8)
        assert first == b'{"text":'
        assert first + handle.readline() + handle.read() == data
    with open(path, "rb") as stored, open_stored(path) as handle:
        assert handle.read() == stored.read()


def test_an_uncompressed_name_is_its_own_plain_name():
    assert compression("a.jsonl") is None and plain_name("a.jsonl") == "a.jsonl"
    assert plain_name("archive.tar") == "archive.tar"

import os

import pytest

from transforms.reading.paths import local_path, open_input, portable_path, readable

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

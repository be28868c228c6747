"""``copydesk batch`` over object-store paths (a prefix, a glob, one object), read through
Beam's FileSystems as on Dataflow; the store is a Beam FileSystem over the local disk."""

import os

import pytest
from apache_beam.io.filesystem import FileMetadata, FileSystem
from apache_beam.io.localfilesystem import LocalFileSystem

from tests.transforms.reading.test_read import _assert_read
from transforms.reading.read import InputError, input_roots


class ObjectStore(LocalFileSystem):
    """``store:///abs/path`` read from the local disk the way Beam reads an object store:
    paths keep their scheme, and only objects (files) exist, not folders."""

    @classmethod
    def scheme(cls):
        return "store"

    @staticmethod
    def local(path):
        return path.removeprefix("store://")

    _url_dirname = FileSystem._url_dirname

    def _list(self, prefix):
        for folder, _, names in os.walk(self.local(prefix)):
            for name in names:
                path = os.path.join(folder, name)
                yield FileMetadata("store://" + path, os.path.getsize(path), os.path.getmtime(path))

    def exists(self, path):
        return os.path.isfile(self.local(path))

    def metadata(self, path):
        meta = super().metadata(self.local(path))
        return FileMetadata(path, meta.size_in_bytes, meta.last_updated_in_seconds)

    def open(self, path, *args, **kwargs):
        return super().open(self.local(path), *args, **kwargs)


def test_object_store_prefixes_globs_and_objects_are_read_through_beam(tmp_path):
    (tmp_path / "raw" / "day1").mkdir(parents=True)
    (tmp_path / "raw" / "day1" / "a.txt").write_text("alpha")
    (tmp_path / "raw" / "_tmp.txt").write_text("hidden")
    (tmp_path / "raw" / "feed.jsonl").write_text("".join(f'{{"text": "{i}"}}\n' for i in range(30)))
    (tmp_path / "one.json").write_text('{"text": "single"}')
    store = f"store://{tmp_path}"
    lines = [(f"feed.jsonl#{i + 1}", f'{{"text": "{i}"}}'.encode(), "envelope") for i in range(30)]
    _assert_read([f"{store}/raw/", f"{store}/one.json"],
                 [("day1/a.txt", b"alpha", "text"), (f"{store}/one.json", b'{"text": "single"}', "envelope"),
                  *lines], range_bytes=50)
    _assert_read([f"{store}/raw/*.jsonl"], lines)
    with pytest.raises(InputError, match="matches no files"):
        input_roots([f"{store}/nothing-here"])

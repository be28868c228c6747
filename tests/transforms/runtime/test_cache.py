import logging
import os

from transforms.runtime.cache import cache_path, load, save


def read_all(handle) -> bytes:
    return handle.read()


def test_save_replaces_the_kinds_other_files_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path / "cache"))
    save("knowledge", "old", {"arrow": lambda handle: handle.write(b"old")})
    (tmp_path / "cache" / "knowledge-new.pickle").write_bytes(b"planted")
    save("langdetect", "k1", {"npy": lambda handle: handle.write(b"t"),
                              "json": lambda handle: handle.write(b"n")})
    save("knowledge", "new", {"arrow": lambda handle: handle.write(b"new")})
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert names == ["knowledge-new.arrow", "langdetect-k1.json", "langdetect-k1.npy"]
    assert load("knowledge", "new", "arrow", read_all) == b"new"
    assert load("knowledge", "old", "arrow", read_all) is None


def test_an_unwritable_cache_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(blocker / "cache"))
    save("knowledge", "key", {"arrow": lambda handle: handle.write(b"x")})
    assert not cache_path("knowledge", "key", "arrow").exists()


def test_a_planted_link_is_neither_read_nor_written_through(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    target = tmp_path / "elsewhere"
    target.write_bytes(b"someone else's file")
    os.symlink(target, cache_path("knowledge", "key", "arrow"))
    with caplog.at_level(logging.WARNING):
        assert load("knowledge", "key", "arrow", read_all) is None
    assert "a link" in caplog.text and "building it again" in caplog.text
    save("knowledge", "key", {"arrow": lambda handle: handle.write(b"built")})
    assert target.read_bytes() == b"someone else's file"
    assert not cache_path("knowledge", "key", "arrow").is_symlink()
    assert load("knowledge", "key", "arrow", read_all) == b"built"


def test_what_is_not_a_regular_file_or_not_readable_is_ignored_with_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path))
    cache_path("a", "key", "arrow").mkdir()
    os.mkfifo(cache_path("b", "key", "arrow"))
    cache_path("c", "key", "arrow").write_bytes(b"garbage")

    def refuse(handle):
        raise ValueError("not what was written")

    with caplog.at_level(logging.WARNING):
        assert load("a", "key", "arrow", read_all) is None
        assert load("b", "key", "arrow", read_all) is None
        assert load("c", "key", "arrow", refuse) is None
    assert caplog.text.count("building it again") == 3
    assert "not what was written" in caplog.text

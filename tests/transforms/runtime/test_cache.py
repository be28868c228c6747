from transforms.runtime.cache import cache_path, save


def test_save_replaces_the_kinds_older_keys_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path / "cache"))
    save("knowledge", "old", {"pickle": lambda handle: handle.write(b"old")})
    save("langdetect", "k1", {"npy": lambda handle: handle.write(b"t"),
                              "names": lambda handle: handle.write(b"n")})
    save("knowledge", "new", {"pickle": lambda handle: handle.write(b"new")})
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert names == ["knowledge-new.pickle", "langdetect-k1.names", "langdetect-k1.npy"]
    assert cache_path("knowledge", "new", "pickle").read_bytes() == b"new"


def test_an_unwritable_cache_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(blocker / "cache"))
    save("knowledge", "key", {"pickle": lambda handle: handle.write(b"x")})
    assert not cache_path("knowledge", "key", "pickle").exists()

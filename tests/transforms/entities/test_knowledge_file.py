"""The knowledge base's cache is data: whatever is planted, linked or damaged where the
cache file should be is never run, is reported, and is built again."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
from pathlib import Path

import pytest

from transforms.entities import knowledge as module
from transforms.entities.knowledge import KnowledgeConfig
from transforms.runtime.cache import cache_path


class Payload:
    """Unpickling this creates a file: proof that a pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture(scope="module")
def built():
    return module.build_knowledge(KnowledgeConfig())


@pytest.fixture
def cache(tmp_path, monkeypatch, built):
    """An empty cache folder; a rebuild returns the module's prebuilt base (and is counted)."""
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(module, "_LOADED", {})
    builds = []
    monkeypatch.setattr(module, "build_knowledge", lambda config: builds.append(config) or built)
    return builds


def same(a, b) -> bool:
    return (a.entries == b.entries and a._by_fold == b._by_fold and a._spelling == b._spelling
            and a._near._names == b._near._names and a._near._index == b._near._index
            and a._surnames == b._surnames)


def plant(kind: str, path: Path, marker: Path, valid: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "pickle":
        path.write_bytes(pickle.dumps(Payload(marker)))
    elif kind == "garbage":
        path.write_bytes(os.urandom(4096))
    elif kind == "truncated":
        path.write_bytes(valid.read_bytes()[:100_000])
    elif kind == "another key":
        shutil.copy(valid, path)
    elif kind == "link":
        os.symlink(valid, path)


@pytest.mark.parametrize("kind", ["pickle", "garbage", "truncated", "another key", "link"])
def test_a_planted_or_damaged_file_is_never_run_and_is_built_again(kind, cache, built, tmp_path,
                                                                  monkeypatch, caplog):
    config = KnowledgeConfig()
    other = KnowledgeConfig(min_city_population=20_000)
    valid = tmp_path / "valid"
    valid.mkdir()
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(valid))
    module.load_knowledge(other if kind == "another key" else config)
    [valid_file] = valid.iterdir()
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(module, "_LOADED", {})
    marker = tmp_path / "payload-ran"
    path = cache_path("knowledge", module._cache_key(config), "arrow")
    plant(kind, path, marker, valid_file)
    # The old format's name, which no version reads any more.
    plant("pickle", cache_path("knowledge", module._cache_key(config), "pickle"), marker, valid_file)
    builds = len(cache)

    with caplog.at_level(logging.WARNING):
        loaded = module.load_knowledge(config)

    assert not marker.exists(), "a planted pickle ran"
    assert len(cache) == builds + 1 and same(loaded, built)
    assert "building it again" in caplog.text and str(path) in caplog.text
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert path.is_file() and not path.is_symlink()
    monkeypatch.setattr(module, "_LOADED", {})
    assert same(module.load_knowledge(config), built) and len(cache) == builds + 1

import logging
import os
import pickle
from pathlib import Path

import langdetect.detector_factory as factories
import numpy as np
import pytest

from transforms.language import profiles as language_profiles
from transforms.language.profiles import load_profiles
from transforms.runtime.cache import cache_path


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COPYDESK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(language_profiles, "_LOADED", {})
    return tmp_path


def _langdetect_map() -> tuple[list[str], dict[str, list[float]]]:
    factories.init_factory()
    return factories._factory.langlist, factories._factory.word_lang_prob_map


def test_profiles_hold_langdetects_numbers_before_and_after_the_disk(empty_cache, monkeypatch):
    langlist, expected = _langdetect_map()
    built = load_profiles(seed=0)
    assert sorted(p.name.split(".")[-1] for p in empty_cache.iterdir()) == ["json", "npy"]
    monkeypatch.setattr(language_profiles, "_LOADED", {})
    monkeypatch.setattr(language_profiles, "_build", lambda: pytest.fail("the disk copy was not used"))
    loaded = load_profiles(seed=5)
    assert loaded.seed == 5
    for profiles in (built, loaded):
        assert profiles.langlist == langlist
        assert profiles.word_lang_prob_map.keys() == expected.keys()
        rows = np.array([expected[ngram] for ngram in profiles.word_lang_prob_map])
        assert np.array_equal(profiles.table, rows)


def test_a_damaged_disk_copy_is_rebuilt(empty_cache, monkeypatch):
    load_profiles(seed=0)
    for path in empty_cache.iterdir():
        path.write_bytes(b"not a table")
    monkeypatch.setattr(language_profiles, "_LOADED", {})
    langlist, expected = _langdetect_map()
    profiles = load_profiles(seed=0)
    assert profiles.langlist == langlist and len(profiles.word_lang_prob_map) == len(expected)
    assert np.load(next(empty_cache.glob("*.npy"))).shape == (len(expected), len(langlist))


class Payload:
    """Unpickling this creates a file: proof that a pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("kind", ["pickled array", "pickle as names", "garbage", "link", "wrong shape"])
def test_a_planted_or_damaged_file_is_never_run_and_is_built_again(kind, empty_cache, tmp_path,
                                                                  monkeypatch, caplog):
    load_profiles(seed=0)
    monkeypatch.setattr(language_profiles, "_LOADED", {})
    key = language_profiles._cache_key()
    table, names = cache_path("langdetect", key, "npy"), cache_path("langdetect", key, "json")
    marker = tmp_path / "payload-ran"
    if kind == "pickled array":
        with table.open("wb") as handle:
            np.save(handle, np.array([Payload(marker)], dtype=object), allow_pickle=True)
    elif kind == "pickle as names":
        names.write_bytes(pickle.dumps(Payload(marker)))
    elif kind == "garbage":
        table.write_bytes(os.urandom(2048))
    elif kind == "link":
        elsewhere = tmp_path / "elsewhere.npy"
        table.rename(elsewhere)
        os.symlink(elsewhere, table)
    elif kind == "wrong shape":
        np.save(table, np.zeros((3, 3)))
    built = []
    real_build = language_profiles._build
    monkeypatch.setattr(language_profiles, "_build", lambda: built.append(1) or real_build())

    with caplog.at_level(logging.WARNING):
        profiles = load_profiles(seed=0)

    assert not marker.exists(), "a planted pickle ran"
    assert built == [1] and "building it again" in caplog.text
    assert profiles.table.shape == (len(profiles.word_lang_prob_map), len(profiles.langlist))
    assert table.is_file() and not table.is_symlink()
    assert np.load(table).shape == profiles.table.shape

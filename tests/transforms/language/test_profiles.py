import langdetect.detector_factory as factories
import numpy as np
import pytest

from transforms.language import profiles as language_profiles
from transforms.language.profiles import load_profiles


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
    assert sorted(p.name.split(".")[-1] for p in empty_cache.iterdir()) == ["names", "npy"]
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

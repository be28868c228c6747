"""langdetect's language profiles as one array, kept on disk between processes.

langdetect parses 55 JSON profiles into a dict of 87,000 n-grams on every start (0.3-0.5 s,
paid again by every Beam worker process). The same numbers saved once as a float64 array
and a list of n-grams load in a few hundredths of a second; the detector reads exactly
the floats langdetect would.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import marshal
import os
import threading
from dataclasses import dataclass, field

import numpy as np

from transforms.runtime.cache import cache_path, save


@dataclass
class Profiles:
    """What ``langdetect.detector.Detector`` reads from its factory, with
    ``word_lang_prob_map`` mapping each n-gram to its row of ``table`` (one column per
    language of ``langlist``)."""

    langlist: list[str]
    word_lang_prob_map: dict[str, int]
    table: np.ndarray
    seed: int | None = None
    # Each normalised word's n-grams, filled by the detectors sharing these profiles.
    words: dict[tuple[str, bool], list[str]] = field(default_factory=dict)


_LOADED: dict[str, Profiles] = {}
_LOCK = threading.Lock()


def load_profiles(seed: int) -> Profiles:
    """The profiles, from the on-disk copy when there is one; built from langdetect's own
    files (and saved) otherwise. Shared by every detector of this process."""
    key = _cache_key()
    with _LOCK:
        profiles = _LOADED.get(key)
        if profiles is None:
            profiles = _LOADED[key] = _cached(key)
    return Profiles(profiles.langlist, profiles.word_lang_prob_map, profiles.table, seed,
                    profiles.words)


def _cache_key() -> str:
    """Changes with the langdetect release and with its profile files."""
    from langdetect.detector_factory import PROFILES_DIRECTORY

    digest = hashlib.blake2b(importlib.metadata.version("langdetect").encode(), digest_size=12)
    for name in sorted(os.listdir(PROFILES_DIRECTORY)):
        size = os.path.getsize(os.path.join(PROFILES_DIRECTORY, name))
        digest.update(f"{name}:{size}\0".encode())
    return digest.hexdigest()


def _cached(key: str) -> Profiles:
    try:
        langlist, ngrams = marshal.loads(cache_path("langdetect", key, "names").read_bytes())
        # Mapped, so only the rows a text uses are read; viewed as a plain array, since
        # indexing a memmap costs a Python-level constructor per row.
        table = np.load(cache_path("langdetect", key, "npy"), mmap_mode="r").view(np.ndarray)
        if table.shape == (len(ngrams), len(langlist)):
            return _indexed(langlist, ngrams, table)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    profiles = _build()
    names = marshal.dumps((profiles.langlist, list(profiles.word_lang_prob_map)))
    save("langdetect", key, {"npy": lambda handle: np.save(handle, profiles.table),
                             "names": lambda handle: handle.write(names)})
    return profiles


def _build() -> Profiles:
    import langdetect.detector_factory as factories

    factories.init_factory()
    factory = factories._factory
    ngrams = list(factory.word_lang_prob_map)
    table = np.array([factory.word_lang_prob_map[ngram] for ngram in ngrams], dtype=np.float64)
    return _indexed(list(factory.langlist), ngrams, table)


def _indexed(langlist: list[str], ngrams: list[str], table: np.ndarray) -> Profiles:
    """Profiles whose n-gram ``i`` reads row ``i`` of ``table``."""
    return Profiles(langlist, {ngram: row for row, ngram in enumerate(ngrams)}, table)

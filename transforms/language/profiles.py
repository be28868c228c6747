"""langdetect's language profiles as one array, kept on disk between processes.

langdetect parses 55 JSON profiles into a dict of 87,000 n-grams on every start (0.3-0.5 s,
paid again by every Beam worker process). The same numbers saved once as a float64 array
and a list of n-grams load in a few hundredths of a second; the detector reads exactly
the floats langdetect would.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import threading
from dataclasses import dataclass, field
from functools import partial
from typing import IO

import numpy as np

from transforms.runtime.cache import load, save

# Changes whenever the files' layout does.
FORMAT = b"copydesk-langdetect-2"


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
    """Changes with the langdetect release and with the content of its profile files."""
    from langdetect.detector_factory import PROFILES_DIRECTORY

    digest = hashlib.blake2b(importlib.metadata.version("langdetect").encode(), digest_size=16)
    digest.update(FORMAT)
    for name in sorted(os.listdir(PROFILES_DIRECTORY)):
        with open(os.path.join(PROFILES_DIRECTORY, name), "rb") as handle:
            digest.update(f"{name}\0".encode() + handle.read() + b"\0")
    return digest.hexdigest()


def _cached(key: str) -> Profiles:
    names = load("langdetect", key, "json", partial(_read_names, key=key))
    if names is not None:
        langlist, ngrams = names
        table = load("langdetect", key, "npy", partial(_read_table, shape=(len(ngrams), len(langlist))))
        if table is not None:
            return _indexed(langlist, ngrams, table)
    profiles = _build()
    text = json.dumps({"format": FORMAT.decode(), "key": key, "langlist": profiles.langlist,
                       "ngrams": list(profiles.word_lang_prob_map)}, ensure_ascii=False)
    save("langdetect", key, {"npy": lambda handle: np.save(handle, profiles.table, allow_pickle=False),
                             "json": lambda handle: handle.write(text.encode("utf-8"))})
    return profiles


def _read_names(handle: IO[bytes], key: str) -> tuple[list[str], list[str]]:
    found = json.loads(handle.read().decode("utf-8"))
    if found.get("format") != FORMAT.decode() or found.get("key") != key:
        raise ValueError("not a profile list of this version and key")
    langlist, ngrams = found["langlist"], found["ngrams"]
    if not all(isinstance(n, str) for n in [*langlist, *ngrams]):
        raise ValueError("a name that is not a string")
    return langlist, ngrams


def _read_table(handle: IO[bytes], shape: tuple[int, int]) -> np.ndarray:
    """The float64 table, mapped, so only the rows a text uses are read; viewed as a plain
    array, since indexing a memmap costs a Python-level constructor per row."""
    version = np.lib.format.read_magic(handle)
    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                   else np.lib.format.read_array_header_2_0)
    found, fortran, dtype = read_header(handle)
    if found != shape or fortran or dtype != np.dtype("<f8"):
        raise ValueError(f"a {dtype} table of shape {found}, not float64 {shape}")
    return np.memmap(handle, dtype=dtype, mode="r", shape=shape, offset=handle.tell()).view(np.ndarray)


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

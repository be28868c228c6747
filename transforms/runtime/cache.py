"""Indexes built from installed packages, kept on disk so the next process loads them.

Files are named ``<kind>-<key>.<suffix>``, the key a digest of everything the index is
built from; writing a new key removes that kind's files of other keys, so an upgrade or a
code change does not leave old copies behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Callable


def cache_dir() -> Path:
    """Where built indexes are kept: ``$COPYDESK_CACHE_DIR``, else ``~/.cache/copydesk``."""
    given = os.environ.get("COPYDESK_CACHE_DIR")
    return Path(given) if given else Path.home() / ".cache" / "copydesk"


def cache_path(kind: str, key: str, suffix: str) -> Path:
    return cache_dir() / f"{kind}-{key}.{suffix}"


def save(kind: str, key: str, files: dict[str, Callable[[IO[bytes]], object]]) -> None:
    """Writes each ``suffix -> write(handle)`` atomically, then removes ``kind``'s files of
    other keys. A read-only or full disk is not an error: the next process builds again."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for suffix, write in files.items():
            path = cache_path(kind, key, suffix)
            temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with temp.open("wb") as handle:
                write(handle)
            os.replace(temp, path)
        for old in folder.glob(f"{kind}-*"):
            if not old.name.startswith(f"{kind}-{key}."):
                old.unlink(missing_ok=True)
    except OSError:
        pass

"""Indexes built from installed packages, kept on disk so the next process loads them.

Files are named ``<kind>-<key>.<suffix>``, the key a digest of everything the index is
built from; writing a new key removes that kind's other files, so an upgrade or a code
change does not leave old copies behind.

The folder may be shared, so what is in it is data that cannot run code (Arrow, JSON,
NumPy arrays without pickle), read without following links and checked before use; a
file that fails a check is reported and built again, never trusted and never a crash.
Writes go to a new file of the same folder (``O_EXCL``: a planted link is not followed)
renamed over the old one, so a reader sees a whole file or none.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path
from typing import IO, Callable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def cache_dir() -> Path:
    """Where built indexes are kept: ``$COPYDESK_CACHE_DIR``, else ``~/.cache/copydesk``."""
    given = os.environ.get("COPYDESK_CACHE_DIR")
    return Path(given) if given else Path.home() / ".cache" / "copydesk"


def cache_path(kind: str, key: str, suffix: str) -> Path:
    return cache_dir() / f"{kind}-{key}.{suffix}"


class UnusableCache(ValueError):
    """A cache file that is not what copydesk wrote there; it is built again."""


def load(kind: str, key: str, suffix: str, read: Callable[[IO[bytes]], T]) -> T | None:
    """``read(handle)`` of the cached file, or None when there is none or it is unusable
    (a link, not a regular file, or ``read`` raised on it), said in a warning."""
    path = cache_path(kind, key, suffix)
    try:
        # Non-blocking, so a planted FIFO cannot hang the open.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        _warn(path, "a link" if os.path.islink(path) else error.strerror or str(error))
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        _warn(path, "not a regular file")
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            return read(handle)
        except Exception as error:  # noqa: BLE001 - whatever is wrong with the file, it is rebuilt
            _warn(path, f"{type(error).__name__}: {error}"[:200])
            return None


def _warn(path: Path, reason: str) -> None:
    log.warning("Ignoring the cache file %s (%s); building it again.", path, reason)


def save(kind: str, key: str, files: dict[str, Callable[[IO[bytes]], object]]) -> None:
    """Writes each ``suffix -> write(handle)`` atomically, then removes ``kind``'s other
    files. A read-only or full disk is not an error: the next process builds again."""
    try:
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        written = set()
        for suffix, write in files.items():
            path = cache_path(kind, key, suffix)
            temp = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            try:
                with os.fdopen(fd, "wb") as handle:
                    write(handle)
                os.replace(temp, path)
            except BaseException:
                temp.unlink(missing_ok=True)
                raise
            written.add(path.name)
        for old in folder.glob(f"{kind}-*"):
            if old.name not in written:
                old.unlink(missing_ok=True)
    except OSError as error:
        log.debug("cannot write the %s cache in %s (%s)", kind, cache_dir(), error)

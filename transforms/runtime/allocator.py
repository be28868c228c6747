"""glibc's allocator, told to keep the memory NER frees for the next batch."""

from __future__ import annotations

import ctypes
import os
import platform

# glibc's mallopt parameters (malloc.h) and the environment variables that set them.
_ALLOCATOR_SETTINGS = (
    (-3, "MALLOC_MMAP_THRESHOLD_", 32 << 20),
    (-1, "MALLOC_TRIM_THRESHOLD_", 256 << 20),
    (-2, "MALLOC_TOP_PAD_", 64 << 20),
)


def keep_freed_memory() -> bool:
    """Lets glibc keep memory it gets back instead of returning it to the kernel at once.

    NER allocates and frees large arrays for every batch; with glibc's defaults each goes
    back to the kernel and is faulted in again, and on 600 articles that was 3.5 s of
    system time next to 11 s of user time (``make bench``'s NER-only limit, which calls
    this too). Freed memory is reused by the next batch, so peak RSS does not change.
    The same settings go into the environment, so worker processes Beam starts from this
    one have them from their first allocation. Returns whether the settings took (glibc
    only; elsewhere it does nothing).
    """
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    values = [(option, _setting(variable, value)) for option, variable, value in _ALLOCATOR_SETTINGS]
    return all(mallopt(option, value) == 1 for option, value in values)


def _setting(variable: str, default: int) -> int:
    """The value already in the environment (the user's choice), else ours, exported."""
    try:
        return int(os.environ.setdefault(variable, str(default)))
    except ValueError:
        return default

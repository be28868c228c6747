"""Why a batch run stopped, in one line a person reads: Ctrl-C, or a full disk.

Beam wraps what a step raised in its own exception and logs its traceback before it
reaches copydesk; for these two causes the traceback says nothing the line does not.
"""

from __future__ import annotations

import errno
import logging
import re
import signal
import tempfile
from contextlib import contextmanager
from typing import Iterator

_NO_SPACE = re.compile(r"\[Errno 28\]|No space left on device")
_STEP = re.compile(r"\[while running '([^']+)'\]")


class RunStopped(Exception):
    """The run stopped for a reason said in one sentence; ``code`` is the exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def readable_failures(output: str) -> Iterator[None]:
    """Turn Ctrl-C (exit 130) and a full disk (exit 1) during a run into ``RunStopped``."""
    interrupted = False
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(_signum, _frame) -> None:
        nonlocal interrupted
        interrupted = True
        logging.disable(logging.CRITICAL)  # Beam logs the interrupt as a step's failure
        raise KeyboardInterrupt

    quiet = _QuietNoSpace()
    handlers = logging.getLogger().handlers
    for handler in handlers:
        handler.addFilter(quiet)
    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    except BaseException as error:
        if interrupted or isinstance(error, KeyboardInterrupt):
            raise RunStopped(
                "interrupted; the files this run already wrote stay in the output, and running "
                "the same command again replaces them", 130) from None
        where = full_disk(error, output)
        if where is None:
            raise
        raise RunStopped(f"the disk holding {where} is full (No space left on device); free some "
                         f"space, then run the same command again", 1) from None
    finally:
        signal.signal(signal.SIGINT, previous)
        logging.disable(logging.NOTSET)
        for handler in handlers:
            handler.removeFilter(quiet)


def full_disk(error: BaseException, output: str) -> str | None:
    """Where the disk is full if ``error`` (or what caused it) says it is, else None: the
    file named by the error, the output folder when a write step failed, else the
    output or the temporary folder."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC and seen.filename:
            return str(seen.filename)
        seen = seen.__cause__ or seen.__context__
    text = str(error)
    if not _NO_SPACE.search(text) and not (isinstance(error, OSError) and error.errno == errno.ENOSPC):
        return None
    step = _STEP.search(text)
    if step and step[1].startswith("Write"):
        return f"the output folder {output}"
    return f"the output folder {output} or the temporary folder {tempfile.gettempdir()}"


class _QuietNoSpace(logging.Filter):
    """Drops Beam's traceback of a step that failed for a full disk: the run says it once."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("apache_beam"):
            return True
        return not _NO_SPACE.search(record.getMessage())

"""Waiting out a server that is down: backoff between tries, and a log a person can read.

A worker that loses its broker or its state database for an hour should say so once, then
once a minute, not once a try, and say once when the server answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

# How often a still-running outage is reported again.
REPORT_EVERY = 60.0


class Backoff:
    """Exponential backoff with a ceiling, for a server that is down or restarting."""

    def __init__(self, first: float = 1.0, ceiling: float = 30.0) -> None:
        self.first = first
        self.ceiling = ceiling
        self.delay = first

    def next(self) -> float:
        delay, self.delay = self.delay, min(self.delay * 2, self.ceiling)
        return delay

    def reset(self) -> None:
        self.delay = self.first


class Outage:
    """The outage of one server, shared by every thread of the process that waits on it:
    ``failed`` warns at the first failure and then at most once a minute, ``answered``
    says once that the server is back."""

    def __init__(self, server: str, log: logging.Logger,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.server = server
        self.log = log
        self.clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._reported = 0.0
        self._failures = 0

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def failed(self, what: str, reason: str) -> None:
        with self._lock:
            now = self.clock()
            self._failures += 1
            if self._since is None:
                self._since, self._reported = now, now
                self.log.warning("%s is unreachable while %s (%s); waiting for it, retrying with "
                                 "backoff (reported again once a minute).", self.server, what, reason)
            elif now - self._reported >= REPORT_EVERY:
                self._reported = now
                self.log.warning("%s is still unreachable after %.0f s (%d tries; %s); waiting.",
                                 self.server, now - self._since, self._failures, reason)

    def answered(self, what: str) -> None:
        if self._since is None:
            return
        with self._lock:
            if self._since is None:
                return
            self.log.warning("%s answers again after %.0f s; %s resumes.", self.server,
                             self.clock() - self._since, what)
            self._since, self._failures = None, 0


def short_error(error: BaseException | str) -> str:
    """An error as one line for a log or a reason: its words, at most 200 characters (a
    server's message may run over several lines)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) < 200 else text[:197] + "..."


def sleep_unless(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Sleep, waking early when ``should_stop`` turns true."""
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

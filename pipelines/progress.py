"""A running batch, shown while it runs: files read, inputs done, rate and time left.

On a terminal, two tqdm bars on stderr; at ``--log-level INFO``, a log line every
``log_every`` seconds; otherwise nothing. The counts are ``transforms.runtime.progress``'s, so
they move when the work runs in this process (Beam's local runner, in-memory mode); with
workers elsewhere the bars never appear.
"""

import logging
import sys
import threading
import time
from typing import TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from transforms.runtime import progress

log = logging.getLogger(__name__)


class ProgressDisplay:
    """A context manager around a run; ``bar`` None: bars only when ``stream`` is a TTY."""

    def __init__(self, stream: TextIO = sys.stderr, bar: bool | None = None,
                 interval: float = 0.5, log_every: float = 10.0) -> None:
        self.stream = stream
        self.bar = stream.isatty() if bar is None else bar
        self.interval = interval
        self.log_every = log_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="copydesk-progress", daemon=True)
        self._bars: dict[str, tqdm] = {}
        self._redirect = logging_redirect_tqdm() if self.bar else None

    def __enter__(self) -> "ProgressDisplay":
        progress.reset()
        self._started = self._logged = time.monotonic()
        if self._redirect is not None:
            # Log lines go above the bars instead of through them.
            self._redirect.__enter__()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.update()
        for bar in self._bars.values():
            bar.close()
        if self._redirect is not None:
            self._redirect.__exit__(*exc)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.update()

    def update(self) -> None:
        counts = progress.snapshot()
        if self.bar:
            self._show("files", counts.get(progress.FILES_READ, 0),
                       counts.get(progress.FILES_FOUND, 0), "file")
            self._show("inputs done", counts.get(progress.DONE, 0),
                       counts.get(progress.INPUTS, 0), "input")
        now = time.monotonic()
        if now - self._logged >= self.log_every and log.isEnabledFor(logging.INFO):
            self._logged = now
            log.info("%s", describe(counts, now - self._started))

    def _show(self, name: str, done: int, total: int, unit: str) -> None:
        bar = self._bars.get(name)
        if bar is None:
            if not total:
                return
            bar = self._bars[name] = tqdm(desc=name, unit=unit, file=self.stream,
                                          position=len(self._bars), dynamic_ncols=True)
        # Totals grow while the inputs are listed and read.
        bar.total = max(total, done)
        bar.update(done - bar.n)


def describe(counts: dict[str, int], seconds: float) -> str:
    """One line of progress for the log."""
    done = counts.get(progress.DONE, 0)
    return (f"progress: {counts.get(progress.FILES_READ, 0)} of "
            f"{counts.get(progress.FILES_FOUND, 0)} files read, {done} of "
            f"{counts.get(progress.INPUTS, 0)} inputs done ({done / max(seconds, 1e-9):.1f}/s) "
            f"after {seconds:.0f} s")

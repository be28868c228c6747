"""How far a run has got, counted in this process for the launcher's progress display.

Beam's metrics reach the launcher only when the run ends; these counts are read while it
runs. They see the work done in this process, which is all of it on Beam's local runner in
its default in-memory mode, and none of it on workers elsewhere (the display then stays
quiet, and the summary still comes from Beam's metrics).
"""

import threading
from collections import Counter

import apache_beam as beam

FILES_FOUND = "files found"
FILES_READ = "files read"
INPUTS = "inputs"
# An input is done once tagged as an article, or rejected.
DONE = "inputs done"

_counts: Counter[str] = Counter()
_lock = threading.Lock()


def add(name: str, n: int = 1) -> None:
    with _lock:
        _counts[name] += n


def snapshot() -> dict[str, int]:
    with _lock:
        return dict(_counts)


def reset() -> None:
    with _lock:
        _counts.clear()


class Tick(beam.DoFn):
    """Counts the elements passing through under ``name`` and passes them on unchanged."""

    def __init__(self, name: str) -> None:
        self.name = name

    def process(self, element):
        add(self.name)
        yield element

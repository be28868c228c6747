"""Running copydesk as a user does, and measuring it: the command line of a batch run, and
the wall time, CPU time and peak RSS of a process with all its descendants. Shared by
``bench.run`` and ``bench.scale``."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Sequence

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Measured:
    """Wall time, CPU time (user + system, the process and every descendant it waited
    for), peak RSS and how it ended."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    output: str = ""
    cpu_seconds: float = 0.0


def measure(command: Sequence[str], timeout: float = 3600, interval: float = 0.1) -> Measured:
    """Run ``command`` from the repository root; wall time and peak RSS of the process and
    all its descendants (summed, so pages shared by forked workers count once per process)."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   env=environment())
        peak = 0
        watched = psutil.Process(process.pid)
        while process.poll() is None:
            total = 0
            try:
                for proc in [watched, *watched.children(recursive=True)]:
                    try:
                        total += proc.memory_info().rss
                    except psutil.NoSuchProcess:
                        continue
            except psutil.NoSuchProcess:
                pass
            peak = max(peak, total)
            if time.perf_counter() - started > timeout:
                process.kill()
                break
            time.sleep(interval)
        process.wait()
        seconds = time.perf_counter() - started
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(round(seconds, 2), round(peak / 2**20, 1), process.returncode, output[-4000:],
                    round(cpu, 2))


def environment() -> dict[str, str]:
    """This environment with the repository first on PYTHONPATH (``bench`` is not installed)."""
    paths = [REPO_ROOT, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


# Both cores locally: Beam's FnApiRunner with two worker processes.
MULTI = ("--direct_num_workers", "2", "--direct_running_mode", "multi_processing")


def copydesk_batch(corpus: str, output: str, beam_args: Sequence[str] = (),
                   without_ner: bool = False) -> list[str]:
    entry = ["-m", "bench.run", "batch-without-ner"] if without_ner else ["-m", "pipelines.cli"]
    return [sys.executable, *entry, "batch", corpus, "--output", output, *beam_args]


def checked(result: Measured, what: str) -> Measured:
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed with exit code {result.returncode}:\n{result.output}")
    return result


def parse_sizes(text: str) -> tuple[int, ...]:
    parts = [part.strip().lower() for part in text.split(",") if part.strip()]
    return tuple(int(float(part.replace("k", "e3"))) for part in parts)

"""A micro-batch that keeps failing is split in halves until the record that makes it
fail is alone; that record becomes a reject and the rest of the batch is written.

The halves of batch ``STEM`` write under ``STEM-a`` and ``STEM-b`` (and so on down), so a
replay that splits the same way rewrites the same files. Before a batch is split, what
its failed runs left under its own stem is deleted; before a replayed batch runs, what
an earlier split of it left is deleted: either way no row is written twice.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Callable

import pyarrow.fs as pafs

from transforms.runtime.outage import short_error
from pipelines.summary import BatchResult
from schemas.arrow import TABLES
from schemas.records import RawInput
from transforms.writing.write import filesystem, stale_files

log = logging.getLogger(__name__)

Run = Callable[[str, list[RawInput]], BatchResult]


class NotOneRecord(RuntimeError):
    """The batch fails even with its failing record set aside: the cause is not a record."""


class Abandoned(RuntimeError):
    """The worker was asked to stop while it was isolating a record."""


def isolate(run: Run, stem: str, inputs: list[RawInput], error: BaseException, output: str,
            stopping: Callable[[], bool]) -> BatchResult:
    """``run`` the batch ``stem`` of ``inputs``, which failed with ``error``, in halves."""
    if stopping():
        raise Abandoned(stem)
    remove_files(output, stem)
    if len(inputs) == 1:
        return _reject_alone(run, stem, inputs[0], error)
    half = len(inputs) // 2
    results = []
    for part, sub in ((inputs[:half], f"{stem}-a"), (inputs[half:], f"{stem}-b")):
        if stopping():
            raise Abandoned(stem)
        try:
            results.append(run(sub, part))
        except Exception as failure:  # any failure: split this half again
            results.append(isolate(run, sub, part, failure, output, stopping))
    return merged(results)


def _reject_alone(run: Run, stem: str, item: RawInput, error: BaseException) -> BatchResult:
    reason = (f"copydesk failed on this record ({short_error(error)}); it is set aside so that its "
              f"partition goes on.")
    log.warning("%s: set aside as a reject: %s", item.source, reason)
    try:
        return run(stem, [dataclasses.replace(item, problem=reason)])
    except Exception as failure:
        raise NotOneRecord(
            f"the batch fails even without its records ({short_error(failure)})"
        ) from failure


def merged(results: list[BatchResult]) -> BatchResult:
    total = BatchResult()
    for result in results:
        total.files += result.files
        total.seconds += result.seconds
        for mine, theirs in ((total.counts, result.counts),
                             (total.rejects_by_reason, result.rejects_by_reason),
                             (total.languages, result.languages), (total.entities, result.entities)):
            for key, value in theirs.items():
                mine[key] = mine.get(key, 0) + value
    return total


def remove_files(output: str, stem: str) -> None:
    """Delete the dataset files of ``stem`` (a failed run may have written some)."""
    fs, root = filesystem(output)
    for path in stale_files(fs, root, stem, keep=set(), temporary=True):
        fs.delete_file(path)


def remove_split_files(output: str, stem: str) -> None:
    """Delete the files the halves of ``stem`` wrote when an earlier run split it."""
    fs, root = filesystem(output)
    pattern = re.compile(re.escape(stem) + r"(?:-[ab])+-\d{5}\.parquet")
    for table in TABLES:
        base = f"{root}/{table}"
        for info in fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True)):
            if info.type == pafs.FileType.File and pattern.fullmatch(info.base_name):
                fs.delete_file(info.path)

"""A batch that a record makes fail is split until that record is alone: it becomes a
reject, the rest is written, and a replay that does not split leaves no row twice."""

from __future__ import annotations

import collections
import os
import random
from datetime import datetime, timezone

import pyarrow.dataset as ds
import pytest

from pipelines.batch import STAGE_FAILPOINT_ENV, BatchConfig, RecordsPipeline
from pipelines.stream.isolation import NotOneRecord, isolate, remove_split_files
from schemas.records import RawInput
from tests.pipelines.stream.test_stream import article

MARKER = "POISON-FOR-A-STAGE"
T1 = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


def raw(n: int, poison: bool = False) -> RawInput:
    body = article(random.Random(n), n) + (f" {MARKER}".encode() if poison else b"")
    return RawInput(source=f"kafka://t/0/{n}", raw=body, order=f"{n:020d}")


def sources(output: str) -> dict[str, list[str]]:
    found = collections.defaultdict(list)
    for table in ("articles", "duplicates", "rejects"):
        path = os.path.join(output, table)
        data = ds.dataset(path, format="parquet", partitioning="hive") if os.path.isdir(path) else None
        if data is not None and data.files:
            for row in data.to_table(columns=["source"]).to_pylist():
                found[row["source"]].append(table)
    return found


@pytest.fixture
def failing(tmp_path, monkeypatch):
    monkeypatch.setenv(STAGE_FAILPOINT_ENV, MARKER)
    built = RecordsPipeline(str(tmp_path / "out"), BatchConfig(skip_entities=True))
    yield built
    built.close()


def test_the_record_that_fails_is_set_aside_and_the_rest_written(failing, tmp_path, monkeypatch):
    output = str(tmp_path / "out")
    inputs = [raw(n, poison=n == 5) for n in range(8)]

    def run(stem, part):
        return failing.run(part, stem, T1)

    with pytest.raises(RuntimeError) as failed:
        run("kafka-t-p0-0-7", inputs)
    result = isolate(run, "kafka-t-p0-0-7", inputs, failed.value, output, lambda: False)
    found = sources(output)
    assert found == {f"kafka://t/0/{n}": ["rejects" if n == 5 else "articles"] for n in range(8)}
    assert result.counts == {"articles": 7, "duplicates": 0, "rejects": 1}
    [reason] = result.rejects_by_reason
    assert reason.startswith("copydesk failed on this record")

    # A replay that no longer fails (the cause fixed) replaces the halves' files.
    remove_split_files(output, "kafka-t-p0-0-7")
    monkeypatch.delenv(STAGE_FAILPOINT_ENV)
    fixed = RecordsPipeline(output, BatchConfig(skip_entities=True))
    try:
        fixed.run(inputs, "kafka-t-p0-0-7", T1)
    finally:
        fixed.close()
    assert sources(output) == {f"kafka://t/0/{n}": ["articles"] for n in range(8)}


def test_a_batch_failing_without_its_records_is_not_a_records_fault(tmp_path):
    def run(stem, part):
        raise OSError("the state database is down")

    with pytest.raises(NotOneRecord, match="even without its records"):
        isolate(run, "kafka-t-p0-0-3", [raw(n) for n in range(4)], OSError("down"),
                str(tmp_path / "out"), lambda: False)

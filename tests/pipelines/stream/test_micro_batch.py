"""The streaming worker's pipeline, built once and run per micro-batch: each run reads its
own records, stem and ``ingested_at`` (nothing of an earlier batch leaks into a later
one), and a batch run again writes the same rows under the same names."""

from __future__ import annotations

import logging
import os
import random
from datetime import datetime, timedelta, timezone

import dill
import pyarrow.dataset as ds
import pytest
from apache_beam.internal import pickler

from pipelines.batch import BatchConfig, RecordsPipeline
from pipelines.stream.micro_batch import steady_dill_logger
from schemas.records import RawInput
from tests.pipelines.stream.test_stream import article

T1 = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
T2 = T1 + timedelta(hours=5)


def raw(n: int, text: bytes | None = None) -> RawInput:
    body = article(random.Random(n), n) if text is None else text
    return RawInput(source=f"kafka://t/0/{n}", raw=body, order=f"{n:020d}")


def rows(output: str, table: str) -> list[dict]:
    path = os.path.join(output, table)
    if not os.path.isdir(path):
        return []
    table_ = ds.dataset(path, format="parquet", partitioning="hive").to_table(
        columns=["source", "ingested_at"])
    return sorted(table_.to_pylist(), key=lambda r: r["source"])


def by_stem(output: str, stem: str) -> list[str]:
    return sorted(name for _, _, names in os.walk(output) for name in names if name.startswith(stem))


@pytest.fixture
def pipeline(tmp_path):
    built = RecordsPipeline(str(tmp_path / "out"), BatchConfig())
    yield built
    built.close()


def test_each_run_reads_its_own_batch(pipeline, tmp_path):
    output = str(tmp_path / "out")
    first = pipeline.run([raw(1), raw(2)], "batch-a", T1)
    second = pipeline.run([raw(3), raw(4, b"   ")], "batch-b", T2)

    assert first.counts == {"articles": 2, "duplicates": 0, "rejects": 0}
    assert second.counts == {"articles": 1, "duplicates": 0, "rejects": 1}
    [(reason, count)] = second.rejects_by_reason.items()
    assert reason.startswith("The input is empty") and count == 1
    assert by_stem(output, "batch-a") and by_stem(output, "batch-b")
    articles = rows(output, "articles")
    assert [(r["source"], r["ingested_at"]) for r in articles] == [
        ("kafka://t/0/1", T1), ("kafka://t/0/2", T1), ("kafka://t/0/3", T2)]
    assert [(r["source"], r["ingested_at"]) for r in rows(output, "rejects")] == [("kafka://t/0/4", T2)]


def test_a_batch_run_again_rewrites_the_same_files_with_the_same_rows(pipeline, tmp_path):
    output = str(tmp_path / "out")
    pipeline.run([raw(5), raw(6)], "batch-c", T1)
    names, before = by_stem(output, "batch-c"), rows(output, "articles")
    pipeline.run([raw(7)], "batch-d", T2)
    pipeline.run([raw(5), raw(6)], "batch-c", T1)
    assert by_stem(output, "batch-c") == names
    assert [r for r in rows(output, "articles") if r["source"] != "kafka://t/0/7"] == before


def test_another_runner_mode_runs_the_same_graph_each_batch(tmp_path):
    output = str(tmp_path / "out")
    threaded = RecordsPipeline(output, BatchConfig(), ["--direct_running_mode=multi_threading",
                                                       "--direct_num_workers=2"])
    try:
        threaded.run([raw(8)], "batch-e", T1)
        threaded.run([raw(9)], "batch-f", T2)
    finally:
        threaded.close()
    assert [(r["source"], r["ingested_at"]) for r in rows(output, "articles")] == [
        ("kafka://t/0/8", T1), ("kafka://t/0/9", T2)]


def test_dofns_given_their_windowing_once_write_what_beams_own_set_up_writes(tmp_path):
    # The local runner runs the proto whose DoFns carry their windowing already; another
    # runner mode sets each DoFn up as Beam does (windowing added per stage, per run).
    inputs = [raw(10), raw(11), raw(12, b"   "), raw(13, article(random.Random(10), 10))]
    found = {}
    for name, args in (("once", []), ("beam", ["--direct_running_mode=multi_threading"])):
        output = str(tmp_path / name)
        built = RecordsPipeline(output, BatchConfig(), args)
        try:
            built.run(inputs, "batch-w", T1)
            built.run(inputs[:1], "batch-x", T2)
        finally:
            built.close()
        found[name] = {table: all_rows(output, table) for table in ("articles", "duplicates", "rejects")}
    assert found["once"]["articles"] and found["once"]["duplicates"] and found["once"]["rejects"]
    assert found["once"] == found["beam"]


def all_rows(output: str, table: str) -> list[dict]:
    path = os.path.join(output, table)
    return sorted(ds.dataset(path, format="parquet", partitioning="hive").to_table().to_pylist(),
                  key=lambda r: (r["source"], str(r.get("ingested_at"))))


def test_spools_of_killed_workers_are_removed_and_live_ones_kept(tmp_path):
    import signal
    import subprocess
    import sys
    import textwrap

    from pipelines.stream.micro_batch import SPOOL_PREFIX, Spool, remove_orphans

    script = textwrap.dedent("""
        import signal
        from pipelines.stream.micro_batch import Spool
        spool = Spool()
        print(spool.folder, flush=True)
        signal.pause()
    """)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    workers = [subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True,
                                env={**os.environ, "TMPDIR": str(tmp_path)}) for _ in range(2)]
    killed, alive = (w.stdout.readline().strip() for w in workers)
    workers[0].send_signal(signal.SIGKILL)
    workers[0].wait()
    older = tmp_path / f"{SPOOL_PREFIX}from-an-older-worker"
    older.mkdir()
    os.utime(older, (0, 0))
    mine = Spool(str(tmp_path / f"{SPOOL_PREFIX}mine"))
    try:
        assert sorted(remove_orphans(str(tmp_path))) == sorted([killed, str(older)])
        assert os.path.isdir(alive) and os.path.isdir(mine.folder)
    finally:
        workers[1].kill()
        workers[1].wait()
        mine.close()
    assert not os.path.exists(mine.folder)


def test_dills_logger_follows_beams_pickler_and_keeps_other_caches_when_unchanged():
    steady_dill_logger()
    log, other = dill.dill.log, logging.getLogger("copydesk.test.cache")
    other.isEnabledFor(logging.INFO)
    assert pickler.loads(pickler.dumps({"a": 1})) == {"a": 1}
    assert log.level == logging.WARN and logging.INFO in other._cache
    dill.dill._trace(True)
    assert log.level == logging.INFO and logging.INFO not in other._cache
    dill.dill._trace(False)
    assert log.level == logging.WARN

"""Scale-out: the batch pipeline, unchanged, on Beam's PortableRunner against a local job
service, its work done by SDK workers that an external worker pool starts in separate
processes (the protocol of Flink's and Spark's portable runners). The output must be the
DirectRunner's, row for row."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pyarrow.dataset as ds
import pytest

from bench.corpus import CorpusConfig, build
from bench.portable import REPO_ROOT, start_services

pytestmark = pytest.mark.slow

COMPARED = ("text", "title", "language", "entities", "duplicate_of")


@pytest.fixture(scope="module")
def services(request, tmp_path_factory):
    started = start_services(str(tmp_path_factory.mktemp("portable-logs")))
    request.addfinalizer(started.stop)
    return started


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> str:
    """The seeds and a small generated corpus with reprints, exact copies and bad inputs."""
    root = tmp_path_factory.mktemp("inputs")
    shutil.copytree(os.path.join(REPO_ROOT, "seeds"), root / "seeds")
    build(str(root / "generated"), CorpusConfig(articles=30, seed=11, reprint_share=0.25,
                                                exact_share=0.1, bad_share=0.1, mean_bytes=1500))
    return str(root)


def run_batch(inputs: str, output: str, beam_args: list[str]) -> None:
    command = [sys.executable, "-m", "pipelines.cli", "batch", inputs, "--output", output, *beam_args]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]


def rows(output: str, table: str) -> dict[str, dict]:
    path = os.path.join(output, table)
    if not os.path.isdir(path):
        return {}
    found = ds.dataset(path, format="parquet", partitioning="hive").to_table().to_pylist()
    return {row["id"]: row for row in found}


def comparable(row: dict) -> tuple:
    return tuple(row.get(name) for name in COMPARED)


def test_portable_runner_with_external_workers_matches_direct_runner(services, inputs, tmp_path):
    direct, portable = str(tmp_path / "direct"), str(tmp_path / "portable")
    run_batch(inputs, direct, [])
    run_batch(inputs, portable, services.pipeline_args())

    for table in ("articles", "duplicates"):
        expected, got = rows(direct, table), rows(portable, table)
        assert expected, f"the DirectRunner wrote no {table}"
        assert sorted(got) == sorted(expected), f"{table}: different ids"
        for article_id, row in expected.items():
            assert comparable(got[article_id]) == comparable(row), f"{table}: {article_id} differs"
    expected_rejects = {i: r["reason"] for i, r in rows(direct, "rejects").items()}
    assert expected_rejects
    assert {i: r["reason"] for i, r in rows(portable, "rejects").items()} == expected_rejects

    seeds = [r for r in rows(portable, "articles").values() if r["source"].startswith("seeds/")]
    assert len(seeds) == 5 and all(r["language"] == "en" for r in seeds)
    assert any(e["text"] == "Vladimir Putin" for r in seeds for e in r["entities"])
    # The work ran in SDK workers that the external pool started, not in this process or
    # the job service.
    with open(os.path.join(services.log_dir, "worker_pool.log"), encoding="utf-8") as log:
        assert "Starting worker with command" in log.read()

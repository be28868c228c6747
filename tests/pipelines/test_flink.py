"""The batch pipeline on Apache Flink gives the default runner's rows, row for row, and the
same summary: ``copydesk batch --runner FlinkRunner`` with parallelism 2, on the embedded
Flink that set-up provides (``make flink``) and on a Flink cluster (``--flink_master``).

Every column is compared except ``ingested_at`` (the time of the run). The inputs: the
seeds, the regression corpus (``test_regression``) and a generated corpus of 2,000 inputs
with reprints, exact copies, damaged and bad inputs, and entities.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.corpus import CorpusConfig, build
from bench.portable import free_port
from pipelines import flink
from tests.pipelines.test_regression import CORPUS, SEEDS, rows

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATED = CorpusConfig(articles=2000, seed=18)
FLINK = ["--runner", "FlinkRunner", "--parallelism", "2"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("flink-inputs")
    shutil.copytree(SEEDS, root / "seeds")
    build(str(root / "regression"), CORPUS)
    build(str(root / "generated"), GENERATED)
    return {name: root / name for name in ("seeds", "regression", "generated")}


def copydesk_batch(inputs: Path, output: Path, beam_args: list[str]) -> str:
    """Run the command as a user does; its summary, without the lines that name the run's
    folder and time."""
    command = [sys.executable, "-m", "pipelines.cli", "batch", str(inputs), "--output", str(output),
               *beam_args]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-4000:]
    return "\n".join(line for line in done.stdout.splitlines()
                     if not line.startswith("copydesk wrote") and "wall time" not in line)


def without_ingested_at(found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {table: [{k: v for k, v in row.items() if k != "ingested_at"} for row in table_rows]
            for table, table_rows in found.items()}


def assert_same_rows(expected_dir: Path, got_dir: Path) -> None:
    expected, got = without_ingested_at(rows(expected_dir)), without_ingested_at(rows(got_dir))
    assert {t: len(r) for t, r in got.items()} == {t: len(r) for t, r in expected.items()}
    for table, table_rows in expected.items():
        for want, have in zip(table_rows, got[table]):
            assert have == want, f"{table} row {want['id']} ({want['source']}) differs on Flink"


@pytest.mark.parametrize("name", ["seeds", "regression", "generated"])
def test_flink_writes_the_default_runners_rows_and_summary(inputs, tmp_path, name):
    default_summary = copydesk_batch(inputs[name], tmp_path / "default", [])
    flink_summary = copydesk_batch(inputs[name], tmp_path / "flink", FLINK)
    assert_same_rows(tmp_path / "default", tmp_path / "flink")
    assert flink_summary == default_summary
    if name == "generated":
        found = rows(tmp_path / "flink")
        assert len(found["duplicates"]) > 100 and len(found["rejects"]) > 10
        assert sum(len(r["entities"]) for r in found["articles"]) > 1000


@pytest.fixture(scope="module")
def flink_cluster(tmp_path_factory):
    """A Flink cluster of its own process (Beam's mini-cluster entry point, from the jars
    set-up fetched): one task manager with two slots, its REST endpoint on a free port."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("flink-cluster") / "cluster.log"
    command = ["java", "-cp", flink.job_server_jar(),
               "org.apache.beam.runners.flink.FlinkMiniClusterEntryPoint",
               "--rest-port", str(port), "--num-task-slots-per-taskmanager", "2"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while overview(port) is None:
            assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, f"the Flink cluster did not start; see {log_path}"
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def overview(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/overview", timeout=2) as response:
            return json.load(response)
    except OSError:
        return None


def test_flink_master_sends_the_job_to_a_cluster(inputs, flink_cluster, tmp_path):
    before = overview(flink_cluster)["jobs-finished"]
    default_summary = copydesk_batch(inputs["seeds"], tmp_path / "default", [])
    cluster_summary = copydesk_batch(inputs["seeds"], tmp_path / "cluster",
                                     [*FLINK, "--flink_master", f"localhost:{flink_cluster}"])
    assert overview(flink_cluster)["jobs-finished"] == before + 1
    assert_same_rows(tmp_path / "default", tmp_path / "cluster")
    assert cluster_summary == default_summary


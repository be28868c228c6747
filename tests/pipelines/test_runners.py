"""Runner names and runner options: what the command line accepts, and the defaults a
runner gets (``pipelines.runners``, ``pipelines.flink``)."""

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines import flink
from pipelines.cli import check_leftovers, main, parser
from pipelines.runners import LOCAL_RUNNER, RunnerError, check_runner, pipeline_args, runner_path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def batch_parser():
    root = parser("batch")
    return next(a for a in root._actions if a.dest == "command").choices["batch"]


@pytest.mark.parametrize("name", ["Flinq", "Dataflw", "spark-runner"])
def test_an_unknown_runner_is_one_line_and_exit_2(tmp_path, capsys, name):
    output = tmp_path / "out"
    code = main(["batch", str(SEEDS), "--output", str(output), "--runner", name])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith(f"copydesk: error: unknown runner '{name}'")
    assert "; choose one of FnApiRunner" in err[0]
    assert "FlinkRunner" in err[0] and "Traceback" not in err[0]
    assert not output.exists()


def test_a_misspelt_runner_names_the_closest(tmp_path, capsys):
    code = main(["batch", str(SEEDS), "--output", str(tmp_path / "out"), "--runner", "FlinkRuner"])
    [err] = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err.startswith("copydesk: error: unknown runner 'FlinkRuner' (did you mean FlinkRunner?); choose")


def test_a_runner_class_that_does_not_exist_is_one_line(tmp_path, capsys):
    code = main(["batch", str(SEEDS), "--output", str(tmp_path / "out"),
                 "--runner", "apache_beam.runners.portability.flink_runner.FlinkRunnr"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "cannot be loaded" in err[0] and "FlinkRunnr" in err[0]


@pytest.mark.parametrize("name, path", [
    ("FlinkRunner", "apache_beam.runners.portability.flink_runner.FlinkRunner"),
    ("flink", "apache_beam.runners.portability.flink_runner.FlinkRunner"),
    ("SparkRunner", "apache_beam.runners.portability.spark_runner.SparkRunner"),
    ("DataflowRunner", "apache_beam.runners.dataflow.dataflow_runner.DataflowRunner"),
    ("FnApiRunner", LOCAL_RUNNER),
    ("DaskRunner", "apache_beam.runners.dask.dask_runner.DaskRunner"),
    (LOCAL_RUNNER, LOCAL_RUNNER),
])
def test_runner_names_resolve_as_beam_resolves_them(name, path):
    assert runner_path(name) == path


@pytest.mark.parametrize("flags", [
    ["--runner", "FlinkRunner", "--flink_master", "host:8081", "--flink_job_server_jar", "j.jar",
     "--parallelism", "4", "--flink_submit_uber_jar"],
    ["--runner", "SparkRunner", "--spark_master_url", "spark://h:7077", "--spark_rest_url", "http://h:6066",
     "--spark_job_server_jar", "j.jar"],
    ["--runner", "DataflowRunner", "--project", "p", "--region", "europe-west1",
     "--temp_location", "gs://b/t", "--sdk_container_image", "img", "--max_num_workers", "8"],
    ["--runner", "PortableRunner", "--job_endpoint", "localhost:8099", "--environment_type", "EXTERNAL",
     "--environment_config", "localhost:50000", "--sdk_worker_parallelism", "2"],
])
def test_every_runners_options_pass_the_flag_check(flags):
    check_leftovers("batch", flags, batch_parser())


def test_dask_options_pass_or_the_runner_says_what_to_install(tmp_path, capsys):
    """Beam's Dask options live in a module that imports dask: with dask they are known
    flags, without it the runner's error says what to install, before any flag check."""
    argv = ["batch", "/nonexistent", "--output", str(tmp_path / "out"),
            "--runner", "DaskRunner", "--dask_client_address", "localhost:8786"]
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    if importlib.util.find_spec("dask") is not None:
        assert "Input '/nonexistent' does not exist" in err[0]
    else:
        assert err[0].startswith("copydesk: error: runner 'DaskRunner' needs a package")
        assert "apache-beam[dask]==" in err[0]


def test_check_runner_accepts_what_loads_here():
    assert check_runner("FlinkRunner").endswith("flink_runner.FlinkRunner")
    with pytest.raises(RunnerError, match="unknown runner"):
        check_runner("Flinq")


def test_the_local_runner_by_its_full_name_comes_last():
    args = pipeline_args(["--runner", "FnApiRunner", "--direct_num_workers", "2"])
    assert args[-1] == f"--runner={LOCAL_RUNNER}"
    assert pipeline_args([])[-1] == f"--runner={LOCAL_RUNNER}"
    assert pipeline_args(["--runner=PortableRunner"])[-1] == "--runner=PortableRunner"


@pytest.fixture
def set_up(tmp_path, monkeypatch):
    """An environment whose set-up has put the job server where copydesk looks."""
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    jar = Path(flink.job_server_jar())
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"")
    return jar


def options(args):
    return PipelineOptions(pipeline_args(args)).get_all_options(drop_default=True)


def test_flink_alone_gets_the_jar_an_embedded_flink_on_every_core_and_worker_processes(set_up):
    got = options(["--runner", "FlinkRunner"])
    assert got["flink_job_server_jar"] == str(set_up)
    assert got["flink_master"] == "[local]"
    assert got["parallelism"] == os.cpu_count()
    assert got["environment_type"] == "PROCESS"
    command = json.loads(got["environment_config"])["command"]
    assert os.path.basename(command) == "copydesk-sdk-worker" and os.access(command, os.X_OK)
    assert int(got["sdk_worker_parallelism"]) == os.cpu_count()
    assert got["default_sdk_harness_log_level"] == "WARN"


def test_flink_keeps_what_is_given(set_up):
    got = options(["--runner", "FlinkRunner", "--flink_master", "jm:8081", "--parallelism", "8",
                   "--environment_type", "EXTERNAL", "--environment_config", "localhost:50000",
                   "--flink_job_server_jar", "/opt/js.jar"])
    assert (got["flink_master"], got["parallelism"], got["environment_type"]) == ("jm:8081", 8, "EXTERNAL")
    assert got["environment_config"] == "localhost:50000"
    assert got["flink_job_server_jar"] == "/opt/js.jar"
    assert "sdk_worker_parallelism" not in got


def test_flink_on_a_cluster_leaves_parallelism_to_the_cluster(set_up):
    got = options(["--runner", "FlinkRunner", "--flink_master", "jm:8081"])
    assert "parallelism" not in got and "sdk_worker_parallelism" not in got
    assert got["environment_type"] == "PROCESS"


def test_flink_without_set_up_is_one_sentence(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    with pytest.raises(RunnerError, match=r"not set up .* run `make flink`"):
        pipeline_args(["--runner", "FlinkRunner"])
    code = main(["batch", str(SEEDS), "--output", str(tmp_path / "out"), "--runner", "FlinkRunner"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "make flink" in err[0]

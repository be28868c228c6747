"""The state database's password is never shown and never travels in the pipeline graph,
whatever characters it holds (``/ % @ # ?`` and spaces): not in a failing run's output or
log, not in anything Beam would send to a runner's workers."""

from __future__ import annotations

import base64
import bz2
import os
import re
import subprocess
import sys
from datetime import datetime, timezone

import apache_beam as beam
import pytest

from pipelines.broker import free_port
from tests.transforms.state.test_connections import PASSWORDS, shows

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def run_stream(tmp_path, state_url: str, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipelines.stream.command", "--topic", "t",
               "--output", str(tmp_path / "out"), "--bootstrap-servers", f"127.0.0.1:{free_port()}",
               "--state-url", state_url, "--log-level", "DEBUG", *extra]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("password", PASSWORDS)
def test_a_server_that_cannot_be_reached_is_named_without_the_password(tmp_path, password):
    url = f"postgresql://copydesk:{password}@127.0.0.1:{free_port()}/copydesk?connect_timeout=5"
    result = run_stream(tmp_path, url)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Cannot reach the state database postgresql://copydesk@127.0.0.1:" in result.stderr
    assert not shows(result.stdout + result.stderr, password), result.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.postgres
def test_a_server_that_refuses_the_database_is_named_without_the_password(tmp_path, postgres_server):
    password = PASSWORDS[-1]
    url = postgres_server.get_uri("no_such_database").replace("postgres:@", f"postgres:{password}@")
    result = run_stream(tmp_path, url)
    assert result.returncode == 2, result.stderr[-3000:]
    assert 'database "no_such_database" does not exist' in result.stderr
    assert not shows(result.stdout + result.stderr, password), result.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.postgres
def test_a_password_from_a_file_is_never_shown_either(tmp_path, postgres_server):
    password = PASSWORDS[-1]
    secret = tmp_path / "password"
    secret.write_text(password + "\n")
    url = postgres_server.get_uri("no_such_database").replace("postgres:@", "postgres@")
    result = run_stream(tmp_path, url, "--state-password-file", str(secret))
    assert result.returncode == 2 and "does not exist" in result.stderr, result.stderr[-3000:]
    assert not shows(result.stdout + result.stderr, password)


def sent_to_workers(pipeline: beam.Pipeline) -> bytes:
    """The pipeline as a runner receives it, with every pickled payload unpacked (Beam
    pickles with bz2 and base64, which would hide a password from a plain search). The
    packed form is left out: its base64 letters hold any four-letter piece of a password
    by chance (about once in ten runs for "Hash" or "Tag9" in a graph of this size)."""
    proto = pipeline.to_runner_api().SerializeToString()
    packed = rb"QlpoOTFBWSZTW[A-Za-z0-9+/=]+"
    unpacked = [re.sub(packed, b"<pickled>", proto)]
    for blob in re.findall(packed, proto):
        unpacked.append(bz2.decompress(base64.b64decode(blob)))
    assert len(unpacked) > 5, "no pickled payload found: Beam's encoding changed"
    return b"\n".join(unpacked)


@pytest.mark.parametrize("password", PASSWORDS)
def test_the_password_does_not_travel_in_the_pipeline_graph(tmp_path, password):
    from pipelines.batch import BatchConfig, build
    from schemas.records import RawInput

    url = f"postgresql://copydesk:{password}@db.example:5432/copydesk"
    pipeline = beam.Pipeline()
    raw = pipeline | beam.Create([RawInput("a.txt", b"text")])
    build(raw, BatchConfig(), str(tmp_path / "out"), "stem", datetime.now(timezone.utc), state_dir=url)
    graph = sent_to_workers(pipeline)
    assert b"copydesk@db.example:5432/copydesk" in graph, "the state URL is not in the graph at all"
    assert not shows(graph, password)

"""What a person reads when a batch run cannot go on: one line, the right exit status."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.run_errors import full_disk

ROOT = Path(__file__).resolve().parents[2]
WORDS = "council harbour minister budget river festival engineers vaccine drought railway".split()


def corpus(folder: Path, articles: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    with open(folder / "a.jsonl", "w", encoding="utf-8") as handle:
        for i in range(articles):
            text = " ".join(rng.choice(WORDS) for _ in range(300))
            handle.write(json.dumps({"text": f"{text} {i}."}) + "\n")
    return folder


@pytest.mark.slow
def test_ctrl_c_during_a_run_is_one_line_and_exit_130(tmp_path):
    inputs = corpus(tmp_path / "in", 2000)
    run = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "--log-level", "INFO", "batch", str(inputs),
         "-o", str(tmp_path / "out")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Beam is running once copydesk has said what it reads.
    for line in run.stderr:
        if "reading " in line:
            break
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert err.strip().splitlines() == [
        "copydesk: interrupted; the files this run already wrote stay in the output, and running "
        "the same command again replaces them."]


@pytest.mark.slow
def test_a_full_disk_is_one_line_saying_where(tmp_path):
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("a small disk needs unshare and user namespaces to mount one")
    inputs = corpus(tmp_path / "in", 300)
    disk = tmp_path / "disk"
    disk.mkdir()
    command = (f"mount -t tmpfs -o size=64k tmpfs {disk} && exec {sys.executable} -m pipelines.cli "
               f"batch {inputs} -o {disk}/out")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", command], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"copydesk: the disk holding the output folder {disk}/out is full (No space left on device); "
        f"free some space, then run the same command again."]


def test_a_full_disk_is_found_under_beams_wrapping():
    error = OSError(28, "No space left on device", "/data/out/articles/x.parquet")
    wrapped = RuntimeError("OSError: [Errno 28] No space left on device [while running 'Write/x']")
    wrapped.__cause__ = error
    assert full_disk(wrapped, "/data/out") == "/data/out/articles/x.parquet"
    bare = RuntimeError("OSError: [Errno 28] Error writing bytes to file. Detail: [errno 28] No space left "
                        "on device [while running 'Write/Write articles']")
    assert full_disk(bare, "/data/out") == "the output folder /data/out"
    assert full_disk(RuntimeError("something else"), "/data/out") is None

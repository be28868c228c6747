import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import _byte_size, main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_missing_input_fails_fast_with_one_line(tmp_path, capsys):
    code = main(["batch", str(tmp_path / "missing"), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "does not exist" in err[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_fails_fast(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code = main(["batch", str(SEEDS), "--output", str(locked / "out")])
    assert code == 2 and "Cannot write" in capsys.readouterr().err


def test_output_that_is_a_file_fails_fast(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    code = main(["batch", str(SEEDS), "--output", str(target)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "Cannot write" in err[0]


@pytest.mark.parametrize("text,expected", [("100", 100), ("512k", 524288), ("5m", 5242880),
                                           ("1.5MiB", 1572864), ("2g", 2147483648)])
def test_sizes(text, expected):
    assert _byte_size(text) == expected


@pytest.mark.slow
def test_console_script_runs_the_seeds_and_prints_a_summary(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "batch", str(SEEDS), "--output", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "articles    5" in done.stdout and "languages   en 5" in done.stdout
    assert "Vladimir Putin" in done.stdout
    assert list((out / "articles").glob("date=*/batch-*.parquet"))

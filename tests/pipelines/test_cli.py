import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import _byte_size, command_of, main
from pipelines.runners import LOCAL_RUNNER

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
REPO_ROOT = SEEDS.parent


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
    # Not a terminal: no progress bars in the captured stderr.
    assert "inputs done" not in done.stderr and "\r" not in done.stderr


@pytest.mark.parametrize("argv, command", [
    (["batch", "seeds/"], "batch"),
    (["--log-level", "INFO", "stream", "--topic", "t"], "stream"),
    (["--log-level=DEBUG", "entities", "out/"], "entities"),
    (["--log-level", "batch", "produce"], "produce"),
    (["nonsense", "batch"], None),
    (["-h"], None),
])
def test_command_of(argv, command):
    assert command_of(argv) == command


def test_batch_parses_without_importing_the_kafka_commands():
    code = ("import sys; from pipelines.cli import command_of, parser; "
            "argv = ['batch', 'seeds/', '--output', 'out/']; "
            "args, _ = parser(command_of(argv)).parse_known_args(argv); "
            "assert args.command == 'batch' and args.output == 'out/', args; "
            "loaded = [m for m in ('kafka', 'pipelines.stream', 'prometheus_client') if m in sys.modules]; "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


@pytest.mark.parametrize("command", ["stream", "produce", "broker", "entities"])
def test_every_command_has_its_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "-h"])
    assert exit_.value.code == 0
    assert f"copydesk {command}" in capsys.readouterr().out


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["-h"])
    out = capsys.readouterr().out
    assert all(name in out for name in ("batch", "stream", "produce", "broker", "entities"))


@pytest.mark.parametrize("argv, flag, hint", [
    (["batch", str(SEEDS), "--output", "OUT", "--fixnames", "--outptu", "x"], "--fixnames", "--fix-names"),
    (["batch", str(SEEDS), "--output", "OUT", "--direct_num_wrkers", "2"], "--direct_num_wrkers",
     "--direct_num_workers"),
    (["stream", "--topic", "t", "--output", "OUT", "--bootstrap-srevers", "h:1"], "--bootstrap-srevers",
     "--bootstrap-servers"),
    (["entities", "OUT", "--tpo", "3"], "--tpo", "--top"),
    # argparse would first say that --output is missing; the misspelling is the real cause.
    (["batch", str(SEEDS), "--outptu", "OUT"], "--outptu", "--output"),
    (["produce", str(SEEDS), "--topic", "t", "--runner", "FnApiRunner"], "--runner", None),
])
def test_an_unknown_flag_is_an_error_naming_the_closest(tmp_path, capsys, argv, flag, hint):
    output = tmp_path / "out"
    code = main([str(output) if word == "OUT" else word for word in argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith(f"copydesk: error: unknown flag {flag}")
    assert err[0].endswith(f"(did you mean {hint}?)" if hint else "-h")
    assert not output.exists()


def test_beam_options_pass_and_other_words_do_not(capsys):
    from pipelines.cli import UsageError, check_leftovers, parser

    root = parser("batch")
    sub = next(a for a in root._actions if a.dest == "command").choices["batch"]
    check_leftovers("batch", ["--direct_num_workers", "2", f"--runner={LOCAL_RUNNER}"], sub)
    with pytest.raises(UsageError, match="unexpected argument 'stray'"):
        check_leftovers("batch", ["--direct_num_workers", "2", "stray"], sub)


def test_log_level_may_follow_the_command(tmp_path, capsys):
    code = main(["batch", str(tmp_path / "missing"), "--output", str(tmp_path / "o"), "--log-level", "INFO"])
    assert code == 2 and "does not exist" in capsys.readouterr().err

import io
import logging

from pipelines.progress import ProgressDisplay
from transforms.runtime import progress


def work(files=4, read=3, inputs=10, done=7):
    progress.add(progress.FILES_FOUND, files)
    progress.add(progress.FILES_READ, read)
    progress.add(progress.INPUTS, inputs)
    progress.add(progress.DONE, done)


def test_nothing_is_shown_when_the_output_is_not_a_terminal():
    out = io.StringIO()
    with ProgressDisplay(stream=out, interval=0.01):
        work()
    assert out.getvalue() == ""


def test_a_terminal_gets_files_read_and_inputs_done_with_a_rate():
    out = io.StringIO()
    with ProgressDisplay(stream=out, bar=True, interval=0.01):
        work()
    shown = out.getvalue()
    assert "files" in shown and "3/4" in shown
    assert "inputs done" in shown and "7/10" in shown and "input/s" in shown


def test_info_logs_progress_lines(caplog):
    with caplog.at_level(logging.INFO, logger="pipelines.progress"):
        with ProgressDisplay(stream=io.StringIO(), interval=0.01, log_every=0) as display:
            work()
            display.update()
    assert any("3 of 4 files read, 7 of 10 inputs done" in r.getMessage() for r in caplog.records)


def test_each_run_starts_from_zero():
    work()
    out = io.StringIO()
    with ProgressDisplay(stream=out, bar=True, interval=0.01):
        work(files=1, read=1, inputs=1, done=1)
    assert "1/1" in out.getvalue() and "4/4" not in out.getvalue()

"""Scale on Apache Flink: ``copydesk batch --runner FlinkRunner`` (the embedded Flink that
set-up provides, parallelism = cores, SDK workers as processes) over generated corpora.

The whole process tree of the command is sampled: its total RSS (launcher, the job
server's JVM with the embedded Flink, every SDK worker) and each part's own peak, so that
a part that grows with the corpus can be named. ``bench.scale --engine flink`` runs it.
Targets: 200k articles complete; the tree's peak at the largest size within 1.5x of the
smallest; time per article within 1.1x.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

from bench.commands import copydesk_batch, environment
from bench.scoring import Row

SECTION = "Scale (Flink, embedded, SDK worker processes)"
PEAK_GROWTH_GOAL = 1.5
TIME_GROWTH_GOAL = 1.1
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MB = 2**20


@dataclass
class TreePeaks:
    """Peak RSS in bytes: the whole tree at one moment, and each part on its own."""

    tree: int = 0
    launcher: int = 0
    jvm: int = 0
    workers: dict[int, int] = field(default_factory=dict)

    def mb(self) -> dict:
        return {"tree_peak_rss_mb": round(self.tree / MB), "launcher_peak_rss_mb": round(self.launcher / MB),
                "jvm_peak_rss_mb": round(self.jvm / MB),
                "worker_peak_rss_mb": [round(rss / MB) for rss in self.workers.values()]}


def part(process) -> str:
    command = " ".join(process.cmdline())
    if "java" in process.name() or " -jar " in command:
        return "jvm"
    return "worker" if "sdk_worker_main" in command else "launcher"


def sample(launcher: subprocess.Popen, interval: float) -> TreePeaks:
    import psutil

    peaks = TreePeaks()
    root = psutil.Process(launcher.pid)
    while launcher.poll() is None:
        total = 0
        try:
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for process in processes:
            try:
                rss, kind = process.memory_info().rss, part(process)
            except psutil.NoSuchProcess:
                continue
            total += rss
            if kind == "worker":
                peaks.workers[process.pid] = max(peaks.workers.get(process.pid, 0), rss)
            elif kind == "jvm":
                peaks.jvm = max(peaks.jvm, rss)
            else:
                peaks.launcher = max(peaks.launcher, rss)
        peaks.tree = max(peaks.tree, total)
        time.sleep(interval)
    return peaks


def run_one(folder: str, output: str, skip_entities: bool, interval: float = 0.5,
            timeout: float = 4 * 3600) -> dict:
    """One ``copydesk batch --runner FlinkRunner``: wall time from the command's start
    (JVM and Flink start-up included) and the tree's peaks in MB."""
    shutil.rmtree(output, ignore_errors=True)
    # Beam's PortableRunner also puts its job_server_timeout (300 s) on the job's state
    # stream, so a longer job fails with DEADLINE_EXCEEDED while it still runs.
    command = copydesk_batch(folder, output, ["--runner", "FlinkRunner",
                                              f"--job_server_timeout={int(timeout)}"])
    command += ["--skip-entities"] if skip_entities else []
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        launcher = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    env=environment())
        try:
            peaks = sample(launcher, interval)
            launcher.wait(timeout)
        finally:
            if launcher.poll() is None:
                launcher.kill()
        seconds = time.perf_counter() - started
        log.seek(0)
        tail = log.read().decode("utf-8", "replace")[-3000:]
    if launcher.returncode != 0:
        raise RuntimeError(f"copydesk batch on Flink failed ({launcher.returncode}):\n{tail}")
    return {"seconds": round(seconds, 2), **peaks.mb(), "summary": tail.strip().splitlines()[-6:]}


def growth(runs: dict[int, dict]) -> dict:
    """Largest size against smallest: the tree's peak, each part's, and time per article."""
    if len(runs) < 2:
        return {}
    small, large = runs[min(runs)], runs[max(runs)]

    def ratio(key: str) -> float:
        return round(large[key] / small[key], 3) if small[key] else float("inf")

    per_article = [run["seconds"] / run["articles"] for run in (small, large)]
    workers = [max(run["worker_peak_rss_mb"], default=0) for run in (small, large)]
    return {"from": min(runs), "to": max(runs), "tree_peak_ratio": ratio("tree_peak_rss_mb"),
            "jvm_peak_ratio": ratio("jvm_peak_rss_mb"),
            "worker_peak_ratio": round(workers[1] / workers[0], 3) if workers[0] else float("inf"),
            "time_per_article_ratio": round(per_article[1] / per_article[0], 3)}


def rows(report: dict) -> list[Row]:
    found = []
    runs = [("without entity stages", run) for run in report["runs"].values()]
    runs += [("whole pipeline", report["full"])] if report.get("full") else []
    for label, run in runs:
        workers = " / ".join(str(peak) for peak in run["worker_peak_rss_mb"])
        ms = 1000 * run["seconds"] / run["articles"]
        found.append(Row(SECTION, f"{run['inputs']} inputs ({run['articles']} articles), {label}", 1,
                         f"{ms:.2f} ms/article ({run['seconds']} s); tree peak {run['tree_peak_rss_mb']} MB "
                         f"(JVM {run['jvm_peak_rss_mb']}, workers {workers}, launcher "
                         f"{run['launcher_peak_rss_mb']}); load {run['load_average']}", ""))
    found_growth = report.get("growth")
    if found_growth:
        span = f"{found_growth['to']} vs {found_growth['from']}"
        found.append(Row(SECTION, f"tree peak RSS, {span}", 1,
                         f"{found_growth['tree_peak_ratio']}x (JVM {found_growth['jvm_peak_ratio']}x, "
                         f"largest worker {found_growth['worker_peak_ratio']}x)", f"≤ {PEAK_GROWTH_GOAL}x"))
        found.append(Row(SECTION, f"time per article, {span}", 1,
                         f"{found_growth['time_per_article_ratio']}x", f"≤ {TIME_GROWTH_GOAL}x"))
    return found


def targets(report: dict) -> list[dict]:
    found_growth = report.get("growth")
    if not found_growth:
        return []
    span = f"{found_growth['to']} vs {found_growth['from']} inputs"
    peak, per_article = found_growth["tree_peak_ratio"], found_growth["time_per_article_ratio"]
    return [
        {"target": f"Flink: process tree peak RSS, {span}", "measured": peak,
         "goal": f"≤ {PEAK_GROWTH_GOAL}", "met": peak <= PEAK_GROWTH_GOAL},
        {"target": f"Flink: time per article, {span}", "measured": per_article,
         "goal": f"≤ {TIME_GROWTH_GOAL}", "met": per_article <= TIME_GROWTH_GOAL},
    ]

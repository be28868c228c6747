"""Scale: copydesk batch on Beam's PortableRunner with an external pool of SDK workers
(``--engine portable``, the default) or on Apache Flink (``--engine flink``,
``bench.scale_flink``), from 10,000 to 200,000 generated articles.

Each size runs ``copydesk batch --skip-entities`` (spaCy over 200,000 articles would take
hours on the benchmark's machine) against a local job service and a worker pool started
for that run alone (``bench.portable``, with ``bench.job_service`` so that
``--sdk_worker_parallelism 2`` gives the job two SDK workers). The peak RSS of each
worker process is sampled on its own, with the job service's (the runner, which holds
the data between stages) and the launching command's; the smallest size also runs the
whole pipeline. Targets: each worker's peak at the largest size within 1.3x of its peak
at the smallest; time per article about constant (linear time).

Articles are ~1 KB by default (``--mean-bytes``), not the 3 KB of the other sections: Beam's
local job service keeps every PCollection between stages in its own memory, 5.3 GB at
200,000 articles of 1 KB; at 3 KB it passed 14 GB and did not fit beside other work on a
24 GB machine.

Corpora are generated once into ``WORK/corpus-SIZE-seedS-Mb`` and reused by later runs.

On Flink, articles are ~3 KB and the whole process tree is measured (``bench.scale_flink``).

Run: ``python -m bench.scale --sizes 10000,50000,200000 --work /tmp/copydesk-scale``;
``python -m bench.scale --engine flink --mean-bytes 3000 --work /tmp/copydesk-scale``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass

from bench import scale_flink
from bench.commands import copydesk_batch, environment, parse_sizes
from bench.scoring import Row, markdown

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTION = "Scale (PortableRunner, external worker pool)"
RSS_GROWTH_GOAL = 1.3


@dataclass(frozen=True)
class ScaleConfig:
    """``sizes``: generated inputs per run, without the entity stages. ``full``: the size
    also run with the whole pipeline (0: none). ``workers``: SDK workers of the pool.
    ``mean_bytes``: mean size of a generated article. ``interval``: seconds between RSS
    samples. ``engine``: "portable" or "flink"."""

    sizes: tuple[int, ...] = (10_000, 50_000, 200_000)
    full: int = 10_000
    workers: int = 2
    mean_bytes: int = 1000
    seed: int = 0
    interval: float = 0.2
    work: str | None = None
    engine: str = "portable"


def corpus(work: str, size: int, config: ScaleConfig) -> tuple[str, int]:
    """The folder of a generated corpus of ``size`` inputs and its article count; generated
    only when no earlier run left it (the manifest is written last, so it marks a whole
    corpus)."""
    from bench.corpus import MANIFEST, CorpusConfig, build, read_manifest

    folder = os.path.join(work, f"corpus-{size}-seed{config.seed}-{config.mean_bytes}b")
    if os.path.exists(os.path.join(folder, MANIFEST)):
        manifest = read_manifest(folder)
    else:
        manifest = build(folder, CorpusConfig(articles=size, seed=config.seed, mean_bytes=config.mean_bytes))
    return folder, manifest.expected("article")


@dataclass
class Peaks:
    """Peak RSS in bytes of each worker process (by pid, in the order they appeared), of the
    job service and of the launching command's process tree."""

    workers: dict[int, int]
    job_service: int = 0
    launcher: int = 0

    def add(self, pid: int, rss: int) -> None:
        self.workers[pid] = max(self.workers.get(pid, 0), rss)


def _rss(process) -> int:
    import psutil

    try:
        return process.memory_info().rss
    except psutil.NoSuchProcess:
        return 0


def sample(launcher: subprocess.Popen, services, interval: float) -> Peaks:
    """Sample until ``launcher`` exits: each pool worker on its own, the job service, and
    the launcher with its children."""
    import psutil

    peaks = Peaks({})
    job_service = psutil.Process(services.processes[0].pid)
    pool = psutil.Process(services.processes[1].pid)
    watched = psutil.Process(launcher.pid)
    while launcher.poll() is None:
        try:
            for worker in pool.children(recursive=True):
                peaks.add(worker.pid, _rss(worker))
            tree = [watched, *watched.children(recursive=True)]
        except psutil.NoSuchProcess:
            tree = []
        peaks.job_service = max(peaks.job_service, _rss(job_service))
        peaks.launcher = max(peaks.launcher, sum(_rss(p) for p in tree))
        time.sleep(interval)
    return peaks


def run_one(folder: str, output: str, config: ScaleConfig, skip_entities: bool,
            timeout: float = 7200) -> dict:
    """One ``copydesk batch`` on fresh services: wall time (from the command's start to its
    end, interpreter start and pipeline submission included) and peaks in MB."""
    from bench.portable import start_services

    shutil.rmtree(output, ignore_errors=True)
    services = start_services(output + "-logs", job_service="bench.job_service")
    # Beam's PortableRunner also puts its job_server_timeout (300 s) on the job's state
    # stream, so a longer job fails with DEADLINE_EXCEEDED while it still runs.
    beam_args = [*services.pipeline_args(config.workers), f"--job_server_timeout={int(timeout)}"]
    command = copydesk_batch(folder, output, beam_args)
    command += ["--skip-entities"] if skip_entities else []
    try:
        with tempfile.TemporaryFile() as log:
            started = time.perf_counter()
            launcher = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                        env=environment())
            try:
                peaks = sample(launcher, services, config.interval)
                launcher.wait(timeout)
            finally:
                if launcher.poll() is None:
                    launcher.kill()
            seconds = time.perf_counter() - started
            log.seek(0)
            tail = log.read().decode("utf-8", "replace")[-3000:]
    finally:
        services.stop()
    if launcher.returncode != 0:
        raise RuntimeError(f"copydesk batch on the PortableRunner failed ({launcher.returncode}):\n{tail}")
    mb = 2**20
    return {"seconds": round(seconds, 2),
            "worker_peak_rss_mb": [round(peaks.workers[pid] / mb, 1) for pid in peaks.workers],
            "job_service_peak_rss_mb": round(peaks.job_service / mb, 1),
            "launcher_peak_rss_mb": round(peaks.launcher / mb, 1),
            "summary": tail.strip().splitlines()[-6:]}


def growth(runs: dict[int, dict]) -> dict:
    """Largest size against smallest: each worker's peak RSS ratio (workers paired by rank
    of their peaks, since the pool's pids differ per run) and time per article ratio."""
    if len(runs) < 2:
        return {}
    small, large = runs[min(runs)], runs[max(runs)]
    pairs = zip(sorted(small["worker_peak_rss_mb"], reverse=True),
                sorted(large["worker_peak_rss_mb"], reverse=True))
    rss = [round(b / a, 3) for a, b in pairs if a]
    per_article = [run["seconds"] / run["articles"] for run in (small, large)]
    return {"from": min(runs), "to": max(runs), "worker_rss_ratio": rss,
            "time_per_article_ratio": round(per_article[1] / per_article[0], 3)}


def rows(report: dict) -> list[Row]:
    """The table of a report made by ``run``."""
    found = []
    runs = [("without entity stages", run) for run in report["runs"].values()]
    runs += [("whole pipeline", report["full"])] if report.get("full") else []
    for label, run in runs:
        workers = " / ".join(f"{peak:.0f}" for peak in run["worker_peak_rss_mb"])
        found.append(Row(SECTION, f"{run['inputs']} inputs ({run['articles']} articles), {label}", 1,
                         f"{run['articles_per_second']} articles/s ({run['seconds']} s); worker peak RSS "
                         f"{workers} MB; job service {run['job_service_peak_rss_mb']:.0f} MB", ""))
    found_growth = report.get("growth")
    if found_growth:
        span = f"{found_growth['to']} vs {found_growth['from']}"
        found.append(Row(SECTION, f"worker peak RSS, {span} (each worker)", 1,
                         " / ".join(f"{r}x" for r in found_growth["worker_rss_ratio"]),
                         f"≤ {RSS_GROWTH_GOAL}x"))
        found.append(Row(SECTION, f"time per article, {span}", 1,
                         f"{found_growth['time_per_article_ratio']}x", "near 1x (linear)"))
    return found


def targets(report: dict) -> list[dict]:
    """The issue's scale targets this report measured, as ``bench.run`` lists them."""
    found_growth = report.get("growth")
    if not found_growth:
        return []
    worst = max(found_growth["worker_rss_ratio"], default=float("inf"))
    span = f"{found_growth['to']} vs {found_growth['from']} inputs"
    return [
        {"target": f"worker peak RSS, {span} (worst worker)", "measured": worst,
         "goal": f"≤ {RSS_GROWTH_GOAL}", "met": worst <= RSS_GROWTH_GOAL},
        {"target": f"time per article, {span}", "measured": found_growth["time_per_article_ratio"],
         "goal": "≤ 1.3 (near linear)", "met": found_growth["time_per_article_ratio"] <= 1.3},
    ]


def run(config: ScaleConfig) -> tuple[list[Row], dict]:
    work = config.work or tempfile.mkdtemp(prefix="copydesk-scale-")
    os.makedirs(work, exist_ok=True)
    report: dict = {"config": asdict(config), "work": work, "runs": {}}
    plan = [(size, True) for size in config.sizes] + ([(config.full, False)] if config.full else [])
    for size, skip_entities in plan:
        folder, articles = corpus(work, size, config)
        print(f"[scale] {size} inputs{'' if skip_entities else ', whole pipeline'} ...",
              file=sys.stderr, flush=True)
        output = os.path.join(work, f"out-{config.engine}-{size}-{int(skip_entities)}")
        if config.engine == "flink":
            result = scale_flink.run_one(folder, output, skip_entities, max(config.interval, 0.5))
        else:
            result = run_one(folder, output, config, skip_entities)
        result.update(inputs=size, articles=articles, load_average=[round(x, 2) for x in os.getloadavg()],
                      articles_per_second=round(articles / result["seconds"], 1))
        print(f"[scale] {json.dumps(result)}", file=sys.stderr, flush=True)
        if skip_entities:
            report["runs"][size] = result
        else:
            report["full"] = result
    engine = scale_flink if config.engine == "flink" else sys.modules[__name__]
    report["growth"] = engine.growth(report["runs"])
    report["targets"] = engine.targets(report)
    return engine.rows(report), report


def main(argv: list[str] | None = None) -> int:
    from bench.report import write_json

    defaults = ScaleConfig()
    parser = argparse.ArgumentParser(description="copydesk batch on the PortableRunner at scale.")
    parser.add_argument("--sizes", type=parse_sizes, default=defaults.sizes,
                        help="inputs per run without the entity stages (10k,50k,200k)")
    parser.add_argument("--full", type=int, default=defaults.full,
                        help="size also run with the whole pipeline (10000; 0: none)")
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--mean-bytes", type=int, default=defaults.mean_bytes)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--work", help="folder for corpora (reused) and outputs")
    parser.add_argument("--engine", choices=("portable", "flink"), default=defaults.engine,
                        help="Beam's PortableRunner with a worker pool, or Flink (needs make flink)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    config = ScaleConfig(sizes=args.sizes, full=args.full, workers=args.workers,
                         mean_bytes=args.mean_bytes, seed=args.seed, work=args.work, engine=args.engine)
    table_rows, report = run(config)
    print(markdown(table_rows))
    if not args.no_write:
        name = "scale-flink.json" if args.engine == "flink" else "scale.json"
        print(f"wrote {write_json(name, report)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Streaming figures: end-to-end latency at light load and sustained throughput at full load.

Against the same Kafka-compatible broker the tests use (a local Tansu started here unless
``--bootstrap-servers`` is given), with ``copydesk stream`` as its own process:

* latency: after a warm-up, articles are produced at ``--rate`` per second for
  ``--seconds``; a watcher scans the dataset every 50 ms, and an article's latency runs
  from just before it is sent to the scan that first sees its row (p50, p90, p99, max);
* throughput: ``--articles`` articles are produced first, then a fresh worker drains
  them: articles/s from the worker's start (interpreter and model loading included) and
  from its first visible row to its last (steady state);
* batch: the same articles as ``.txt`` files through ``copydesk batch`` as one process,
  for the "within 20% of batch" comparison (same start-up costs on both sides).

Throughput and batch runs alternate ``--runs`` times (medians reported), so that the load
of a shared machine hits both alike.

Articles are ~3 KB generated news (``bench.corpus.base_article``), none a copy of another.
Prints a markdown table; ``--json`` prints the figures as one JSON line last (what
``bench.run`` reads) and writes them to ``bench/results/stream.json``.
Run: ``python -m bench.stream_bench`` (``-h`` for sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(REPO_ROOT, "bench", "results", "stream.json")
TABLES = ("articles", "duplicates", "rejects")


@dataclass(frozen=True)
class StreamBenchConfig:
    """``rate`` (5/s) for ``seconds`` (60): the latency load. ``articles`` (300): the
    throughput backlog, drained ``runs`` (3) times. ``partitions`` (2).
    ``max_batch_records`` (200) and ``max_batch_seconds`` (0.5): the worker's micro-batch
    bounds (its defaults). ``batch``: also time ``copydesk batch`` on the same articles."""

    rate: float = 5.0
    seconds: float = 60.0
    articles: int = 300
    partitions: int = 2
    max_batch_records: int = 200
    max_batch_seconds: float = 0.5
    batch: bool = True
    runs: int = 3


def texts(count: int, offset: int) -> list[bytes]:
    from bench.corpus import base_article

    found = []
    for i in range(count):
        headline, body = base_article(1_000_000 + offset + i)
        found.append(f"{headline}\n\n{body}".encode())
    return found


class Watcher(threading.Thread):
    """Scans the dataset; first time each ``source`` is seen in a visible file."""

    def __init__(self, output: str, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.output = output
        self.interval = interval
        self.seen_files: set[str] = set()
        self.visible: dict[str, float] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.scan()
            time.sleep(self.interval)

    def scan(self) -> None:
        import pyarrow.parquet as pq

        now = time.monotonic()
        for table in TABLES:
            root = os.path.join(self.output, table)
            if not os.path.isdir(root):
                continue
            for folder in os.scandir(root):
                if not folder.is_dir() or folder.name.startswith((".", "_")):
                    continue
                for entry in os.scandir(folder.path):
                    if entry.name.startswith((".", "_")) or entry.path in self.seen_files:
                        continue
                    try:
                        sources = pq.read_table(entry.path, columns=["source"]).column("source").to_pylist()
                    except (OSError, ValueError):
                        continue  # replaced between listing and reading; next scan
                    self.seen_files.add(entry.path)
                    with self.lock:
                        for source in sources:
                            self.visible.setdefault(source, now)

    def count(self) -> int:
        with self.lock:
            return len(self.visible)

    def stop(self) -> None:
        self.stopped.set()
        self.join()
        self.scan()


def start_worker(servers: str, topic: str, output: str, log_path: str, config: StreamBenchConfig,
                 group: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipelines.stream", "--topic", topic, "--output", output,
               "--group", group, "--bootstrap-servers", servers,
               "--max-batch-records", str(config.max_batch_records),
               "--max-batch-seconds", str(config.max_batch_seconds), "--session-timeout-ms", "6000"]
    log = open(log_path, "ab")
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": REPO_ROOT})


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(watcher: Watcher, count: int, process: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while watcher.count() < count:
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency(servers: str, work: str, config: StreamBenchConfig) -> dict:
    from kafka import KafkaProducer

    from pipelines.broker import create_topic

    topic, output = "bench-latency", os.path.join(work, "latency")
    create_topic(servers, topic, config.partitions)
    count = int(config.rate * config.seconds)
    warmup = texts(5, 0)
    payloads = texts(count, 5)
    watcher = Watcher(output)
    watcher.start()
    worker = start_worker(servers, topic, output, os.path.join(work, "latency-worker.log"), config, "bench-l")
    producer = KafkaProducer(bootstrap_servers=servers, linger_ms=0)
    sent: dict[str, float] = {}
    try:
        for payload in warmup:
            producer.send(topic, payload)
        producer.flush()
        if not wait_for(watcher, len(warmup), worker, 300):
            raise RuntimeError("the worker did not write the warm-up articles; see latency-worker.log")
        started = time.monotonic()
        for i, payload in enumerate(payloads):
            wait = started + i / config.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            before = time.monotonic()
            metadata = producer.send(topic, payload).get(timeout=30)
            sent[f"kafka://{topic}/{metadata.partition}/{metadata.offset}"] = before
        produced_for = time.monotonic() - started
        done = wait_for(watcher, len(warmup) + count, worker, 600)
    finally:
        producer.close()
        stop_worker(worker)
        watcher.stop()
    seconds = [watcher.visible[s] - t for s, t in sent.items() if s in watcher.visible]
    return {
        "latency_articles": len(sent),
        "latency_rate_per_s": round(len(sent) / produced_for, 2),
        "latency_all_visible": done and len(seconds) == len(sent),
        "latency_p50_s": round(percentile(seconds, 50), 2),
        "latency_p90_s": round(percentile(seconds, 90), 2),
        "latency_p99_s": round(percentile(seconds, 99), 2),
        "latency_max_s": round(max(seconds), 2) if seconds else None,
        "latency_batches": _batches(os.path.join(work, "latency-worker.log")),
    }


def _batches(log_path: str) -> int:
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        return sum(1 for line in handle if "pipelines.stream_worker: batch " in line)


def throughput(servers: str, work: str, config: StreamBenchConfig, run: int = 0) -> dict:
    from kafka import KafkaProducer

    from pipelines.broker import create_topic

    topic, output = f"bench-throughput-{run}", os.path.join(work, f"throughput-{run}")
    create_topic(servers, topic, config.partitions)
    payloads = texts(config.articles, 100_000)
    producer = KafkaProducer(bootstrap_servers=servers, linger_ms=20, compression_type="zstd")
    for payload in payloads:
        producer.send(topic, payload)
    producer.flush()
    producer.close()
    watcher = Watcher(output)
    watcher.start()
    started = time.monotonic()
    log_path = os.path.join(work, f"throughput-worker-{run}.log")
    worker = start_worker(servers, topic, output, log_path, config, f"bench-t-{run}")
    try:
        done = wait_for(watcher, len(payloads), worker, 1800)
        finished = time.monotonic()
    finally:
        stop_worker(worker)
        watcher.stop()
    times = sorted(watcher.visible.values())
    first = times[0] if times else finished
    # The first batch's rows appear together; count the steady state from the second batch on.
    first_batch = sum(1 for t in times if t == first)
    steady = (len(times) - first_batch) / (times[-1] - first) if len(times) > first_batch else None
    return {
        "throughput_articles": len(payloads),
        "throughput_all_visible": done,
        "stream_articles_per_s": round(len(times) / (finished - started), 2),
        "stream_steady_articles_per_s": round(steady, 2) if steady else None,
        "stream_wall_s": round(finished - started, 1),
    }


def batch(work: str, config: StreamBenchConfig, run: int = 0) -> dict:
    folder, output = os.path.join(work, "batch-input"), os.path.join(work, f"batch-output-{run}")
    if not os.path.isdir(folder):
        os.makedirs(folder)
        for i, payload in enumerate(texts(config.articles, 100_000)):
            with open(os.path.join(folder, f"{i:06d}.txt"), "wb") as handle:
                handle.write(payload)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", "batch", folder, "--output", output],
                            cwd=REPO_ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": REPO_ROOT})
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"copydesk batch failed: {result.stderr[-500:]}")
    return {"batch_articles_per_s": round(config.articles / seconds, 2), "batch_wall_s": round(seconds, 1)}


def run(config: StreamBenchConfig, servers: str | None, work: str) -> dict:
    from pipelines.broker import LocalBroker

    # A shared machine's load says how far the figures are from an idle one's.
    figures: dict = {"config": asdict(config), "cpus": os.cpu_count(),
                     "load_average_start": round(os.getloadavg()[0], 2)}
    broker = None
    if servers is None:
        broker = LocalBroker(log_file=os.path.join(work, "broker.log")).start()
        servers = broker.bootstrap_servers
    try:
        if config.seconds > 0:
            figures.update(latency(servers, work, config))
        if config.articles > 0:
            runs: list[dict] = []
            for run_number in range(config.runs):
                measured = throughput(servers, work, config, run_number)
                if config.batch:
                    measured.update(batch(work, config, run_number))
                runs.append(measured)
            figures["throughput_runs"] = runs
            for key in runs[0]:
                values = [r[key] for r in runs if isinstance(r.get(key), (int, float))
                          and not isinstance(r.get(key), bool)]
                if values:
                    figures[key] = round(statistics.median(values), 2)
            figures["throughput_all_visible"] = all(r["throughput_all_visible"] for r in runs)
            if config.batch:
                figures["stream_vs_batch"] = round(
                    figures["stream_articles_per_s"] / figures["batch_articles_per_s"], 2)
                figures["stream_steady_vs_batch"] = round(
                    figures["stream_steady_articles_per_s"] / figures["batch_articles_per_s"], 2)
    finally:
        if broker is not None:
            broker.stop()
    figures["load_average_end"] = round(os.getloadavg()[0], 2)
    return figures


def table(figures: dict) -> str:
    rows = [
        ("latency p50 / p90 / p99 / max (s)",
         f"{figures.get('latency_p50_s')} / {figures.get('latency_p90_s')} / "
         f"{figures.get('latency_p99_s')} / {figures.get('latency_max_s')}",
         f"p50 < 5 s at {figures['config']['rate']:g} articles/s"),
        ("latency load (articles, achieved rate/s, batches)",
         f"{figures.get('latency_articles')}, {figures.get('latency_rate_per_s')}, "
         f"{figures.get('latency_batches')}", ""),
        ("stream articles/s (from worker start; steady state)",
         f"{figures.get('stream_articles_per_s')}; {figures.get('stream_steady_articles_per_s')}", ""),
        ("batch articles/s (one process)", str(figures.get("batch_articles_per_s")), ""),
        ("stream / batch (from start; steady state)",
         f"{figures.get('stream_vs_batch')}; {figures.get('stream_steady_vs_batch')}", ">= 0.8"),
    ]
    rows.append(("load average (1 min) at start / end, cpus",
                 f"{figures.get('load_average_start')} / {figures.get('load_average_end')}, "
                 f"{figures.get('cpus')}", ""))
    lines = ["| Streaming | Result | Target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    defaults = StreamBenchConfig()
    parser = argparse.ArgumentParser(prog="python -m bench.stream_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=defaults.rate, help="latency load, articles/s")
    parser.add_argument("--seconds", type=float, default=defaults.seconds,
                        help="how long to produce at --rate (0 skips the latency run)")
    parser.add_argument("--articles", type=int, default=defaults.articles,
                        help="throughput backlog (0 skips throughput and batch)")
    parser.add_argument("--partitions", type=int, default=defaults.partitions)
    parser.add_argument("--max-batch-records", type=int, default=defaults.max_batch_records)
    parser.add_argument("--max-batch-seconds", type=float, default=defaults.max_batch_seconds)
    parser.add_argument("--no-batch", dest="batch", action="store_false", help="skip copydesk batch")
    parser.add_argument("--runs", type=int, default=defaults.runs,
                        help="throughput and batch runs, alternated; medians are reported")
    parser.add_argument("--bootstrap-servers", help="use this broker instead of starting Tansu")
    parser.add_argument("--work", help="keep outputs and worker logs here (default: a temp folder)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line last")
    args = parser.parse_args(argv)
    config = StreamBenchConfig(args.rate, args.seconds, args.articles, args.partitions,
                               args.max_batch_records, args.max_batch_seconds, args.batch, args.runs)
    work = args.work or tempfile.mkdtemp(prefix="copydesk-stream-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        figures = run(config, args.bootstrap_servers, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    figures["p50_latency_target_met"] = bool(figures.get("latency_p50_s", float("inf")) < 5)
    print(table(figures))
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w", encoding="utf-8") as handle:
        json.dump(figures, handle, indent=2)
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``make bench``: copydesk's speed and cost, against its limit and its peers, in one run.

Measured on a generated corpus (``bench.corpus``; default 600 articles of ~3 KB):

* throughput: the whole batch pipeline as a process (``python -m pipelines.cli batch``,
  interpreter start and model loading included), single worker and
  ``--direct_num_workers 2 --direct_running_mode multi_processing``, against its limit:
  the same spaCy NER-only pipeline alone over the same texts in one process; and the
  floor (``bench.floor``): Beam running that NER and nothing else, 1 and 2 workers, which
  is what the runner alone costs. Medians of ``--runs`` runs, interleaved so that
  background load hits all five alike;
* the stage table (``bench.stage_profile``, ``--only stages`` runs it alone): ``copydesk
  batch`` in one profiled process over real-size articles in several languages, the CPU
  per article of each stage (spaCy, the knowledge recogniser and canonical names apart)
  and of Beam's work between stages (encoding, decoding, grouping), and the fixed costs;
* near-copies: copydesk's fingerprints, LSH and confirmation against datasketch MinHash +
  MinHashLSH with the same parameters (5-word shingles, 20 bands x 3 rows, the same
  confirmation), recall and precision against the corpus's truth, and the cost from 1k to
  20k articles; plus the real ``FindNearCopies`` transform in a Beam pipeline;
* peak memory (RSS of the process and its children) of the batch job at 1k articles, and
  at 1k and 20k articles without the entity stages (20k articles through spaCy would take
  longer than the whole benchmark may);
* memory growth (``bench.memory_growth``, ``--only memory_growth``): peak RSS of the whole
  process group of the default ``copydesk batch --skip-entities`` over 20k and 100k
  distinct articles, and whether 200k completes;
* scale-out: the batch pipeline on Beam's PortableRunner with an external worker pool;
* scale: ``bench.scale``, 10k to 200k articles on the PortableRunner with two SDK workers
  from an external pool, each worker's peak RSS and the time per article (the longest
  section: ``--skip scale`` leaves it out, ``--only scale`` runs it alone);
* streaming: ``bench.stream_bench`` when it exists.

Prints one markdown table and writes ``bench/results/bench.json`` (with a timestamp,
machine facts and package versions) and the table into ``bench/RESULTS.md``.
Run: ``python -m bench.run`` (``-h`` for sizes and sections).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable, Sequence

from bench.commands import (
    MULTI,
    REPO_ROOT,
    Measured,
    checked,
    copydesk_batch,
    measure,
    parse_sizes,
)
from bench.report import git_commit, machine, package_versions, update_results_md, write_json
from bench.scoring import Row, markdown

SECTIONS = ("throughput", "stages", "near_copies", "memory", "memory_growth", "portable", "scale",
            "stream", "peers")


@dataclass(frozen=True)
class BenchConfig:
    """What ``make bench`` measures.

    ``articles`` (600): size of the main corpus. ``runs`` (3): runs per throughput figure
    (the median is reported). ``growth`` (1000, 5000, 20000): corpus sizes for the
    near-copy cost curve; ``beam_max`` (5000): the largest of them also run through the
    Beam transform. ``memory`` (1000, 20000): sizes for peak RSS; the first also runs
    the whole pipeline, all run the pipeline without the entity stages.
    ``portable_articles`` (100): generated articles (plus the seeds) for the PortableRunner
    row. ``stream_seconds`` (40) at 5 articles/s and ``stream_articles`` (2000): the
    streaming latency load and the backlog drained by one worker, by two, and by
    ``copydesk batch``. ``scale`` (10k, 50k, 200k): sizes of ``bench.scale`` (the first
    also runs the whole pipeline). ``growth_sizes`` (20k, 100k) and ``growth_largest``
    (200k): ``bench.memory_growth``'s compared sizes and the size that only has to
    complete. ``seed`` (0): corpus seed.
    """

    articles: int = 600
    runs: int = 3
    growth: tuple[int, ...] = (1000, 5000, 20000)
    beam_max: int = 5000
    memory: tuple[int, ...] = (1000, 20000)
    portable_articles: int = 100
    stream_seconds: float = 40.0
    stream_articles: int = 2000
    scale: tuple[int, ...] = (10_000, 50_000, 200_000)
    growth_sizes: tuple[int, ...] = (20_000, 100_000)
    growth_largest: int | None = 200_000
    seed: int = 0
    sections: tuple[str, ...] = SECTIONS
    work: str | None = None


# ---------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------
# Internal commands, run as their own processes
# ---------------------------------------------------------------------------------------


def corpus_texts(folder: str) -> list[tuple[str, str, str | None]]:
    """(id, text, language hint) of every input of ``folder`` that decodes to an article,
    read with copydesk's own read and decode functions."""
    from transforms.reading.read import DEFAULT_MAX_BYTES, DecodeInput, ReadFiles, list_inputs

    now = datetime.now(timezone.utc)
    reader, decoder = ReadFiles(DEFAULT_MAX_BYTES), DecodeInput(DEFAULT_MAX_BYTES)
    found = []
    for item in list_inputs([folder]):
        for raw in reader.process(item):
            for out in decoder.process(raw, now):
                if not hasattr(out, "tag"):
                    found.append((out.id, out.text, out.language_hint))
    return found


def limit_texts(folder: str, path: str) -> str:
    """Write the texts of ``folder`` to ``path`` (one JSON string per line) for ``bench.limit``,
    so the limit's own process reads them without importing copydesk's Beam transforms."""
    with open(path, "w", encoding="utf-8") as out:
        for _, text, _ in corpus_texts(folder):
            out.write(json.dumps(text) + "\n")
    return path


def limit_command(texts: str) -> list[str]:
    """The limit as a command: ``bench.limit`` over a file written by ``limit_texts``."""
    return [sys.executable, "-m", "bench.limit", texts]


def floor_command(texts: str, beam_args: Sequence[str] = ()) -> list[str]:
    """The floor as a command: ``bench.floor`` (Beam running only the limit's NER) over the
    same file as the limit."""
    return [sys.executable, "-m", "bench.floor", texts, *beam_args]


def batch_without_ner(argv: list[str]) -> int:
    """``copydesk batch`` with the entity and canonical-name stages left out (the rest of
    the pipeline unchanged), for memory and cost figures at sizes spaCy cannot reach in
    the benchmark's time."""
    import apache_beam as beam

    import pipelines.batch
    from pipelines.cli import main

    class PassThrough(beam.PTransform):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__()

        def expand(self, articles):
            return articles

    pipelines.batch.TagEntities = PassThrough
    pipelines.batch.ResolveEntities = PassThrough
    return main(argv)


# ---------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return round(statistics.median(values), 2)


def throughput(config: BenchConfig, corpus: str, articles: int, work: str) -> tuple[list[Row], dict]:
    runs: dict[str, list[Measured]] = {"single": [], "multi": [], "limit": [], "floor": [], "floor_multi": []}
    limit_details = []
    texts = limit_texts(corpus, os.path.join(work, "limit-texts.jsonl"))
    for number in range(config.runs):
        single = copydesk_batch(corpus, os.path.join(work, f"single{number}"))
        runs["single"].append(checked(measure(single), "the batch pipeline"))
        multi = copydesk_batch(corpus, os.path.join(work, f"multi{number}"), MULTI)
        runs["multi"].append(checked(measure(multi), "the batch pipeline with 2 workers"))
        limit = checked(measure(limit_command(texts)), "the NER-only limit")
        runs["limit"].append(limit)
        limit_details.append(json.loads(limit.output.strip().splitlines()[-1]))
        runs["floor"].append(checked(measure(floor_command(texts)), "the Beam floor"))
        runs["floor_multi"].append(checked(measure(floor_command(texts, MULTI)),
                                           "the Beam floor with 2 workers"))
    # Fixed costs (interpreter, imports, model and knowledge loading, pipeline set-up): the
    # same two processes over the five seed articles.
    seeds = os.path.join(REPO_ROOT, "seeds")
    fixed = {
        "single": checked(measure(copydesk_batch(seeds, os.path.join(work, "fixed"))), "the seeds run"),
        "limit": checked(measure(limit_command(limit_texts(seeds, os.path.join(work, "seed-texts.jsonl")))),
                         "the seeds limit"),
    }
    seconds = {name: median([m.seconds for m in measured]) for name, measured in runs.items()}
    cpu = {name: median([m.cpu_seconds for m in measured]) for name, measured in runs.items()}
    per_article = {name: round(1000 * (cpu[name] - fixed[name].cpu_seconds) / max(articles - 5, 1), 2)
                   for name in fixed}
    rate = {name: round(articles / s, 2) for name, s in seconds.items()}
    ratio = round(rate["single"] / rate["limit"], 3)
    speedup = round(rate["multi"] / rate["single"], 3)
    floor_ratio = round(rate["floor"] / rate["limit"], 3)
    floor_speedup = round(rate["floor_multi"] / rate["floor"], 3)
    report = {
        "articles": articles,
        "seconds": {k: [m.seconds for m in v] for k, v in runs.items()},
        "cpu_seconds": {k: [m.cpu_seconds for m in v] for k, v in runs.items()},
        "median_seconds": seconds,
        "median_cpu_seconds": cpu,
        "articles_per_second": rate,
        "ratio_to_limit": ratio,
        "cpu_ratio_to_limit": round(cpu["limit"] / cpu["single"], 3),
        "multi_speedup": speedup,
        "floor_ratio_to_limit": floor_ratio,
        "floor_cpu_ratio_to_limit": round(cpu["limit"] / cpu["floor"], 3),
        "floor_multi_speedup": floor_speedup,
        "pipeline_ratio_to_floor": round(rate["single"] / rate["floor"], 3),
        "fixed_seconds": {k: v.seconds for k, v in fixed.items()},
        "fixed_cpu_seconds": {k: v.cpu_seconds for k, v in fixed.items()},
        "cpu_ms_per_article_beyond_fixed": per_article,
        "marginal_cpu_ratio": round(per_article["limit"] / max(per_article["single"], 1e-9), 3),
        "peak_rss_mb": {k: max(m.peak_rss_mb for m in v) for k, v in runs.items()},
        "limit_breakdown": limit_details,
    }
    rows = [
        Row("Throughput", f"batch pipeline, 1 worker ({articles} articles)", config.runs,
            f"{rate['single']} articles/s ({seconds['single']} s wall, {cpu['single']} s CPU)", ""),
        Row("Throughput", "limit: spaCy NER-only alone, one process", config.runs,
            f"{rate['limit']} articles/s ({seconds['limit']} s wall, {cpu['limit']} s CPU; model load "
            f"{median([d['load_seconds'] for d in limit_details])} s)", ""),
        Row("Throughput", "pipeline / limit (wall; CPU)", config.runs,
            f"{ratio}; {report['cpu_ratio_to_limit']}", "≥ 1.0"),
        Row("Throughput", "batch pipeline, 2 workers (multi_processing)", config.runs,
            f"{rate['multi']} articles/s ({seconds['multi']} s wall, {cpu['multi']} s CPU)", ""),
        Row("Throughput", "2 workers / 1 worker", config.runs, f"{speedup}x", "≥ 1.8x"),
        Row("Throughput", "floor: Beam running only the same NER (bench.floor), 1 worker", config.runs,
            f"{rate['floor']} articles/s ({seconds['floor']} s wall, {cpu['floor']} s CPU)", ""),
        Row("Throughput", "floor / limit (wall; CPU): what Beam alone costs", config.runs,
            f"{floor_ratio}; {report['floor_cpu_ratio_to_limit']}", ""),
        Row("Throughput", "floor, 2 workers / 1 worker", config.runs,
            f"{floor_speedup}x ({seconds['floor_multi']} s wall, {cpu['floor_multi']} s CPU)", ""),
        Row("Throughput", "pipeline / floor (wall): copydesk's own stages", config.runs,
            f"{report['pipeline_ratio_to_floor']}", ""),
        Row("Throughput", "fixed cost per process (the 5 seeds): pipeline; limit", 1,
            f"{fixed['single'].seconds} s wall, {fixed['single'].cpu_seconds} s CPU; "
            f"{fixed['limit'].seconds} s wall, {fixed['limit'].cpu_seconds} s CPU", ""),
        Row("Throughput", "CPU per article beyond fixed costs: pipeline; limit (ratio)", 1,
            f"{per_article['single']} ms; {per_article['limit']} ms ({report['marginal_cpu_ratio']})", ""),
    ]
    return rows, report


def stage_table(config: BenchConfig, work: str) -> tuple[list[Row], dict]:
    """``bench.stage_profile`` over real-size articles in several languages: the CPU of each
    stage and of Beam's work between stages, per article, from one profiled process."""
    from bench.stage_profile import ROWS, write_corpus

    folder = write_corpus(os.path.join(work, "stage-corpus"), config.articles, config.seed + 5)
    path = os.path.join(work, "stages.json")
    checked(measure([sys.executable, "-m", "bench.stage_profile", folder, "--json", path]),
            "the stage profile")
    with open(path, encoding="utf-8") as found:
        profile = json.load(found)
    section = "Stage table (CPU per article, one process, bench.stage_profile)"
    rows = []
    for row in ROWS:
        per = profile["ms_per_article"].get(row)
        value = f"{per:.2f} ms" if per is not None else f"{profile['cpu_seconds'][row]:.2f} s per run"
        rows.append(Row(section, row, profile["articles"], value, ""))
    rows.append(Row(section, "Beam's rows by the stage whose records they carry", profile["articles"],
                    ", ".join(f"{stage} {1000 * seconds / profile['articles']:.2f} ms"
                              for stage, seconds in list(profile["beam_by_stage"].items())[:5]), ""))
    rows.append(Row(section, "everything but spaCy NER, per article", profile["articles"],
                    f"{profile['beyond_ner_ms_per_article']:.2f} ms = "
                    f"{profile['beyond_ner_share_of_ner']} of spaCy NER", "≤ 15%"))
    return rows, profile


# ---------------------------------------------------------------------------------------
# Near-copies against datasketch
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def corpus_items(size: int, seed: int) -> tuple:
    """The generated corpus of this size, in memory; shared by the sections that use it."""
    from bench.corpus import CorpusConfig, generate

    return tuple(generate(CorpusConfig(articles=size, seed=seed)))


def generated_corpus(size: int, seed: int):
    """The articles of a generated corpus (its bad inputs left out) as a
    ``bench.reprints.Corpus`` with the truth (each copy's original), the shape
    ``bench.near_copies_bench`` runs on."""
    from bench import reprints
    from bench.corpus import decoded_text
    from schemas.records import Article

    now = datetime.now(timezone.utc)
    corpus = reprints.Corpus()
    for item in corpus_items(size, seed):
        if item.expect != "article":
            continue
        article = Article(id=f"{item.index:07d}", source=item.source, text=decoded_text(item),
                          ingested_at=now, order=f"{item.index:09d}")
        original = None if item.group == item.index else f"{item.group:07d}"
        corpus.add(article, original, item.kind.split(":")[0])
    return corpus


def near_copy_peers(config: BenchConfig) -> tuple[list[Row], dict]:
    """``bench.near_copies_bench`` (the near-copy engineer's runners) on this benchmark's
    English corpus: datasketch, copydesk's functions, and FindNearCopies on Beam."""
    from bench import near_copies_bench as peers
    from transforms.near_copies import NearCopyConfig

    params = NearCopyConfig()
    report: dict = {"parameters": asdict(params), "sizes": {}}
    for size in config.growth:
        corpus = generated_corpus(size, config.seed + 1)
        # copydesk's own run is short (0.2 s at 1k), so one slow moment of a shared machine
        # would bend its growth curve: the median of three runs at every size.
        ours = sorted((peers.run_copydesk(corpus, params) for _ in range(3)), key=lambda r: r["cpu_s"])
        entry = {"datasketch": peers.run_datasketch(corpus, params), "copydesk": ours[1]}
        if size <= config.beam_max:
            entry["copydesk FindNearCopies (Beam, in-memory)"] = peers.run_beam(corpus, params)
        report["sizes"][size] = entry
        print(f"[bench] near-copies at {size}: " + ", ".join(
            f"{k} {v['cpu_s']} s CPU" for k, v in entry.items()), file=sys.stderr, flush=True)
    rows = []
    sizes = sorted(report["sizes"])
    for name in ("copydesk", "datasketch", "copydesk FindNearCopies (Beam, in-memory)"):
        points = [(s, report["sizes"][s][name]) for s in sizes if name in report["sizes"][s]]
        if not points:
            continue
        curve = ", ".join(f"{s / 1000:g}k: {e['cpu_s']} s" for s, e in points)
        last_size, last = points[-1]
        rows.append(Row("Near-copies vs peers", f"{name}: CPU time by size" + (
            " (median of 3 runs)" if name == "copydesk" else ""), len(points), curve, ""))
        rows.append(Row("Near-copies vs peers", f"{name}: recall / precision at {last_size / 1000:g}k", 1,
                        f"{last['recall']:.3f} / {last['precision']:.3f}",
                        "recall ≥ datasketch" if name == "copydesk" else ""))
        if len(points) > 1:
            first_size, first = points[0]
            growth = round((last["cpu_s"] / last_size) / max(first["cpu_s"] / first_size, 1e-9), 2)
            report.setdefault("cost_per_article_growth", {})[name] = growth
            rows.append(Row("Near-copies vs peers",
                            f"{name}: cost per article, {last_size / 1000:g}k vs {first_size / 1000:g}k", 1,
                            f"{growth}x", "near 1x (linear)" if name != "datasketch" else ""))
    both = [s for s in sizes if {"copydesk", "datasketch"} <= set(report["sizes"][s])]
    if both:
        ours, theirs = report["sizes"][both[-1]]["copydesk"], report["sizes"][both[-1]]["datasketch"]
        report["speedup_vs_datasketch"] = round(theirs["cpu_s"] / max(ours["cpu_s"], 1e-9), 2)
        rows.append(Row("Near-copies vs peers", f"copydesk vs datasketch at {both[-1] / 1000:g}k (CPU)", 1,
                        f"{report['speedup_vs_datasketch']}x faster; recall {ours['recall']:.3f} vs "
                        f"{theirs['recall']:.3f}", "faster, recall ≥"))
    return rows, report


def peers_note() -> tuple[list[Row], dict]:
    note = ("datatrove 0.10.1 (17 MB wheel) requires numpy>=2 and huggingface-hub>=1.6, which "
            "conflict with spaCy 3.6's numpy<2; its MinHash dedup also needs the 'processing' extra "
            "(nltk, tokenizers, xxhash, trafilatura, ...). Not installed, not measured.")
    row = Row("Near-copies vs peers", "datatrove MinHash dedup", 0,
              "not measured: needs numpy>=2 (spaCy 3.6 pins numpy<2)", "")
    return [row], {"datatrove": note}


# ---------------------------------------------------------------------------------------
# Memory, scale-out, streaming
# ---------------------------------------------------------------------------------------


def memory(config: BenchConfig, work: str) -> tuple[list[Row], dict]:
    from bench.corpus import write

    rows, report = [], {}
    for number, size in enumerate(config.memory):
        folder = os.path.join(work, f"corpus{size}")
        items = corpus_items(size, config.seed + 1)
        write(list(items), folder)
        articles = sum(1 for item in items if item.expect == "article")
        runs = [("without entity stages", True)]
        if number == 0:
            runs.insert(0, ("whole pipeline", False))
        for label, without_ner in runs:
            command = copydesk_batch(folder, os.path.join(work, f"mem{size}-{int(without_ner)}"),
                                     without_ner=without_ner)
            result = checked(measure(command), f"the batch job at {size}")
            report[f"{size} {label}"] = {"articles": articles, "seconds": result.seconds,
                                         "articles_per_second": round(articles / result.seconds, 1),
                                         "peak_rss_mb": result.peak_rss_mb}
            rows.append(Row("Peak memory (RSS, children included)", f"{size} inputs, {label}", 1,
                            f"{result.peak_rss_mb:.0f} MB ({result.seconds} s, "
                            f"{round(articles / result.seconds, 1)} articles/s)", ""))
    return rows, report


def memory_growth(config: BenchConfig, work: str) -> tuple[list[Row], dict]:
    from bench.memory_growth import GrowthConfig, run

    return run(GrowthConfig(sizes=config.growth_sizes, largest=config.growth_largest,
                            seed=config.seed, work=os.path.join(work, "memory-growth")))


def portable(config: BenchConfig, work: str) -> tuple[list[Row], dict]:
    import shutil

    from bench.corpus import CorpusConfig, build
    from bench.portable import start_services

    folder = os.path.join(work, "portable-input")
    shutil.rmtree(folder, ignore_errors=True)
    manifest = build(os.path.join(folder, "generated"),
                     CorpusConfig(articles=config.portable_articles, seed=config.seed + 3))
    shutil.copytree(os.path.join(REPO_ROOT, "seeds"), os.path.join(folder, "seeds"))
    articles = manifest.expected("article") + 5
    started = time.perf_counter()
    services = start_services(os.path.join(work, "portable-logs"))
    startup = round(time.perf_counter() - started, 2)
    try:
        result = checked(measure(copydesk_batch(folder, os.path.join(work, "portable-out"),
                                                services.pipeline_args())), "the PortableRunner job")
    finally:
        services.stop()
    direct = checked(measure(copydesk_batch(folder, os.path.join(work, "portable-direct"))),
                     "the DirectRunner job")
    report = {"articles": articles, "service_startup_seconds": startup, "seconds": result.seconds,
              "articles_per_second": round(articles / result.seconds, 2),
              "direct_seconds": direct.seconds,
              "direct_articles_per_second": round(articles / direct.seconds, 2)}
    rows = [Row("Scale-out", "PortableRunner + external worker pool (seeds + generated)", 1,
                f"{report['articles_per_second']} articles/s ({result.seconds} s; services up in "
                f"{startup} s); DirectRunner {report['direct_articles_per_second']} articles/s",
                "same output (test_portable)")]
    return rows, report


def scale(config: BenchConfig, work: str) -> tuple[list[Row], dict]:
    from bench.scale import ScaleConfig, run

    return run(ScaleConfig(sizes=config.scale, full=config.scale[0], seed=config.seed,
                           work=os.path.join(work, "scale")))


def stream(config: BenchConfig, work: str) -> tuple[list[Row], dict]:
    if importlib.util.find_spec("bench.stream_bench") is None:
        return ([Row("Streaming", "latency p50 / p99 at 5 articles/s; sustained throughput", 0,
                     "not measured", "bench/stream_bench.py does not exist yet")],
                {"measured": False})
    command = [sys.executable, "-m", "bench.stream_bench", "--seconds", str(config.stream_seconds),
               "--articles", str(config.stream_articles), "--workers", "1,2", "--json"]
    result = measure(command, timeout=3600)
    if result.returncode != 0:
        tail = result.output[-200:].replace("\n", " ")
        return ([Row("Streaming", "bench.stream_bench", 0, "failed", tail)],
                {"measured": False, "output": result.output})
    figures = json.loads(result.output.strip().splitlines()[-1])
    rate = figures["config"]["rate"]
    backlog = figures.get("throughput_articles", 0)
    rows = [
        Row("Streaming", f"end-to-end latency p50 / p90 / p99 / max at {rate:g} articles/s, one worker "
            f"(Apache Kafka)", figures.get("latency_articles", 0),
            f"{figures.get('latency_p50_s')} / {figures.get('latency_p90_s')} / "
            f"{figures.get('latency_p99_s')} / {figures.get('latency_max_s')} s "
            f"({figures.get('latency_batches')} micro-batches of {figures.get('batch_records_median')} "
            f"records, pipeline {figures.get('batch_pipeline_seconds_median')} s, oldest record waited "
            f"{figures.get('batch_oldest_waited_median_s')} s: medians)",
            "p50 < 1 s, p99 < 2 s"),
        Row("Streaming", "one worker vs copydesk batch, same articles (steady state; from start)",
            backlog,
            f"steady {figures.get('stream_1w_steady_articles_per_s')} vs "
            f"{figures.get('batch_articles_per_s')} articles/s = {figures.get('stream_steady_vs_batch')}; "
            f"from start {figures.get('stream_vs_batch')}",
            "≥ 0.9 steady"),
        Row("Streaming", "two workers vs one on 2 cores (from start; steady state)", backlog,
            f"{figures.get('stream_2w_articles_per_s')} vs {figures.get('stream_1w_articles_per_s')} "
            f"articles/s = {figures.get('scale_out_vs_one')}x; "
            f"steady {figures.get('scale_out_steady_vs_one')}x",
            "≥ 1.6x steady"),
    ]
    return rows, {"measured": True, **figures}


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def run(config: BenchConfig) -> tuple[list[Row], dict]:
    from bench.corpus import CorpusConfig, build

    work = config.work or tempfile.mkdtemp(prefix="copydesk-bench-")
    report: dict = {"timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "commit": git_commit(), "machine": machine(), "packages": package_versions(),
                    "config": asdict(config), "work": work, "sections": {}}
    corpus = os.path.join(work, "corpus")
    manifest = build(corpus, CorpusConfig(articles=config.articles, seed=config.seed))
    articles = manifest.expected("article")
    report["corpus"] = {"inputs": len(manifest.rows), "articles": articles,
                        "rejects": manifest.expected("reject"),
                        "kinds": dict(Counter(r["kind"].split(":")[0] for r in manifest.rows)),
                        "mean_input_bytes": round(statistics.mean(r["bytes"] for r in manifest.rows))}
    rows: list[Row] = []

    def section(name: str, function: Callable[[], tuple[list[Row], dict]]) -> None:
        if name not in config.sections:
            return
        started = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        section_rows, section_report = function()
        section_report["section_seconds"] = round(time.perf_counter() - started, 1)
        print(f"[bench] {name}: {section_report['section_seconds']} s", file=sys.stderr, flush=True)
        rows.extend(section_rows)
        report["sections"][name] = section_report

    section("throughput", lambda: throughput(config, corpus, articles, work))
    section("stages", lambda: stage_table(config, work))
    section("near_copies", lambda: near_copy_peers(config))
    section("peers", peers_note)
    section("memory", lambda: memory(config, work))
    section("memory_growth", lambda: memory_growth(config, work))
    section("portable", lambda: portable(config, work))
    section("scale", lambda: scale(config, work))
    section("stream", lambda: stream(config, work))
    report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["targets"] = targets(report["sections"])
    rows += [Row("Targets", t["target"], 1, f"{t['measured']} ({'met' if t['met'] else 'missed'})", t["goal"])
             for t in report["targets"]]
    return rows, report


def targets(sections: dict) -> list[dict]:
    """Each target of the issue that this run measured: the figure and whether it is met."""
    found = []

    def add(target: str, measured, goal: str, met: bool) -> None:
        found.append({"target": target, "measured": measured, "goal": goal, "met": bool(met)})

    throughput_ = sections.get("throughput")
    if throughput_:
        add("batch pipeline / NER-only limit (wall)", throughput_["ratio_to_limit"], "≥ 1.0",
            throughput_["ratio_to_limit"] >= 1.0)
        add("2 workers / 1 worker (wall)", throughput_["multi_speedup"], "≥ 1.8",
            throughput_["multi_speedup"] >= 1.8)
    stages = sections.get("stages")
    if stages and stages.get("beyond_ner_ratio") is not None:
        add("everything but spaCy NER / spaCy NER (CPU per article)", stages["beyond_ner_ratio"],
            "≤ 0.15", stages["beyond_ner_ratio"] <= 0.15)
    near = sections.get("near_copies")
    if near and "speedup_vs_datasketch" in near:
        largest = max(near["sizes"])
        ours, theirs = near["sizes"][largest]["copydesk"], near["sizes"][largest]["datasketch"]
        add(f"near-copies faster than datasketch ({largest} articles, CPU)", near["speedup_vs_datasketch"],
            "> 1", near["speedup_vs_datasketch"] > 1)
        add("near-copies recall vs datasketch", f"{ours['recall']} vs {theirs['recall']}", "≥",
            ours["recall"] >= theirs["recall"])
        growth = near.get("cost_per_article_growth", {}).get("copydesk")
        if growth is not None:
            add("near-copies cost per article, largest vs smallest size", growth, "≤ 1.5 (near linear)",
                growth <= 1.5)
    found += sections.get("memory_growth", {}).get("targets", [])
    found += sections.get("scale", {}).get("targets", [])
    stream_ = sections.get("stream")
    if stream_ and stream_.get("measured") and stream_.get("latency_p50_s") is not None:
        add("streaming latency p50 at 5 articles/s (s)", stream_["latency_p50_s"], "< 1",
            stream_["latency_p50_s"] < 1)
        add("streaming latency p99 at 5 articles/s (s)", stream_["latency_p99_s"], "< 2",
            stream_["latency_p99_s"] < 2)
    if stream_ and stream_.get("stream_steady_vs_batch") is not None:
        add("one stream worker's steady articles/s / copydesk batch", stream_["stream_steady_vs_batch"],
            "≥ 0.9", stream_["stream_steady_vs_batch"] >= 0.9)
    if stream_ and stream_.get("scale_out_steady_vs_one") is not None:
        add("two stream workers / one, steady articles/s", stream_["scale_out_steady_vs_one"], "≥ 1.6",
            stream_["scale_out_steady_vs_one"] >= 1.6)
    return found


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["batch-without-ner"]:
        return batch_without_ner(argv[1:])
    defaults = BenchConfig()
    parser = argparse.ArgumentParser(description="copydesk benchmark (make bench).")
    parser.add_argument("--articles", type=int, default=defaults.articles, help="main corpus size (600)")
    parser.add_argument("--runs", type=int, default=defaults.runs, help="runs per throughput figure (3)")
    parser.add_argument("--growth", type=parse_sizes, default=defaults.growth,
                        help="near-copy cost curve sizes (1k,5k,20k)")
    parser.add_argument("--memory", type=parse_sizes, default=defaults.memory, help="peak RSS sizes (1k,20k)")
    parser.add_argument("--portable-articles", type=int, default=defaults.portable_articles)
    parser.add_argument("--beam-max", type=int, default=defaults.beam_max,
                        help="largest growth size also run through FindNearCopies on Beam (5000)")
    parser.add_argument("--stream-seconds", type=float, default=defaults.stream_seconds)
    parser.add_argument("--stream-articles", type=int, default=defaults.stream_articles)
    parser.add_argument("--scale", type=parse_sizes, default=defaults.scale,
                        help="bench.scale sizes (10k,50k,200k; the first also with entities)")
    parser.add_argument("--growth-sizes", type=parse_sizes, default=defaults.growth_sizes,
                        help="bench.memory_growth's compared sizes (20k,100k)")
    parser.add_argument("--growth-largest", type=lambda text: parse_sizes(text)[0],
                        default=defaults.growth_largest,
                        help="bench.memory_growth's size that only has to complete (200k)")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--only", default="", help=f"comma-separated sections of: {', '.join(SECTIONS)}")
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--work", help="folder for corpora and outputs (default: a new temporary folder)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the result files alone")
    args = parser.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    chosen = [s for s in chosen if s not in args.skip.split(",")]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; use some of: {', '.join(SECTIONS)}")
    config = BenchConfig(articles=args.articles, runs=args.runs, growth=args.growth,
                         beam_max=args.beam_max, memory=args.memory,
                         portable_articles=args.portable_articles, stream_seconds=args.stream_seconds,
                         stream_articles=args.stream_articles, scale=args.scale,
                         growth_sizes=args.growth_sizes, growth_largest=args.growth_largest,
                         seed=args.seed, sections=tuple(chosen), work=args.work)
    started = time.perf_counter()
    rows, report = run(config)
    report["seconds"] = round(time.perf_counter() - started, 1)
    table = markdown(rows)
    print(table)
    print(f"\n{report['seconds']} s; load average at start {report['machine']['load_average']}, "
          f"at end {report['machine']['load_average_end']}")
    if not args.no_write:
        path = write_json("bench.json", report)
        if set(chosen) == set(SECTIONS):
            update_results_md("bench", f"## `make bench` ({report['timestamp']}, commit {report['commit']}, "
                                       f"{report['seconds']} s, load average at start "
                                       f"{report['machine']['load_average'][0]})\n\n{table}\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

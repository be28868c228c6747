"""Does ``copydesk batch``'s memory grow with the corpus? Peak RSS of the whole process
group of the default command, with ``--skip-entities``, over corpora of distinct articles.

``python -m bench.memory_growth --sizes 20k,100k [--largest 200k] [--work DIR]`` generates
``bench.corpus`` corpora of distinct ~3 KB articles (no reprints, copies, damage or bad
inputs), runs ``copydesk batch INPUT --output OUT --skip-entities`` on each with no other
flag, and reports peak RSS (the process and every child, sampled every 0.1 s), CPU and
wall time; the first size runs again on two workers (``--direct_num_workers 2
--direct_running_mode multi_processing``). The targets (issue 19): peak at the second size
within 1.3x of the first, under 1 GB at both, ``--largest`` completing, and two workers at
least 1.8x as fast as one without NER.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass
from typing import Sequence

from bench.commands import MULTI, copydesk_batch, measure, parse_sizes
from bench.scoring import Row, markdown

GROWTH_LIMIT = 1.3
PEAK_LIMIT_MB = 1024
SPEEDUP_GOAL = 1.8


@dataclass(frozen=True)
class GrowthConfig:
    """``sizes`` (20k, 100k): corpora whose peaks are compared; ``largest`` (None): one more
    size that only has to complete; ``seed`` (0); ``work``: folder for corpora and outputs."""

    sizes: tuple[int, ...] = (20_000, 100_000)
    largest: int | None = None
    seed: int = 0
    work: str = "/tmp/copydesk-memory-growth"


def distinct_corpus(folder: str, size: int, seed: int) -> str:
    from bench.corpus import CorpusConfig, build

    if not os.path.isdir(folder):
        build(folder, CorpusConfig(articles=size, seed=seed, reprint_share=0.0, exact_share=0.0,
                                   damaged_share=0.0, bad_share=0.0))
    return folder


def run(config: GrowthConfig) -> tuple[list[Row], dict]:
    report: dict = {"config": asdict(config), "sizes": {}}
    sizes = [*config.sizes, *([config.largest] if config.largest else [])]
    for size in sizes:
        corpus = distinct_corpus(os.path.join(config.work, f"distinct{size}"), size, config.seed)
        output = os.path.join(config.work, f"out{size}")
        shutil.rmtree(output, ignore_errors=True)
        load = [round(x, 2) for x in os.getloadavg()]
        result = measure([*copydesk_batch(corpus, output), "--skip-entities"], timeout=6 * 3600)
        report["sizes"][size] = {"peak_rss_mb": result.peak_rss_mb, "seconds": result.seconds,
                                 "cpu_seconds": result.cpu_seconds, "returncode": result.returncode,
                                 "load_average_at_start": load}
        print(f"[memory_growth] {size}: {report['sizes'][size]}", file=sys.stderr, flush=True)
        shutil.rmtree(output, ignore_errors=True)
    first = config.sizes[0]
    output = os.path.join(config.work, f"out{first}-two-workers")
    result = measure([*copydesk_batch(os.path.join(config.work, f"distinct{first}"), output, MULTI),
                      "--skip-entities"], timeout=6 * 3600)
    shutil.rmtree(output, ignore_errors=True)
    speedup = round(report["sizes"][first]["seconds"] / max(result.seconds, 1e-9), 2)
    report["two_workers"] = {"size": first, "seconds": result.seconds, "cpu_seconds": result.cpu_seconds,
                             "peak_rss_mb": result.peak_rss_mb, "returncode": result.returncode,
                             "speedup": speedup}
    rows = [Row("Memory growth (copydesk batch --skip-entities, distinct ~3 KB articles)",
                f"{size / 1000:g}k articles", 1,
                f"peak {entry['peak_rss_mb']:.0f} MB, {entry['seconds']} s wall, "
                f"{entry['cpu_seconds']} s CPU" + ("" if entry["returncode"] == 0
                                                   else f", failed ({entry['returncode']})"),
                f"< {PEAK_LIMIT_MB} MB")
            for size, entry in report["sizes"].items()]
    two = report["two_workers"]
    rows.append(Row("Memory growth (copydesk batch --skip-entities, distinct ~3 KB articles)",
                    f"{first / 1000:g}k articles, two workers", 1,
                    f"{two['speedup']}x one worker ({two['seconds']} s wall, {two['cpu_seconds']} s CPU, "
                    f"peak {two['peak_rss_mb']:.0f} MB)", f"≥ {SPEEDUP_GOAL}x"))
    report["targets"] = targets(report, config)
    return rows, report


def targets(report: dict, config: GrowthConfig) -> list[dict]:
    found = []
    small, large = config.sizes[0], config.sizes[-1]
    peaks = {size: report["sizes"][size]["peak_rss_mb"] for size in config.sizes}
    growth = round(peaks[large] / max(peaks[small], 1e-9), 2)
    found.append({"target": f"peak RSS at {large / 1000:g}k / at {small / 1000:g}k (--skip-entities)",
                  "measured": growth, "goal": f"≤ {GROWTH_LIMIT}", "met": growth <= GROWTH_LIMIT})
    worst = max(peaks.values())
    found.append({"target": "largest peak RSS of those sizes (MB)", "measured": worst,
                  "goal": f"< {PEAK_LIMIT_MB}", "met": worst < PEAK_LIMIT_MB})
    two = report.get("two_workers")
    if two:
        found.append({"target": f"two workers / one without NER ({two['size'] / 1000:g}k, wall)",
                      "measured": two["speedup"], "goal": f"≥ {SPEEDUP_GOAL}",
                      "met": two["returncode"] == 0 and two["speedup"] >= SPEEDUP_GOAL})
    if config.largest:
        entry = report["sizes"][config.largest]
        found.append({"target": f"{config.largest / 1000:g}k articles complete",
                      "measured": f"exit {entry['returncode']}, peak {entry['peak_rss_mb']:.0f} MB",
                      "goal": "exit 0", "met": entry["returncode"] == 0})
    return found


def main(argv: Sequence[str] | None = None) -> int:
    defaults = GrowthConfig()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=defaults.sizes)
    parser.add_argument("--largest", type=lambda text: parse_sizes(text)[0], default=None)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--work", default=defaults.work)
    args = parser.parse_args(argv)
    rows, report = run(GrowthConfig(args.sizes, args.largest, args.seed, args.work))
    print(markdown(rows))
    print(json.dumps(report["targets"], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

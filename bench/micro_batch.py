"""Fixed cost of one streaming micro-batch: a graph built per batch against one built once.

Each variant runs batches of ``--records`` generated articles (1 by default, so the time is
nearly all fixed cost) in one process, after a warm-up that loads the models:

* ``graph per batch``: what the worker did before: a fresh ``beam.Pipeline`` with the
  records in ``beam.Create``, built, pickled, translated and run for every batch;
* ``built once``: ``pipelines.batch.RecordsPipeline``, whose graph reads each batch from
  its spool file at run time.

Each is measured with and without ``transforms.runtime.dofn_specs`` (Beam's per-DoFn state check
answered once per class), the variants interleaved round by round so that a shared
machine's load hits them alike; medians and minimums in seconds, and the median CPU
seconds of the process (threads included), which a shared machine's load changes less.
No near-copy or entity state (the same in every variant) unless ``--state`` gives the
built-once pipeline a state folder, as the streaming worker has (its graph has the
index and store steps). Run: ``python -m bench.micro_batch [--rounds 8] [--state]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.transforms import userstate

from bench.corpus import base_article
from pipelines import batch
from schemas.records import RawInput
from transforms.runtime import dofn_specs


def records(count: int, first: int) -> list[RawInput]:
    found = []
    for n in range(first, first + count):
        headline, body = base_article(2_000_000 + n)
        found.append(RawInput(source=f"kafka://bench/0/{n}", raw=f"{headline}\n\n{body}".encode(),
                              order=f"{n:020d}"))
    return found


def graph_per_batch(output: str, inputs: list[RawInput], stem: str, at: datetime) -> None:
    with beam.Pipeline(options=batch.pipeline_options([])) as p:
        batch.build(p | "Records" >> beam.Create(inputs, reshuffle=False), batch.BatchConfig(),
                    output, stem, at)


def measure(rounds: int, count: int, state: bool = False) -> dict[str, dict[str, float]]:
    output = tempfile.mkdtemp(prefix="copydesk-micro-batch-")
    at = datetime.now(timezone.utc)
    once = batch.RecordsPipeline(output, batch.BatchConfig(),
                                 state_dir=os.path.join(output, "_state") if state else None)
    variants = [(kind, specs) for kind in ("graph per batch", "built once") for specs in (True, False)]
    seconds: dict[tuple[str, bool], list[float]] = {v: [] for v in variants}
    cpu: dict[tuple[str, bool], list[float]] = {v: [] for v in variants}
    n = 0
    try:
        for round_number in range(rounds + 1):  # round 0 warms up
            for kind, specs in variants:
                userstate.get_dofn_specs = dofn_specs.dofn_specs if specs else dofn_specs._ask_beam
                inputs, stem = records(count, n), f"bench-{n}"
                n += count
                started, started_cpu = time.monotonic(), time.process_time()
                if kind == "graph per batch":
                    graph_per_batch(output, inputs, stem, at)
                else:
                    once.run(inputs, stem, at)
                if round_number:
                    seconds[(kind, specs)].append(time.monotonic() - started)
                    cpu[(kind, specs)].append(time.process_time() - started_cpu)
    finally:
        dofn_specs.install()
        once.close()
    return {f"{kind}, dofn_specs {'on' if specs else 'off'}": {
        "median_s": round(statistics.median(values), 3), "min_s": round(min(values), 3),
        "median_cpu_s": round(statistics.median(cpu[(kind, specs)]), 3)}
        for (kind, specs), values in seconds.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.micro_batch", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--records", type=int, default=1, help="articles per micro-batch")
    parser.add_argument("--state", action="store_true",
                        help="give the built-once pipeline a state folder, as the streaming worker has")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line last")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    figures = measure(args.rounds, args.records, args.state)
    print(f"| micro-batch of {args.records} article(s), {args.rounds} rounds "
          "| median s | min s | median CPU s |")
    print("|---|---|---|---|")
    for name, values in figures.items():
        print(f"| {name} | {values['median_s']} | {values['min_s']} | {values['median_cpu_s']} |")
    print(f"load average (1 min) at start / end: {load:.2f} / {os.getloadavg()[0]:.2f}, "
          f"{os.cpu_count()} cpus")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Near-copy benchmark: copydesk's fingerprints and FindNearCopies against datasketch's
MinHash + MinHashLSH on the same generated corpus with the same bands x rows.

    .venv/bin/python -m bench.near_copies_bench --sizes 1000 5000 [--beam] [--json FILE]

Rows, per corpus size:
  datasketch      MinHash.update_batch + MinHashLSH insert/query, then the same confirmation
                  (containment on the real shingle sets) and clustering as copydesk.
  copydesk        the same steps in one process with copydesk's vectorised fingerprints.
  copydesk-beam   FindNearCopies on Beam's direct runner (in-memory), input read from a
                  pickle; ``beam-passthrough`` is the same pipeline without the transform.
``lsh_s`` is the time to signatures and candidate pairs, ``total_s`` includes confirming,
clustering and (for Beam) everything else; ``net_s`` is the detection's own time (for
Beam, total minus the passthrough pipeline's); ``cpu_s`` is process CPU time. Recall and
precision are against the generator's truth (bench.reprints.score).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import resource
import tempfile
import time
from collections import defaultdict

from bench import reprints
from transforms.near_copies import NearCopyConfig, Pair, cluster, minhash, resolve, similarity
from transforms.near_copies.fingerprints import fingerprints


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _pairs_from_buckets(buckets) -> set[tuple[int, int]]:
    pairs = set()
    for members in buckets:
        members = sorted(members)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add((a, b))
    return pairs


def _confirm_and_cluster(articles, sets, ranks, pairs, config, overlap) -> dict:
    """The same decision for both contenders: real containment, then union-find and a
    direct check of members linked to their canonical only through a path."""
    confirmed = []
    for a, b in pairs:
        value, is_copy = similarity(sets[a], sets[b], config) if overlap is None else overlap(a, b)
        if is_copy:
            confirmed.append(tuple(Pair(a, b, round(value, 4), ranks[a], ranks[b])))
    copies, unchecked = cluster(confirmed)
    for member, canonical in unchecked:
        value, is_copy = (
            similarity(sets[member], sets[canonical], config)
            if overlap is None else overlap(member, canonical)
        )
        if is_copy:
            copies[member] = ("copy", canonical, round(value, 4))
    return {a.id: resolve(a.id, copies)[0] for a in articles}


def run_copydesk(corpus: reprints.Corpus, config: NearCopyConfig) -> dict:
    articles = corpus.articles
    wall, cpu = time.perf_counter(), _cpu()
    hasher = minhash.MinHasher(config.bands, config.rows, config.seed)
    prints = [
        fp for start in range(0, len(articles), 128)
        for fp in fingerprints(articles[start : start + 128], config, hasher)
    ]
    buckets = defaultdict(list)
    for fp in prints:
        for key in fp.bands:
            buckets[key].append(fp.id)
    pairs = _pairs_from_buckets(buckets.values())
    lsh = time.perf_counter() - wall
    sets = {fp.id: fp.shingle_set() for fp in prints}
    ranks = {fp.id: fp.rank for fp in prints}
    marked = _confirm_and_cluster(articles, sets, ranks, pairs, config, None)
    return _row("copydesk", corpus, marked, lsh, wall, cpu, len(pairs))


def run_datasketch(corpus: reprints.Corpus, config: NearCopyConfig) -> dict:
    from datasketch import MinHash, MinHashLSH

    articles = corpus.articles
    num_perm = config.bands * config.rows
    n = config.shingle_size
    wall, cpu = time.perf_counter(), _cpu()
    lsh = MinHashLSH(num_perm=num_perm, params=(config.bands, config.rows))
    shingle_sets, signatures = {}, {}
    for article in articles:
        words = re.findall(r"\w+", article.text.casefold())
        grams = {" ".join(words[i : i + n]).encode("utf-8") for i in range(max(1, len(words) - n + 1))}
        grams.discard(b"")
        signature = MinHash(num_perm=num_perm, seed=config.seed)
        if grams:
            signature.update_batch(list(grams))
            lsh.insert(article.id, signature)
        shingle_sets[article.id], signatures[article.id] = grams, signature
    pairs = set()
    for article in articles:
        if shingle_sets[article.id]:
            for other in lsh.query(signatures[article.id]):
                if other != article.id:
                    pairs.add((min(article.id, other), max(article.id, other)))
    lsh_seconds = time.perf_counter() - wall

    def overlap(a: str, b: str) -> tuple[float, bool]:
        one, two = shingle_sets[a], shingle_sets[b]
        shared, smaller = len(one & two), min(len(one), len(two))
        if not smaller:
            return 0.0, False
        if smaller >= config.min_shingles:
            return shared / smaller, shared / smaller >= config.threshold
        return shared / smaller, shared / (len(one) + len(two) - shared) >= config.threshold

    # Exact copies have equal sets; datasketch has no content hash, LSH finds them.
    from transforms.near_copies import rank

    ranks = {a.id: rank(a) for a in articles}
    marked = _confirm_and_cluster(articles, None, ranks, pairs, config, overlap)
    return _row("datasketch", corpus, marked, lsh_seconds, wall, cpu, len(pairs))


def run_beam(corpus: reprints.Corpus, config: NearCopyConfig, passthrough: bool = False) -> dict:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.runners import LOCAL_RUNNER

    from transforms.near_copies import FindNearCopies

    folder = tempfile.mkdtemp(prefix="near_copies_bench_")
    source, result = os.path.join(folder, "in.pkl"), os.path.join(folder, "out.json")
    with open(source, "wb") as handle:
        pickle.dump(corpus.articles, handle)

    def load(path):
        with open(path, "rb") as handle:
            return pickle.load(handle)

    def save(rows):
        with open(result, "w", encoding="utf-8") as handle:
            json.dump(rows, handle)

    wall, cpu = time.perf_counter(), _cpu()
    options = PipelineOptions([f"--runner={LOCAL_RUNNER}", "--direct_running_mode=in_memory"])
    with beam.Pipeline(options=options) as p:
        articles = p | beam.Create([source]) | "Load" >> beam.FlatMap(load) | beam.Reshuffle()
        if not passthrough:
            articles = articles | FindNearCopies(config)
        _ = (
            articles
            | beam.Map(lambda a: (a.id, a.duplicate_of))
            | beam.combiners.ToList()
            | beam.Map(save)
        )
    with open(result, encoding="utf-8") as handle:
        marked = dict(map(tuple, json.load(handle)))
    name = "beam-passthrough" if passthrough else "copydesk-beam"
    return _row(name, corpus, marked, None, wall, cpu, None)


def _row(name, corpus, marked, lsh, wall, cpu, pairs) -> dict:
    total = time.perf_counter() - wall
    score = reprints.score(corpus, marked)
    return {
        "method": name,
        "articles": len(corpus.articles),
        "lsh_s": None if lsh is None else round(lsh, 2),
        "total_s": round(total, 2),
        "cpu_s": round(_cpu() - cpu, 2),
        "net_s": round(total, 2) if pairs is not None else None,
        "us_per_article": round(total / len(corpus.articles) * 1e6),
        "candidates": pairs,
        "recall": round(score["recall"], 4),
        "precision": round(score["precision"], 4),
    }


COLUMNS = ("method", "articles", "lsh_s", "total_s", "net_s", "cpu_s", "us_per_article",
           "candidates", "recall", "precision")


def print_table(rows: list[dict]) -> None:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in COLUMNS))


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--beam", action="store_true", help="also run FindNearCopies on Beam")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)
    config = NearCopyConfig()
    print(f"config: {config}")
    rows = []
    for size in args.sizes:
        corpus = reprints.corpus(size, seed=args.seed)
        rows.append(run_datasketch(corpus, config))
        rows.append(run_copydesk(corpus, config))
        if args.beam:
            rows.append(run_beam(corpus, config, passthrough=True))
            rows.append(run_beam(corpus, config))
            # What the transform itself adds to a pipeline that reads and collects.
            rows[-1]["net_s"] = round(rows[-1]["total_s"] - rows[-2]["total_s"], 2)
        print_table(rows[-4 if args.beam else -2 :])
    print()
    print_table(rows)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=1)
    return rows


if __name__ == "__main__":
    main()

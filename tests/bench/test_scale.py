"""bench.scale: sizes, corpus reuse, the growth figures and targets, and one real run on
the PortableRunner with two SDK workers from an external pool."""

from __future__ import annotations

import os

import pyarrow.dataset as ds
import pytest

from bench.job_service import worker_count
from bench.scale import ScaleConfig, corpus, growth, parse_sizes, rows, run_one, targets
from schemas.arrow import ARTICLES


def _run(inputs: int, articles: int, seconds: float, workers: list[float]) -> dict:
    return {"inputs": inputs, "articles": articles, "seconds": seconds,
            "articles_per_second": round(articles / seconds, 1), "worker_peak_rss_mb": workers,
            "job_service_peak_rss_mb": 500.0}


def test_sizes_take_plain_numbers_and_suffixes():
    assert parse_sizes("10000, 50k,200k") == (10_000, 50_000, 200_000)
    assert parse_sizes("") == ()


def test_growth_pairs_workers_by_rank_and_times_per_article():
    runs = {200_000: _run(200_000, 196_000, 800.0, [500.0, 620.0]),
            10_000: _run(10_000, 9_800, 50.0, [600.0, 400.0])}
    found = growth(runs)
    # 620/600 and 500/400: the larger peak of each run against the larger one.
    assert found["worker_rss_ratio"] == [1.033, 1.25]
    assert found["time_per_article_ratio"] == 0.8
    assert (found["from"], found["to"]) == (10_000, 200_000)
    assert growth({10_000: runs[10_000]}) == {}


def test_targets_say_met_or_missed():
    runs = {10_000: _run(10_000, 9_800, 50.0, [400.0, 400.0]),
            50_000: _run(50_000, 49_000, 400.0, [400.0, 800.0])}
    met = {t["target"].split(",")[0]: t["met"] for t in targets({"growth": growth(runs)})}
    assert met == {"worker peak RSS": False, "time per article": False}
    runs[50_000] = _run(50_000, 49_000, 260.0, [410.0, 420.0])
    assert all(t["met"] for t in targets({"growth": growth(runs)}))
    assert targets({"growth": {}}) == []


def test_rows_show_each_worker_and_the_whole_pipeline():
    runs = {10_000: _run(10_000, 9_800, 50.0, [612.4, 587.0])}
    table = rows({"runs": runs, "full": _run(10_000, 9_800, 900.0, [1400.0, 1300.0]), "growth": {}})
    assert [row.case for row in table] == ["10000 inputs (9800 articles), without entity stages",
                                           "10000 inputs (9800 articles), whole pipeline"]
    assert "612 / 587 MB" in table[0].result and "196.0 articles/s" in table[0].result


def test_a_corpus_is_generated_once_and_reused(tmp_path):
    config = ScaleConfig(mean_bytes=800)
    folder, articles = corpus(str(tmp_path), 40, config)
    manifest = os.path.join(folder, "_manifest.jsonl")
    stamp = os.stat(manifest).st_mtime_ns
    assert corpus(str(tmp_path), 40, config) == (folder, articles)
    assert os.stat(manifest).st_mtime_ns == stamp
    assert 30 <= articles <= 40


def test_worker_count_reads_the_option_as_beam_gives_it():
    assert worker_count("2") == 2 and worker_count(3) == 3
    assert worker_count(None) == 1 and worker_count("0") == 1


@pytest.mark.slow
def test_two_workers_from_the_pool_each_sampled(tmp_path):
    folder, articles = corpus(str(tmp_path), 150, ScaleConfig(mean_bytes=1000))
    output = str(tmp_path / "out")
    result = run_one(folder, output, ScaleConfig(workers=2, interval=0.05), skip_entities=True)
    assert len(result["worker_peak_rss_mb"]) == 2
    assert all(peak > 50 for peak in result["worker_peak_rss_mb"])
    assert result["job_service_peak_rss_mb"] > 50 and result["seconds"] > 0
    table = ds.dataset(os.path.join(output, "articles"), schema=ARTICLES, format="parquet",
                       partitioning="hive").to_table()
    written = table.num_rows + ds.dataset(os.path.join(output, "duplicates"), schema=ARTICLES,
                                          format="parquet", partitioning="hive").count_rows()
    assert written == articles
    assert set(map(len, table.column("entities").to_pylist())) == {0}

import glob
import os
import sys
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline

from schemas.arrow import ARTICLES, REJECTS
from schemas.records import Article, Entity, Reject, Repair
from transforms.writing.write import WriteDatePartitions, WriteMicroBatch, shard_of, written_rejects

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=timezone.utc)
Writer = WriteDatePartitions


@pytest.fixture(autouse=True, params=[WriteDatePartitions, WriteMicroBatch])
def writer(request, monkeypatch):
    """Every test runs with the grouped steps and with the streaming worker's one step."""
    monkeypatch.setattr(sys.modules[__name__], "Writer", request.param)
    return request.param


def article(n: int, published_days_ago: int | None, duplicate_of: str | None = None) -> Article:
    published = None if published_days_ago is None else NOW - timedelta(days=published_days_ago)
    return Article(
        id=f"a{n:03d}", source=f"f{n}.txt", text=f"Text {n} about Kyiv.", ingested_at=NOW,
        raw=b"raw", title=f"T{n}", language="en", language_score=0.99,
        repairs=[Repair("whitespace", "  ", " ")], entities=[Entity("Kyiv", "GPE", 13, 17, "Kyiv", "x")],
        duplicate_of=duplicate_of, similarity=0.9 if duplicate_of else None, published_at=published,
    )


def write(output, stem, articles, rejects):
    with TestPipeline() as p:
        tables = {
            "articles": p | "A" >> beam.Create(articles),
            "rejects": p | "R" >> beam.Create(rejects),
        }
        tables | Writer(str(output), stem)


def read(output, table):
    schema = REJECTS if table == "rejects" else ARTICLES
    return ds.dataset(os.path.join(output, table), schema=schema, format="parquet",
                      partitioning="hive").to_table()


@pytest.fixture
def records():
    articles = [article(n, n % 3 if n % 4 else None) for n in range(20)]
    articles.append(article(99, 1, duplicate_of="a001"))
    rejects = [Reject("r1", "bad.bin", "The input is binary.", b"\x00\x01", NOW)]
    return articles, rejects


def test_tables_are_partitioned_by_date_and_read_back(tmp_path, records):
    articles, rejects = records
    write(tmp_path, "batch-x", articles, rejects)
    table = read(tmp_path, "articles")
    assert sorted(table.column("id").to_pylist()) == sorted(a.id for a in articles[:-1])
    dates = dict(zip(table.column("id").to_pylist(), table.column("date").to_pylist()))
    assert all(dates[a.id] == a.date for a in articles[:-1])
    assert set(dates.values()) == {"2026-11-21", "2026-11-20", "2026-11-19"}
    row = table.filter(ds.field("id") == "a005").to_pylist()[0]
    assert row["entities"][0]["text"] == "Kyiv" and row["repairs"][0]["kind"] == "whitespace"
    assert read(tmp_path, "duplicates").column("duplicate_of").to_pylist() == ["a001"]
    rejected = read(tmp_path, "rejects").to_pylist()
    assert [(r["source"], r["raw"], r["date"]) for r in rejected] == [("bad.bin", b"\x00\x01", "2026-11-21")]


def test_no_temporary_or_partial_file_is_left(tmp_path, records):
    write(tmp_path, "batch-x", *records)
    names = [n for _, _, files in os.walk(tmp_path) for n in files]
    assert names and all(n.startswith("batch-x-") and n.endswith(".parquet") for n in names)


def test_rerun_replaces_rows_instead_of_doubling(tmp_path, records):
    write(tmp_path, "batch-x", *records)
    first = read(tmp_path, "articles").num_rows
    write(tmp_path, "batch-x", *records)
    assert read(tmp_path, "articles").num_rows == first


def test_rerun_removes_rows_whose_partition_moved(tmp_path, records):
    articles, rejects = records
    write(tmp_path, "batch-x", articles, rejects)
    moved = [article(n, 30) for n in range(20)]
    write(tmp_path, "batch-x", moved, [])
    table = read(tmp_path, "articles")
    assert table.num_rows == 20 and set(table.column("date").to_pylist()) == {"2026-10-22"}
    assert read(tmp_path, "rejects").num_rows == 0


def test_other_stems_are_left_alone(tmp_path, records):
    write(tmp_path, "batch-x", *records)
    write(tmp_path, "kafka-t-0", [article(500, 0)], [])
    assert read(tmp_path, "articles").num_rows == 21
    assert read(tmp_path, "rejects").num_rows == 1


def test_the_rejects_a_stem_wrote_are_found_in_its_ingestion_date_alone(tmp_path, records):
    articles, rejects = records
    write(tmp_path, "kafka-t-0", articles, rejects)
    write(tmp_path, "kafka-t-1", [], [Reject("r2", "b.bin", "Binary.", b"\x00", NOW)])
    [found] = written_rejects(str(tmp_path), "kafka-t-0", NOW)
    assert "/rejects/date=" + NOW.date().isoformat() + "/kafka-t-0-" in found
    assert written_rejects(str(tmp_path), "kafka-t-0", NOW + timedelta(days=1)) == []
    assert written_rejects(str(tmp_path), "kafka-t-9", NOW) == []


def test_a_crashed_writers_temporary_file_is_cleaned_up(tmp_path, records):
    folder = tmp_path / "articles" / "date=2026-11-21"
    folder.mkdir(parents=True)
    leftover = folder / ".batch-x-00000.parquet.0123456789abcdef0123456789abcdef.tmp"
    leftover.write_bytes(b"PAR1 half written")
    other = folder / ".kafka-t-00000.parquet.0123456789abcdef0123456789abcdef.tmp"
    other.write_bytes(b"another writer's")
    write(tmp_path, "batch-x", *records)
    assert not leftover.exists() and other.exists()


def files_of(output, table="articles"):
    return sorted(os.path.relpath(p, output) for p in glob.glob(os.path.join(output, table, "*", "*")))


def test_a_crowded_date_is_sharded_into_bounded_deterministic_files(tmp_path):
    crowded = [article(n, 0) for n in range(200)]
    with TestPipeline() as p:
        {"articles": p | "A" >> beam.Create(crowded), "rejects": p | "R" >> beam.Create([])} \
            | Writer(str(tmp_path), "batch-x", rows_per_file=25)
    names = files_of(tmp_path)
    assert names == [f"articles/date=2026-11-21/batch-x-{shard:05d}.parquet" for shard in range(8)]
    sizes = [pq.read_metadata(tmp_path / name).num_rows for name in names]
    # A hash shares the rows out: about 25 per file, never one file holding them all.
    assert sum(sizes) == 200 and max(sizes) <= 2 * 25
    expected = {}
    for a in crowded:
        expected.setdefault(shard_of(a.id, 8), set()).add(a.id)
    for shard, name in enumerate(names):
        assert set(pq.read_table(tmp_path / name).column("id").to_pylist()) == expected[shard]


def test_a_rerun_with_fewer_shards_removes_the_extra_files(tmp_path):
    def write_n(n):
        with TestPipeline() as p:
            {"articles": p | "A" >> beam.Create([article(i, 0) for i in range(n)]),
             "rejects": p | "R" >> beam.Create([])} \
                | Writer(str(tmp_path), "batch-x", rows_per_file=10)

    write_n(50)
    assert len(files_of(tmp_path)) == 5
    write_n(15)
    assert len(files_of(tmp_path)) == 2
    assert read(tmp_path, "articles").num_rows == 15


def test_one_step_writes_the_files_and_rows_of_the_grouped_steps(tmp_path, records, writer):
    if writer is not WriteMicroBatch:
        pytest.skip("compares the two writers once")
    crowded = [article(n, n % 2) for n in range(60)] + records[0]
    found = {}
    for name, kind in (("grouped", WriteDatePartitions), ("one step", WriteMicroBatch)):
        output = tmp_path / name
        with TestPipeline() as p:
            {"articles": p | "A" >> beam.Create(crowded), "rejects": p | "R" >> beam.Create(records[1])} \
                | kind(str(output), "batch-x", rows_per_file=7)
        found[name] = {path: pq.read_table(output / path).to_pylist()
                       for table in ("articles", "duplicates", "rejects") for path in files_of(output, table)}
    assert len(found["grouped"]) > 3 and found["one step"] == found["grouped"]

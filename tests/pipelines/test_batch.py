"""End to end over the seeds and over generated inputs: the whole Beam pipeline, real
spaCy, real Parquet read back with pyarrow."""

import gzip
import json
import os
import pickle
import shutil
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from apache_beam.options.pipeline_options import DirectOptions, StandardOptions

from pipelines.batch import BatchConfig, batch_stem, pipeline_options, run_files
from pipelines.runners import LOCAL_RUNNER
from schemas.arrow import ARTICLES, REJECTS

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BOILERPLATE = ("Leave a Reply", "Your email address will not be published", "Skip to content",
               "WP Twitter Auto Publish", "Read More", "via Newsmax")

pytestmark = pytest.mark.slow


def read(output, table):
    schema = REJECTS if table == "rejects" else ARTICLES
    path = os.path.join(output, table)
    if not os.path.isdir(path):
        return []
    return ds.dataset(path, schema=schema, format="parquet", partitioning="hive").to_table().to_pylist()


def run(inputs, output, **config):
    inputs = [str(i) for i in inputs]
    return run_files(inputs, str(output), batch_stem(inputs), BatchConfig(**config))


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("out")
    result = run([SEEDS], output)
    return result, {row["source"]: row for row in read(output, "articles")}, output


def test_every_seed_is_an_english_article(seeds_run):
    result, rows, output = seeds_run
    assert sorted(rows) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert {r["language"] for r in rows.values()} == {"en"}
    assert read(output, "duplicates") == [] and read(output, "rejects") == []
    assert result.counts == {"articles": 5, "duplicates": 0, "rejects": 0}


def test_001_loses_the_stray_arabic_word_and_nothing_else(seeds_run):
    _, rows, _ = seeds_run
    row = rows["001_ad877b3d03b42381.txt"]
    assert "وبر" not in row["text"]
    assert "one The atmosphere of optimism" in row["text"]
    original = (SEEDS / "001_ad877b3d03b42381.txt").read_text(encoding="utf-8")
    kept = [p for p in original.split("\n\n") if p.strip()]
    removed_kinds = {r["kind"] for r in row["repairs"]}
    assert removed_kinds <= {"stray_script", "boilerplate", "title", "whitespace"}
    stray = [r["text"].strip() for r in row["repairs"] if r["kind"] == "stray_script"]
    assert stray == ["وبر"]
    for paragraph in kept:
        if paragraph.strip() in ("Leave a Reply", "Your email address will not be published."):
            continue
        if paragraph == row["title"]:
            continue
        assert paragraph.replace("وبر ", "").strip() in row["text"]


@pytest.mark.parametrize("name", ["001_ad877b3d03b42381.txt", "003_e1f9391fcbfd10ba.txt",
                                  "004_c9e14b2f1d937aa1.txt", "002_a26ea54cb45c7aeb.txt"])
def test_boilerplate_is_gone(seeds_run, name):
    _, rows, _ = seeds_run
    for line in BOILERPLATE:
        assert line not in rows[name]["text"]


def test_002_has_one_title_and_it_is_not_in_the_text(seeds_run):
    _, rows, _ = seeds_run
    row = rows["002_a26ea54cb45c7aeb.txt"]
    headline = "Putin Makes Big Statement About Recognition Of Ukraine Rebel Independence"
    assert row["title"] == headline
    assert headline not in row["text"]


def test_entities_point_into_the_text(seeds_run):
    _, rows, _ = seeds_run
    found = {(e["text"], e["label"]) for e in rows["000_ddb74dd6e30f21c7.txt"]["entities"]}
    assert ("Vladimir Putin", "PERSON") in found
    for row in rows.values():
        assert row["entities"]
        assert all(row[e["field"]][e["start"]:e["end"]] == e["text"] for e in row["entities"])


def test_ids_are_stable_and_a_rerun_does_not_double_rows(seeds_run, tmp_path):
    _, rows, output = seeds_run
    copy = tmp_path / "copy"
    shutil.copytree(output, copy)
    # The same inputs into the same output: replaced, never doubled.
    run([SEEDS], copy)
    again = read(copy, "articles")
    assert len(again) == 5
    assert {r["source"]: r["id"] for r in again} == {s: r["id"] for s, r in rows.items()}


def test_mixed_generated_inputs_each_land_in_exactly_one_table(tmp_path):
    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    wire = (SEEDS / "004_c9e14b2f1d937aa1.txt").read_text(encoding="utf-8")
    body = wire.split("\n\n", 2)[2]
    (source / "a_wire.txt").write_text(wire, encoding="utf-8")
    (source / "sub" / "reprint.txt").write_text(
        "Breaking News Network\n\n" + body.replace("’", "'").replace("“", '"').replace("”", '"')
        + "\n\nShare this article on Facebook\n", encoding="utf-8")
    (source / "legacy.txt").write_bytes(
        "The café’s owner said “we’re open” — again — on Monday in Zürich.".encode("cp1252") * 3)
    (source / "utf16.txt").write_bytes(("A UTF-16 article about the summit in Geneva. " * 5).encode("utf-16"))
    (source / "nul.txt").write_bytes(b"A story with a stray \x00 NUL byte in Paris. " * 5)
    (source / "empty.txt").write_text("   \n")
    (source / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(200))
    (source / "big.txt").write_text("word " * 320_000)
    (source / "lines.jsonl").write_text(
        '{"text": "Ukraine and Russia held talks in Minsk on Friday.",'
        ' "published_at": "2022-02-18T10:00:00+02:00"}\n'
        "{broken\n"
        '{"text": ""}\n'
        '{"text": "A story dated before the year 1 in UTC.", "published_at": "0001-01-01T00:00:00+01:00"}\n',
        encoding="utf-8")
    (source / "long.txt").write_text("Kyiv is the capital of Ukraine and " * 8_000, encoding="utf-8")
    # A Latin-1 file name, and JSON escapes of lone surrogates: neither has a UTF-8 form.
    (source / os.fsdecode(b"caf\xe9.txt")).write_text("The caf\u00e9 in Lyon opened again.", encoding="utf-8")
    (source / "halves.json").write_text(
        '{"title": "Lone \\udc80", "text": "Lone \\ud800 halves in Oslo.", "url": "http://x/\\ud83d"}')
    # Compressed inputs, one of them cut short: the lines before the damage stand.
    feed = "".join(json.dumps({"text": f"Story {n} about the port of Hamburg."}) + "\n" for n in range(40))
    (source / "feed.jsonl.gz").write_bytes(gzip.compress(feed.encode("utf-8")))
    ferries = "".join(json.dumps({"text": f"Ferry {n} left Kiel on time."}) + "\n" for n in range(40))
    cut = gzip.compress(ferries.encode("utf-8"), mtime=0)
    (source / "cut.jsonl.gz").write_bytes(cut[:-30])
    output = tmp_path / "out"
    result = run([source], output, max_bytes=1_500_000)
    articles, duplicates, rejects = (read(output, t) for t in ("articles", "duplicates", "rejects"))
    sources = [r["source"] for r in articles + duplicates + rejects]
    expected = ["a_wire.txt", "sub/reprint.txt", "legacy.txt", "utf16.txt", "nul.txt", "empty.txt",
                "bin.txt", "big.txt", "lines.jsonl#1", "lines.jsonl#2", "lines.jsonl#3", "lines.jsonl#4",
                "long.txt", "caf\\xe9.txt", "halves.json"]
    expected += [f"feed.jsonl.gz#{n}" for n in range(1, 41)]
    [cut_at] = [s for s in sources if s.startswith("cut.jsonl.gz#") and s in
                {r["source"] for r in rejects}]
    read_before = int(cut_at.split("#")[1])
    expected += [f"cut.jsonl.gz#{n}" for n in range(1, read_before + 1)]
    assert sorted(sources) == sorted(expected)
    wire_id = next(a["id"] for a in articles if a["source"] == "a_wire.txt")
    assert [(d["source"], d["duplicate_of"]) for d in duplicates] == [("sub/reprint.txt", wire_id)]
    assert {r["source"] for r in rejects} == {"empty.txt", "bin.txt", "big.txt", "lines.jsonl#2",
                                              "lines.jsonl#3", "lines.jsonl#4", cut_at}
    [damaged] = [r for r in rejects if r["source"] == cut_at]
    assert damaged["reason"].startswith("The file cannot be read as gzip (EOFError")
    assert damaged["raw"] == cut[:-30]
    assert all(r["reason"].endswith(".") and len(r["reason"]) < 200 for r in rejects)
    by_source = {a["source"]: a for a in articles}
    assert "\x00" not in by_source["nul.txt"]["text"]
    assert "café’s" in by_source["legacy.txt"]["text"]
    assert by_source["lines.jsonl#1"]["date"] == "2022-02-18"
    assert by_source["caf\\xe9.txt"]["text"] == "The caf\u00e9 in Lyon opened again."
    halves = by_source["halves.json"]
    assert "\ufffd" in halves["text"] and halves["url"] == "http://x/\\ud83d"
    assert {r["text"] for r in halves["repairs"]} >= {"\\ud800", "\\udc80"}
    # The summary's counts come from the run's metrics; they match what was written.
    assert result.counts == {"articles": len(articles), "duplicates": 1, "rejects": 7}
    assert sum(result.rejects_by_reason.values()) == 7
    [dated] = [r["reason"] for r in rejects if r["source"] == "lines.jsonl#4"]
    assert dated == ("The published_at date 0001-01-01T00:00:00+01:00 falls outside the years 1 to 9999 "
                     "in UTC; fix the date or leave it out.")
    assert result.rejects_by_reason["The input is empty or only whitespace, so there is no article"] == 1


def test_options_default_to_the_local_runner_and_keep_what_is_given():
    options = pipeline_options(["--direct_num_workers", "2"])
    assert options.view_as(StandardOptions).runner == LOCAL_RUNNER
    assert options.view_as(DirectOptions).direct_num_workers == 2
    chosen = pipeline_options(["--runner=PortableRunner"])
    assert chosen.view_as(StandardOptions).runner == "PortableRunner"


def test_options_keep_one_view_per_class_and_views_share_their_values():
    options = pipeline_options(["--direct_num_workers", "2"])
    assert options.view_as(StandardOptions) is options.view_as(StandardOptions)
    options.view_as(DirectOptions).direct_running_mode = "multi_processing"
    assert options.get_all_options()["direct_running_mode"] == "multi_processing"
    copy = pickle.loads(pickle.dumps(options))
    assert "_views" not in copy.__dict__
    assert copy.view_as(DirectOptions).direct_num_workers == 2
    assert copy.view_as(DirectOptions).direct_running_mode == "multi_processing"


def test_legacy_encodings_land_decoded_and_unsure_guesses_keep_raw(tmp_path):
    from bench.eval.decoding import encoding_cases

    russian = next(c for c in encoding_cases()
                   if (c.language, c.encoding, c.size) == ("ru", "koi8-r", "long"))
    hebrew = "ועדת הכספים של הכנסת תדון בפרטים בשבוע הבא.".encode("cp1255")
    source = tmp_path / "in"
    source.mkdir()
    (source / "koi8.txt").write_bytes(russian.raw)
    (source / "hebrew.txt").write_bytes(hebrew)
    (source / "utf8.txt").write_text("A plain UTF-8 article about the budget vote in Prague.",
                                     encoding="utf-8")
    output = tmp_path / "out"
    run([source], output)
    rows = {r["source"]: r for r in read(output, "articles")}
    assert sorted(rows) == ["hebrew.txt", "koi8.txt", "utf8.txt"]
    assert russian.text.split("\n\n")[1] in rows["koi8.txt"]["text"]
    assert rows["koi8.txt"]["language"] == "ru" and rows["koi8.txt"]["raw"] is None
    assert rows["utf8.txt"]["raw"] is None
    assert rows["hebrew.txt"]["raw"] == hebrew
    assert any(r["kind"] == "encoding" and "confidence" in r["detail"] for r in rows["hebrew.txt"]["repairs"])


def test_skip_entities_writes_no_entities_and_the_same_rest(seeds_run, tmp_path):
    _, full, _ = seeds_run
    result = run([SEEDS], tmp_path, skip_entities=True)
    rows = {row["source"]: row for row in read(tmp_path, "articles")}
    assert result.counts == {"articles": 5, "duplicates": 0, "rejects": 0}
    assert sorted(rows) == sorted(full)
    assert all(row["entities"] == [] for row in rows.values())
    assert any(row["entities"] for row in full.values())
    unchanged = ("id", "title", "text", "url", "language", "repairs", "duplicate_of", "published_at")
    for source, row in rows.items():
        assert {k: row[k] for k in unchanged} == {k: full[source][k] for k in unchanged}

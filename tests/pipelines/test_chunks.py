"""A run in chunks writes the rows of a run in one pass: the real pipeline with spaCy, run
with a tiny chunk size and with one chunk, every table read back with pyarrow."""

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bench.corpus import CorpusConfig, build
from pipelines.batch import BatchConfig, batch_stem, is_local, run_files
from pipelines.chunks import ChunkPlan, count_inputs, survey
from schemas.records import RawInput
from tests.pipelines.test_regression import rows
from transforms.reading.read import list_inputs

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
WHEN = datetime(2026, 12, 1, tzinfo=timezone.utc)
# A name no knowledge base knows, so only the corpus's counts can correct its misspelling.
RIGHT, WRONG = "Gregor Tomczykiewicz", "Gregor Tomczykiewic"

pytestmark = pytest.mark.slow


def paragraphs() -> list[str]:
    return [p.strip() for f in sorted(SEEDS.glob("*.txt"))
            for p in f.read_text(encoding="utf-8").split("\n\n") if 250 < len(p.strip()) < 600]


def envelope(folder: Path, name: str, text: str, published: str | None,
             url: str | None = None) -> None:
    body = {"text": text, "title": name}
    if published:
        body["published_at"] = published
    if url:
        body["url"] = url
    (folder / name).write_text(json.dumps(body), encoding="utf-8")


def tricky_corpus(folder: Path) -> Path:
    """Reprints whose canonical is published first but listed last, a misspelling in the
    earliest chunk whose right spelling is in later ones, rejects, lines and plain text."""
    folder.mkdir()
    texts = iter(paragraphs())
    story = next(texts) + "\n\n" + next(texts)
    envelope(folder, "a_original.json", story, "2024-03-05T10:00:00Z")
    envelope(folder, "z_reprint.json", story + "\n\nReprinted with permission.", "2024-03-01T08:00:00Z")
    other = next(texts) + "\n\n" + next(texts)
    envelope(folder, "b_story.json", other, "2024-03-02T08:00:00Z")
    envelope(folder, "y_copy.json", "Copy: " + other, "2024-03-09T08:00:00Z")
    envelope(folder, "c_misspelt.json", f"{next(texts)}\n\nMayor {WRONG} said the budget would pass.",
             "2024-02-20T09:00:00Z")
    for day in (6, 7, 8):
        envelope(folder, f"d_right_{day}.json",
                 f"{next(texts)}\n\nMayor {RIGHT} said on Tuesday that the council agreed.",
                 f"2024-03-{day:02d}T09:00:00Z")
    lines = [json.dumps({"text": next(texts), "published_at": f"2024-03-{day:02d}T12:00:00Z"})
             for day in (3, 4)] + [json.dumps({"text": next(texts)}), "{not json"]
    (folder / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # A site's template line, in 4 of its 5 stories: the whole run's template, while no
    # chunk of 3 holds 3 of them.
    site = folder / "site"
    site.mkdir()
    for day in range(1, 6):
        footer = "\n\nRiverside Gazette evening edition" if day != 3 else ""
        envelope(site, f"s{day}.json", next(texts) + footer, f"2024-0{day}-15T12:00:00Z")
    (folder / "plain.txt").write_text(next(texts), encoding="utf-8")
    # A Latin-1 file name: its path crosses the ranking's SQLite and Beam as well.
    (folder / os.fsdecode(b"r\xe9sum\xe9.txt")).write_text(next(texts), encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "bad.json").write_text("[1, 2", encoding="utf-8")
    return folder


def run(folder: Path, output: Path, chunk_size: int | None = None, **config) -> dict:
    inputs = [str(folder)]
    result = run_files(inputs, str(output), batch_stem(inputs), BatchConfig(**config),
                       ingested_at=WHEN, chunk_size=chunk_size)
    return {"rows": rows(output), "counts": result.counts, "rejects": result.rejects_by_reason,
            "languages": result.languages}


def chunk_files(output: Path) -> set[str]:
    return {name for _, _, names in os.walk(output) for name in names if "-c0" in name}


@pytest.fixture(scope="module")
def tricky(tmp_path_factory):
    work = tmp_path_factory.mktemp("tricky")
    corpus = tricky_corpus(work / "in")
    whole = run(corpus, work / "whole")
    chunked = run(corpus, work / "chunked", chunk_size=3)
    return whole, chunked, work


def test_tiny_chunks_write_the_rows_of_one_pass(tricky):
    whole, chunked, work = tricky
    assert not chunk_files(work / "whole")
    assert len({name.split("-c")[1][:5] for name in chunk_files(work / "chunked")}) >= 4
    for table in ("articles", "duplicates", "rejects"):
        assert chunked["rows"][table] == whole["rows"][table], table
    assert chunked["counts"] == whole["counts"]
    assert chunked["rejects"] == whole["rejects"]
    assert chunked["languages"] == whole["languages"]
    assert "r\\xe9sum\\xe9.txt" in {row["source"] for row in chunked["rows"]["articles"]}


def test_the_earlier_published_reprint_is_canonical_in_chunks(tricky):
    _, chunked, _ = tricky
    by_source = {r["source"]: r for t in ("articles", "duplicates") for r in chunked["rows"][t]}
    assert by_source["a_original.json"]["duplicate_of"] == by_source["z_reprint.json"]["id"]
    assert by_source["y_copy.json"]["duplicate_of"] == by_source["b_story.json"]["id"]
    assert by_source["z_reprint.json"]["duplicate_of"] is None


def test_a_misspelling_in_the_first_chunk_takes_counts_of_later_chunks(tricky):
    _, chunked, _ = tricky
    row = next(r for r in chunked["rows"]["articles"] if r["source"] == "c_misspelt.json")
    canonical = {e["text"]: e["canonical"] for e in row["entities"]}
    assert canonical.get(WRONG) == RIGHT


def test_a_site_template_spread_over_chunks_is_removed_as_in_one_pass(tricky):
    whole, chunked, _ = tricky
    for run in (whole, chunked):
        site = [r for r in run["rows"]["articles"] if r["source"].startswith("site/")]
        assert len(site) == 5
        assert not any("Riverside Gazette" in r["text"] for r in site)


def test_rejects_and_their_reasons_survive_chunks(tricky):
    _, chunked, _ = tricky
    assert {r["source"] for r in chunked["rows"]["rejects"]} == {"empty.txt", "bad.json", "feed.jsonl#4"}


def test_the_chunks_state_is_gone_after_the_run(tricky):
    _, _, work = tricky
    assert not (work / "chunked" / "_state").exists() or not any((work / "chunked" / "_state").iterdir())


def test_a_generated_corpus_in_chunks_is_the_one_pass_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    build(str(corpus), CorpusConfig(articles=60, seed=7))
    whole = run(corpus, tmp_path / "whole", skip_entities=True)
    chunked = run(corpus, tmp_path / "chunked", chunk_size=16, skip_entities=True)
    assert chunk_files(tmp_path / "chunked")
    assert whole["rows"]["duplicates"], "the corpus should hold reprints"
    assert chunked["rows"] == whole["rows"]
    assert chunked["counts"] == whole["counts"]


def test_a_rerun_replaces_its_rows_whether_in_chunks_or_not(tmp_path):
    corpus = tricky_corpus(tmp_path / "in")
    output = tmp_path / "out"
    once = run(corpus, output, skip_entities=True)
    run(corpus, output, chunk_size=3, skip_entities=True)
    run(corpus, output, chunk_size=5, skip_entities=True)
    assert rows(output) == once["rows"]
    assert chunk_files(output)
    again = run(corpus, output, skip_entities=True)
    assert again["rows"] == once["rows"] and not chunk_files(output)


def templated_corpus(folder: Path) -> Path:
    """A publisher whose pages all end in one long standing paragraph (too long for the
    boilerplate step, so a site template near-copies take out), and its own update of its
    first story, published weeks later: the story and its update land in different chunks,
    and the update's ``similarity`` counts the standing paragraph only if the index keeps
    it."""
    folder.mkdir()
    standing = max(paragraphs(), key=len)
    texts = iter(p for p in paragraphs() if p != standing)
    site = "https://gazette.example/"
    story = [next(texts) for _ in range(4)]
    envelope(folder, "story.json", "\n\n".join(story + [standing]), "2024-03-01T08:00:00Z",
             site + "story")
    for day in range(2, 14):
        envelope(folder, f"page{day:02d}.json", "\n\n".join([next(texts), standing]),
                 f"2024-03-{day:02d}T08:00:00Z", f"{site}page{day}")
    update = story[:3] + ["Updated on March 20 with the vote of the council.", standing]
    envelope(folder, "update.json", "\n\n".join(update), "2024-03-20T08:00:00Z", site + "update")
    return folder


def test_a_copy_across_chunks_has_the_one_pass_similarity_under_a_site_template(tmp_path):
    corpus = templated_corpus(tmp_path / "in")
    whole = run(corpus, tmp_path / "whole", skip_entities=True)
    chunked = run(corpus, tmp_path / "chunked", chunk_size=4, skip_entities=True)
    [copy] = whole["rows"]["duplicates"]
    assert copy["source"] == "update.json" and copy["similarity"] < 1.0
    assert chunked["rows"] == whole["rows"]


def test_inputs_are_ranked_by_date_then_order(tmp_path):
    corpus = tricky_corpus(tmp_path / "in")
    files = list_inputs([str(corpus)])
    assert count_inputs(files) == 21
    early = RawInput("x.json", json.dumps({"text": "t", "published_at": "2020-01-01"}).encode(),
                     kind="envelope", order="x.json")
    late = RawInput("a.json", json.dumps({"text": "t", "published_at": "2021-01-01"}).encode(),
                    kind="envelope", order="a.json")
    undated = RawInput("0.txt", b"text", order="0.txt")
    bad = RawInput("0.json", b"{", kind="envelope", order="0.json")
    ranked = [(survey(i, WHEN, 1000)[0], i) for i in (undated, bad, late, early)]
    assert [i for _, i in sorted(ranked, key=lambda pair: pair[0])] == [early, late, bad, undated]
    assert survey(bad, WHEN, 1000)[1] is None
    plan = ChunkPlan(str(tmp_path / "plan.sqlite"))
    plan.add(ranked)
    assert len(plan) == 4
    assert [[i.source for i in chunk] for chunk in plan.chunks(3)] == [
        ["x.json", "a.json", "0.json"], ["0.txt"]]


def test_only_the_local_runner_goes_in_chunks():
    assert is_local([]) and is_local(["--direct_num_workers", "2"])
    assert not is_local(["--runner", "FlinkRunner"])
    assert not is_local(["--runner", "DataflowRunner"])

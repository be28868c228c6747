import io
import json
import random
from datetime import datetime, timezone

import pyarrow.parquet as pq
import pytest

from pipelines.entities import main, run_entities
from schemas.arrow import to_table
from schemas.records import Article, Entity

WHEN = datetime(2022, 2, 22, tzinfo=timezone.utc)


def _article(article_id: str, mentions: list[tuple[str, str, str | None, str | None]]) -> Article:
    text, entities = "", []
    for surface, label, canonical, kb_id in mentions:
        entities.append(Entity(surface, label, len(text), len(text) + len(surface), canonical,
                               kb_id))
        text += surface + ". "
    return Article(id=article_id, source=f"t/{article_id}", text=text, ingested_at=WHEN,
                   published_at=WHEN, entities=entities)


KYIV = ("Kyiv", "geonames:703448")
BLINKEN = ("Antony Blinken", "alias:antony-blinken")


@pytest.fixture()
def dataset(tmp_path):
    """A dataset written the way copydesk writes it: hive partitions of zstd Parquet."""
    rng = random.Random(11)
    articles = []
    for i in range(12):
        mentions = [("Kiev", "GPE", *KYIV)] * rng.randint(1, 3)
        mentions += [("Kyiv", "GPE", *KYIV)]
        if i % 4 == 0:
            mentions += [("Anthony Blingen", "PERSON", *BLINKEN)]
        mentions += [("Antony Blinken", "PERSON", *BLINKEN), ("Monday", "DATE", "Monday", None),
                     ("Austin", "GPE", "Austin", "geonames:4671654"),
                     ("Lloyd Austin", "PERSON", "Lloyd Austin", "alias:lloyd-austin")]
        articles.append(_article(f"a{i}", mentions))
    for date, part in (("2022-02-22", articles[:6]), ("2022-02-23", articles[6:])):
        folder = tmp_path / "articles" / f"date={date}"
        folder.mkdir(parents=True)
        pq.write_table(to_table("articles", part), folder / "part-0.parquet", compression="zstd")
    dup = tmp_path / "duplicates" / "date=2022-02-22"
    dup.mkdir(parents=True)
    pq.write_table(to_table("duplicates", [_article("d0", [("Kiev", "GPE", *KYIV)])]),
                   dup / "part-0.parquet")
    return tmp_path, articles


def _json(argv: list[str]) -> list[dict]:
    out = io.StringIO()
    import argparse

    from pipelines.entities import add_entities_arguments

    parser = argparse.ArgumentParser()
    add_entities_arguments(parser)
    assert run_entities(parser.parse_args(argv + ["--format", "json", "--no-reasons"]), out) == 0
    return json.loads(out.getvalue())


def test_counts_mentions_variants_and_articles(dataset):
    path, articles = dataset
    records = {r["canonical"]: r for r in _json([str(path), "--top", "0"])}
    kiev = sum(e.text == "Kiev" for a in articles for e in a.entities)
    kyiv = records["Kyiv"]
    assert kyiv["kb_id"] == "geonames:703448" and kyiv["label"] == "GPE"
    assert kyiv["mentions"] == kiev + 12 and kyiv["articles"] == 12
    assert {v["text"]: v["mentions"] for v in kyiv["variants"]} == {"Kiev": kiev, "Kyiv": 12}
    blinken = records["Antony Blinken"]
    assert {v["text"]: v["mentions"] for v in blinken["variants"]} == {
        "Antony Blinken": 12, "Anthony Blingen": 3}
    # A person and a city that share a word stay two entities; dates are not names.
    assert records["Austin"]["kb_id"] != records["Lloyd Austin"]["kb_id"]
    assert "Monday" not in records


def test_most_mentioned_first_and_top_n(dataset):
    path, _ = dataset
    records = _json([str(path), "--top", "2"])
    assert len(records) == 2
    assert records[0]["mentions"] >= records[1]["mentions"]
    assert records[0]["canonical"] == "Kyiv"


def test_label_filter(dataset):
    path, _ = dataset
    assert {r["label"] for r in _json([str(path), "--label", "PERSON"])} == {"PERSON"}
    assert {r["canonical"] for r in _json([str(path), "--label", "date,gpe"])} == {
        "Monday", "Kyiv", "Austin"}


def test_duplicates_are_counted_only_when_asked(dataset):
    path, _ = dataset
    plain = {r["canonical"]: r for r in _json([str(path)])}["Kyiv"]
    both = {r["canonical"]: r for r in _json([str(path), "--include-duplicates"])}["Kyiv"]
    assert both["mentions"] == plain["mentions"] + 1
    assert both["articles"] == plain["articles"] + 1


def test_table_explains_why_with_knowledge(dataset, capsys):
    path, _ = dataset
    assert main([str(path), "--label", "GPE,PERSON"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["canonical", "label", "kb_id"]
    kyiv = next(line for line in out.splitlines() if line.startswith("Kyiv"))
    assert "Kiev ×" in kyiv and "(knowledge)" in kyiv
    blinken = next(line for line in out.splitlines() if line.startswith("Antony Blinken"))
    assert "Anthony Blingen ×3 (near knowledge name)" in blinken


def test_entities_without_canonical_are_listed_under_their_name(tmp_path):
    folder = tmp_path / "articles" / "date=2022-02-22"
    folder.mkdir(parents=True)
    pq.write_table(to_table("articles", [_article("x", [("the Kremlin", "ORG", None, None)])]),
                   folder / "part.parquet")
    assert _json([str(tmp_path)])[0]["canonical"] == "Kremlin"


@pytest.mark.parametrize("argv, message", [
    (["{missing}"], "has no articles folder"),
    (["{dataset}", "--label", "PER SON"], "is not a spaCy label"),
])
def test_usage_errors_are_one_sentence(dataset, capsys, argv, message):
    path, _ = dataset
    argv = [a.format(missing=path / "nope", dataset=path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unreadable_parquet_is_reported(tmp_path, capsys):
    folder = tmp_path / "articles" / "date=2022-02-22"
    folder.mkdir(parents=True)
    (folder / "part.parquet").write_bytes(b"not parquet")
    assert main([str(tmp_path)]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_headline_mentions_are_counted_and_can_be_chosen(tmp_path):
    title, text = "Kyiv braces for winter", "Officials in Kiev said. Kyiv agreed."
    entities = [Entity("Kyiv", "GPE", 0, 4, *KYIV, field="title"),
                Entity("Kiev", "GPE", 13, 17, *KYIV), Entity("Kyiv", "GPE", 24, 28, *KYIV)]
    article = Article(id="h", source="t/h", title=title, text=text, ingested_at=WHEN,
                      published_at=WHEN, entities=entities)
    assert all(getattr(article, e.field)[e.start:e.end] == e.text for e in entities)
    folder = tmp_path / "articles" / "date=2022-02-22"
    folder.mkdir(parents=True)
    pq.write_table(to_table("articles", [article]), folder / "part-0.parquet")
    [kyiv] = _json([str(tmp_path)])
    assert (kyiv["mentions"], kyiv["in_titles"]) == (3, 1)
    [only_titles] = _json([str(tmp_path), "--field", "title"])
    assert (only_titles["mentions"], only_titles["in_titles"]) == (1, 1)
    assert {v["text"] for v in only_titles["variants"]} == {"Kyiv"}
    [bodies] = _json([str(tmp_path), "--field", "text"])
    assert (bodies["mentions"], bodies["in_titles"]) == (2, 0)


def test_datasets_written_before_entity_fields_read_as_text(tmp_path):
    import pyarrow as pa

    old_entity = pa.struct([("text", pa.string()), ("label", pa.string()), ("start", pa.int32()),
                            ("end", pa.int32()), ("canonical", pa.string()),
                            ("kb_id", pa.string())])
    table = pa.table({"id": ["o"], "entities": pa.array(
        [[{"text": "Kiev", "label": "GPE", "start": 0, "end": 4, "canonical": "Kyiv",
           "kb_id": KYIV[1]}]], pa.list_(old_entity))})
    folder = tmp_path / "articles" / "date=2022-02-22"
    folder.mkdir(parents=True)
    pq.write_table(table, folder / "part-0.parquet")
    [kyiv] = _json([str(tmp_path)])
    assert (kyiv["canonical"], kyiv["mentions"], kyiv["in_titles"]) == ("Kyiv", 1, 0)


def test_the_reason_the_run_stored_is_the_one_shown(tmp_path):
    article = _article("x", [("Kiev", "GPE", *KYIV), ("Kyiv", "GPE", *KYIV)])
    article.entities[0].canonical_reason = "knowledge and context"
    folder = tmp_path / "articles" / "date=2022-02-22"
    folder.mkdir(parents=True)
    pq.write_table(to_table("articles", [article]), folder / "part.parquet")
    [kyiv] = _json([str(tmp_path)])
    assert {v["text"]: v["why"] for v in kyiv["variants"]} == {
        "Kiev": "knowledge and context", "Kyiv": "as written"}

from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pytest

from schemas.arrow import ARTICLES, REJECTS, dataset_schema, file_schema, to_table
from schemas.records import Article, Entity, Reject, Repair, partition_date, stable_id

NOW = datetime(2026, 11, 21, 23, 30, tzinfo=timezone.utc)


def test_article_round_trips_through_arrow():
    article = Article(id="1", source="a.txt", text="Kyiv", ingested_at=NOW, title="T",
                      repairs=[Repair("mojibake", "KÃ¶", "fixed")],
                      entities=[Entity("Kyiv", "GPE", 0, 4, "Kyiv", "geonames:703448",
                                       canonical_reason="knowledge")],
                      published_at=NOW - timedelta(hours=1))
    row = to_table("articles", [article]).to_pylist()[0]
    assert row["entities"] == [{"text": "Kyiv", "label": "GPE", "start": 0, "end": 4,
                                "canonical": "Kyiv", "kb_id": "geonames:703448",
                                "field": "text", "canonical_reason": "knowledge"}]
    assert row["repairs"] == [{"kind": "mojibake", "text": "KÃ¶", "detail": "fixed"}]
    assert row["published_at"] == NOW - timedelta(hours=1)


def test_reject_keeps_raw_bytes():
    reject = Reject("1", "x.bin", "The input is binary.", b"\x00\xff", NOW)
    assert to_table("rejects", [reject]).column("raw").to_pylist() == [b"\x00\xff"]


def test_required_columns_refuse_nulls():
    with pytest.raises(ValueError, match="id must not be null"):
        to_table("articles", [Article(id=None, source="s", text="t", ingested_at=NOW)])


def test_reader_schemas_add_the_partition_column():
    for table in ("articles", "duplicates", "rejects"):
        assert dataset_schema(table).names == file_schema(table).names + ["date"]
    assert ARTICLES.field("date").type == pa.string() and REJECTS.field("raw").type == pa.binary()


def test_date_is_the_utc_date_of_published_at_else_ingested_at():
    late = datetime(2022, 2, 21, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert partition_date(late, NOW) == "2022-02-22"
    assert partition_date(None, NOW) == "2026-11-21"


def test_ids_are_stable_and_depend_on_source_and_bytes():
    assert stable_id("a", b"x") == stable_id("a", b"x")
    assert len({stable_id("a", b"x"), stable_id("b", b"x"), stable_id("a", b"y")}) == 3


def test_articles_raw_holds_the_bytes_of_unsure_decodes_only():
    sure = Article(id="1", source="a", text="t", ingested_at=NOW, raw=b"\xe9t\xe9")
    unsure = Article(id="2", source="b", text="t", ingested_at=NOW, raw=b"\xd7\xe2", keep_raw=True)
    table = to_table("articles", [sure, unsure])
    assert table.schema.field("raw").type == pa.binary() and table.schema.field("raw").nullable
    assert table.column("raw").to_pylist() == [None, b"\xd7\xe2"]


def test_a_lone_surrogate_is_written_as_its_escape_and_the_row_is_kept():
    article = Article(id="1", source="a.json", text="Oslo \ufffd", ingested_at=NOW, title="T\udc80",
                      url="http://x/\ud83d", repairs=[Repair("mojibake", "\ud800", "replaced")])
    row = to_table("articles", [article]).to_pylist()[0]
    assert (row["title"], row["url"], row["repairs"][0]["text"]) == ("T\\udc80", "http://x/\\ud83d",
                                                                     "\\ud800")
    assert row["text"] == "Oslo \ufffd"

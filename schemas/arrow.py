"""The explicit Arrow schemas of copydesk's three output tables.

``articles`` and ``duplicates`` share one schema; ``rejects`` keeps the original bytes, and
so does ``articles.raw`` when the decode was an unsure guess.
``date`` is the Hive partition column: it is in the schema a reader sees, and it is
written as the ``date=YYYY-MM-DD`` folder rather than inside each file.
"""

from __future__ import annotations

from typing import Any, Iterable

import pyarrow as pa

from schemas.records import Article, Reject

TIMESTAMP = pa.timestamp("us", tz="UTC")

REPAIR = pa.struct(
    [
        pa.field("kind", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
    ]
)

ENTITY = pa.struct(
    [
        pa.field("text", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("start", pa.int32(), nullable=False),
        pa.field("end", pa.int32(), nullable=False),
        pa.field("canonical", pa.string()),
        pa.field("kb_id", pa.string()),
        # "title" or "text": the column that ``start`` and ``end`` point into.
        pa.field("field", pa.string(), nullable=False),
        # Why canonical or kb_id differs from the text; null when neither does.
        pa.field("canonical_reason", pa.string()),
    ]
)

ARTICLE_FIELDS = [
    pa.field("id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("title", pa.string()),
    pa.field("text", pa.string(), nullable=False),
    pa.field("url", pa.string()),
    pa.field("publisher_id", pa.string()),
    pa.field("language", pa.string(), nullable=False),
    pa.field("language_score", pa.float32(), nullable=False),
    pa.field("repairs", pa.list_(REPAIR), nullable=False),
    pa.field("entities", pa.list_(ENTITY), nullable=False),
    pa.field("duplicate_of", pa.string()),
    pa.field("similarity", pa.float32()),
    pa.field("published_at", TIMESTAMP),
    pa.field("ingested_at", TIMESTAMP, nullable=False),
    # The original bytes when the decode was an unsure guess; null otherwise.
    pa.field("raw", pa.binary()),
]

REJECT_FIELDS = [
    pa.field("id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("raw", pa.binary(), nullable=False),
    pa.field("ingested_at", TIMESTAMP, nullable=False),
]

# What goes inside each Parquet file (the partition column lives in the folder name).
ARTICLES_FILE = pa.schema(ARTICLE_FIELDS)
REJECTS_FILE = pa.schema(REJECT_FIELDS)

# What a reader of the dataset sees, partition column included.
DATE = pa.field("date", pa.string(), nullable=False)
ARTICLES = pa.schema(ARTICLE_FIELDS + [DATE])
REJECTS = pa.schema(REJECT_FIELDS + [DATE])

TABLES = ("articles", "duplicates", "rejects")


def file_schema(table: str) -> pa.Schema:
    return REJECTS_FILE if table == "rejects" else ARTICLES_FILE


def dataset_schema(table: str) -> pa.Schema:
    return REJECTS if table == "rejects" else ARTICLES


def article_row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "source": article.source,
        "title": article.title,
        "text": article.text,
        "url": article.url,
        "publisher_id": article.publisher_id,
        "language": article.language,
        "language_score": article.language_score,
        "repairs": [{"kind": r.kind, "text": r.text, "detail": r.detail} for r in article.repairs],
        "entities": [
            {
                "text": e.text,
                "label": e.label,
                "start": e.start,
                "end": e.end,
                "canonical": e.canonical,
                "kb_id": e.kb_id,
                "field": e.field,
                "canonical_reason": e.canonical_reason,
            }
            for e in article.entities
        ],
        "duplicate_of": article.duplicate_of,
        "similarity": article.similarity,
        "published_at": article.published_at,
        "ingested_at": article.ingested_at,
        "raw": article.raw if article.keep_raw else None,
    }


def reject_row(reject: Reject) -> dict[str, Any]:
    return {
        "id": reject.id,
        "source": reject.source,
        "reason": reject.reason,
        "raw": reject.raw,
        "ingested_at": reject.ingested_at,
    }


def to_table(table: str, records: Iterable[Article | Reject]) -> pa.Table:
    """Rows of one output table as an Arrow table with that table's file schema."""
    to_row = reject_row if table == "rejects" else article_row
    rows = [to_row(r) for r in records]
    try:
        result = pa.Table.from_pylist(rows, schema=file_schema(table))
    except UnicodeEncodeError:
        # A lone surrogate (a JSON "\ud800" escape, a file name's undecodable byte) has no
        # UTF-8 form: it is written as its escape, so the row is kept and says what was there.
        result = pa.Table.from_pylist([_escaped(row) for row in rows], schema=file_schema(table))
    # Arrow does not enforce nullability on construction; a null here is a bug upstream.
    for column in result.schema:
        if not column.nullable and result.column(column.name).null_count:
            raise ValueError(f"{table}.{column.name} must not be null")
    return result


def _escaped(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings written as ``\\udXXX``."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value

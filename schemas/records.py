"""Record types that flow between copydesk's stages.

Plain dataclasses: they pickle cheaply between Beam stages and map one to one onto the
Arrow schemas in ``schemas.arrow``.
"""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone


def pickled_by_position(cls):
    """Pickle ``cls`` as its constructor and field values in order.

    Records cross every Beam stage boundary as pickles. A slotted dataclass's own
    ``__getstate__`` calls ``dataclasses.fields`` for every object, and an article carries
    dozens of entities: by position, an article's round trip takes about half the time.
    """
    values = operator.attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


@pickled_by_position
@dataclass(slots=True)
class Repair:
    """One audited edit: ``kind`` says what was done, ``text`` is the exact fragment removed
    or replaced (for a replacement, ``text`` is the original fragment and ``detail`` the
    explanation or the replacement)."""

    kind: str
    text: str
    detail: str | None = None


@pickled_by_position
@dataclass(slots=True)
class Entity:
    """A named entity with character offsets into the article's ``field``: its repaired
    ``text`` or its ``title``."""

    text: str
    label: str
    start: int
    end: int
    canonical: str | None = None
    kb_id: str | None = None
    # Last, so that records pickled by position before it existed still mean the same.
    field: str = "text"
    # Why ``canonical`` or ``kb_id`` differs from the text as written (alias table,
    # knowledge, knowledge and context, spelling variant, surname, corpus evidence, near
    # knowledge name); None when neither does.
    canonical_reason: str | None = None


@pickled_by_position
@dataclass(slots=True)
class RawInput:
    """One input unit as read: a file, one line of a JSONL file, or one Kafka message."""

    source: str
    raw: bytes
    # Metadata known from outside the payload (Kafka headers, for example).
    title: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    publisher_id: str | None = None
    # How to read ``raw``: "text" (one raw article) or "envelope" (a JSON object).
    kind: str = "text"
    # Position of the input in the run; breaks ties between copies deterministically.
    order: str = ""
    # Charset declared by the transport (a Kafka content-type header), if any.
    encoding: str | None = None
    # Why the transport could not read it (a header that is not UTF-8, a date out of
    # range): decoding rejects it with this sentence instead of reading ``raw``.
    problem: str | None = None


@pickled_by_position
@dataclass(slots=True)
class Article:
    id: str
    source: str
    text: str
    ingested_at: datetime
    raw: bytes = b""
    title: str | None = None
    url: str | None = None
    publisher_id: str | None = None
    published_at: datetime | None = None
    language: str = "und"
    language_score: float = 0.0
    # Language stated by the envelope, if any; a hint, not the detected value.
    language_hint: str | None = None
    repairs: list[Repair] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    duplicate_of: str | None = None
    similarity: float | None = None
    order: str = ""
    # The decode was a guess below ``decoding.CONFIDENT``: ``raw`` survives Repair and is
    # written to ``articles.raw`` so the original can always be decoded again.
    keep_raw: bool = False

    @property
    def date(self) -> str:
        return partition_date(self.published_at, self.ingested_at)


@pickled_by_position
@dataclass(slots=True)
class Reject:
    id: str
    source: str
    reason: str
    raw: bytes
    ingested_at: datetime

    @property
    def date(self) -> str:
        return partition_date(None, self.ingested_at)


def stable_id(source: str, raw: bytes) -> str:
    """The same input (where it came from and its bytes) gives the same id on every run."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(source.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(raw)
    return digest.hexdigest()


def partition_date(published_at: datetime | None, ingested_at: datetime) -> str:
    when = published_at if published_at is not None else ingested_at
    return when.astimezone(timezone.utc).date().isoformat()


class DateOutOfRange(ValueError):
    """A date that UTC cannot hold, as one sentence."""


def in_utc(when: datetime, what: str) -> datetime:
    """``when`` in UTC (read as UTC without an offset); ``DateOutOfRange`` when it falls
    outside the years 1 to 9999 there, which no date partition, Parquet timestamp or
    date arithmetic downstream could hold."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.astimezone(timezone.utc)
    except OverflowError:
        raise DateOutOfRange(
            f"{what} {when.isoformat()} falls outside the years 1 to 9999 in UTC; fix the date "
            f"or leave it out."
        ) from None

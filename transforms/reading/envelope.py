"""An article envelope, ``{"text": ..., "title"?, "url"?, "source"?, "published_at"?,
"language"?}``: a ``.json`` file, a ``.jsonl`` line or a Kafka value, checked the same
way wherever it is read; the names news-please, NewsAPI and others give these fields are
read too (``OTHER_NAMES``). Beam-free, so ``copydesk produce`` refuses what batch would
reject before sending it."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from schemas.records import DateOutOfRange, in_utc


# Unix time as a number: seconds from 1e8 (March 1973: a smaller number is a count, a day
# or a year, not a news date) to 1e11 (the year 5138), then milliseconds to 1e14.
UNIX_SECONDS_START = 1e8
UNIX_SECONDS_END = 1e11
UNIX_MILLISECONDS_END = 1e14


# The names other tools give an envelope's fields, tried in order when the field itself is
# absent or null: news-please (maintext, date_publish, source_domain), NewsAPI (content,
# publishedAt, and a source object with a name), feeds turned into JSON (link, pubDate),
# Hugging Face's cc_news (date, domain).
OTHER_NAMES = {
    "text": ("maintext", "content", "body", "article", "article_text", "full_text"),
    "title": ("headline",),
    "url": ("link",),
    "source": ("source_domain", "domain", "publisher"),
    "published_at": ("date_publish", "publishedAt", "pubDate", "published", "date"),
    "language": ("lang",),
}
# Under this key ``with_own_names`` says which field stood in for which.
READ_FROM = "_read_from"
_TEXT_NAMES = ", ".join(OTHER_NAMES["text"])


class InvalidInput(ValueError):
    """Why an input cannot become an article, as one sentence."""


def parse_envelope(text: str | bytes) -> dict:
    """The envelope as a dict with a ``text`` string and a readable ``published_at``;
    ``InvalidInput`` saying why when it is not one."""
    try:
        envelope = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"The input is not valid JSON ({error.msg} at line {error.lineno} column "
            f"{error.colno}); fix it or remove it."
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput("The input is not UTF-8 JSON; fix it or remove it.") from None
    except RecursionError:
        raise InvalidInput("The JSON is nested too deeply to read; an article envelope is "
                           "a flat {\"text\": ...}.") from None
    if not isinstance(envelope, dict):
        raise InvalidInput("The JSON is not an object; an article envelope is {\"text\": ...}.")
    envelope = with_own_names(envelope)
    if not isinstance(envelope.get("text"), str):
        raise InvalidInput("The JSON object has no \"text\" string (nor " + _TEXT_NAMES
                           + "), so there is no article.")
    stamp = envelope.get("published_at")
    if stamp is not None:
        try:
            parse_timestamp(stamp)
        except DateOutOfRange as error:
            raise InvalidInput(str(error)) from None
    return envelope


def with_own_names(envelope: dict) -> dict:
    """The envelope with copydesk's field names, each taken from its first other name that
    holds a value when it has none itself (``READ_FROM`` records which); a publisher given
    as an object (NewsAPI's ``{"name": "BBC News"}``) is its name."""
    found = dict(envelope)
    read_from = {}
    for field, others in OTHER_NAMES.items():
        if found.get(field) is None:
            for other in others:
                if _usable(field, envelope.get(other)):
                    found[field], read_from[field] = envelope[other], other
                    break
    source = found.get("source")
    if isinstance(source, dict) and isinstance(source.get("name"), str):
        found["source"] = source["name"]
        read_from["source"] = read_from.get("source", "source") + ".name"
    if read_from:
        found[READ_FROM] = read_from
    return found


def _usable(field: str, value: object) -> bool:
    """A value another name holds that can stand for ``field``: a string, a date also as a
    number, a publisher also as an object with a name (not NYT's ``{"main": ...}`` headline)."""
    if isinstance(value, str):
        return True
    if field == "published_at":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return field == "source" and isinstance(value, dict) and isinstance(value.get("name"), str)


def parse_timestamp(value: object, what: str = "The published_at date"
                    ) -> tuple[datetime | None, str | None]:
    """A timestamp as UTC, and a note when it had to be read leniently or dropped: ISO 8601,
    an RSS feed's RFC 2822 date ("Tue, 10 Jun 2003 04:00:00 GMT"), or Unix time as a number
    of seconds or, when too large for seconds, milliseconds. ``DateOutOfRange`` when UTC
    cannot hold it (``0001-01-01T00:00:00+01:00``)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _unix_time(value)
    if not isinstance(value, str):
        return None, "published_at is neither a string nor a number; ignored"
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None, "published_at is neither ISO 8601 nor an RFC 2822 date; ignored"
    note = None if parsed.tzinfo is not None else "published_at has no UTC offset; read as UTC"
    return in_utc(parsed, what), note


def _unix_time(value: float) -> tuple[datetime | None, str | None]:
    """Seconds since 1970; a number past the year 5138 in seconds is milliseconds."""
    if not math.isfinite(value) or not UNIX_SECONDS_START <= value < UNIX_MILLISECONDS_END:
        return None, "published_at is a number but not a Unix time from 1973 to 5138; ignored"
    if value < UNIX_SECONDS_END:
        return datetime.fromtimestamp(value, timezone.utc), "published_at read as Unix seconds"
    return (datetime.fromtimestamp(value / 1000, timezone.utc),
            "published_at read as Unix milliseconds")

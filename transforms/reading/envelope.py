"""An article envelope, ``{"text": ..., "title"?, "url"?, "source"?, "published_at"?,
"language"?}``: a ``.json`` file, a ``.jsonl`` line or a Kafka value, checked the same
way wherever it is read. Beam-free, so ``copydesk produce`` refuses what batch would
reject before sending it."""

from __future__ import annotations

import json
from datetime import datetime

from schemas.records import DateOutOfRange, in_utc


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
    if not isinstance(envelope, dict):
        raise InvalidInput("The JSON is not an object; an article envelope is {\"text\": ...}.")
    if not isinstance(envelope.get("text"), str):
        raise InvalidInput("The JSON object has no \"text\" string, so there is no article.")
    stamp = envelope.get("published_at")
    if stamp is not None:
        try:
            parse_timestamp(stamp)
        except DateOutOfRange as error:
            raise InvalidInput(str(error)) from None
    return envelope


def parse_timestamp(value: object) -> tuple[datetime | None, str | None]:
    """An ISO 8601 timestamp as UTC, and a note when it had to be read leniently or dropped.
    ``DateOutOfRange`` when UTC cannot hold it (``0001-01-01T00:00:00+01:00``)."""
    if not isinstance(value, str):
        return None, "published_at is not a string; ignored"
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, "published_at is not an ISO 8601 timestamp; ignored"
    note = None if parsed.tzinfo is not None else "published_at has no UTC offset; read as UTC"
    return in_utc(parsed, "The published_at date"), note

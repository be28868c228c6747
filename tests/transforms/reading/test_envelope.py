import json
from datetime import datetime, timezone

import pytest

from schemas.records import RawInput
from transforms.reading.envelope import READ_FROM, InvalidInput, parse_envelope, with_own_names
from transforms.reading.read import to_article

NOW = datetime(2026, 12, 7, tzinfo=timezone.utc)

# Records as other tools write them (field names and shapes as their documents give them).
NEWS_PLEASE = {"title": "Flood in Valencia", "maintext": "Water rose in Valencia on Tuesday.",
               "text": None, "description": None, "date_publish": "2024-10-29 18:00:00",
               "source_domain": "elpais.com", "url": "https://elpais.com/a", "language": "es"}
NEWSAPI = {"source": {"id": None, "name": "BBC News"}, "author": None, "title": "Vote in Leeds",
           "description": "A short summary.",
           "content": "The council in Leeds voted 7 to 2. [+2312 chars]",
           "publishedAt": "2024-05-01T10:00:00Z", "url": "https://bbc.test/a"}
FEED = {"headline": "Oslo budget", "body": "The budget in Oslo grew.",
        "pubDate": "Tue, 10 Jun 2003 04:00:00 GMT", "link": "https://x.test/a"}


def article(envelope: dict):
    return to_article(RawInput("a.json", json.dumps(envelope).encode(), kind="envelope"), NOW, 10**6)


@pytest.mark.parametrize("envelope,expected", [
    (NEWS_PLEASE, ("Flood in Valencia", "Water rose in Valencia on Tuesday.", "elpais.com",
                   "https://elpais.com/a", datetime(2024, 10, 29, 18, tzinfo=timezone.utc), "es")),
    (NEWSAPI, ("Vote in Leeds", "The council in Leeds voted 7 to 2.", "BBC News",
               "https://bbc.test/a", datetime(2024, 5, 1, 10, tzinfo=timezone.utc), None)),
    (FEED, ("Oslo budget", "The budget in Oslo grew.", None, "https://x.test/a",
            datetime(2003, 6, 10, 4, tzinfo=timezone.utc), None)),
], ids=["news-please", "NewsAPI", "feed"])
def test_records_of_other_tools_are_read_by_their_own_names(envelope, expected):
    found = article(envelope)
    assert (found.title, found.text, found.publisher_id, found.url, found.published_at,
            found.language_hint) == expected
    said = {r.text for r in found.repairs if r.kind == "metadata" and r.detail.startswith("the envelope's")}
    assert said and said <= set(envelope) | {"source.name"}


def test_copydesk_s_own_names_win_and_nothing_is_noted_for_them():
    envelope = {"text": "Own text.", "content": "Other text.", "title": "Own", "headline": "Other",
                "published_at": "2024-01-01T00:00:00Z", "date": "1999-01-01"}
    assert READ_FROM not in with_own_names(envelope)
    found = article(envelope)
    assert (found.text, found.title, found.published_at.year) == ("Own text.", "Own", 2024)
    assert not found.repairs


def test_a_text_of_another_kind_is_passed_over_and_none_at_all_is_a_reject():
    assert parse_envelope(json.dumps({"content": ["a", "list"], "body": "The body."}))["text"] == "The body."
    with pytest.raises(InvalidInput, match=r'no "text" string \(nor maintext, content'):
        parse_envelope(json.dumps({"title": "Only a title", "description": "and a summary"}))


def test_json_nested_past_python_s_limit_is_a_reject_not_a_crash():
    deep = '{"text": "Oslo.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(InvalidInput, match="nested too deeply"):
        parse_envelope(deep)
    with pytest.raises(InvalidInput, match="nested too deeply"):
        to_article(RawInput("deep.json", deep.encode(), kind="envelope"), NOW, 10**7)


def test_a_failure_nobody_foresaw_sets_the_input_aside_with_its_reason(monkeypatch):
    import transforms.reading.read as read

    def broken(raw, hint=None):
        raise RuntimeError("decoder exploded")

    monkeypatch.setattr(read, "decode", broken)
    with pytest.raises(InvalidInput, match=r"copydesk failed to read this input \(.*decoder exploded"):
        to_article(RawInput("a.txt", b"Some text."), NOW, 10**6)


def test_a_news_api_s_truncation_marker_is_removed_and_said():
    found = article(NEWSAPI)
    assert found.text == "The council in Leeds voted 7 to 2."
    assert [r.text for r in found.repairs if r.kind == "boilerplate"] == [" [+2312 chars]"]
    assert article({"text": "A story about [+5 chars] in the middle."}).text.endswith("middle.")


def test_another_name_stands_in_only_with_a_value_of_the_field_s_kind():
    found = with_own_names({"content": "Text.", "headline": {"main": "NYT's headline object"},
                            "title": None, "date": 1700000000, "domain": ["a", "b"]})
    assert "title" not in found[READ_FROM] and found["title"] is None
    assert found[READ_FROM] == {"text": "content", "published_at": "date"}

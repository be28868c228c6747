import pickle
from dataclasses import fields
from datetime import datetime, timedelta, timezone

import pytest
from apache_beam.coders import registry
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.records import Article, DateOutOfRange, Entity, RawInput, Reject, Repair, in_utc, partition_date

NOW = datetime(2026, 11, 21, 23, 30, tzinfo=timezone.utc)

texts = st.text(max_size=40)
optional_texts = st.none() | texts
repairs = st.builds(Repair, kind=texts, text=texts, detail=optional_texts)
entities = st.builds(Entity, text=texts, label=st.sampled_from(["PERSON", "GPE", "ORG"]),
                     start=st.integers(0, 10_000), end=st.integers(0, 10_000),
                     canonical=optional_texts, kb_id=optional_texts,
                     field=st.sampled_from(["text", "title"]))
times = st.integers(-10**6, 10**6).map(lambda s: NOW + timedelta(seconds=s))
articles = st.builds(
    Article, id=texts, source=texts, text=texts, ingested_at=times, raw=st.binary(max_size=20),
    title=optional_texts, url=optional_texts, publisher_id=optional_texts,
    published_at=st.none() | times, language=texts, language_score=st.floats(0, 1),
    language_hint=optional_texts, repairs=st.lists(repairs, max_size=4),
    entities=st.lists(entities, max_size=6), duplicate_of=optional_texts,
    similarity=st.none() | st.floats(0, 1), order=texts)
raw_inputs = st.builds(RawInput, source=texts, raw=st.binary(max_size=20), title=optional_texts,
                       published_at=st.none() | times, kind=st.sampled_from(["text", "envelope"]))
rejects = st.builds(Reject, id=texts, source=texts, reason=texts, raw=st.binary(max_size=20),
                    ingested_at=times)


@settings(max_examples=200)
@given(record=articles | raw_inputs | rejects | repairs | entities)
def test_records_survive_pickle_and_beams_coder(record):
    assert pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL)) == record
    coder = registry.get_coder(type(record))
    assert coder.decode(coder.encode(record)) == record


def test_records_pickle_as_constructor_and_field_values():
    article = Article(id="1", source="a.txt", text="Kyiv", ingested_at=NOW,
                      entities=[Entity("Kyiv", "GPE", 0, 4)], repairs=[Repair("bom", "\ufeff")])
    constructor, values = article.__reduce__()
    assert constructor is Article
    assert values == tuple(getattr(article, f.name) for f in fields(Article))
    # No field names in the pickle: they made up a sixth of an article's bytes.
    assert b"kb_id" not in pickle.dumps(article, pickle.HIGHEST_PROTOCOL)


def test_dates_utc_cannot_hold_are_refused_in_one_sentence():
    with pytest.raises(DateOutOfRange) as refused:
        in_utc(datetime.fromisoformat("0001-01-01T00:00:00+01:00"), "The published_at date")
    assert str(refused.value) == ("The published_at date 0001-01-01T00:00:00+01:00 falls outside the years "
                                  "1 to 9999 in UTC; fix the date or leave it out.")
    with pytest.raises(DateOutOfRange):
        in_utc(datetime.fromisoformat("9999-12-31T23:00:00-05:00"), "The date")
    first = in_utc(datetime(1, 1, 1, 1, 0), "The date")
    assert first == datetime(1, 1, 1, 1, 0, tzinfo=timezone.utc)
    assert partition_date(first, first) == "0001-01-01"

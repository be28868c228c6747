"""Kafka plumbing: message -> RawInput, settings passthrough, codec check, dead-letter headers;
and, against the real broker, records produced by a second client (confluent-kafka) with
every codec and with headers."""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.stream import kafka_io
from pipelines.stream.kafka_io import (
    CodecError,
    KafkaSettings,
    check_codecs,
    dead_letter_headers,
    message_order,
    message_source,
    parse_source,
    settings_from_args,
    to_raw_input,
)
from transforms.runtime.outage import Backoff

topics = st.from_regex(r"[A-Za-z0-9._-]{1,40}", fullmatch=True)
partitions = st.integers(0, 99_999)
offsets = st.integers(0, 2**62)


def record(**fields):
    base = dict(topic="news", partition=0, offset=0, key=None, value=b"text", headers=[], timestamp=None)
    base.update(fields)
    return SimpleNamespace(**base)


@given(topics, partitions, offsets)
def test_source_round_trips(topic, partition, offset):
    assert parse_source(message_source(topic, partition, offset)) == (topic, partition, offset)


def test_parse_source_refuses_other_sources():
    assert parse_source("seeds/000.txt") is None
    assert parse_source("kafka://news/x/1") is None


@given(partitions, offsets, partitions, offsets)
def test_order_sorts_like_partition_then_offset(p1, o1, p2, o2):
    assert (message_order(p1, o1) < message_order(p2, o2)) == ((p1, o1) < (p2, o2))


@given(
    topic=topics, partition=partitions, offset=offsets,
    key=st.one_of(st.none(), st.binary(max_size=30)),
    value=st.binary(max_size=200),
    timestamp=st.one_of(st.none(), st.integers(-1, 4_102_444_800_000)),
    title=st.one_of(st.none(), st.text(max_size=30)),
    value_format=st.sampled_from(["text", "json"]),
)
def test_message_becomes_raw_input(topic, partition, offset, key, value, timestamp, title, value_format):
    headers = [("title", title.encode())] if title is not None else []
    raw = to_raw_input(record(topic=topic, partition=partition, offset=offset, key=key, value=value,
                              headers=headers, timestamp=timestamp), value_format)
    assert raw.source == f"kafka://{topic}/{partition}/{offset}"
    assert raw.raw == value
    assert raw.order == f"{partition:05d}/{offset:020d}"
    assert raw.kind == ("envelope" if value_format == "json" else "text")
    try:
        expected_key = key.decode("utf-8").strip() if key else None
    except UnicodeDecodeError:
        assert raw.problem == "The Kafka key is not UTF-8 text; publish keys (publisher ids) as UTF-8."
        return
    assert raw.problem is None
    assert raw.publisher_id == (expected_key or None)
    if timestamp is not None and timestamp >= 0:
        assert raw.published_at == datetime.fromtimestamp(timestamp / 1000, tz=timezone.utc)
    else:
        assert raw.published_at is None
    if title is not None and title.strip():
        assert raw.title == title.encode().decode("utf-8", "replace").strip()


def test_published_at_header_wins_over_the_record_timestamp():
    headers = [("published_at", b"2022-02-21T18:30:00+03:00"), ("url", b"https://example.com/a"),
               ("language", b"en")]
    raw = to_raw_input(record(headers=headers, timestamp=1_700_000_000_000, key=b"reuters"))
    assert raw.published_at == datetime(2022, 2, 21, 15, 30, tzinfo=timezone.utc)
    assert raw.url == "https://example.com/a"
    assert raw.language == "en"
    assert raw.publisher_id == "reuters"


def test_unparsable_published_at_falls_back_to_the_timestamp():
    raw = to_raw_input(record(headers=[("published_at", b"last tuesday")], timestamp=86_400_000))
    assert raw.published_at == datetime(1970, 1, 2, tzinfo=timezone.utc)


def test_an_rfc_2822_or_unix_time_header_is_read_as_in_an_envelope():
    raw = to_raw_input(record(headers=[("published_at", b"Mon, 07 Dec 2026 10:00:00 +0200")]))
    assert raw.published_at == datetime(2026, 12, 7, 8, tzinfo=timezone.utc)
    raw = to_raw_input(record(headers=[("published_at", b"1700000000")], timestamp=86_400_000))
    assert raw.published_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)


def test_naive_published_at_is_read_as_utc():
    raw = to_raw_input(record(headers=[("published_at", b"2022-02-21T10:00:00")]))
    assert raw.published_at == datetime(2022, 2, 21, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize("fields, reason", [
    ({"headers": [("published_at", b"0001-01-01T00:00:00+01:00")]},
     "The published_at header 0001-01-01T00:00:00+01:00 falls outside the years 1 to 9999 in UTC"),
    ({"timestamp": 253_402_300_800_000},
     "The Kafka record timestamp 253402300800000 ms falls outside the years 1 to 9999"),
    ({"headers": [("title", b"caf\xe9")]}, "The Kafka header 'title' is not UTF-8 text"),
    ({"key": b"\xff\xfe"}, "The Kafka key is not UTF-8 text"),
])
def test_a_record_that_cannot_be_read_carries_its_reason(fields, reason):
    raw = to_raw_input(record(**fields))
    assert raw.problem.startswith(reason) and raw.problem.endswith(".")
    assert raw.raw == b"text" and raw.source == "kafka://news/0/0"


def test_headers_copydesk_does_not_read_may_hold_any_bytes():
    raw = to_raw_input(record(headers=[("trace", b"\xff\x00"), ("title", b"Budget")]))
    assert raw.problem is None and raw.title == "Budget"


def test_dead_letter_headers_follow_kafka_connect():
    message = record(topic="news", partition=3, offset=42,
                     headers=[("source", b"a.txt"), ("__connect.errors.topic", b"older")])
    headers = dead_letter_headers(message, "The input is empty.", "VALUE_CONVERTER", "copydesk", "w1")
    as_dict = {k: v.decode() for k, v in headers}
    assert as_dict["__connect.errors.topic"] == "news"
    assert as_dict["__connect.errors.partition"] == "3"
    assert as_dict["__connect.errors.offset"] == "42"
    assert as_dict["__connect.errors.exception.message"] == "The input is empty."
    assert as_dict["__connect.errors.stage"] == "VALUE_CONVERTER"
    assert as_dict["source"] == "a.txt"
    # A message dead-lettered twice carries only the latest context.
    assert [k for k, _ in headers].count("__connect.errors.topic") == 1


def test_plaintext_settings_carry_no_secrets():
    config = KafkaSettings("b1:9092, b2:9092", sasl_username="u", sasl_password="p").client_config()
    assert config["bootstrap_servers"] == ["b1:9092", "b2:9092"]
    assert config["security_protocol"] == "PLAINTEXT"
    assert not any(k.startswith(("sasl", "ssl")) for k in config)


def test_sasl_ssl_settings_pass_through():
    settings = KafkaSettings("b:9093", security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512",
                             sasl_username="user", sasl_password="secret", ssl_cafile="/ca.pem",
                             ssl_check_hostname=False)
    config = settings.client_config()
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert config["sasl_plain_username"] == "user"
    assert config["sasl_plain_password"] == "secret"
    assert config["ssl_cafile"] == "/ca.pem"
    assert config["ssl_check_hostname"] is False
    assert "secret" not in repr(settings)
    # kafka-python accepts every key we hand it.
    from kafka import KafkaConsumer

    assert set(config) <= set(KafkaConsumer.DEFAULT_CONFIG)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    kafka_io.add_connection_arguments(parser)
    return parser.parse_args(["--bootstrap-servers", "b:9092", *argv])


def test_passwords_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(kafka_io.SASL_PASSWORD_ENV, "from-env")
    settings = settings_from_args(_args("--security-protocol", "SASL_PLAINTEXT", "--sasl-username", "u"))
    assert settings.client_config()["sasl_plain_password"] == "from-env"


def test_missing_certificate_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        settings_from_args(_args("--security-protocol", "SSL", "--ssl-cafile", str(tmp_path / "nope.pem")))


def test_all_codecs_are_installed():
    check_codecs()


def test_a_missing_codec_is_named_with_its_package(monkeypatch):
    from kafka import codec

    monkeypatch.setattr(codec, "has_zstd", lambda: False)
    with pytest.raises(CodecError, match="zstd.*zstandard"):
        check_codecs()


def test_backoff_doubles_up_to_its_ceiling():
    backoff = Backoff(1, 5)
    assert [backoff.next() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.next() == 1


@pytest.mark.kafka
def test_every_codec_and_headers_from_a_second_client(kafka_broker, kafka_topic):
    from confluent_kafka import Producer
    from kafka import KafkaConsumer, TopicPartition

    topic = kafka_topic(1)
    sent = []
    for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
        producer = Producer({"bootstrap.servers": kafka_broker.bootstrap_servers,
                             "compression.type": codec, "linger.ms": 20})
        for i in range(3):
            value = f"{codec} article {i} — déjà vu".encode()
            producer.produce(topic, value=value, key=f"pub-{codec}".encode(), headers=[
                ("title", f"Title {codec} {i}".encode()), ("url", f"https://x.test/{codec}/{i}".encode()),
                ("published_at", b"2022-02-22T08:00:00Z"), ("source", f"{codec}/{i}.txt".encode())])
            sent.append((codec, value))
        producer.produce(topic, value=None, key=b"gone")  # tombstone
        sent.append((codec, None))
        assert producer.flush(10) == 0

    consumer = KafkaConsumer(**KafkaSettings(kafka_broker.bootstrap_servers).client_config(),
                             enable_auto_commit=False)
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek(tp, 0)
    got = []
    deadline = time.monotonic() + 30
    while len(got) < len(sent) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            got.extend(records)
    consumer.close()

    assert [r.offset for r in got] == list(range(len(sent)))
    assert [r.value for r in got] == [value for _, value in sent]
    inputs = [to_raw_input(r) for r in got if r.value is not None]
    assert len(inputs) == 15
    first = inputs[0]
    assert first.title == "Title none 0"
    assert first.url == "https://x.test/none/0"
    assert first.publisher_id == "pub-none"
    assert first.published_at == datetime(2022, 2, 22, 8, tzinfo=timezone.utc)
    assert first.source == f"kafka://{topic}/0/0"


@pytest.mark.parametrize("header,expected", [
    (b"text/plain; charset=KOI8-R", "KOI8-R"),
    (b'text/html; charset="windows-1251"', "windows-1251"),
    (b"text/plain", None),
])
def test_content_type_charset_becomes_the_encoding_hint(header, expected):
    raw = to_raw_input(record(headers=[("Content-Type", header)]))
    assert raw.encoding == expected

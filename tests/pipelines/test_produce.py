"""``copydesk produce``: a folder's articles become one message each, with ``source`` headers."""

from __future__ import annotations

import json
import os
import time

import pytest

from pipelines import produce

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "seeds")


def write_corpus(root) -> None:
    (root / "wire").mkdir()
    (root / "wire" / "a.txt").write_bytes("Caf\xe9 owners met on Monday.".encode("cp1252"))
    (root / "b.json").write_text(json.dumps({"text": "Body B", "title": "Title B",
                                             "published_at": "2022-02-22T10:00:00+00:00"}))
    (root / "c.jsonl").write_text(json.dumps({"text": "Body C1", "url": "https://x.test/c1"}) + "\n\n"
                                  + "{not json\n")
    (root / "notes.md").write_text("not an article")
    (root / ".hidden.txt").write_text("skipped")


def headers(message) -> dict[str, str]:
    return {k: v.decode() for k, v in message.headers}


def test_files_are_found_recursively_in_a_stable_order(tmp_path):
    write_corpus(tmp_path)
    found = produce.find_files([str(tmp_path)])
    assert [source for _, source in found] == ["b.json", "c.jsonl", os.path.join("wire", "a.txt")]


def test_text_files_are_sent_byte_for_byte(tmp_path):
    write_corpus(tmp_path)
    [message] = produce.messages(str(tmp_path / "wire" / "a.txt"), "wire/a.txt")
    assert message.value == "Caf\xe9 owners met on Monday.".encode("cp1252")
    assert headers(message) == {"source": "wire/a.txt"}


def test_envelopes_become_text_values_with_metadata_headers(tmp_path):
    write_corpus(tmp_path)
    [b] = produce.messages(str(tmp_path / "b.json"), "b.json")
    assert b.value == b"Body B"
    assert headers(b) == {"source": "b.json", "title": "Title B", "published_at": "2022-02-22T10:00:00+00:00"}
    c1, broken = produce.messages(str(tmp_path / "c.jsonl"), "c.jsonl")
    assert headers(c1) == {"source": "c.jsonl#1", "url": "https://x.test/c1"}
    # Not an envelope: refused with batch's reason, never sent.
    assert broken == produce.Refused("c.jsonl#3", "The input is not valid JSON (Expecting property name "
                                                  "enclosed in double quotes at line 1 column 2); fix it "
                                                  "or remove it.")


def test_a_latin1_file_name_and_lone_surrogates_are_sent_as_batch_reads_them(tmp_path):
    (tmp_path / os.fsdecode(b"caf\xe9.json")).write_text(
        '{"text": "Lone \\ud800 in Oslo", "title": "T\\udc80"}', encoding="utf-8")
    [(path, source)] = produce.find_files([str(tmp_path)])
    assert source == "caf\\xe9.json"
    [message] = produce.messages(path, source)
    assert message.value == "Lone \ufffd in Oslo".encode("utf-8")
    assert headers(message) == {"source": "caf\\xe9.json", "title": "T\ufffd"}


@pytest.mark.parametrize("value_format", ["text", "json"])
def test_lines_batch_would_reject_are_refused_in_either_format(tmp_path, value_format):
    lines = ["not json at all", json.dumps({"text": 42}),
             json.dumps({"text": "Dated", "published_at": "0001-01-01T00:00:00+01:00"}),
             json.dumps({"text": "Kept"})]
    (tmp_path / "d.jsonl").write_text("\n".join(lines) + "\n")
    found = list(produce.messages(str(tmp_path / "d.jsonl"), "d.jsonl", value_format))
    refused = [m for m in found if isinstance(m, produce.Refused)]
    assert [r.source for r in refused] == ["d.jsonl#1", "d.jsonl#2", "d.jsonl#3"]
    assert "no \"text\" string" in refused[1].reason and "outside the years 1 to 9999" in refused[2].reason
    [kept] = [m for m in found if isinstance(m, produce.Message)]
    assert headers(kept)["source"] == "d.jsonl#4"


def test_refused_lines_are_reported_and_not_sent(tmp_path, capsys):
    (tmp_path / "d.jsonl").write_text("not json at all\n")
    # Nothing is left to send, so no broker is needed to see the report.
    from pipelines.broker import free_port

    status = produce.main([str(tmp_path), "--topic", "t", "--bootstrap-servers", f"127.0.0.1:{free_port()}"])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("copydesk: d.jsonl#1 not sent: The input is not valid JSON")


def test_a_broker_that_cannot_be_reached_is_one_line_within_10_s(tmp_path):
    import subprocess
    import sys

    from pipelines.broker import free_port

    (tmp_path / "a.txt").write_text("An article about the harbour.")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pipelines.produce", str(tmp_path), "--topic", "t",
                           "--bootstrap-servers", f"127.0.0.1:{free_port()}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert line.startswith("copydesk: Kafka at 127.0.0.1:") and line.endswith("; nothing was sent."), line
    assert took < 10, took


def test_json_value_format_keeps_envelopes(tmp_path):
    write_corpus(tmp_path)
    [b] = produce.messages(str(tmp_path / "b.json"), "b.json", value_format="json")
    assert json.loads(b.value)["title"] == "Title B"
    [a] = produce.messages(str(tmp_path / "wire" / "a.txt"), "a.txt", value_format="json", key=b"k")
    assert json.loads(a.value) == {"text": "Caf\ufffd owners met on Monday."}
    assert a.key == b"k"


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither a file nor a folder"):
        produce.find_files([str(tmp_path / "nowhere")])


@pytest.mark.kafka
def test_produce_command_publishes_the_seeds(kafka_broker, capsys):
    from kafka import KafkaConsumer, TopicPartition

    topic = f"produce-seeds-{os.getpid()}"
    status = produce.main([SEEDS, "--topic", topic, "--partitions", "2", "--compression", "zstd",
                           "--key", "wire", "--bootstrap-servers", kafka_broker.bootstrap_servers])
    assert status == 0
    assert "Published 5 messages" in capsys.readouterr().out

    consumer = KafkaConsumer(bootstrap_servers=kafka_broker.bootstrap_servers, enable_auto_commit=False)
    tps = [TopicPartition(topic, p) for p in (0, 1)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    got = []
    deadline = time.monotonic() + 20
    while len(got) < 5 and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            got.extend(records)
    consumer.close()
    by_source = {headers(r)["source"]: r for r in got}
    assert sorted(by_source) == sorted(os.listdir(SEEDS))
    for name, message in by_source.items():
        with open(os.path.join(SEEDS, name), "rb") as handle:
            assert message.value == handle.read()
        assert message.key == b"wire"


def test_produce_command_refuses_an_empty_folder(tmp_path, capsys):
    status = produce.main([str(tmp_path), "--topic", "t", "--bootstrap-servers", "127.0.0.1:1"])
    assert status == 2
    assert "No .txt, .json or .jsonl files" in capsys.readouterr().err


@pytest.mark.kafka
def test_a_message_too_large_is_named_with_what_was_sent(kafka_broker, tmp_path, capsys):
    (tmp_path / "a.txt").write_text("An article about the harbour.")
    (tmp_path / "b.txt").write_text("An article about the council.")
    large = b"word " * (produce.MAX_REQUEST_BYTES // 5 + 1)
    (tmp_path / "c.txt").write_bytes(large)
    topic = f"produce-large-{os.getpid()}"
    status = produce.main([str(tmp_path), "--topic", topic, "--partitions", "1",
                           "--bootstrap-servers", kafka_broker.bootstrap_servers])
    [line] = capsys.readouterr().err.splitlines()
    assert status == 1
    assert line.startswith(f"copydesk: c.txt is {len(large):,} bytes, more than one Kafka "
                           "message may hold"), line
    assert line.endswith("; 2 messages were sent before it stopped."), line

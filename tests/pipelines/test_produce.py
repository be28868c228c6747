"""``copydesk produce``: a folder's articles become one message each, with ``source`` headers."""

from __future__ import annotations

import json
import os
import time

import pytest

from pipelines import produce

SEEDS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "seeds")


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
    # Not an envelope: sent as it is, for the worker to reject with a reason.
    assert broken.value == b"{not json" and headers(broken)["source"] == "c.jsonl#3"


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

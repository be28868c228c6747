import json
import re
from datetime import datetime, timezone

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from schemas.records import RawInput
from transforms.reading.read import (
    DEFAULT_MAX_BYTES,
    DecodeInputs,
    InputError,
    ReadFiles,
    ReadInputs,
    input_roots,
    lines_in_range,
    list_inputs,
    parse_timestamp,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "a.txt").write_text("First article.\n\nBody text here.", encoding="utf-8")
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "deeper" / "b.json").write_text(
        json.dumps({"text": "Second article body.", "title": "Second", "url": "https://x/2",
                    "source": "Wire", "published_at": "2022-02-21T23:30:00-05:00",
                    "language": "en"}), encoding="utf-8")
    lines = [json.dumps({"text": f"Line article {i}."}) for i in range(3)]
    lines.insert(1, "{not json")
    (tmp_path / "nested" / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("skip me")
    (tmp_path / "empty.txt").write_bytes(b"  \n\t ")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return tmp_path


def _kind(reason):
    return next(k for k in ("empty", "file type", "JSON", "binary") if k in reason)


def test_list_inputs_recurses_and_skips_hidden(folder):
    sources = [f.source for f in list_inputs([str(folder)])]
    assert sorted(sources) == ["a.txt", "empty.txt", "image.png", "nested/c.jsonl",
                               "nested/deeper/b.json"]


def test_list_inputs_counts_a_file_given_twice_once(folder):
    files = list_inputs([str(folder), str(folder / "a.txt")])
    assert [f.source for f in files].count("a.txt") == 1


def test_missing_input_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        list_inputs([str(tmp_path / "nope")])


def test_every_input_lands_once_with_reasons(folder):
    with TestPipeline() as p:
        decoded = p | ReadInputs([str(folder), str(folder / "a.txt")]) | DecodeInputs(NOW)
        articles = decoded["articles"] | "A" >> beam.Map(
            lambda a: (a.source, a.title, a.text, a.publisher_id, a.published_at))
        rejects = decoded["rejects"] | "R" >> beam.Map(lambda r: (r.source, _kind(r.reason)))
        assert_that(articles, equal_to([
            ("a.txt", None, "First article.\n\nBody text here.", None, None),
            ("nested/deeper/b.json", "Second", "Second article body.", "Wire",
             datetime(2022, 2, 22, 4, 30, tzinfo=timezone.utc)),
            ("nested/c.jsonl#1", None, "Line article 0.", None, None),
            ("nested/c.jsonl#3", None, "Line article 1.", None, None),
            ("nested/c.jsonl#4", None, "Line article 2.", None, None),
        ]), label="articles")
        assert_that(rejects, equal_to([
            ("empty.txt", "empty"),
            ("image.png", "file type"),
            ("nested/c.jsonl#2", "JSON"),
        ]), label="rejects")


@pytest.mark.parametrize(
    "raw,kind,expected",
    [
        (b"", "text", "empty"),
        (b"\n \t\n", "text", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "text", "binary"),
        (b"[1, 2]", "envelope", "not an object"),
        (b'{"title": "no text"}', "envelope", "no \"text\""),
        (b'{"text": "   "}', "envelope", "empty"),
        (b'{"text": "x",', "envelope", "not valid JSON"),
        (b"x" * 101, "text", "larger than"),
    ],
)
def test_bad_inputs_are_rejected_with_a_sentence(raw, kind, expected):
    with TestPipeline() as p:
        decoded = (p | beam.Create([RawInput("s", raw, kind=kind)])
                   | DecodeInputs(NOW, max_bytes=100))
        reasons = decoded["rejects"] | beam.Map(lambda r: (expected in r.reason, r.raw == raw[:100],
                                                           r.reason.endswith(".")))
        assert_that(reasons, equal_to([(True, True, True)]), label="reason")
        assert_that(decoded["articles"], equal_to([]), label="no article")


def test_legacy_and_utf16_bytes_become_articles_with_an_audit_trail():
    records = [
        RawInput("cp", "Caf\u00e9 \u201cquotes\u201d".encode("cp1252")),
        RawInput("u16", "UTF-16 article".encode("utf-16")),
        RawInput("nul", b"Text with a \x00 NUL"),
    ]
    with TestPipeline() as p:
        decoded = p | beam.Create(records) | DecodeInputs(NOW)
        out = decoded["articles"] | beam.Map(lambda a: (a.source, a.text, [r.kind for r in a.repairs]))
        assert_that(out, equal_to([
            ("cp", "Caf\u00e9 \u201cquotes\u201d", ["encoding"]),
            ("u16", "UTF-16 article", ["encoding"]),
            ("nul", "Text with a \x00 NUL", []),
        ]))


@pytest.mark.parametrize(
    "value,expected,noted",
    [
        ("2022-02-21T10:00:00+03:00", datetime(2022, 2, 21, 7, tzinfo=timezone.utc), False),
        ("2022-02-21T10:00:00Z", datetime(2022, 2, 21, 10, tzinfo=timezone.utc), False),
        ("2022-02-21T10:00:00", datetime(2022, 2, 21, 10, tzinfo=timezone.utc), True),
        ("yesterday", None, True),
        (12, None, True),
        ("2024-02-30", None, True),
        # An RSS feed's pubDate; "-0000" says the zone is unknown.
        ("Mon, 07 Dec 2026 10:00:00 +0200", datetime(2026, 12, 7, 8, tzinfo=timezone.utc), False),
        ("Tue, 10 Jun 2003 04:00:00 GMT", datetime(2003, 6, 10, 4, tzinfo=timezone.utc), False),
        ("Tue, 10 Jun 2003 04:00:00 -0000", datetime(2003, 6, 10, 4, tzinfo=timezone.utc), True),
        # Unix time: seconds, milliseconds, as a string; counts and flags are not dates.
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc), True),
        (1700000000123, datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=timezone.utc), True),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc), True),
        (1.5e9, datetime(2017, 7, 14, 2, 40, tzinfo=timezone.utc), True),
        ("2024", None, True),
        (-5, None, True),
        (float("nan"), None, True),
        (True, None, True),
        (10 ** 20, None, True),
    ],
)
def test_published_at(value, expected, noted):
    parsed, note = parse_timestamp(value)
    assert parsed == expected
    assert bool(note) is noted


RUSSIAN = "Правительство объявило о новой программе ремонта школ в понедельник."
HEBREW = "ועדת הכספים של הכנסת תדון בפרטים בשבוע הבא."


def _how(detail: str) -> str:
    declared = re.search(r"decoded as (\S+), as declared", detail)
    return f"declared {declared.group(1)}" if declared else detail.split(";")[-1].split()[0]


def test_hints_and_guesses_are_audited_and_unsure_guesses_keep_their_bytes():
    envelope = json.dumps({"text": RUSSIAN, "encoding": "koi8-u"}, ensure_ascii=False)
    page = f'<html><head><meta charset="koi8-u"></head><body>{RUSSIAN}</body></html>'
    records = [
        # Read alone, KOI8 bytes are KOI8-R; each hint says KOI8-U and is followed.
        RawInput("kafka", RUSSIAN.encode("koi8-r"), encoding="koi8-u"),
        RawInput("envelope", envelope.encode("koi8-r"), kind="envelope"),
        RawInput("page", page.encode("koi8-r")),
        # One Hebrew sentence with no hint is read, but not surely: its bytes stay.
        RawInput("unsure", HEBREW.encode("cp1255")),
        RawInput("utf8", RUSSIAN.encode()),
    ]
    with TestPipeline() as p:
        decoded = p | beam.Create(records) | DecodeInputs(NOW)
        out = decoded["articles"] | beam.Map(lambda a: (
            a.source, RUSSIAN in a.text, [_how(r.detail) for r in a.repairs if r.kind == "encoding"],
            a.keep_raw))
        assert_that(out, equal_to([
            ("kafka", True, ["declared koi8-u"], False),
            ("envelope", True, ["declared koi8-u"], False),
            ("page", True, ["declared koi8-u"], False),
            ("unsure", False, ["detected"], True),
            ("utf8", True, [], False),
        ]))


def test_an_unsure_guess_says_its_confidence_and_keeps_its_bytes():
    raw = HEBREW.encode("cp1255")
    with TestPipeline() as p:
        decoded = p | beam.Create([RawInput("unsure", raw)]) | DecodeInputs(NOW)
        out = decoded["articles"] | beam.Map(lambda a: (
            [bool(re.fullmatch(r"the bytes are not UTF-8; detected \S+ \(confidence 0\.[0-6]\d\)", r.detail))
             for r in a.repairs], a.raw == raw, a.keep_raw))
        assert_that(out, equal_to([([True], True, True)]))


def _one_reader(inputs, max_bytes=DEFAULT_MAX_BYTES):
    """(source, raw, kind) of every input, listed and read whole here, without Beam."""
    reader = ReadFiles(max_bytes)
    return [(r.source, r.raw, r.kind) for f in list_inputs([str(i) for i in inputs])
            for r in reader.process(f)]


def _assert_read(inputs, expected, **options):
    with TestPipeline() as p:
        raw = p | ReadInputs([str(i) for i in inputs], **options)
        assert_that(raw | beam.Map(lambda r: (r.source, r.raw, r.kind)), equal_to(expected))


@pytest.mark.parametrize("range_bytes", [97, 1000, 1 << 20])
def test_a_large_jsonl_file_read_in_ranges_gives_what_one_reader_gives(tmp_path, range_bytes):
    lines = [json.dumps({"text": f"Article {i} " + "word " * (i % 17)}) for i in range(200)]
    lines[40] = ""
    lines[41] = "{broken"
    (tmp_path / "feed.jsonl").write_text("\r\n".join(lines), encoding="utf-8")
    whole = _one_reader([tmp_path])
    assert len(whole) == 200 and ("feed.jsonl#42", b"{broken", "envelope") in whole
    _assert_read([tmp_path], whole, range_bytes=range_bytes)


def test_a_line_over_max_bytes_is_cut_and_becomes_a_reject(tmp_path):
    (tmp_path / "big.jsonl").write_bytes(
        b'{"text": "short"}\n{"text": "' + b"x" * 5000 + b'"}\n{"text": "after"}\n')
    with TestPipeline() as p:
        decoded = (p | ReadInputs([str(tmp_path)], max_bytes=1000, range_bytes=1500)
                   | DecodeInputs(NOW, max_bytes=1000))
        assert_that(decoded["articles"] | beam.Map(lambda a: (a.source, a.text)),
                    equal_to([("big.jsonl#1", "short"), ("big.jsonl#3", "after")]), label="articles")
        assert_that(decoded["rejects"]
                    | beam.Map(lambda r: (r.source, len(r.raw), "larger than" in r.reason)),
                    equal_to([("big.jsonl#2", 1000, True)]), label="rejects")


def test_utf16_lines_have_no_extra_empty_line(tmp_path):
    text = '{"text": "one"}\n{"text": "two"}\n'
    (tmp_path / "u16.jsonl").write_bytes(text.encode("utf-16"))
    _assert_read([tmp_path], [("u16.jsonl#1", b'{"text": "one"}', "envelope"),
                              ("u16.jsonl#2", b'{"text": "two"}', "envelope")], range_bytes=8)


def test_names_with_glob_characters_and_hidden_entries(tmp_path):
    odd = tmp_path / "we[ir]d*"
    (odd / ".git").mkdir(parents=True)
    (odd / ".git" / "config.txt").write_text("not an article")
    (odd / "_drafts").mkdir()
    (odd / "_drafts" / "d.txt").write_text("draft")
    (odd / "a?.txt").write_text("kept")
    (tmp_path / "weird-sibling").mkdir()
    (tmp_path / "weird-sibling" / "b.txt").write_text("not under the input")
    hidden = tmp_path / ".given.txt"
    hidden.write_text("given by name, so read")
    expected = [(".given.txt", b"given by name, so read", "text"), ("a?.txt", b"kept", "text")]
    assert sorted(_one_reader([odd, hidden])) == expected
    _assert_read([odd, hidden], expected)


def test_the_job_graph_holds_the_inputs_not_the_files(tmp_path):
    def graph_size(count):
        folder = tmp_path / f"{count:05d}"
        folder.mkdir()
        for i in range(count):
            (folder / f"{i:05d}.txt").write_text("x")
        p = beam.Pipeline()
        _ = p | ReadInputs([str(folder)])
        return len(p.to_runner_api().SerializeToString())

    # Pickled transforms vary by a few bytes; one entry per file would add ~100 KB here.
    assert abs(graph_size(2000) - graph_size(2)) < 1000


@pytest.mark.parametrize("data", [b"", b"\n", b"a", b"a\n", b"\n\nb\n", b"ab\ncd\n\nef", b"x\r\ny"])
@pytest.mark.parametrize("range_bytes", [1, 2, 3, 64])
def test_lines_in_ranges_are_the_lines_of_the_file(data, range_bytes):
    import io

    expected = list(enumerate(data.split(b"\n"), start=1))
    if data.endswith(b"\n") or not data:
        expected = expected[:-1]
    got, before = [], 0
    for start in range(0, len(data), range_bytes):
        end = min(start + range_bytes, len(data))
        got += list(lines_in_range(io.BytesIO(data), start, end, before, max_bytes=100))
        before += data[start:end].count(b"\n")
    assert got == expected
    assert list(lines_in_range(io.BytesIO(data), 0, None, 0, max_bytes=100)) == expected


def test_missing_inputs_are_found_without_listing(tmp_path):
    (tmp_path / "here").mkdir()
    with pytest.raises(InputError, match="does not exist"):
        input_roots([str(tmp_path / "here"), str(tmp_path / "gone")])
    with pytest.raises(InputError, match="does not exist"):
        ReadInputs([str(tmp_path / "gone")])

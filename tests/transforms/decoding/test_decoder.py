import codecs
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.eval.decoding import HELD_OUT as HELD_OUT_CASES
from bench.eval.decoding import encoding_cases
from transforms.decoding.decoder import BinaryInput, decode

TEXT = "Zelenskiy said “no” — the café in Kyiv (Київ) stays open.\n"
WESTERN = "Le café était fermé — “déjà vu”, said the naïve reporter.\n"
RUSSIAN = "Президент России Владимир Путин заявил журналистам в понедельник.\n"


def test_utf8_plain():
    assert decode(TEXT.encode()).text == TEXT


@pytest.mark.parametrize(
    "bom,encoding",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_byte_order_marks_are_read_and_dropped(bom, encoding):
    decoded = decode(bom + TEXT.encode(encoding))
    assert decoded.text == TEXT
    assert decoded.bom


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(encoding):
    decoded = decode(("Plain English text. " * 20).encode(encoding))
    assert decoded.text == "Plain English text. " * 20
    assert decoded.encoding == encoding


def test_cp1252_with_curly_quotes():
    decoded = decode(WESTERN.encode("cp1252"))
    assert decoded.text == WESTERN
    assert decoded.encoding == "cp1252" and decoded.guessed


def test_latin1_with_bytes_cp1252_leaves_undefined():
    text = "Caf\xe9 \x81 na\xefve"
    decoded = decode(text.encode("latin-1"))
    assert decoded.text == text
    assert decoded.encoding == "iso8859-1"


def test_cp1251_russian_is_not_read_as_western():
    decoded = decode(RUSSIAN.encode("cp1251"))
    assert decoded.text == RUSSIAN
    assert decoded.encoding == "cp1251"


@pytest.mark.parametrize(
    "payload",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"%PDF-1.7\n" + bytes(100),
        b"PK\x03\x04" + bytes(range(200)),
        bytes(range(32)) * 40,
    ],
)
def test_binary_is_refused_with_a_reason(payload):
    with pytest.raises(BinaryInput, match="binary"):
        decode(payload)


def test_text_with_a_few_nuls_is_text():
    raw = ("A normal sentence about the news. " * 30).encode()
    raw = raw[:100] + b"\x00" + raw[100:200] + b"\x00\x00" + raw[200:]
    assert "normal sentence" in decode(raw).text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_any_utf8_text_round_trips(text):
    assert decode(text.encode("utf-8")).text.lstrip("\ufeff") == text.lstrip("\ufeff")


CASES = encoding_cases()
LEGACY = [c for c in CASES if c.encoding != "utf-8"]


def test_the_case_set_covers_every_encoding_of_the_issue():
    wanted = {"koi8-r", "koi8-u", "cp1250", "cp1251", "cp1252", "cp1254", "cp1255", "cp1256",
              "iso-8859-2", "iso-8859-7", "gbk", "gb18030", "big5", "shift_jis", "euc-jp",
              "euc-kr", "latin-1", "utf-8"}
    assert {c.encoding for c in CASES} == wanted
    assert {c.size for c in LEGACY} == {"short", "long"}


@pytest.mark.parametrize("case", [c for c in LEGACY if c.size == "long"],
                         ids=lambda c: f"{c.language}-{c.encoding}")
def test_long_articles_decode_exactly_and_say_how(case):
    decoded = decode(case.raw)
    assert decoded.text == case.text
    assert decoded.guessed and decoded.notes
    assert f"confidence {decoded.confidence:.2f}" in decoded.notes[-1]


HELD_OUT = [c for c in encoding_cases(HELD_OUT_CASES) if c.encoding != "utf-8"]


@pytest.mark.parametrize("encoding", sorted({c.encoding for c in LEGACY}))
def test_every_wrong_decode_is_unsure(encoding):
    """Short texts may be misread (a Polish sentence in ISO-8859-2 as Windows-1250), but
    never with confidence: the original bytes are then kept."""
    for case in (c for c in LEGACY + HELD_OUT if c.encoding == encoding):
        decoded = decode(case.raw)
        assert decoded.text == case.text or not decoded.confident, case.text


def test_short_decodes_are_mostly_right():
    right = sum(decode(c.raw).text == c.text for c in LEGACY if c.size == "short")
    assert right / sum(c.size == "short" for c in LEGACY) >= 0.95


@pytest.mark.parametrize("case", [c for c in CASES if c.encoding == "utf-8"][:40],
                         ids=lambda c: c.language)
def test_utf8_is_never_sent_to_detection(case):
    decoded = decode(case.raw, hint="koi8-r")
    assert (decoded.text, decoded.encoding, decoded.guessed) == (case.text, "utf-8", False)


RUSSIAN_KOI8 = RUSSIAN.encode("koi8-r")


def test_a_hint_wins_when_the_bytes_decode_under_it():
    # Read alone, these bytes are Russian in KOI8-R; declared as KOI8-U they are read so.
    decoded = decode(RUSSIAN_KOI8, hint="KOI8-U")
    assert decoded.encoding == "koi8-u" and decoded.text == RUSSIAN
    assert "as declared (KOI8-U)" in decoded.notes[0]


def test_a_latin1_hint_reads_windows_1252_punctuation():
    decoded = decode(WESTERN.encode("cp1252"), hint="iso-8859-1")
    assert decoded.text == WESTERN and decoded.encoding == "cp1252" and decoded.confident


def test_a_wrong_hint_that_decodes_is_kept_but_unsure():
    decoded = decode(RUSSIAN.encode("cp1251"), hint="iso-8859-1")
    assert decoded.encoding == "cp1252"
    assert not decoded.confident


def test_a_hint_that_fails_is_recorded_and_detection_takes_over():
    # A Cyrillic letter followed by a space is no GB2312, GBK or GB18030 sequence.
    decoded = decode(RUSSIAN.encode("cp1251"), hint="gb2312")
    assert decoded.text == RUSSIAN and decoded.encoding == "cp1251"
    assert any("does not decode these bytes" in n for n in decoded.notes)


def test_an_unknown_hint_is_recorded():
    decoded = decode(RUSSIAN_KOI8, hint="x-no-such-charset")
    assert decoded.text == RUSSIAN
    assert "unknown" in decoded.notes[0]


def test_a_hint_against_valid_utf8_is_noted_and_ignored():
    decoded = decode(RUSSIAN.encode(), hint="cp1251")
    assert decoded.text == RUSSIAN and decoded.encoding == "utf-8"
    assert "valid UTF-8" in decoded.notes[0]


def test_random_high_bytes_are_rejected_with_a_reason():
    rng = random.Random(7)
    payload = bytes(rng.randrange(128, 256) for _ in range(400))
    with pytest.raises(BinaryInput, match="not text in any encoding"):
        decode(payload)


WESTERN_WORDS = {
    c.language: sorted({w.strip(".,;:!?¿¡«»\"'") for w in c.text.split()} - {""})
    for c in CASES if c.encoding == "cp1252" and c.size == "long"
}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(WESTERN_WORDS)).flatmap(
    lambda language: st.lists(st.sampled_from(WESTERN_WORDS[language]), min_size=4, max_size=40)))
def test_western_words_in_cp1252_round_trips(words):
    # Right, or marked unsure (its bytes kept): three ASCII words can name the wrong
    # language ("As Ministros para" reads as Lithuanian to langdetect), and one accented
    # letter then reads as Baltic at confidence 0.5.
    text = " ".join(words)
    raw = text.encode("cp1252")
    if not raw.isascii():
        decoded = decode(raw)
        assert decoded.text == text or not decoded.confident


def test_a_short_western_sentence_with_one_accent_reads_as_windows_1252():
    decoded = decode("O ministro disse que o salário subiu".encode("cp1252"))
    assert decoded.text == "O ministro disse que o salário subiu" and decoded.encoding == "cp1252"


def test_a_transfer_encoding_in_the_hint_is_no_charset():
    decoded = decode(RUSSIAN_KOI8, hint="base64")
    assert decoded.text == RUSSIAN and "unknown" in decoded.notes[0]


SALAD_WORDS = {
    (c.language, c.encoding): sorted(set(c.text.split()))
    for c in LEGACY + HELD_OUT if c.size == "long" and c.language not in ("zh-Hans", "zh-Hant", "ja")
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(SALAD_WORDS)).flatmap(lambda key: st.tuples(
    st.just(key[1]), st.lists(st.sampled_from(SALAD_WORDS[key]), min_size=1, max_size=60))))
def test_word_salads_are_never_misread_with_confidence(salad):
    encoding, words = salad
    text = " ".join(words)
    raw = text.encode(encoding)
    # Bytes that are also valid UTF-8 (EUC-KR "첫" is UTF-8 "ù") are read as UTF-8 by design:
    # UTF-8 is never second-guessed, so no salad of them can be told apart.
    if not raw.isascii() and not _valid_utf8(raw):
        decoded = decode(raw)
        assert decoded.text == text or not decoded.confident


def _valid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True

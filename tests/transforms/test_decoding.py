import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.decoding import BinaryInput, decode

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


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghij éèàçüößñ’“”—–…«»", min_size=1, max_size=200))
def test_western_text_in_cp1252_round_trips(text):
    raw = text.encode("cp1252")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        assert decode(raw).text == text

import pytest

from transforms.decoding.charset_hints import (
    candidates,
    content_type_charset,
    declared_in_envelope,
    declared_in_markup,
)


@pytest.mark.parametrize("label,expected", [
    ("windows-1251", ("cp1251",)),
    ("ISO-8859-1", ("cp1252", "iso8859-1")),
    ("gb2312", ("gb2312", "gbk", "gb18030")),
    ("Shift_JIS", ("shift_jis", "cp932")),
    ("windows-874", ("cp874",)),
    ("no-such-charset", ()),
    ("base64", ()),
    ("rot13", ()),
])
def test_labels_resolve_to_codecs_and_their_supersets(label, expected):
    assert candidates(label) == expected


@pytest.mark.parametrize("value,expected", [
    ("text/plain; charset=koi8-r", "koi8-r"),
    ("text/html;charset='ISO-8859-2'", "ISO-8859-2"),
    ("application/json", None),
    (None, None),
])
def test_content_type_charset(value, expected):
    assert content_type_charset(value) == expected


@pytest.mark.parametrize("head,expected", [
    (b'<html><head><meta charset="windows-1251"><title>x</title>', "windows-1251"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=EUC-KR">', "EUC-KR"),
    (b'<?xml version="1.0" encoding="ISO-8859-7"?><rss/>', "ISO-8859-7"),
    (b"<html><head><title>no declaration</title>", None),
    (b" " * 2100 + b'<meta charset="koi8-r">', None),  # too far down to count
    (b"Plain text that talks about charset=koi8-r in a sentence.", None),
])
def test_declared_in_markup(head, expected):
    assert declared_in_markup(head) == expected


def test_envelope_encoding_is_read_from_undecoded_bytes_but_not_from_inside_a_string():
    envelope = '{"text": "он сказал \\"encoding\\": \\"x\\"", "encoding": "koi8-r"}'.encode("koi8-r")
    assert declared_in_envelope(envelope) == "koi8-r"
    assert declared_in_envelope(b'{"text": "no field"}') is None

"""Charsets declared outside the bytes' content: a Kafka ``content-type`` header, an
envelope's ``encoding`` field, an HTML ``<meta>`` or XML declaration at the top of a file.

A declared label is resolved the way browsers do (the WHATWG Encoding Standard): labels
that publishers use for a smaller charset name its common superset, so ``iso-8859-1``
reads the Windows-1252 punctuation that such pages nearly always contain.
"""

from __future__ import annotations

import codecs
import re

# Where a declared charset is narrower than what publishers actually send under its name,
# the superset to try next (each reads every byte sequence its narrower charset reads the
# same way, so trying it second never changes a text the narrower one decodes).
SUPERSETS = {
    "ascii": ("cp1252", "latin-1"),
    "iso8859-1": ("cp1252",),
    "iso8859-9": ("cp1254",),
    "iso8859-11": ("cp874",),
    "tis-620": ("cp874",),
    "gb2312": ("gbk", "gb18030"),
    "gbk": ("gb18030",),
    "big5": ("big5hkscs", "cp950"),
    "shift_jis": ("cp932",),
    "euc_kr": ("cp949",),
}

# Labels web pages and feeds use that Python does not know.
ALIASES = {"windows-874": "cp874", "x-sjis": "shift_jis", "x-gbk": "gbk", "x-euc-jp": "euc_jp",
           "x-cp1250": "cp1250", "x-cp1251": "cp1251", "x-cp1252": "cp1252"}

# An HTML or XML declaration must be near the top of the file to count (browsers look at
# the first 1024 bytes; 2 KB leaves room for a long <head>).
DECLARATION_WINDOW = 2048

_CONTENT_TYPE_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:+-]{1,40})""", re.I)
_META = re.compile(rb"<meta\b[^>]{0,300}>", re.I)
_META_CHARSET = re.compile(rb"""\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:+-]{1,40})""", re.I)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml\b[^>]{0,200}\bencoding\s*=\s*["']([A-Za-z0-9._:+-]{1,40})""")
# The envelope is JSON, so its "encoding" key is ASCII in any ASCII-compatible charset and
# can be found before the bytes are decoded; a quote inside a JSON string is escaped.
_ENVELOPE_ENCODING = re.compile(rb'(?<!\\)"encoding"\s*:\s*"([A-Za-z0-9._:+-]{1,40})"')


def codec_name(label: str) -> str | None:
    """Python's name for a charset label, or None when Python has no such text codec
    (``base64`` or ``zlib`` in an ``encoding`` field name a transfer encoding, not a charset)."""
    label = label.strip().lower()
    try:
        name = codecs.lookup(ALIASES.get(label, label)).name
        b"a".decode(name, "replace")  # raises LookupError for bytes-to-bytes codecs
    except (LookupError, ValueError):
        return None
    return name


def candidates(label: str) -> tuple[str, ...]:
    """The codecs to try, in order, for a declared label; empty when the label is unknown."""
    name = codec_name(label)
    if name is None:
        return ()
    wider = tuple(w for w in SUPERSETS.get(name, ()) if codec_name(w) is not None)
    # A Latin-1 label on bytes with 0x80-0x9F means Windows-1252 (those bytes are control
    # codes in Latin-1); without them both read the same, so Windows-1252 goes first.
    if name in ("iso8859-1", "ascii"):
        return (*wider, name)
    return (name, *wider)


def content_type_charset(value: str | None) -> str | None:
    """The ``charset`` parameter of a MIME content type (``text/plain; charset=koi8-r``)."""
    if not value:
        return None
    match = _CONTENT_TYPE_CHARSET.search(value)
    return match.group(1) if match else None


def declared_in_markup(raw: bytes) -> str | None:
    """The charset an HTML ``<meta>`` or an XML declaration states near the top of ``raw``."""
    head = raw[:DECLARATION_WINDOW]
    xml = _XML_DECLARATION.match(head)
    if xml:
        return xml.group(1).decode("ascii")
    for meta in _META.finditer(head):
        # <meta charset=...> and <meta http-equiv="Content-Type" content="...; charset=...">
        found = _META_CHARSET.search(meta.group(0))
        if found:
            return found.group(1).decode("ascii")
    return None


def declared_in_envelope(raw: bytes) -> str | None:
    """The ``encoding`` field of a JSON envelope, read from its undecoded bytes."""
    match = _ENVELOPE_ENCODING.search(raw)
    return match.group(1).decode("ascii") if match else None

"""Turn raw bytes into text without ever crashing: BOMs, UTF-8, UTF-16, legacy single-byte.

A decode that had to guess says so, so the guess can be audited in ``repairs``.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# Leading bytes of common binary formats; a file that starts with one is not an article.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg media file"),
    (b"RIFF", "a RIFF media file"),
    (b"\x00\x00\x00\x18ftyp", "an MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "an MP4 video"),
)

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control bytes that never occur in text (tab, newlines, form feed and ESC excepted).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
# Share of control bytes above which a payload is binary rather than text with stray NULs.
BINARY_CONTROL_SHARE = 0.10
# cp1252 leaves these bytes undefined; their presence means latin-1 (ISO 8859-1) instead.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_SAMPLE = 65536


class BinaryInput(ValueError):
    """The payload is not text; the message says what it looks like."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    bom: bool = False
    guessed: bool = False


def decode(raw: bytes) -> Decoded:
    """Decode ``raw`` as the text it most likely is, or raise ``BinaryInput``."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            text = raw[len(bom):].decode(encoding, errors="replace")
            return Decoded(text, encoding, bom=True)
    for magic, what in BINARY_MAGIC:
        if raw.startswith(magic):
            raise BinaryInput(f"The input is binary ({what}), not text.")
    utf16 = _utf16_without_bom(raw)
    if utf16 is not None:
        return Decoded(raw.decode(utf16, errors="replace"), utf16, guessed=True)
    sample = raw[:_SAMPLE]
    if sample and sum(sample.count(bytes([b])) for b in _CONTROL_BYTES) / len(sample) > (
        BINARY_CONTROL_SHARE
    ):
        raise BinaryInput("The input is binary (mostly control bytes), not text.")
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    encoding = _legacy_encoding(raw)
    return Decoded(raw.decode(encoding, errors="replace"), encoding, guessed=True)


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 text without a BOM has a NUL in every other byte when it is mostly ASCII."""
    sample = raw[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    if odd.count(0) > 0.4 * half and even.count(0) < 0.05 * half:
        return "utf-16-le"
    if even.count(0) > 0.4 * half and odd.count(0) < 0.05 * half:
        return "utf-16-be"
    return None


def _legacy_encoding(raw: bytes) -> str:
    """Choose between cp1252, latin-1 and cp1251 for bytes that are not UTF-8.

    Western text in cp1252 has isolated high bytes (é, ’, —) between ASCII letters; Cyrillic
    text in cp1251 has whole words of high bytes. Long runs of letters in 0xC0-0xFF therefore
    point at cp1251.
    """
    high = [b for b in raw[:_SAMPLE] if b >= 0x80]
    if not high:
        return "cp1252"
    long_runs = 0
    run = 0
    for b in raw[:_SAMPLE]:
        if b >= 0xC0:
            run += 1
            continue
        if run >= 4:
            long_runs += 1
        run = 0
    if run >= 4:
        long_runs += 1
    if long_runs >= 3 and long_runs * 4 >= len(high) / 6:
        return "cp1251"
    if any(b in _CP1252_UNDEFINED for b in high):
        return "latin-1"
    return "cp1252"

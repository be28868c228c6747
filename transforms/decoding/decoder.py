"""Turn raw bytes into text without ever crashing: BOMs, UTF-8, UTF-16, a declared
charset, or the legacy encoding ``transforms.decoding.encoding_guess`` finds most plausible.

Every decode that is not UTF-8 says so in ``notes`` (for ``repairs``), with its confidence;
a guess below ``CONFIDENT`` tells the caller to keep the original bytes.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from transforms.decoding.charset_hints import candidates
from transforms.decoding.encoding_guess import guess
from transforms.decoding.plausibility import plausibility

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
_SAMPLE = 65536
# Below this confidence a decode keeps its original bytes (``articles.raw``). A guess whose
# best reading ties with a different one scores at most 0.5; every wrong guess measured (the
# case sets of bench/eval/decoding.py and 6,000 word salads drawn from them: 119 wrong) scored
# 0.5 or less, and 0.75, a lead of half ``encoding_guess.DECISIVE_LEAD`` on a sound reading,
# leaves a margin while 75% of the right guesses clear it.
CONFIDENT = 0.75


class BinaryInput(ValueError):
    """The payload is not text; the message says what it looks like."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    bom: bool = False
    # Not read from a BOM, valid UTF-8 or a declared charset.
    guessed: bool = False
    confidence: float = 1.0
    # What the decoder decided, one sentence each, for ``repairs`` (kind ``encoding``).
    notes: tuple[str, ...] = ()

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT


def decode(raw: bytes, hint: str | None = None) -> Decoded:
    """Decode ``raw`` as the text it most likely is, or raise ``BinaryInput``.

    ``hint`` is a charset declared outside the bytes (a header, an envelope field, a meta
    tag). A BOM and valid UTF-8 come first; then the hint, when the bytes decode under it;
    then detection.
    """
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            text = raw[len(bom):].decode(encoding, errors="replace")
            return Decoded(text, encoding, bom=True)
    for magic, what in BINARY_MAGIC:
        if raw.startswith(magic):
            raise BinaryInput(f"The input is binary ({what}), not text.")
    utf16 = _utf16_without_bom(raw)
    if utf16 is not None:
        return Decoded(raw.decode(utf16, errors="replace"), utf16, guessed=True,
                       notes=(f"the bytes are not UTF-8; decoded as {utf16} (no byte order mark)",))
    sample = raw[:_SAMPLE]
    if sample and sum(sample.count(bytes([b])) for b in _CONTROL_BYTES) / len(sample) > (
        BINARY_CONTROL_SHARE
    ):
        raise BinaryInput("The input is binary (mostly control bytes), not text.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        ignored = hint and not raw.isascii() and "utf-8" not in candidates(hint)
        note = f"declared {hint}, but the bytes are valid UTF-8; read as UTF-8"
        return Decoded(text, "utf-8", notes=(note,) if ignored else ())
    notes: list[str] = []
    if hint:
        declared = _declared(raw, hint, notes)
        if declared is not None:
            return declared
    found = guess(raw)
    if found is None:
        raise BinaryInput(
            "The input is not text in any encoding news is published in (not UTF-8, and "
            "every legacy reading of it is a mess)."
        )
    notes.append(f"the bytes are not UTF-8; detected {found.encoding} "
                 f"(confidence {found.confidence:.2f})")
    return Decoded(found.text, found.encoding, guessed=True, confidence=found.confidence,
                   notes=tuple(notes))


def _declared(raw: bytes, hint: str, notes: list[str]) -> Decoded | None:
    """``raw`` read in its declared charset (or that charset's common superset); None, with a
    note saying why, when the declaration is unknown or does not fit the bytes."""
    codecs_to_try = candidates(hint)
    if not codecs_to_try:
        notes.append(f"the declared charset {hint!r} is unknown; detecting instead")
        return None
    for encoding in codecs_to_try:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        # A declaration can be wrong and still decode (every byte is Latin-1): how plausible
        # the text is decides whether the original bytes are kept.
        confidence = round(plausibility(text[:_SAMPLE]), 3)
        notes.append(f"the bytes are not UTF-8; decoded as {encoding}, as declared ({hint}) "
                     f"(confidence {confidence:.2f})")
        return Decoded(text, encoding, confidence=confidence, notes=tuple(notes))
    notes.append(f"the declared charset {hint} does not decode these bytes; detecting instead")
    return None


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

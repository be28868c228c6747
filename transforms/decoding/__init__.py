"""Decoding: raw bytes to text without ever crashing, Beam-free.

1. ``decoder``: ``decode``, BOMs, known binaries, UTF-16 without a BOM, UTF-8, then a declared charset
   or a guess; the one entry point.
2. ``charset_hints``: charsets declared outside the bytes' content (Kafka headers,
   envelopes, HTML meta, XML declarations), labels resolved as browsers do.
3. ``encoding_guess``: which legacy encoding undeclared bytes are in.
4. ``plausibility``: how plausible a decoded text is as written language.
"""

from transforms.runtime.face import lazy_face

_NAMES = {"decode": "decoder", "Decoded": "decoder", "BinaryInput": "decoder", "CONFIDENT": "decoder"}
__all__ = sorted(_NAMES)
__getattr__ = lazy_face(__name__, _NAMES)

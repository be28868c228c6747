"""Reading: files, folders and object-store patterns in, one ``RawInput`` per article
(``read``: listing, JSON Lines split into byte ranges, envelopes); then each input decoded
into an ``Article`` or a ``Reject``.

The face: ``ReadInputs`` and ``DecodeInputs`` (the composites), ``input_roots`` and
``InputError`` for the launcher's checks, ``DEFAULT_MAX_BYTES``.
"""

from transforms.runtime.face import lazy_face

_NAMES = {name: "read" for name in
          ("ReadInputs", "DecodeInputs", "input_roots", "InputError", "DEFAULT_MAX_BYTES")}
__all__ = sorted(_NAMES)
__getattr__ = lazy_face(__name__, _NAMES)

"""Language: langdetect, seeded so the same text gets the same answer on every run.

``detect`` holds the stage (``DetectLanguage``) and its Beam-free ``Detector``;
``profiles`` keeps langdetect's profiles as one array on disk between processes.
"""

from transforms.runtime.face import lazy_face

_NAMES = {"DetectLanguage": "detect", "Detector": "detect", "LanguageConfig": "detect",
          "UNKNOWN": "detect"}
__all__ = sorted(_NAMES)
__getattr__ = lazy_face(__name__, _NAMES)

"""Writing: Parquet (zstd) in Hive-style ``date=YYYY-MM-DD`` folders, appearing atomically;
``write`` holds the stage (``WriteDatePartitions``) and the file-level helpers."""

from transforms.runtime.face import lazy_face

_NAMES = {"WriteDatePartitions": "write", "written_rejects": "write"}
__all__ = sorted(_NAMES)
__getattr__ = lazy_face(__name__, _NAMES)

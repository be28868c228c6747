"""The state that workers share, for the batch and the stream alike (not a stage).

1. ``spec``: where it lives, chosen with ``--state-url`` (``StateSpec``): a local folder
   (SQLite) or a PostgreSQL server.
2. ``near_copy_index``: the persistent near-copy index, its session protocol and the SQLite
   backend.
3. ``entity_stats``: name counts that outlive a batch, and their SQLite backend.
4. ``postgres``: both on a PostgreSQL server, for workers on more than one machine.
5. ``common_lines`` and ``site_templates`` (over ``run_file``): what a run in chunks
   (``pipelines.chunks``) learns over all its inputs before its first chunk.
"""

from transforms.runtime.face import lazy_face

_NAMES = {"StateSpec": "spec", "DEFAULT_NEAR_COPY_DAYS": "spec"}
__all__ = sorted(_NAMES)
__getattr__ = lazy_face(__name__, _NAMES)

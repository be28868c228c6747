"""Entities: recognition, knowledge and one canonical name per entity.

1. ``ner``: spaCy's model loaded once per process and ``tag``, Beam-free.
2. ``tag``: the recognition stage (``TagEntities``) through Beam's ``RunInference``.
3. ``gazetteer``: names the knowledge knows, found where spaCy missed them, read with
   ``name_context`` (where a capitalised word stands and what the words around it say).
4. ``knowledge``: what copydesk knows about names before it reads an article.
5. ``name_evidence``: corpus evidence about names, gathered by key.
6. ``canonical``: the canonical-name stage (``ResolveEntities``) and its ``Resolver``.
"""

from transforms.runtime.face import lazy_face

_NAMES = {"TagEntities": "tag", "ResolveEntities": "canonical", "read_alias_file": "canonical",
          "load_knowledge": "knowledge"}
__all__ = sorted(_NAMES)
__getattr__ = lazy_face(__name__, _NAMES)

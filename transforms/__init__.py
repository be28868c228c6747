"""copydesk's Beam transforms: one package per stage, in pipeline order.

``reading``, ``decoding``, ``repair``, ``language``, ``near_copies``, ``entities``,
``writing``; apart from the stages, ``state`` (what workers share: the near-copy index and
entity statistics, on SQLite or PostgreSQL) and ``runtime`` (allocator, caches, progress
counters, Beam's per-DoFn check). Each package's ``__init__`` is its small public face.

Where Beam is already imported (a Beam worker process unpickling our DoFns), importing this
package also makes Beam's per-DoFn state check cheap (``dofn_specs``); ``pipelines.batch``
installs it for the process that builds the pipeline.
Beam-free cores (``entities.ner``, ``decoding``) stay importable without it.
"""

import sys

if "apache_beam" in sys.modules:
    from transforms.runtime import dofn_specs

    dofn_specs.install()

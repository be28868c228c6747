"""Modules that tune the runtime rather than transform data: glibc's allocator settings
(``allocator``), the garbage collector sparing loaded models (``collector``), a cache of
Beam's per-DoFn state check (``dofn_specs``), the on-disk cache of built indexes
(``cache``), the launcher's progress counters (``progress``) and the stage packages' lazy
faces (``face``)."""

"""The knowledge base as one Arrow file, the form its cache takes: data that cannot run
code when read, checked whole before use (Arrow's full validation, then every number
within range), so a damaged or planted file is refused rather than half-trusted."""

from __future__ import annotations

from typing import IO

import numpy as np
import pyarrow as pa

from transforms.entities.knowledge import KbEntry, KnowledgeBase, KnowledgeConfig, NearNames

FORMAT = b"copydesk-knowledge-1"

_strings, _numbers = pa.list_(pa.string()), pa.list_(pa.list_(pa.int32()))
# One row; each column a list: the entries, then each index with its entry numbers.
SCHEMA = pa.schema([
    ("kb_id", _strings), ("canonical", _strings), ("label", _strings), ("kind", _strings),
    ("population", pa.list_(pa.int64())), ("curated", pa.list_(pa.bool_())),
    ("folded", _strings), ("folded_entries", _numbers),
    ("spelling_of", _strings), ("spelling", _strings),
    ("variant", _strings), ("variant_names", _numbers),
    ("surname", _strings), ("surname_entry", pa.list_(pa.int32())),
])


def write(knowledge: KnowledgeBase, key: str, handle: IO[bytes]) -> None:
    entries = knowledge.entries
    by_fold = knowledge._by_fold
    near = knowledge._near
    columns = {
        "kb_id": [e.kb_id for e in entries], "canonical": [e.canonical for e in entries],
        "label": [e.label for e in entries], "kind": [e.kind for e in entries],
        "population": [e.population for e in entries], "curated": [e.curated for e in entries],
        "folded": list(by_fold),
        "folded_entries": [[v] if isinstance(v, int) else list(v) for v in by_fold.values()],
        "spelling_of": list(knowledge._spelling), "spelling": list(knowledge._spelling.values()),
        "variant": list(near._index), "variant_names": list(near._index.values()),
        "surname": list(knowledge._surnames), "surname_entry": list(knowledge._surnames.values()),
    }
    table = pa.table({name: [value] for name, value in columns.items()},
                     schema=SCHEMA.with_metadata({b"format": FORMAT, b"key": key.encode()}))
    with pa.ipc.new_file(handle, table.schema) as writer:
        writer.write_table(table)


def read(handle: IO[bytes], key: str, config: KnowledgeConfig) -> KnowledgeBase:
    """The knowledge base in ``handle``; ValueError if it is not one written for ``key``."""
    table = pa.ipc.open_file(pa.py_buffer(handle.read())).read_all()
    metadata = table.schema.metadata or {}
    if metadata.get(b"format") != FORMAT or metadata.get(b"key") != key.encode():
        raise ValueError("not a knowledge file of this version and key")
    if not table.schema.remove_metadata().equals(SCHEMA) or table.num_rows != 1:
        raise ValueError("unexpected columns")
    table = table.combine_chunks()
    table.validate(full=True)
    column = {name: table.column(name).chunk(0).values for name in SCHEMA.names}
    count = _same_length(column, ("kb_id", "canonical", "label", "kind", "population", "curated"))
    _same_length(column, ("folded", "folded_entries"))
    names = _same_length(column, ("spelling_of", "spelling"))
    _same_length(column, ("variant", "variant_names"))
    _same_length(column, ("surname", "surname_entry"))
    _within(column["folded_entries"].values, count)
    _within(column["variant_names"].values, names)
    _within(column["surname_entry"], count)
    if any(array.null_count for name in SCHEMA.names for array in _levels(column[name])):
        raise ValueError("a missing value")
    if (np.diff(column["folded_entries"].offsets.to_numpy()) < 1).any():
        raise ValueError("a name without entries")
    entries = [KbEntry(*row) for row in zip(*(column[n].to_pylist() for n in SCHEMA.names[:6]))]
    by_fold = dict(zip(column["folded"].to_pylist(), _numbers(column["folded_entries"])))
    spelling = dict(zip(column["spelling_of"].to_pylist(), column["spelling"].to_pylist()))
    near = NearNames.restored(list(spelling),
                              dict(zip(column["variant"].to_pylist(), column["variant_names"].to_pylist())))
    surnames = dict(zip(column["surname"].to_pylist(), column["surname_entry"].to_pylist()))
    return KnowledgeBase.restored(config, entries, by_fold, spelling, near, surnames)


def _numbers(lists: pa.ListArray) -> list[int | tuple[int, ...]]:
    """Each list as the knowledge base keeps it: one number alone, more as a tuple (most
    names have one entry, so those are read in one vectorised step)."""
    offsets = lists.offsets.to_numpy()
    values = lists.values.to_numpy()
    numbers = values[offsets[:-1]].tolist()
    for i in np.flatnonzero(offsets[1:] - offsets[:-1] != 1).tolist():
        numbers[i] = tuple(values[offsets[i]:offsets[i + 1]].tolist())
    return numbers


def _same_length(column: dict[str, pa.Array], names: tuple[str, ...]) -> int:
    lengths = {len(column[name]) for name in names}
    if len(lengths) != 1:
        raise ValueError(f"columns {', '.join(names)} differ in length")
    return lengths.pop()


def _levels(array: pa.Array) -> list[pa.Array]:
    levels = [array]
    while pa.types.is_list(levels[-1].type):
        levels.append(levels[-1].values)
    return levels


def _within(numbers: pa.Array, count: int) -> None:
    values = numbers.to_numpy(zero_copy_only=False)
    if len(values) and (values.min() < 0 or values.max() >= count):
        raise ValueError("an entry number out of range")

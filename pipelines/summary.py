"""The few lines a person reads at the end of a run, computed from the files it wrote."""

from __future__ import annotations

from collections import Counter

from pipelines.batch import BatchResult, _table_of_path
from transforms.write import read_columns

TOP_ENTITIES = 8


def summarise(result: BatchResult, output: str) -> str:
    languages: Counter[str] = Counter()
    entities: Counter[tuple[str, str]] = Counter()
    for path in result.files:
        if _table_of_path(path) != "articles":
            continue
        table = read_columns(output, path, ["language", "entities"])
        languages.update(table.column("language").to_pylist())
        for found in table.column("entities").to_pylist():
            # Count an entity once per article: a name repeated ten times in one story
            # says less than a name found in ten stories.
            entities.update({(e["canonical"] or e["text"], e["label"]) for e in found})
    counts = result.counts
    total = sum(counts.values())
    rate = total / result.seconds if result.seconds else 0.0
    lines = [
        f"copydesk wrote {output}",
        f"  articles    {counts.get('articles', 0)}",
        f"  duplicates  {counts.get('duplicates', 0)}",
        f"  rejects     {counts.get('rejects', 0)}",
    ]
    for reason, n in sorted(result.rejects_by_reason.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"    {n:>5}  {reason}")
    if languages:
        lines.append("  languages   " + ", ".join(f"{k} {v}" for k, v in languages.most_common()))
    if entities:
        top = ", ".join(f"{name} ({label}) {n}" for (name, label), n in
                        entities.most_common(TOP_ENTITIES))
        lines.append(f"  top entities {top}")
    lines.append(f"  wall time   {result.seconds:.1f} s ({rate:.1f} inputs/s)")
    return "\n".join(lines)

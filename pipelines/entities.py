"""``copydesk entities DIR``: the canonical entities of a dataset, what was merged into each
and why.

Reads the ``entities`` column of DIR/articles (and DIR/duplicates with
``--include-duplicates``), counts mentions per canonical entity (and how many of them are
in headlines) and lists the spellings it was written as, each with the reason it was
merged (knowledge, knowledge and context, alias table, surname, spelling variant, corpus
evidence, near knowledge name): the one the run stored in ``canonical_reason``, or for
datasets written before it, the one ``explain`` reconstructs. ``--field title`` or
``--field text`` counts only the headlines or only the bodies.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence, TextIO

from transforms.entities.knowledge import LABEL_GROUPS, clean_name, label_group

FORMATS = ("table", "json")
FIELDS = ("title", "text")


class EntitiesError(Exception):
    """A one-sentence message for a dataset or command line that cannot be listed."""


@dataclass
class CanonicalEntity:
    canonical: str
    kb_id: str | None
    labels: Counter = field(default_factory=Counter)
    variants: Counter = field(default_factory=Counter)
    # Spelling -> the reason the run stored for it (datasets written before it: none).
    reasons: dict = field(default_factory=dict)
    articles: set = field(default_factory=set)
    in_titles: int = 0

    @property
    def label(self) -> str:
        return min(self.labels, key=lambda label: (-self.labels[label], label))

    @property
    def mentions(self) -> int:
        return sum(self.variants.values())


def add_entities_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DIR", help="the dataset folder written by batch/stream")
    parser.add_argument("--label", action="append", metavar="LABEL",
                        help="only these spaCy labels (repeat or comma-separate: PERSON,GPE); "
                             "default: every name label, no dates or numbers")
    parser.add_argument("--top", type=_non_negative, default=50, metavar="N",
                        help="the N most mentioned entities (default 50; 0 for all)")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="table for people, json for programs (default table)")
    parser.add_argument("--field", choices=FIELDS,
                        help="only mentions in headlines (title) or in bodies (text); "
                             "default both")
    parser.add_argument("--include-duplicates", action="store_true",
                        help="also count the near-copies in DIR/duplicates")
    parser.add_argument("--aliases", metavar="FILE",
                        help="the alias table the run used, so reasons are explained with it")
    parser.add_argument("--no-reasons", action="store_true",
                        help="skip loading the knowledge base (about 3 s) that tells "
                             "knowledge from near-spelling merges")


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError("give 0 (all) or a positive number")
    return number


def wanted_labels(given: Sequence[str] | None) -> set[str]:
    if not given:
        return set(LABEL_GROUPS)
    labels = {part.strip().upper() for item in given for part in item.split(",") if part.strip()}
    unknown = sorted(label for label in labels if not label.replace("_", "").isalpha())
    if unknown:
        raise EntitiesError(f"{', '.join(unknown)} is not a spaCy label; use names like "
                            "PERSON, ORG, GPE, LOC, NORP.")
    return labels


def read_entities(dataset: str | Path, include_duplicates: bool = False):
    """The mentions of a dataset as an Arrow table: article, text, label, canonical, kb_id,
    field (``text`` for datasets written before entities said which field they are in)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    tables = ["articles", "duplicates"] if include_duplicates else ["articles"]
    root = Path(dataset)
    if not (root / "articles").is_dir():
        raise EntitiesError(f"{root} has no articles folder; give the folder that "
                            "copydesk batch or stream wrote (the one holding articles/).")
    parts = []
    for table in tables:
        folder = root / table
        if not folder.is_dir():
            continue
        try:
            data = ds.dataset(folder, format="parquet", partitioning="hive").to_table(
                columns=["id", "entities"])
        except (pa.ArrowInvalid, OSError, KeyError) as error:
            raise EntitiesError(f"Cannot read {folder} as a copydesk table ({error}); check "
                                "that it holds the Parquet files copydesk wrote.") from error
        entities = data.column("entities").combine_chunks()
        rows = pc.list_parent_indices(entities)
        flat = pc.list_flatten(entities)
        ids = pc.take(data.column("id"), rows)
        fields = {name: pc.struct_field(flat, name)
                  for name in ("text", "label", "canonical", "kb_id")}
        fields["field"] = (pc.struct_field(flat, "field")
                           if flat.type.get_field_index("field") >= 0
                           else pa.repeat(pa.scalar("text"), len(flat)))
        fields["canonical_reason"] = (pc.struct_field(flat, "canonical_reason")
                                      if flat.type.get_field_index("canonical_reason") >= 0
                                      else pa.nulls(len(flat), pa.string()))
        parts.append(pa.table({
            "article": pc.binary_join_element_wise(pa.scalar(table), ids, "/"), **fields}))
    return pa.concat_tables(parts)


def canonical_entities(mentions, labels: set[str],
                       only_field: str | None = None) -> list[CanonicalEntity]:
    """Mentions grouped by (kb_id, canonical, label group), most mentioned first;
    ``only_field`` keeps the mentions of one field ("title" or "text")."""
    import pyarrow.compute as pc

    mentions = mentions.filter(pc.is_in(mentions["label"], value_set=_array(sorted(labels))))
    if only_field:
        mentions = mentions.filter(pc.equal(mentions["field"], only_field))
    counted = mentions.group_by(
        ["text", "label", "canonical", "kb_id", "article", "field",
         "canonical_reason"]).aggregate(
        [([], "count_all")])
    found: dict[tuple, CanonicalEntity] = {}
    for row in counted.to_pylist():
        canonical = row["canonical"] or clean_name(row["text"])
        key = (row["kb_id"], canonical, None if row["kb_id"] else label_group(row["label"]))
        entity = found.get(key)
        if entity is None:
            entity = found[key] = CanonicalEntity(canonical, row["kb_id"])
        n = row["count_all"]
        entity.labels[row["label"]] += n
        entity.variants[clean_name(row["text"])] += n
        if row["canonical_reason"]:
            entity.reasons[clean_name(row["text"])] = row["canonical_reason"]
        entity.articles.add(row["article"])
        if row["field"] == "title":
            entity.in_titles += n
    return sorted(found.values(), key=lambda e: (-e.mentions, e.canonical, e.kb_id or ""))


def _array(values: list[str]):
    import pyarrow as pa

    return pa.array(values, pa.string())


def as_records(entities: list[CanonicalEntity], knowledge=None) -> list[dict]:
    records = []
    for entity in entities:
        variants = sorted(entity.variants.items(), key=lambda item: (-item[1], item[0]))
        records.append({
            "canonical": entity.canonical,
            "label": entity.label,
            "kb_id": entity.kb_id,
            "mentions": entity.mentions,
            "in_titles": entity.in_titles,
            "articles": len(entity.articles),
            "variants": [
                {"text": text, "mentions": n,
                 "why": _why(entity, text, knowledge)}
                for text, n in variants
            ],
        })
    return records


def _why(entity: CanonicalEntity, text: str, knowledge) -> str:
    """The reason the run stored for a spelling merged into another name, else the one
    ``explain`` reconstructs (datasets written before the reason was stored)."""
    from transforms.entities.canonical import AS_WRITTEN, explain

    why = explain(text, entity.canonical, entity.kb_id, knowledge)
    return entity.reasons.get(text, why) if why != AS_WRITTEN else why


def write_table(records: list[dict], out: TextIO) -> None:
    headers = ("canonical", "label", "kb_id", "mentions", "in titles", "articles",
               "variants (why)")
    rows = [
        (r["canonical"], r["label"], r["kb_id"] or "-", str(r["mentions"]), str(r["in_titles"]),
         str(r["articles"]),
         "; ".join(f"{v['text']} ×{v['mentions']}" + ("" if v["why"] == "as written"
                                                     else f" ({v['why']})")
                   for v in r["variants"]))
        for r in records
    ]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers[:-1])]
    for row in [headers, *rows]:
        cells = [cell.ljust(width) if i < 3 else cell.rjust(width)
                 for i, (cell, width) in enumerate(zip(row, widths))]
        out.write("  ".join(cells + [row[-1]]).rstrip() + "\n")


def run_entities(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """List the canonical entities of ``args.dataset``; 0 on success, 2 on a usage error."""
    out = out or sys.stdout
    try:
        labels = wanted_labels(args.label)
        mentions = read_entities(args.dataset, args.include_duplicates)
        entities = canonical_entities(mentions, labels, args.field)
        if args.top:
            entities = entities[:args.top]
        knowledge = None
        if not args.no_reasons and entities:
            from transforms.entities.knowledge import KnowledgeConfig, load_knowledge

            knowledge = load_knowledge(KnowledgeConfig(aliases_path=args.aliases))
    except (EntitiesError, ValueError) as error:
        print(f"copydesk entities: {error}", file=sys.stderr)
        return 2
    records = as_records(entities, knowledge)
    if args.format == "json":
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif records:
        write_table(records, out)
    else:
        out.write("No entities with these labels.\n")
    return 0


def run(args: argparse.Namespace) -> int:
    return run_entities(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="copydesk entities", description=__doc__.split("\n")[0])
    add_entities_arguments(parser)
    return run_entities(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

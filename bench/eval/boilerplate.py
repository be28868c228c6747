"""``make eval`` section "Boilerplate": content is never removed, furniture still is.

How each case set is made:

* content kept: ``bench.content_articles.content_article`` over seeds 0..399, eight
  languages, each article with a dateline, a byline, a caption, a pull quote, a list of
  names (bulleted, numbered, dashed, in a row or one a line, apps included), a short
  one-line paragraph and a table of results, plus three lines of ``bench.perturb``
  furniture; ``repair_text`` runs on each, and a content line counts as removed when a
  boilerplate edit took it.
* today's cases: the ``boilerplate_*`` and ``perturb_boilerplate`` cases of the repair
  section (``bench.eval.repair_cases``); the injected lines are the lines of the damaged
  text that the clean one lacks, and a line is caught when a boilerplate edit took it.
* per publisher: ``bench.content_articles.publisher_run`` (12 sites of 4 to 40 stories, two
  template lines each that no vocabulary knows, a staff byline, a standing list of names
  and a stock sentence repeated in every story, one wire reprint each) through the real
  ``RepairText`` in a Beam pipeline.
* run size: the same 12 sites alone and inside a run about 40 times larger
  (``extra_publishers``), counted per publisher (``find_common_lines``) and by the
  run-wide rule copydesk used before (any short line in max(3, 0.5% of the run) stories of
  the whole run, removed whatever its shape unless such lines made up more than half of
  the article).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections import Counter

from bench.scoring import Row, pct

SECTION = "Boilerplate"


def removed_as_boilerplate(text: str, common_lines: frozenset[str] = frozenset()) -> list[str]:
    """What Repair's boilerplate edits take from ``text``, once per removal (``repair_text``
    would tally a repeated edit into one)."""
    from transforms.repair.repair import RepairConfig, clean_text, finish_text

    _, _, edits = finish_text(clean_text(text)[0], RepairConfig(), common_lines)
    return [fragment for kind, fragment, _ in edits if kind == "boilerplate"]


def content_safety(articles: int = 400) -> tuple[list[Row], dict]:
    from bench.content_articles import CONTENT_KINDS, content_article

    total: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    examples: list[str] = []
    furniture = caught = 0
    for seed in range(articles):
        article = content_article(seed)
        taken = set(removed_as_boilerplate(article.text))
        for kind in CONTENT_KINDS:
            for line in article.content[kind]:
                total[kind] += 1
                if line in taken:
                    removed[kind] += 1
                    examples.append(line)
        furniture += len(article.boilerplate)
        caught += sum(line in taken for line in article.boilerplate)
    rows = [Row(SECTION, f"content kept: {kind} lines", total[kind],
                f"{removed[kind]} removed ({pct(removed[kind] / total[kind])})", "0")
            for kind in CONTENT_KINDS]
    rows.append(Row(SECTION, "bench.perturb furniture in the same articles", furniture,
                    f"{caught} caught ({pct(caught / furniture)})", "100%"))
    return rows, {"content_lines": dict(total), "content_removed": dict(removed),
                  "removed_examples": examples[:10], "furniture": furniture, "furniture_caught": caught}


def todays_cases() -> tuple[list[Row], dict]:
    from bench.eval import sections as ev

    lines: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for case in ev.repair_cases(ev.clean_texts()):
        if not (case.kind.startswith("boilerplate_") or case.kind == "perturb_boilerplate"):
            continue
        injected = Counter(case.damaged.split("\n")) - Counter(case.reference.split("\n"))
        injected.pop("", None)
        gone = removed_as_boilerplate(case.damaged)
        lines[case.kind] += sum(injected.values())
        caught[case.kind] += sum((injected & Counter(gone)).values())
    rows = [Row(SECTION, f"today's cases: {kind} lines caught", lines[kind],
                pct(caught[kind] / lines[kind]), "100%") for kind in sorted(lines)]
    return rows, {"injected": dict(lines), "caught": dict(caught)}


def _articles(run) -> list:
    from datetime import datetime, timezone

    from schemas.records import Article

    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return [Article(id=f"a{number}", source=f"run/{number}.txt", text=item.text, ingested_at=now,
                    url=item.url) for number, item in enumerate(run)]


def run_repair(articles: list) -> dict[str, tuple[str, list[str]]]:
    """The real ``RepairText`` in a Beam pipeline: id -> (repaired text, fragments that
    boilerplate edits removed)."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.runners import LOCAL_RUNNER

    from transforms.repair.repair import RepairText

    def summary(article) -> str:
        removed = [r.text for r in article.repairs if r.kind == "boilerplate"]
        return json.dumps([article.id, f"{article.title or ''}\n{article.text}", removed])

    with tempfile.TemporaryDirectory(prefix="copydesk-eval-") as folder:
        out = os.path.join(folder, "repaired")
        with beam.Pipeline(options=PipelineOptions([f"--runner={LOCAL_RUNNER}"])) as p:
            repaired = p | "Articles" >> beam.Create(articles, reshuffle=False) | "Repair" >> RepairText()
            _ = (
                repaired["articles"]
                | "Summaries" >> beam.Map(summary)
                | "Write" >> beam.io.WriteToText(out, shard_name_template="")
            )
        with open(out, encoding="utf-8") as handle:
            return {i: (text, removed) for i, text, removed in (json.loads(line) for line in handle)}


def publisher_recurrence() -> tuple[list[Row], dict]:
    from bench.content_articles import publisher_run

    run = publisher_run()
    results = run_repair(_articles(run))
    template = template_caught = content = content_removed = 0
    wire_texts = set()
    for number, item in enumerate(run):
        text, removed = results[f"a{number}"]
        taken = Counter(removed)
        template += len(item.template)
        template_caught += sum(line in taken for line in item.template)
        content += len(item.content)
        content_removed += sum(line in taken for line in item.content)
        if item.wire:
            wire_texts.add(text)
    wires = sum(item.wire for item in run)
    rows = [
        Row(SECTION, "per publisher (Beam RepairText): site template lines removed", template,
            pct(template_caught / template), "100%"),
        Row(SECTION, "per publisher: content lines removed (bylines, names, stock sentences repeated "
                     "by a site)", content, f"{content_removed} ({pct(content_removed / content)})", "0"),
        Row(SECTION, "per publisher: one wire story reprinted by every site, identical after repair",
            wires, "yes" if len(wire_texts) == 1 else f"no: {len(wire_texts)} versions", "yes"),
    ]
    return rows, {"articles": len(run), "template_lines": template, "template_caught": template_caught,
                  "content_lines": content, "content_removed": content_removed,
                  "wire_versions": len(wire_texts)}


def run_wide_common_lines(texts: list[str]) -> frozenset[str]:
    """The rule copydesk used before: short lines with letters in max(3, 0.5% of the run)
    distinct stories of the whole run, whoever published them."""
    from transforms.repair.boilerplate import normalise_line
    from transforms.repair.common_lines import article_signature

    stories: dict[str, set[str]] = {}
    for text in texts:
        signature = article_signature(text)
        for line in text.split("\n"):
            short = 0 < len(line.strip()) <= 160 and len(line.split()) <= 12
            if short and any(char.isalpha() for char in line):
                stories.setdefault(normalise_line(line), set()).add(signature)
    threshold = max(3, math.ceil(0.005 * len(texts)))
    return frozenset(line for line, seen in stories.items() if len(seen) >= threshold)


def run_wide_removes(text: str, common: frozenset[str]) -> set[str]:
    """The lines of ``text`` the run-wide rule removed: its common lines, unless together
    they made up more than half of the article."""
    from transforms.repair.boilerplate import normalise_line

    lines = {line for line in text.split("\n") if line.strip() and normalise_line(line) in common}
    return lines if sum(map(len, lines)) <= 0.5 * len(text.strip()) else set()


def run_size(scale: int = 40) -> tuple[list[Row], dict]:
    from bench.content_articles import publisher_run
    from transforms.repair.common_lines import find_common_lines, publisher_key

    small = publisher_run()
    sites = {item.publisher for item in small}
    extra = 0
    large = small
    while len(large) < scale * len(small):
        extra += 12
        large = publisher_run(extra_publishers=extra)
    rows, report = [], {}
    for label, run in (("alone", small), (f"in a run {len(large) / len(small):.0f}x larger", large)):
        per_site = find_common_lines([(publisher_key(None, item.url, ""), item.text) for item in run])
        wide = run_wide_common_lines([item.text for item in run])
        ours = [item for item in run if item.publisher in sites]
        taken = [set(removed_as_boilerplate(item.text, per_site.get(f"host:{item.publisher}", frozenset())))
                 for item in ours]
        found = sum(line in gone for item, gone in zip(ours, taken) for line in item.template)
        content_ours = sum(line in gone for item, gone in zip(ours, taken) for line in item.content)
        removed = [run_wide_removes(item.text, wide) for item in ours]
        found_wide = sum(line in gone for item, gone in zip(ours, removed) for line in item.template)
        content_wide = sum(line in gone for item, gone in zip(ours, removed) for line in item.content)
        lines = sum(len(item.template) for item in ours)
        content = sum(len(item.content) for item in ours)
        rows.append(Row(SECTION, f"run size: the 12 sites {label} ({len(run)} articles), template lines "
                                 "removed per publisher; by the run-wide rule", lines,
                        f"{pct(found / lines)}; {pct(found_wide / lines)}", "same at every size"))
        rows.append(Row(SECTION, f"run size: the 12 sites {label}, content lines removed per publisher; "
                                 "by the run-wide rule", content,
                        f"{content_ours}; {content_wide} ({pct(content_wide / content)})", "0"))
        report[label] = {"articles": len(run), "template_lines": lines, "found_per_publisher": found,
                         "found_run_wide": found_wide, "content_per_publisher": content_ours,
                         "content_run_wide": content_wide}
    return rows, report


def evaluate_boilerplate() -> tuple[list[Row], dict]:
    rows: list[Row] = []
    report: dict = {}
    for name, part in (("content_safety", content_safety), ("todays_cases", todays_cases),
                       ("publisher_recurrence", publisher_recurrence), ("run_size", run_size)):
        part_rows, report[name] = part()
        rows += part_rows
    return rows, report


if __name__ == "__main__":
    from bench.scoring import markdown

    table_rows, _ = evaluate_boilerplate()
    print(markdown(table_rows))

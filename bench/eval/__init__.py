"""``make eval``: how well copydesk does its job, on labelled cases generated here.

Sections (each a function returning rows of the report and a JSON-able dict; the
registry is ``SECTIONS`` below, the generated-data sections are in ``bench.eval.sections``):

* repair: ``repair(perturbed(x)) == repair(x)`` per kind of damage, with the share of the
  original's words lost (over-removal) and of damage words left (under-removal);
* foreign script: legitimate foreign script survives Repair;
* boilerplate: content lines (names, bylines, datelines, captions, quotes, tables) never
  removed, furniture still caught, per-publisher recurrence (``bench.eval.boilerplate``);
* language: accuracy of ``transforms.language.detect.Detector`` on the multilingual set;
* near-copies: the real ``FindNearCopies`` transform in a Beam pipeline, pairwise and
  B-cubed precision and recall, recall per kind of copy, false merges per hard negative;
* entities: spaCy (``transforms.entities.tag``) against the hand-labelled seed spans;
* canonical entities: ``bench.entity_gold``;
* repair cases and stray script: ``bench.eval.repair_cases`` (case files of text a fixer must
  fix or leave alone, compared with ftfy's answers; precision and recall of stray-script
  removal on the generated ``bench.stray_cases``).
* decoding: legacy encodings before and after detection (``bench.eval.decoding``).
* entities in headlines and knowledge-assisted recognition: ``bench.eval.entities``.
* widgets: site widgets removed, look-alike content kept (``bench.eval.widgets``).
* mojibake beyond ftfy: ftfy's known failures (with ``--ftfy-cases DIR``), hand-written
  cases, generated lost-byte and NFKC damage, clean text untouched (``bench.eval.mojibake``).
* site lines: nearly empty pages of one site are not near-copies (``bench.eval.site_lines``).
* canonical rewrites (precision and recall of ids and names other than the text) and
  entities against the bare spaCy model: ``bench.eval.names``.
* entities on a public news set (CoNLL-2003 English test, with ``--conll FILE``), the bare
  model against copydesk: ``bench.eval.conll``.

Prints one markdown table, writes ``bench/results/eval.json`` and the table into
``bench/RESULTS.md``. Run: ``python -m bench.eval`` (``--only repair,language`` for some).
"""

from __future__ import annotations

import argparse
import importlib
import time
from datetime import datetime, timezone
from typing import Callable

from bench.report import git_commit, machine, package_versions, update_results_md, write_json
from bench.scoring import Row, markdown

# name -> (module of bench.eval, function): imported only when chosen, since some load models.
SECTIONS: dict[str, tuple[str, str]] = {
    "repair": ("sections", "evaluate_repair"),
    "repair_cases": ("repair_cases", "evaluate_repair_cases"),
    "stray_script": ("repair_cases", "evaluate_stray_script"),
    "foreign_script": ("sections", "evaluate_foreign_script"),
    "boilerplate": ("boilerplate", "evaluate_boilerplate"),
    "language": ("sections", "evaluate_language"),
    "near_copies": ("sections", "evaluate_near_copies"),
    "entities": ("sections", "evaluate_entities"),
    "canonical": ("sections", "evaluate_canonical"),
    "decoding": ("decoding", "evaluate_decoding"),
    "entity_titles": ("entities", "evaluate_titles"),
    "entity_knowledge": ("entities", "evaluate_knowledge"),
    "widgets": ("widgets", "evaluate_widgets"),
    "mojibake_beyond_ftfy": ("mojibake", "evaluate_mojibake"),
    "site_lines": ("site_lines", "evaluate_site_lines"),
    "name_rewrites": ("names", "evaluate_rewrites"),
    "entities_vs_model": ("names", "evaluate_against_model"),
    "conll": ("conll", "evaluate_conll"),
}
# Command-line options a section takes, by name.
OPTIONS: dict[str, tuple[str, ...]] = {"mojibake_beyond_ftfy": ("ftfy_cases",), "conll": ("conll",)}


def section(name: str) -> Callable[[], tuple[list[Row], dict]]:
    module, function = SECTIONS[name]
    return getattr(importlib.import_module(f"bench.eval.{module}"), function)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="copydesk quality report (make eval).")
    parser.add_argument("--only", default="", help=f"comma-separated sections of: {', '.join(SECTIONS)}")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the result files alone")
    parser.add_argument("--ftfy-cases", help="tests/test-cases of a checkout of ftfy (read, never copied), "
                                             "for the mojibake_beyond_ftfy section")
    parser.add_argument("--conll", help="the CoNLL-2003 English test file (eng.testb; read, never "
                                        "copied), for the conll section")
    args = parser.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; use some of: {', '.join(SECTIONS)}")
    started = time.perf_counter()
    rows: list[Row] = []
    report = {"timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "commit": git_commit(), "machine": machine(), "packages": package_versions(),
              "sections": {}}
    for name in chosen:
        begun = time.perf_counter()
        options = {option: getattr(args, option) for option in OPTIONS.get(name, ())}
        section_rows, section_report = section(name)(**options)
        section_report["seconds"] = round(time.perf_counter() - begun, 1)
        rows += section_rows
        report["sections"][name] = section_report
    report["seconds"] = round(time.perf_counter() - started, 1)
    table = markdown(rows)
    print(table)
    print(f"\n{report['seconds']} s; load average {report['machine']['load_average']}")
    if not args.no_write:
        path = write_json("eval.json", report)
        if set(chosen) == set(SECTIONS):
            update_results_md("eval", f"## `make eval` ({report['timestamp']}, commit {report['commit']}, "
                                      f"{report['seconds']} s)\n\n{table}\n")
        print(f"wrote {path}")
    return 0


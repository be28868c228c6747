"""``make eval`` sections for Repair's care with legitimate text (issue 14, items 2 and 3).

* repair cases: the case files ``tests/transforms/cases/repair_*.json`` (written for copydesk
  after the kinds in ftfy's own test suite: in-the-wild mojibake, negatives that must stay,
  mixed scripts, language names). Per file: the share Repair gets exactly right, and the
  share where it gives ftfy's own answer; every other answer is named in its case
  (``beyond_ftfy``: a documented removal or a lone pair ftfy does not decode).
  ``stray_script.json``: one hand-written case per sign of legitimate use.
* stray script: ``bench.stray_cases``, words of eight scripts in sentences of seven
  languages, dropped in as leftovers or used on purpose. Precision of removal first (of the
  words Repair removed, the share that were leftovers), then recall, per script and per kind.

Run alone with ``python -m bench.eval.repair_cases``; ``--ftfy-cases DIR`` also runs ftfy's
published cases from a checkout of ftfy (its ``tests/test-cases``), which are read, never
copied into this repository.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
from collections import Counter
from pathlib import Path

from bench.scoring import Row, markdown, pct, prf

CASES = Path(__file__).resolve().parents[2] / "tests" / "transforms" / "cases"
SEED_001 = Path(__file__).resolve().parents[2] / "seeds"

_SPACES = re.compile("[ \u00a0\u2000-\u200a\u202f\u205f\t]+")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def documented(text: str) -> str:
    """The text with only Repair's documented character changes made: odd spaces become
    one plain space, control characters go, lines lose their edge spaces."""
    text = _SPACES.sub(" ", _CONTROLS.sub("", text))
    return "\n".join(line.strip() for line in text.split("\n")).strip("\n")


def load_cases(pattern: str, folder: Path = CASES) -> list[dict]:
    """Cases from every JSON file matching ``pattern``, each tagged with its file's stem."""
    cases = []
    for path in sorted(folder.glob(pattern)):
        cases += [dict(case, file=path.stem) for case in json.loads(path.read_text(encoding="utf-8"))]
    return cases


def repaired(text: str) -> str:
    """Title and text as one string: a headline moved to ``title`` is not a lost word."""
    from transforms.repair.repair import repair_text

    title, body, _ = repair_text(text)
    return f"{title}\n\n{body}" if title else body


def ftfy_answer(text: str) -> str:
    """ftfy with copydesk's settings (curly quotes, line breaks and widths kept)."""
    from ftfy import fix_text

    from transforms.repair.mojibake import FTFY_CONFIG

    return documented(fix_text(text, FTFY_CONFIG._replace(explain=False)))


def evaluate_repair_cases() -> tuple[list[Row], dict]:
    from transforms.repair.scripts import judge_foreign_runs

    rows, report = [], {}
    by_file: dict[str, list[dict]] = {}
    for case in load_cases("repair_*.json"):
        by_file.setdefault(case["file"], []).append(case)
    for name, cases in by_file.items():
        right = agree = named = 0
        wrong = []
        for case in cases:
            got = repaired(case["original"])
            expected = documented(case["fixed"] if case["expect"] == "fix" else case["original"])
            right += got == expected
            same = got == ftfy_answer(case["original"])
            agree += same
            named += not same and "beyond_ftfy" in case
            if got != expected:
                wrong.append(case["label"])
        report[name] = {"n": len(cases), "right": right, "agree_with_ftfy": agree,
                        "differ_named": named, "wrong": wrong}
        rows.append(Row("Repair leaves legitimate text alone", f"{name}.json (hand-written)", len(cases),
                        f"{pct(right / len(cases))} right; same as ftfy {agree}, "
                        f"different and named in the case {named}, unexplained {len(cases) - agree - named}",
                        "100%, 0 unexplained"))
    signs = load_cases("stray_script.json")
    right = 0
    for case in signs:
        _, runs = judge_foreign_runs(case["text"])
        right += [run.because for run in runs if case["word"] in run.text] == [case["sign"]]
    report["stray_script"] = {"n": len(signs), "right": right}
    rows.append(Row("Repair leaves legitimate text alone", "stray_script.json (one case per sign)",
                    len(signs), f"{pct(right / len(signs))} with the expected sign", "100%"))
    return rows, report


def evaluate_ftfy_published(folder: str) -> tuple[list[Row], dict]:
    """ftfy's own cases that ftfy passes: does Repair give ftfy's answer, up to documented
    changes? Read from a checkout given on the command line."""
    cases = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as handle:
            cases += [case for case in json.load(handle) if case.get("expect") == "pass"]
    differ = [case["label"] for case in cases if repaired(case["original"]) != ftfy_answer(case["original"])]
    row = Row("Repair leaves legitimate text alone", f"ftfy's published cases ({folder})", len(cases),
              f"{len(cases) - len(differ)} of {len(cases)} as ftfy", "all")
    return [row], {"n": len(cases), "differ": differ}


def _cases(counter: Counter[str]) -> int:
    return sum(counter[outcome] for outcome in ("tp", "fp", "fn", "tn"))


def _removed(case, body: str) -> bool:
    return any(body.count(word) < case.text.count(word) for word in case.words)


def evaluate_stray_script() -> tuple[list[Row], dict]:
    from bench.stray_cases import generate
    from transforms.repair.repair import repair_text

    cases = generate()
    totals: Counter[str] = Counter()
    per_script: dict[str, Counter[str]] = {}
    per_kind: dict[str, Counter[str]] = {}
    wrong: list[dict] = []
    for case in cases:
        _, body, _ = repair_text(case.text)
        removed = _removed(case, body)
        outcome = ("tp" if removed else "fn") if case.stray else ("fp" if removed else "tn")
        for counter in (totals, per_script.setdefault(case.script, Counter()),
                        per_kind.setdefault(case.kind, Counter())):
            counter[outcome] += 1
            counter["exact"] += body == case.expected
        if outcome in ("fp", "fn") and len(wrong) < 40:
            wrong.append({"kind": case.kind, "host": case.host, "script": case.script, "text": case.text})
    overall = prf(totals["tp"], totals["fp"], totals["fn"])
    removed = totals["tp"] + totals["fp"]
    rows = [
        Row("Stray script removal", "precision: removed words that were leftovers (bench.stray_cases: "
            "8 scripts in sentences of 7 languages, generated)", removed,
            f"{pct(overall['precision'])} ({totals['fp']} legitimate words removed)", "100%"),
        Row("Stray script removal", "recall (leftovers removed)", totals["tp"] + totals["fn"],
            f"{pct(overall['recall'])}", "high"),
        Row("Stray script removal", "text exactly as expected", len(cases),
            pct(totals["exact"] / len(cases)), "100%"),
    ]
    for script, counter in sorted(per_script.items()):
        scores = prf(counter["tp"], counter["fp"], counter["fn"])
        rows.append(Row("Stray script removal", f"{script}: precision, recall", _cases(counter),
                        f"{pct(scores['precision'])}, {pct(scores['recall'])}", "100%, high"))
    # Legitimate kinds first: what must stay comes before what should go.
    def stray_last(item: tuple[str, Counter[str]]) -> tuple[bool, str]:
        return item[1]["tp"] + item[1]["fn"] > 0, item[0]

    for kind, counter in sorted(per_kind.items(), key=stray_last):
        n = _cases(counter)
        if counter["tp"] + counter["fn"]:
            rows.append(Row("Stray script removal", f"leftover: {kind}", n,
                            f"{pct(counter['tp'] / n)} removed", "high"))
        else:
            rows.append(Row("Stray script removal", f"legitimate: {kind}", n,
                            f"{pct(counter['tn'] / n)} kept", "100%"))
    seed = (SEED_001 / "001_ad877b3d03b42381.txt").read_text(encoding="utf-8")
    seed_removed = "وبر" not in repaired(seed)
    rows.append(Row("Stray script removal", "seed 001's Arabic leftover", 1,
                    "removed" if seed_removed else "kept", "removed"))
    report = {"n": len(cases), "totals": dict(totals), "overall": overall,
              "per_script": {k: dict(v) for k, v in per_script.items()},
              "per_kind": {k: dict(v) for k, v in per_kind.items()},
              "seed_001_removed": seed_removed, "wrong_examples": wrong}
    return rows, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Repair's care with legitimate text (issue 14).")
    parser.add_argument("--ftfy-cases", help="ftfy's tests/test-cases folder, from a checkout of ftfy")
    args = parser.parse_args(argv)
    rows = evaluate_repair_cases()[0] + evaluate_stray_script()[0]
    if args.ftfy_cases:
        rows += evaluate_ftfy_published(args.ftfy_cases)[0]
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

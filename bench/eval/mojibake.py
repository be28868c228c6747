"""``make eval`` section "Mojibake beyond ftfy": words that mojibake damaged in ways ftfy
cannot undo (a lost byte, NFKC over the garbled text, a code page ftfy will not guess from
one word), repaired where the article's word list confirms the repair
(``transforms.repair.damaged_words``).

* ftfy's known failures: ``known-failures.json`` of ftfy's own test cases, read at run
  time from a checkout given with ``--ftfy-cases DIR`` (its ``tests/test-cases``; never
  copied here). Cases right with ftfy alone (copydesk's settings) and with copydesk's
  repair; the false-positive case of that file must stay as it is written; and ftfy's
  passing cases, which must still get ftfy's answer (``repair_cases``).
* hand-written cases: ``tests/transforms/cases/mojibake_beyond_ftfy.json``, news lines in
  twelve languages, damaged (``expect`` fix, or fail for damage this does not undo) or
  legitimate look-alikes that must stay (``expect`` keep).
* generated damage: the multilingual articles (``bench.languages``) and the paragraphs of
  the encodings set, damaged two ways: UTF-8 read as Latin-1 with its C1 controls dropped
  (letters lose a byte), and UTF-8 read as Windows-1252 then NFKC-normalised. Words right
  with ftfy alone and with copydesk, and words ftfy alone had right that copydesk changed.
* clean text: the same articles undamaged; words the word-list step changed (none).

Run alone with ``python -m bench.eval.mojibake [--ftfy-cases DIR]``; in ``make eval`` with
``make eval EVAL_ARGS="--ftfy-cases DIR"``.
"""

from __future__ import annotations

import argparse
import json
import os
import unicodedata
from pathlib import Path

from collections import Counter

from bench.eval.repair_cases import evaluate_ftfy_published
from bench.eval.repair_cases import ftfy_answer as ftfy_alone
from bench.scoring import Row, markdown, pct

SECTION = "Mojibake beyond ftfy"
CASES = Path(__file__).resolve().parents[2] / "tests" / "transforms" / "cases" / "mojibake_beyond_ftfy.json"
ENCODINGS = CASES.parent / "encodings.json"


def copydesk(text: str) -> str:
    """Repair's character pass (ftfy, lone letters, the word-list step, spacing)."""
    from transforms.repair.repair import clean_text

    return clean_text(text)[0]


def _uncurled(text: str) -> str:
    """ftfy's expected answers straighten quotes; copydesk keeps them as written."""
    return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"}))


def known_failures(folder: str | None) -> tuple[list[Row], dict]:
    if not folder:
        return [Row(SECTION, "ftfy's known failures", 0,
                    "not measured: pass --ftfy-cases DIR (tests/test-cases of a checkout of ftfy)", "")], {}
    path = os.path.join(folder, "known-failures.json")
    with open(path, encoding="utf-8") as handle:
        cases = json.load(handle)
    fixed = [case for case in cases if case["original"] != case["fixed"]]
    alone = sum(_uncurled(ftfy_alone(c["original"])) == c["fixed"] for c in fixed)
    ours = [_uncurled(copydesk(c["original"])) == c["fixed"] for c in fixed]
    kept = [copydesk(c["original"]) == c["original"] for c in cases if c["original"] == c["fixed"]]
    rows = [Row(SECTION, f"ftfy's known failures ({path}): fixed exactly (quotes aside)", len(fixed),
                f"ftfy alone {alone}, copydesk {sum(ours)}", "more than ftfy"),
            Row(SECTION, "ftfy's known failures: its false-positive case left as written", len(kept),
                f"{sum(kept)} of {len(kept)} (the change is ftfy's own, made before this step)", "")]
    passing_rows, passing = evaluate_ftfy_published(folder)
    rows += [Row(SECTION, row.case, row.n, row.result, row.target) for row in passing_rows]
    return rows, {"fixed_cases": len(fixed), "ftfy_alone": alone, "copydesk": sum(ours),
                  "copydesk_right": [c["label"] for c, ok in zip(fixed, ours) if ok],
                  "false_positive_kept": sum(kept), "passing": passing}


def hand_written() -> tuple[list[Row], dict]:
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    rows, report = [], {}
    for expect in ("fix", "fail", "keep"):
        chosen = [c for c in cases if c["expect"] == expect]
        if not chosen:
            continue
        ours = [copydesk(c["original"]) == c["fixed"] for c in chosen]
        alone = sum(ftfy_alone(c["original"]) == c["fixed"] for c in chosen)
        languages = sorted({c["language"] for c in chosen})
        label = {"fix": "damaged words repaired", "fail": "damage it does not undo (documented)",
                 "keep": "legitimate look-alikes left alone"}[expect]
        rows.append(Row(SECTION, f"{CASES.name}: {label} ({', '.join(languages)})", len(chosen),
                        f"copydesk {pct(sum(ours) / len(chosen))}, ftfy alone {pct(alone / len(chosen))}",
                        {"fix": "100%", "fail": "", "keep": "100%"}[expect]))
        report[expect] = {"n": len(chosen), "copydesk": sum(ours), "ftfy_alone": alone,
                          "wrong": [c["label"] for c, ok in zip(chosen, ours) if not ok]}
    return rows, report


def lose_bytes(text: str) -> str:
    """UTF-8 read as Latin-1, its C1 controls dropped: letters whose second byte is 0x80 to
    0x9F lose it ("ş" becomes "Å")."""
    return "".join(char for char in text.encode("utf-8").decode("latin-1") if not "\x80" <= char <= "\x9f")


def through_nfkc(text: str) -> str:
    """UTF-8 read as Windows-1252, then NFKC ("ü" becomes "Ã1⁄4")."""
    import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

    return unicodedata.normalize("NFKC", text.encode("utf-8").decode("sloppy-windows-1252"))


DAMAGE = {"lost byte": lose_bytes, "NFKC": through_nfkc}


def clean_articles() -> list[tuple[str, str]]:
    """(language, text): the multilingual articles and the encodings set's paragraphs."""
    from bench import languages

    texts = [(language, text) for language, items in languages.ARTICLES.items() for text in items]
    for entry in json.loads(ENCODINGS.read_text(encoding="utf-8"))["languages"]:
        texts.append((entry["language"], "\n\n".join(entry["joiner"].join(p) for p in entry["paragraphs"])))
    return texts


def _right_words(expected: str, got: str) -> tuple[int, int]:
    """(words of ``expected`` that ``got`` has, words in ``expected``): word by word when
    both have as many words, else as multisets (a fix that joined two words)."""
    want, have = expected.split(), got.split()
    if len(want) == len(have):
        return sum(a == b for a, b in zip(want, have)), len(want)
    return sum((Counter(want) & Counter(have)).values()), len(want)


def generated() -> tuple[list[Row], dict]:
    texts = [(language, text) for language, text in clean_articles() if not text.isascii()]
    rows, report = [], {}
    for name, damage in DAMAGE.items():
        total = alone_right = ours_right = broken = 0
        for _, text in texts:
            damaged = damage(text)
            if damaged == text:
                continue
            alone, ours = ftfy_alone(damaged), copydesk(damaged)
            right, n = _right_words(text, ours)
            before, _ = _right_words(text, alone)
            total += n
            ours_right += right
            alone_right += before
            if len(text.split()) == len(ours.split()) == len(alone.split()):
                broken += sum(w == a != o for w, a, o in zip(text.split(), alone.split(), ours.split()))
        languages = len({language for language, _ in texts})
        rows.append(Row(SECTION, f"generated {name} damage ({len(texts)} articles, {languages} languages): "
                                 "words right",
                        total, f"ftfy alone {pct(alone_right / total)}, copydesk {pct(ours_right / total)}; "
                               f"right words made wrong {broken}", "higher; 0"))
        report[name] = {"words": total, "ftfy_alone": alone_right, "copydesk": ours_right,
                        "made_wrong": broken}
    return rows, report


def clean_text_untouched() -> tuple[list[Row], dict]:
    from transforms.repair.mojibake import fix_mojibake

    changed = []
    texts = clean_articles()
    for language, text in texts:
        _, edits = fix_mojibake(text)
        changed += [(language, fragment) for _, fragment, detail in edits if "beyond ftfy" in (detail or "")]
    row = Row(SECTION, "clean articles: words the word-list step changed", len(texts), str(len(changed)), "0")
    return [row], {"changed": changed[:20]}


def evaluate_mojibake(ftfy_cases: str | None = None) -> tuple[list[Row], dict]:
    rows, report = [], {}
    for name, part in (("known_failures", lambda: known_failures(ftfy_cases)), ("hand_written", hand_written),
                       ("generated", generated), ("clean", clean_text_untouched)):
        part_rows, report[name] = part()
        rows += part_rows
    return rows, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mojibake beyond ftfy (make eval section).")
    parser.add_argument("--ftfy-cases", help="ftfy's tests/test-cases folder, from a checkout of ftfy")
    args = parser.parse_args(argv)
    print(markdown(evaluate_mojibake(args.ftfy_cases)[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

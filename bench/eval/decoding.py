"""``make eval`` section: legacy encodings, before (the three-code-page guess copydesk used
until the charset-normalizer decoder) and after (``transforms.decoding.decoder``).

How the case set is made: ``tests/transforms/cases/encodings.json`` holds news paragraphs
written for copydesk in 19 languages, each with the encodings its newsrooms publish in.
Each text is encoded at run time into each of its encodings: the whole text is a *long*
case (two or three paragraphs), each sentence alone a *short* one. Where an encoding lacks
a punctuation mark (curly quotes in Latin-1), the plain one a newsroom would type stands in.
Cases whose bytes are still valid UTF-8 (pure ASCII sentences) are left out: they never
reach detection. A decode is right when its text equals the original exactly.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass

_CASE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "tests", "transforms", "cases")
CASES = os.path.join(_CASE_DIR, "encodings.json")
# Written after the rules were settled on CASES, to see whether they carry over.
HELD_OUT = os.path.join(_CASE_DIR, "encodings_heldout.json")
# What a newsroom types when its encoding lacks the typographic mark.
PLAIN = {"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "—": "-", "–": "-", "’": "'", "…": "..."}


@dataclass(frozen=True)
class Case:
    language: str
    encoding: str
    size: str  # "short" (one sentence) or "long" (the whole text)
    text: str

    @property
    def raw(self) -> bytes:
        return self.text.encode(self.encoding)


def fitted(text: str, encoding: str) -> str:
    """``text`` with the marks ``encoding`` cannot write replaced by plain ones."""
    return "".join(c if c.encode(encoding, "ignore") else PLAIN.get(c, c) for c in text)


def encoding_cases(path: str = CASES) -> list[Case]:
    with open(path, encoding="utf-8") as handle:
        languages = json.load(handle)["languages"]
    cases = []
    for entry in languages:
        sentences = [s for paragraph in entry["paragraphs"] for s in paragraph]
        whole = "\n\n".join(entry["joiner"].join(p) for p in entry["paragraphs"])
        for encoding in entry["encodings"]:
            for size, text in [("long", whole)] + [("short", s) for s in sentences]:
                case = Case(entry["language"], encoding, size, fitted(text, encoding))
                if encoding != "utf-8" and case.raw.isascii():
                    continue
                cases.append(case)
    return cases


def before(raw: bytes) -> str:
    """The decoder before detection: UTF-8, else cp1251 for long runs of high bytes,
    latin-1 when a byte cp1252 leaves undefined appears, else cp1252 (BOMs and UTF-16 are
    unchanged and left out here)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    high = [b for b in raw if b >= 0x80]
    runs = run = 0
    for b in raw:
        if b >= 0xC0:
            run += 1
            continue
        runs += run >= 4
        run = 0
    runs += run >= 4
    if runs >= 3 and runs * 4 >= len(high) / 6:
        return raw.decode("cp1251", errors="replace")
    if any(b in b"\x81\x8d\x8f\x90\x9d" for b in high):
        return raw.decode("latin-1")
    return raw.decode("cp1252", errors="replace")


def charset_normalizer_alone(raw: bytes) -> str | None:
    """charset-normalizer's best reading with its defaults, for comparison."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    return None if best is None else str(best)


def score(cases: list[Case]) -> tuple[dict[tuple[str, str], dict[str, int]], list[dict]]:
    """Counts per (encoding, size), per (encoding, "all") and per ("all", size) over the
    non-UTF-8 cases; and the cases decoded wrong."""
    from transforms.decoding.decoder import BinaryInput, decode

    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wrong = []
    for case in cases:
        try:
            decoded = decode(case.raw)
        except BinaryInput:
            decoded = None
        right = decoded is not None and decoded.text == case.text
        alone = case.encoding == "utf-8" or charset_normalizer_alone(case.raw) == case.text
        keys = [(case.encoding, case.size), (case.encoding, "all")]
        if case.encoding != "utf-8":
            keys.append(("all", case.size))
        for key in keys:
            counts = tally[key]
            counts["n"] += 1
            counts["before"] += before(case.raw) == case.text
            counts["after"] += right
            counts["charset_normalizer_alone"] += alone
            counts["confident"] += decoded is not None and decoded.confident
            counts["wrong_confident"] += not right and decoded is not None and decoded.confident
            counts["rejected"] += decoded is None
        if not right:
            wrong.append({"language": case.language, "encoding": case.encoding, "size": case.size,
                          "got": decoded.encoding if decoded else "rejected",
                          "confidence": decoded.confidence if decoded else None})
    return tally, wrong


def evaluate_decoding() -> tuple[list, dict]:
    from bench.scoring import Row, pct
    from transforms.decoding.decoder import CONFIDENT

    def row(label: str, c: dict[str, int], target: str = "") -> Row:
        return Row("Decoding (legacy encodings)",
                   f"{label}: before -> charset-normalizer alone -> after; confident", c["n"],
                   f"{pct(c['before'] / c['n'])} -> {pct(c['charset_normalizer_alone'] / c['n'])} -> "
                   f"{pct(c['after'] / c['n'])}; "
                   f"{pct(c['confident'] / c['n'])} (wrong and confident: {c['wrong_confident']})",
                   target)

    tally, wrong = score(encoding_cases())
    held_tally, held_wrong = score(encoding_cases(HELD_OUT))
    rows = [row(encoding, c) for (encoding, size), c in sorted(tally.items())
            if size == "all" and encoding != "all"]
    rows += [row(f"all non-UTF-8, {size}", tally[("all", size)], "wrong and confident: 0")
             for size in ("long", "short")]
    rows += [row(f"held-out non-UTF-8, {size}", held_tally[("all", size)], "wrong and confident: 0")
             for size in ("long", "short")]
    report = {"threshold": CONFIDENT,
              "cases": {f"{e}/{s}": dict(c) for (e, s), c in sorted(tally.items())},
              "held_out": {f"{e}/{s}": dict(c) for (e, s), c in sorted(held_tally.items())},
              "wrong": wrong, "held_out_wrong": held_wrong,
              "case_set": "tests/transforms/cases/encodings.json (held out: encodings_heldout.json); "
                          "long = whole text, short = each sentence"}
    return rows, report

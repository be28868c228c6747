"""``make eval`` section ``conll``: entities on a public news test set, the bare spaCy model
against copydesk (issue 21 item 2).

The set is read from a file given with ``--conll FILE``, never downloaded and never copied
into the repository: the CoNLL-2003 English test file (``eng.testb``: one "word POS chunk
NER" line per token, IOB tags, blank lines between sentences, ``-DOCSTART-`` lines between
documents). Without the flag the section says it was not measured.

Each document is rebuilt as an article body (sentences joined with newlines, tokens with
spaces; no title: the headline is the body's first line, as on the wire) and tagged twice
through ``bench.eval.entities.predict``: the bare model, and copydesk as the pipeline runs
it (knowledge names, the article read as a whole, labels after the canonical stage).
spaCy's labels are mapped to CoNLL's (``LABEL_MAP``): PERSON -> PER; ORG -> ORG; GPE, LOC,
FAC -> LOC; NORP, EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE -> MISC; dates, times,
numbers, money, quantities and ordinals are dropped. Scores are exact spans (CoNLL's
convention: no "the" or possessive dropped), per label and micro-averaged.

Canonical rewrites (an id, or a canonical name other than the text) are listed with the
gold label of the span, so they can be read by hand; a rewrite whose target is of another
kind than the gold entity (a person or a team made a place) is counted as wrong without
reading.

Run: ``python -m bench.eval --only conll --conll FILE --no-write`` or
``python -m bench.eval.conll FILE`` (``--rewrites`` lists every rewrite, ``--differences``
what copydesk missed and added).
"""

from __future__ import annotations

import argparse
import json

from bench.scoring import Row, prf

LABELS = ("PER", "ORG", "LOC", "MISC")
# spaCy's labels -> CoNLL-2003's; what is not here is not a name in CoNLL.
LABEL_MAP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
             "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC",
             "LAW": "MISC", "LANGUAGE": "MISC"}
# The kind of thing each CoNLL label names, for rewrites across kinds.
KIND = {"PER": "person", "ORG": "organisation", "LOC": "place", "MISC": "other"}

Span = tuple[int, int, str]


def read_conll(path: str) -> list[tuple[str, list[Span]]]:
    """(text, gold spans) of each document of a CoNLL-2003 file."""
    documents: list[list[list[tuple[str, str]]]] = [[]]
    sentence: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if parts and parts[0] == "-DOCSTART-":
                if sentence:
                    documents[-1].append(sentence)
                    sentence = []
                documents.append([])
            elif parts:
                sentence.append((parts[0], parts[-1]))
            elif sentence:
                documents[-1].append(sentence)
                sentence = []
    if sentence:
        documents[-1].append(sentence)
    return [document_text(sentences) for sentences in documents if sentences]


def document_text(sentences: list[list[tuple[str, str]]]) -> tuple[str, list[Span]]:
    """The document's text and its entities' character spans, from IOB1 or IOB2 tags."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for n, sentence in enumerate(sentences):
        if n:
            parts.append("\n")
            offset += 1
        current: list | None = None
        for i, (word, tag) in enumerate(sentence):
            if i:
                parts.append(" ")
                offset += 1
            start, end = offset, offset + len(word)
            parts.append(word)
            offset = end
            label = tag[2:] if tag != "O" else None
            if label and current and current[2] == label and not tag.startswith(("B-", "S-")):
                current[1] = end
                continue
            if current:
                spans.append(tuple(current))
            current = [start, end, label] if label else None
        if current:
            spans.append(tuple(current))
    return "".join(parts), spans


def mapped(spans) -> set[Span]:
    return {(s, e, LABEL_MAP[label]) for s, e, label in spans if label in LABEL_MAP}


def scores(gold: list[set[Span]], predicted: list[set[Span]]) -> dict[str, dict]:
    """Exact-span precision, recall and F1 per label and over all ("all")."""
    result = {}
    for label in (*LABELS, None):
        tp = fp = fn = 0
        for g, p in zip(gold, predicted):
            if label is not None:
                g = {s for s in g if s[2] == label}
                p = {s for s in p if s[2] == label}
            tp += len(g & p)
            fp += len(p - g)
            fn += len(g - p)
        result[label or "all"] = prf(tp, fp, fn)
    return result


def labelled_set(documents: list[tuple[str, list[Span]]]) -> dict:
    """The documents as ``bench.eval.entities``' labelled set: bodies only."""
    return {f"doc{n:03d}": {"title": ("", []), "text": (text, spans)}
            for n, (text, spans) in enumerate(documents)}


def measure(path: str) -> dict:
    """Bare model and copydesk on the file: scores, differences and rewrites."""
    from bench.eval.entities import predict, resolved_articles

    labelled = labelled_set(read_conll(path))
    ids = list(labelled)
    gold = [set(labelled[i]["text"][1]) for i in ids]
    bare, bare_seconds = predict(labelled, titles=True, knowledge=False)
    full, full_seconds = predict(labelled, titles=True, knowledge=True, consistent=True)
    articles = resolved_articles(labelled, full)
    copydesk = [mapped((e.start, e.end, e.label) for e in a.entities if e.field == "text")
                for a in articles]
    bare_sets = [mapped(bare[i]["text"]) for i in ids]
    return {"documents": len(ids), "gold": sum(map(len, gold)),
            "bare model": scores(gold, bare_sets), "copydesk": scores(gold, copydesk),
            "seconds": {"bare": round(bare_seconds, 1), "copydesk_tagging": round(full_seconds, 1)},
            "rewrites": rewrites(labelled, articles),
            "differences": differences(labelled, gold, copydesk, bare_sets)}


def rewrites(labelled: dict, articles: list) -> dict:
    """Every rewritten mention with the gold label of its span; those whose target is of
    another kind than the gold entity are wrong by kind."""
    from bench.eval.names import rewritten

    listed, across = [], []
    for article in articles:
        text, spans = labelled[article.id]["text"]
        gold = {(s, e): label for s, e, label in spans}
        for entity in article.entities:
            if not rewritten(entity):
                continue
            truth = gold.get((entity.start, entity.end), "none")
            target = LABEL_MAP.get(entity.label, entity.label)
            note = (f"{article.id}: {entity.text!r} ({truth}) -> {entity.canonical} "
                    f"{entity.kb_id} [{entity.canonical_reason}] {target}")
            listed.append(note)
            if truth in KIND and KIND[truth] != KIND.get(target):
                across.append(note)
    return {"rewritten": len(listed), "across_kinds": len(across), "across": across,
            "all": listed}


def differences(labelled: dict, gold: list, copydesk: list, bare: list) -> dict:
    """What copydesk missed and added, and where it differs from the bare model."""
    out: dict[str, list[str]] = {"missed": [], "spurious": [], "gained": [], "lost": []}
    for item, g, c, b in zip(labelled, gold, copydesk, bare):
        text = labelled[item]["text"][0]
        for kind, spans in (("missed", g - c), ("spurious", c - g), ("gained", (c & g) - b),
                            ("lost", (b & g) - c)):
            out[kind] += [f"{item}: {text[s:e]!r} {label}" for s, e, label in sorted(spans)]
    return out


def _prf(s: dict) -> str:
    return f"P {s['precision']:.3f} / R {s['recall']:.3f} / F1 {s['f1']:.3f}"


def evaluate_conll(conll: str | None = None) -> tuple[list[Row], dict]:
    section = "Entities on a public news set"
    if not conll:
        return ([Row(section, "CoNLL-2003 English test", 0,
                     "not measured: pass --conll FILE (eng.testb, read, never copied)", "")],
                {"measured": False})
    result = measure(conll)
    bare, copydesk = result["bare model"], result["copydesk"]
    rows = [Row(section, f"CoNLL-2003 English test ({result['documents']} documents)",
                result["gold"], "spaCy labels mapped: PERSON->PER; GPE, LOC, FAC->LOC; NORP, "
                "EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE->MISC; exact spans", "")]
    for label in (*LABELS, "all"):
        b, c = bare[label], copydesk[label]
        rows.append(Row(section, f"{label}: bare model -> copydesk", c["tp"] + c["fn"],
                        f"{_prf(b)} -> {_prf(c)} ({c['f1'] - b['f1']:+.3f})",
                        "F1 +0.05, P not below" if label == "all" else ""))
    found = result["rewrites"]
    rows.append(Row(section, "canonical rewrites: another kind than the gold entity",
                    found["rewritten"], f"{found['across_kinds']}", "0"))
    summary = {k: v for k, v in result.items() if k not in ("differences",)}
    summary["rewrites"] = {k: v for k, v in found.items() if k != "all"}
    return rows, {"measured": True, **summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Entities on CoNLL-2003 (make eval section).")
    parser.add_argument("conll", help="the CoNLL-2003 English test file (eng.testb)")
    parser.add_argument("--rewrites", action="store_true", help="list every canonical rewrite")
    parser.add_argument("--differences", action="store_true",
                        help="list what copydesk missed and added, and what it gained and lost "
                             "against the bare model")
    args = parser.parse_args(argv)
    result = measure(args.conll)
    for which in ("bare model", "copydesk"):
        print(which, json.dumps({k: _prf(v) for k, v in result[which].items()}, indent=1))
    found = result["rewrites"]
    print(f"rewritten {found['rewritten']}, across kinds {found['across_kinds']}")
    for line in found["all"] if args.rewrites else found["across"]:
        print("  rewrite:", line)
    if args.differences:
        for kind, lines in result["differences"].items():
            for line in lines:
                print(f"  {kind}: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

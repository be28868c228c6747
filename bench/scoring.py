"""Scores and the report's rows, shared by ``make eval`` and ``make bench``: precision,
recall and F1, cluster and span scores, and the markdown table."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable, Mapping, Sequence

# ---------------------------------------------------------------------------------------
# Metrics (pure functions; tests/bench/test_eval.py pins them down)
# ---------------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1; an empty side counts as perfect (nothing to get wrong)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def cluster_pairs(assignment: Mapping[str, object]) -> set[tuple[str, str]]:
    """Unordered pairs of items that share a cluster (``assignment``: item -> cluster)."""
    members: dict[object, list[str]] = {}
    for item, cluster in assignment.items():
        members.setdefault(cluster, []).append(item)
    return {pair for group in members.values() for pair in combinations(sorted(group), 2)}


def pairwise(gold: Mapping[str, object], predicted: Mapping[str, object]) -> dict[str, float]:
    """Pairwise precision/recall/F1 of a clustering over the items of ``gold``."""
    gold_pairs = cluster_pairs(gold)
    predicted_pairs = cluster_pairs({item: predicted[item] for item in gold})
    tp = len(gold_pairs & predicted_pairs)
    return prf(tp, len(predicted_pairs) - tp, len(gold_pairs) - tp)


def bcubed(gold: Mapping[str, object], predicted: Mapping[str, object]) -> dict[str, float]:
    """B-cubed precision and recall: per item, the share of its predicted cluster that is
    truly with it, and the share of its true cluster that was put with it; averaged."""
    gold_members: dict[object, set[str]] = {}
    predicted_members: dict[object, set[str]] = {}
    for item in gold:
        gold_members.setdefault(gold[item], set()).add(item)
        predicted_members.setdefault(predicted[item], set()).add(item)
    precision = recall = 0.0
    for item in gold:
        true = gold_members[gold[item]]
        found = predicted_members[predicted[item]]
        shared = len(true & found)
        precision += shared / len(found)
        recall += shared / len(true)
    n = len(gold) or 1
    p, r = precision / n, recall / n
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def exact_clusters(gold: Mapping[str, object], predicted: Mapping[str, object]) -> float:
    """Share of true clusters (of two or more items) reproduced exactly."""
    gold_members: dict[object, frozenset[str]] = {}
    predicted_members: dict[object, set[str]] = {}
    for item in gold:
        predicted_members.setdefault(predicted[item], set()).add(item)
    for cluster in set(gold.values()):
        gold_members[cluster] = frozenset(i for i in gold if gold[i] == cluster)
    found = {frozenset(members) for members in predicted_members.values()}
    multi = [members for members in gold_members.values() if len(members) > 1]
    return round(sum(1 for members in multi if members in found) / len(multi), 4) if multi else 1.0


WORDS = re.compile(r"\w+")


def word_counts(text: str) -> Counter[str]:
    return Counter(WORDS.findall(text))


def words_lost(reference: str, result: str) -> tuple[int, int]:
    """(words of ``reference`` missing from ``result``, words in ``reference``), as multisets."""
    want = word_counts(reference)
    lost = want - word_counts(result)
    return sum(lost.values()), sum(want.values())


Span = tuple[int, int, str]
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def normalise_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Span without a leading "the" or a trailing possessive: the tagger includes them
    ("the European Union", "Scholz’s"), the gold convention does not."""
    surface = text[start:end]
    lead = _LEADING_THE.match(surface)
    if lead and lead.end() < len(surface):
        start += lead.end()
        surface = surface[lead.end():]
    tail = _POSSESSIVE.search(surface)
    if tail and tail.start() > 0:
        end -= len(surface) - tail.start()
    return start, end


def span_scores(text: str, gold: Iterable[Span], predicted: Iterable[Span],
                labels: Sequence[str]) -> dict[str, dict]:
    """Exact-span scores per label and overall (micro), after ``normalise_span``; plus the
    same ignoring labels (did the tagger find the name at all)."""
    def norm(spans: Iterable[Span]) -> set[Span]:
        return {(*normalise_span(text, s, e), label) for s, e, label in spans if label in labels}

    g, p = norm(gold), norm(predicted)
    scores = {}
    for label in labels:
        gl = {s for s in g if s[2] == label}
        pl = {s for s in p if s[2] == label}
        scores[label] = prf(len(gl & pl), len(pl - gl), len(gl - pl))
    scores["all"] = prf(len(g & p), len(p - g), len(g - p))
    gu, pu = {s[:2] for s in g}, {s[:2] for s in p}
    scores["unlabelled"] = prf(len(gu & pu), len(pu - gu), len(gu - pu))
    return scores


def add_scores(total: dict[str, dict], more: dict[str, dict]) -> dict[str, dict]:
    """Sum the counts of two ``span_scores`` results and recompute the ratios."""
    out = {}
    for key in set(total) | set(more):
        a, b = total.get(key, {}), more.get(key, {})
        out[key] = prf(*(a.get(n, 0) + b.get(n, 0) for n in ("tp", "fp", "fn")))
    return out


# ---------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------


@dataclass
class Row:
    section: str
    case: str
    n: int
    result: str
    target: str = ""


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


HEADER = ("Section", "Case", "n", "Result", "Target")


def markdown(rows: Sequence[Row], header: Sequence[str] = HEADER) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [row.section, row.case, str(row.n), row.result, row.target]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)

"""The sections of ``make eval`` that score copydesk on data generated here: repair of
generated damage, foreign script kept, language, near-copies, entities and canonical
names; and the thin entries of the sections that live in their own modules."""

from __future__ import annotations

import codecs
import json
import os
import random
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping

from bench.scoring import (
    WORDS,
    Row,
    Span,
    add_scores,
    bcubed,
    cluster_pairs,
    exact_clusters,
    normalise_span,
    pairwise,
    pct,
    span_scores,
    word_counts,
    words_lost,
)

# ---------------------------------------------------------------------------------------
# Repair
# ---------------------------------------------------------------------------------------


def _repaired(text: str) -> str:
    """Title and text as one string: a headline moved to ``title`` is not a lost word."""
    from transforms.repair.repair import repair_text

    title, body, _ = repair_text(text)
    return f"{title}\n\n{body}" if title else body


def clean_texts(generated: int = 24) -> list[tuple[str, str, str]]:
    """(name, language, text) of clean articles: the seeds as Repair leaves them, generated
    English articles, and the multilingual set."""
    import glob

    from bench import corpus, languages

    texts = []
    for path in sorted(glob.glob(os.path.join(corpus.SEEDS_DIR, "*.txt"))):
        with open(path, encoding="utf-8") as handle:
            texts.append((f"seed/{os.path.basename(path)[:3]}", "en", _repaired(handle.read())))
    for number in range(generated):
        headline, body = corpus.base_article(90_000 + number)
        texts.append((f"generated/{number}", "en", f"{headline}\n\n{body}"))
    for language, articles in languages.ARTICLES.items():
        for number, text in enumerate(articles):
            texts.append((f"{language}/{number}", language, text))
    return texts


# Boilerplate per category, written for the eval (the repair engineer's own generators and
# vocabulary are not used here, so this measures how the method generalises).
BOILERPLATE: dict[str, tuple[str, ...]] = {
    "cms_footer": (
        "Leave a Reply", "Your email address will not be published. Required fields are marked *",
        "Posted by admin on {date}", "This entry was posted in {section} and tagged {tag}, {tag2}. "
        "Bookmark the permalink.", "© {year} {site}. Proudly powered by WordPress | Theme: NewsPro",
        "Comments are closed.", "Copyright © {year} {site} Ltd. All rights reserved.",
        "Privacy Policy | Terms of Use | Contact Us", "About Us · Advertise · Careers · Contact",
        "Cancel reply", "Notify me of follow-up comments by email.",
    ),
    "share_bar": (
        "Share this article", "Share on Facebook Share on Twitter Share on WhatsApp",
        "Facebook Twitter LinkedIn Email Print", "Share via: Facebook | Twitter | Telegram | Copy link",
        "Tweet · Share · Email", "Click to share on Reddit (Opens in new window)", "Share",
        "Facebook | Twitter | WhatsApp | Email",
    ),
    "breadcrumb": (
        "Home / News / {section} / {section2}", "Home > {section} > {section2}",
        "You are here: Home » {section} » {section2}", "News › {section} › {section2}",
        "HOME | {section_upper} | {section2_upper}",
    ),
    "tag_list": (
        "Tags: {tag}, {tag2}, {tag3}", "Topics: {tag} · {tag2} · {tag3}",
        "Filed under: {section}, {section2}",
        "Related topics: {tag}; {tag2}; {tag3}", "Keywords: {tag}, {tag2}",
        "Categories: {section}, {section2}",
    ),
    "newsletter": (
        "Sign up to our free morning briefing and get the top stories in your inbox.",
        "Subscribe to the {site} newsletter", "Get our weekly politics newsletter delivered to your inbox",
        "Sign up for our daily newsletter", "Subscribe now", "Register for free email alerts",
        "Get the latest headlines straight to your inbox every morning",
    ),
}
_BOILERPLATE_WHERE = {"cms_footer": "end", "share_bar": "any", "breadcrumb": "start",
                      "tag_list": "end", "newsletter": "any"}
_SECTIONS = ("World", "Europe", "Politics", "Business", "Markets", "Health", "Science", "Local")
_TAGS = ("inflation", "elections", "climate", "transport", "housing", "schools", "energy", "courts")
_SITES_EVAL = ("Riverside Chronicle", "Evening Standard Desk", "Coastal News", "The Record")


def inject_category(text: str, category: str, seed: int) -> str:
    """One to three lines of one boilerplate category, where sites put them."""
    rng = random.Random(seed)
    paragraphs = text.split("\n\n")
    for _ in range(rng.randint(1, 3)):
        section, section2 = rng.sample(_SECTIONS, 2)
        tag, tag2, tag3 = rng.sample(_TAGS, 3)
        line = rng.choice(BOILERPLATE[category]).format(
            section=section, section2=section2, section_upper=section.upper(),
            section2_upper=section2.upper(), tag=tag, tag2=tag2, tag3=tag3,
            site=rng.choice(_SITES_EVAL), year=rng.randint(2015, 2025),
            date=f"{rng.randint(1, 28)} March {rng.randint(2019, 2024)}",
        )
        where = _BOILERPLATE_WHERE[category]
        if where == "start":
            paragraphs.insert(0, line)
        elif where == "end":
            paragraphs.append(line)
        else:
            paragraphs.insert(rng.randint(0, len(paragraphs)), line)
    return "\n\n".join(paragraphs)


def _straight_quotes(text: str) -> str:
    return text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-",
                                         "—": "-", "…": "...", "„": '"'}))


def _through_decoder(raw: bytes) -> str:
    from transforms.decoding.decoder import decode

    return decode(raw).text


@dataclass
class RepairCase:
    kind: str
    name: str
    reference: str  # the clean text whose repair is the expected answer
    damaged: str  # the damaged text, as the repair step gets it
    # Damage done to the bytes: the decoded text may equal the reference, and still counts.
    in_bytes: bool = False


def repair_cases(texts: list[tuple[str, str, str]]) -> Iterable[RepairCase]:
    """Every (kind, clean text) case that actually changes the text."""
    from bench import perturb

    for index, (name, language, text) in enumerate(texts):
        latin = language in ("en", "es", "fr", "de")
        for kind in ("mojibake_cp1252", "mojibake_latin1", "double_mojibake", "partial_mojibake"):
            yield RepairCase(kind, name, text, perturb.perturb(kind, text, index))
        # Legacy bytes only where they differ from UTF-8 (text with non-ASCII characters).
        if latin and not text.isascii() and _encodes(text, "cp1252"):
            yield RepairCase("legacy_bytes_cp1252", name, text,
                             _through_decoder(text.encode("cp1252")), in_bytes=True)
        plain = _straight_quotes(text)
        if latin and not plain.isascii() and _encodes(plain, "latin-1"):
            yield RepairCase("legacy_bytes_latin1", name, plain,
                             _through_decoder(plain.encode("latin-1")), in_bytes=True)
        if language in ("ru", "uk"):
            yield RepairCase("legacy_bytes_cp1251", name, text,
                             _through_decoder(text.encode("cp1251")), in_bytes=True)
        for label, bom, encoding in (("bom_utf8", codecs.BOM_UTF8, "utf-8"),
                                     ("bom_utf16le", codecs.BOM_UTF16_LE, "utf-16-le"),
                                     ("bom_utf16be", codecs.BOM_UTF16_BE, "utf-16-be")):
            yield RepairCase(label, name, text, _through_decoder(bom + text.encode(encoding)),
                             in_bytes=True)
        from transforms.repair.scripts import letter_counts

        present = set(letter_counts(text))
        for script in perturb.STRAY_WORDS:
            if script not in present:
                yield RepairCase(f"stray_script_{script.lower()}", name, text,
                                 perturb.inject_stray_script(text, index, script=script))
        for category in BOILERPLATE:
            yield RepairCase(f"boilerplate_{category}", name, text, inject_category(text, category, index))
        for kind in ("zero_width", "bidi_override", "control_chars", "whitespace", "bom",
                     "trailing_cta", "boilerplate"):
            if kind == "zero_width" and language == "ar":
                continue  # joiners inside Arabic words can be legitimate; Repair keeps them
            label = "perturb_" + kind
            yield RepairCase(label, name, text, perturb.perturb(kind, text, index))


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def evaluate_repair(generated: int = 24) -> tuple[list[Row], dict]:
    texts = clean_texts(generated)
    results: dict[str, dict] = {}
    failures: dict[str, list[str]] = {}
    expected_cache: dict[str, str] = {}
    for case in repair_cases(texts):
        if case.damaged == case.reference and not case.in_bytes:
            continue  # the damage did not apply (nothing to garble in ASCII text)
        expected = expected_cache.get(case.reference)
        if expected is None:
            expected = expected_cache[case.reference] = _repaired(case.reference)
        got = _repaired(case.damaged)
        stats = results.setdefault(case.kind, {"n": 0, "invariant": 0, "lost": 0, "left": 0, "words": 0})
        stats["n"] += 1
        stats["invariant"] += got == expected
        lost, total = words_lost(expected, got)
        left, _ = words_lost(got, expected)
        stats["lost"] += lost
        stats["left"] += left
        stats["words"] += total
        if got != expected and len(failures.setdefault(case.kind, [])) < 3:
            failures[case.kind].append({
                "text": case.name,
                "lost": sorted((word_counts(expected) - word_counts(got)).elements())[:12],
                "left": sorted((word_counts(got) - word_counts(expected)).elements())[:12],
            })
    # Over-removal on text with no damage at all: Repair must leave it alone.
    clean = {"n": 0, "invariant": 0, "lost": 0, "words": 0}
    for _, _, text in texts:
        got = _repaired(text)
        lost, total = words_lost(text, got)
        clean["n"] += 1
        clean["invariant"] += lost == 0
        clean["lost"] += lost
        clean["words"] += total
    rows = [Row("Repair", "clean text untouched (no words lost)", clean["n"],
                f"{pct(clean['invariant'] / clean['n'])}, words lost {pct(clean['lost'] / clean['words'])}",
                "100%, 0%")]
    for kind in sorted(results):
        stats = results[kind]
        stats["rate"] = round(stats["invariant"] / stats["n"], 4)
        stats["words_lost_rate"] = round(stats["lost"] / max(stats["words"], 1), 5)
        stats["words_left_rate"] = round(stats["left"] / max(stats["words"], 1), 5)
        rows.append(Row("Repair", kind, stats["n"],
                        f"{pct(stats['rate'])} invariant; lost {pct(stats['words_lost_rate'])}, "
                        f"left {pct(stats['words_left_rate'])}", "100%, 0%, 0%"))
    return rows, {"clean": clean, "kinds": results, "failing_examples": failures}


def evaluate_foreign_script() -> tuple[list[Row], dict]:
    from bench import languages
    from transforms.repair.scripts import script_of

    rows, report = [], {}
    groups = {
        "whole articles ar/ru/uk": [t for lang in ("ar", "ru", "uk") for t in languages.ARTICLES[lang]],
        "English with native-script glosses": list(languages.GLOSSED_ENGLISH),
        "mixed-language articles": [text for _, text in languages.MIXED],
    }
    for name, texts in groups.items():
        kept = lost_words = foreign_words = 0
        for text in texts:
            got = _repaired(text)
            foreign = [w for w in WORDS.findall(text)
                       if any(c.isalpha() and script_of(c) not in ("Latin", "Common") for c in w)]
            lost, _ = words_lost(" ".join(foreign), got)
            kept += lost == 0
            lost_words += lost
            foreign_words += len(foreign)
        report[name] = {"n": len(texts), "kept": kept, "foreign_words": foreign_words,
                        "foreign_words_lost": lost_words}
        rows.append(Row("Foreign script kept", name, len(texts),
                        f"{pct(kept / len(texts))} articles intact; {lost_words} of {foreign_words} "
                        "foreign-script words lost", "100%, 0 lost"))
    return rows, report


# ---------------------------------------------------------------------------------------
# Language
# ---------------------------------------------------------------------------------------


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?؟])\s", text, maxsplit=1)[0]


def evaluate_language() -> tuple[list[Row], dict]:
    from bench import languages
    from transforms.language.detect import Detector

    detector = Detector()
    rows, report = [], {"per_language": {}, "confusions": []}
    correct = total = short_correct = 0
    for language, texts in languages.ARTICLES.items():
        got = [detector.detect(text)[0] for text in texts]
        short = [detector.detect(first_sentence(text))[0] for text in texts]
        right = sum(g == language for g in got)
        short_right = sum(s == language for s in short)
        report["per_language"][language] = {"n": len(texts), "correct": right,
                                            "first_sentence_correct": short_right}
        report["confusions"] += [[language, g] for g in got + short if g != language]
        correct += right
        short_correct += short_right
        total += len(texts)
        rows.append(Row("Language", f"{language} articles (first sentence only)", len(texts),
                        f"{pct(right / len(texts))} ({pct(short_right / len(texts))})", "≥ 95%"))
    mixed = [(expected, detector.detect(text)[0]) for expected, text in languages.MIXED]
    mixed_right = sum(e == g for e, g in mixed)
    report.update({"accuracy": round(correct / total, 4),
                   "first_sentence_accuracy": round(short_correct / total, 4),
                   "mixed": {"n": len(mixed), "correct": mixed_right,
                             "wrong": [[e, g] for e, g in mixed if e != g]}})
    rows.insert(0, Row("Language", "all single-language articles (first sentence only)", total,
                       f"{pct(correct / total)} ({pct(short_correct / total)})", "≥ 95%"))
    rows.append(Row("Language", "mixed-language articles (main language)", len(mixed),
                    pct(mixed_right / len(mixed)), "≥ 90%"))
    return rows, report


# ---------------------------------------------------------------------------------------
# Near-copies
# ---------------------------------------------------------------------------------------


def run_near_copies(articles: list, config=None) -> dict[str, tuple[str | None, float | None]]:
    """The real ``FindNearCopies`` in a Beam pipeline (FnApiRunner): id -> (duplicate_of,
    similarity)."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.runners import LOCAL_RUNNER

    from transforms.near_copies import FindNearCopies, NearCopyConfig

    with tempfile.TemporaryDirectory(prefix="copydesk-eval-") as folder:
        out = os.path.join(folder, "marks")
        with beam.Pipeline(options=PipelineOptions([f"--runner={LOCAL_RUNNER}"])) as p:
            _ = (
                p
                | "Articles" >> beam.Create(articles, reshuffle=False)
                | "FindNearCopies" >> FindNearCopies(config or NearCopyConfig())
                | "Marks" >> beam.Map(lambda a: json.dumps([a.id, a.duplicate_of, a.similarity]))
                | "Write" >> beam.io.WriteToText(out, shard_name_template="")
            )
        with open(out, encoding="utf-8") as handle:
            return {i: (d, s) for i, d, s in (json.loads(line) for line in handle)}


def predicted_clusters(marks: Mapping[str, tuple[str | None, float | None]]) -> dict[str, str]:
    return {item: (duplicate_of or item) for item, (duplicate_of, _) in marks.items()}


@dataclass
class LabelledSet:
    """Articles with their true cluster (``group``) and how each was made (``kind``)."""

    articles: list
    group: dict[str, str]
    kind: dict[str, str]


def english_near_copy_set(bases: int = 60, seed: int = 5) -> LabelledSet:
    """Generated English articles and the seeds, with one reprint per kind of edit, one
    with every edit, one exact copy and three harder copies (25 words changed, only the
    first 35%, two paragraphs cut under a new header and footer); same-event groups (the
    seeds are one) and same-template groups as hard negatives."""
    import glob

    import numpy as np

    from bench import corpus, reprints
    from schemas.records import Article

    start = datetime(2023, 5, 1, tzinfo=timezone.utc)
    articles, group, kind = [], {}, {}

    def add(text: str, cluster: str, how: str, minutes: float) -> None:
        number = len(articles)
        article_id = f"e{number:05d}"
        articles.append(Article(id=article_id, source=f"eval/{number:05d}", text=text,
                                ingested_at=start, published_at=start + timedelta(minutes=minutes),
                                order=f"{number:08d}"))
        group[article_id] = cluster
        kind[article_id] = how

    originals = []
    for path in sorted(glob.glob(os.path.join(corpus.SEEDS_DIR, "*.txt"))):
        with open(path, encoding="utf-8") as handle:
            originals.append(_repaired(handle.read()))
    for number in range(bases):
        headline, body = corpus.base_article(seed * 100_003 + number)
        originals.append(f"{headline}\n\n{body}")
    for number, text in enumerate(originals):
        cluster = f"base{number}"
        kind_of = "seed" if number < 5 else "original"
        add(text, cluster, kind_of, number)
        for edit in reprints.EDITS:
            copy, _ = reprints.reprint(text, seed * 7 + number * 11 + len(edit), edits=(edit,))
            add(copy, cluster, f"reprint:{edit}", 10_000 + number)
        copy, _ = reprints.reprint(text, seed * 13 + number, edits=reprints.EDITS)
        add(copy, cluster, "reprint:all_edits", 10_000 + number)
        exact = reprints.exact_copy(text, np.random.Generator(np.random.PCG64(number)))
        add(exact, cluster, "exact", 20_000 + number)
        # Harder copies: many changed words, a short stub of the story, a heavy cut.
        rng = np.random.Generator(np.random.PCG64(seed * 17 + number))
        add(reprints.swap_words(text, rng, count=25), cluster, "hard:25_swapped_words", 10_000 + number)
        add(reprints.truncate(text, rng, keep=0.35), cluster, "hard:first_35%", 10_000 + number)
        add(reprints.header_footer(reprints.cut_paragraph(reprints.cut_paragraph(text, rng), rng), rng),
            cluster, "hard:2_paragraphs_cut_new_header_footer", 10_000 + number)
    for event in range(15):
        for k, text in enumerate(corpus.same_event(seed * 31 + event, 3)):
            add(text, f"event{event}-{k}", "same_event", 30_000 + event)
    for template in range(6):
        for k, text in enumerate(corpus.same_template(seed * 37 + template, 4)):
            add(text, f"template{template}-{k}", "same_template", 40_000 + template)
    return LabelledSet(articles, group, kind)


def reprints_near_copy_set(size: int = 600, seed: int = 3) -> LabelledSet:
    """``bench.reprints.corpus``: the near-copy engineer's Zipf-vocabulary generator."""
    from bench import reprints

    generated = reprints.corpus(size, seed=seed)
    group = {i: (c or i) for i, c in generated.canonical.items()}
    return LabelledSet(generated.articles, group, dict(generated.kind))


def score_near_copies(labelled: LabelledSet, marks: Mapping[str, tuple]) -> dict:
    predicted = predicted_clusters(marks)
    report = {
        "articles": len(labelled.articles),
        "pairwise": pairwise(labelled.group, predicted),
        "bcubed": bcubed(labelled.group, predicted),
        "exact_clusters": exact_clusters(labelled.group, predicted),
    }
    # Recall per kind of copy: is it in its original's predicted cluster?
    first = {}
    for article in labelled.articles:
        first.setdefault(labelled.group[article.id], article.id)
    per_kind: dict[str, list[int]] = {}
    for article in labelled.articles:
        original = first[labelled.group[article.id]]
        if original == article.id:
            continue
        found = predicted[article.id] == predicted[original]
        # A copy made with several edits counts towards each of them.
        for how in labelled.kind[article.id].removeprefix("reprint:").split("+"):
            per_kind.setdefault(how, [0, 0])
            per_kind[how][0] += found
            per_kind[how][1] += 1
    report["recall_by_kind"] = {k: round(f / n, 4) for k, (f, n) in sorted(per_kind.items())}
    # False merges among hard negatives: pairs of different true clusters merged.
    wrong = Counter()
    for a, b in cluster_pairs(predicted) - cluster_pairs(labelled.group):
        kinds = sorted({labelled.kind[a].split(":")[0], labelled.kind[b].split(":")[0]})
        wrong["+".join(kinds)] += 1
    report["false_merges"] = dict(wrong)
    return report


def evaluate_near_copies(bases: int = 60, size: int = 600) -> tuple[list[Row], dict]:
    rows, report = [], {}
    for name, labelled in (("English reprints + hard negatives", english_near_copy_set(bases)),
                           ("bench.reprints corpus", reprints_near_copy_set(size))):
        started = time.perf_counter()
        marks = run_near_copies(labelled.articles)
        scored = score_near_copies(labelled, marks)
        scored["seconds"] = round(time.perf_counter() - started, 1)
        report[name] = scored
        pw, b3 = scored["pairwise"], scored["bcubed"]
        rows.append(Row("Near-copies", f"{name}: pairwise P / R / F1", scored["articles"],
                        f"{pw['precision']:.3f} / {pw['recall']:.3f} / {pw['f1']:.3f}", "P ≥ 0.99, R ≥ 0.95"))
        rows.append(Row("Near-copies", f"{name}: B-cubed P / R; clusters exact", scored["articles"],
                        f"{b3['precision']:.3f} / {b3['recall']:.3f}; {pct(scored['exact_clusters'])}", ""))
        kinds = ", ".join(f"{k} {pct(v)}" for k, v in scored["recall_by_kind"].items()
                          if not k.startswith(("same_", "original")))
        rows.append(Row("Near-copies", f"{name}: recall by kind", scored["articles"], kinds, ""))
        merges = ", ".join(f"{k} {v}" for k, v in sorted(scored["false_merges"].items())) or "none"
        rows.append(Row("Near-copies", f"{name}: false merges (pairs)", scored["articles"], merges, "none"))
    return rows, report


# ---------------------------------------------------------------------------------------
# Entities
# ---------------------------------------------------------------------------------------


def _normalised(text: str, spans: Iterable[Span]) -> set[Span]:
    from bench.ner_gold import LABELS

    return {(*normalise_span(text, s, e), label) for s, e, label in spans if label in LABELS}


def evaluate_entities() -> tuple[list[Row], dict]:
    from bench import ner_gold
    from transforms.entities.ner import load_ner, tag

    nlp = load_ner()
    gold = ner_gold.gold_set()
    total: dict[str, dict] = {}
    errors = {}
    texts = [text for text, _ in gold.values()]
    tagged = tag(nlp, texts)
    for (seed, (text, spans)), entities in zip(gold.items(), tagged):
        predicted = [(e.start, e.end, e.label) for e in entities]
        scores = span_scores(text, spans, predicted, ner_gold.LABELS)
        total = add_scores(total, scores)
        g, p = _normalised(text, spans), _normalised(text, predicted)
        errors[seed] = {"missed": sorted({f"{text[s:e]} ({label})" for s, e, label in g - p}),
                        "spurious": sorted({f"{text[s:e]} ({label})" for s, e, label in p - g})}
    rows = []
    for key in ("all", "unlabelled", *ner_gold.LABELS):
        s = total[key]
        rows.append(Row("Entities (spaCy, seed gold)", key, s["tp"] + s["fn"],
                        f"P {s['precision']:.3f} / R {s['recall']:.3f} / F1 {s['f1']:.3f}",
                        "" if key != "all" else "report"))
    return rows, {"scores": total, "errors": errors,
                  "matching": "exact spans after dropping a leading 'the' and a trailing possessive"}


def evaluate_canonical() -> tuple[list[Row], dict]:
    from bench import entity_gold

    resolved = entity_gold.evaluate()
    baseline = entity_gold.evaluate(entity_gold.as_written)
    baseline.pop("errors", None)
    rows = [
        Row("Canonical entities", "resolver: accuracy; merge pair P / R", resolved["mentions"],
            f"{pct(resolved['accuracy'])}; {resolved['pair_precision']:.3f} / {resolved['pair_recall']:.3f}",
            "report"),
        Row("Canonical entities", "as written (baseline): accuracy; merge pair P / R", baseline["mentions"],
            f"{pct(baseline['accuracy'])}; {baseline['pair_precision']:.3f} / {baseline['pair_recall']:.3f}",
            ""),
    ]
    return rows, {"resolver": resolved, "as_written": baseline}

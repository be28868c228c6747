"""Seeded, deterministic reprints and hard negatives for near-copy tests, eval and bench.

Positives are edits of a base text that real reprints show: a new header and footer, a cut
paragraph, straight quotes instead of curly ones, a few changed words, truncation, and
exact copies (differing only in case, spacing and quote style). Hard negatives are
different articles that must not match: several articles about one event (they share a
quote, names and a sentence of agency copy, not their text) and different articles inside
one long site template. ``corpus`` mixes all of them with ground truth.

Texts are built from a Zipf-distributed vocabulary (the seed articles' words plus made-up
words), so two independent texts share about as many 5-word shingles as two real ones.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import numpy as np

from schemas.records import Article

SEEDS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seeds")
EDITS = ("header_footer", "cut_paragraph", "straight_quotes", "swap_words", "truncate")

_HEADERS = (
    "via Newsmax:",
    "This article originally appeared on {site} and is republished with permission.",
    "EXCLUSIVE — {site} reports",
    "Reprinted from {site}. Subscribe for the latest news and updates.",
    "Breaking news from {site} wire service",
)
_FOOTERS = (
    "Copyright {year} {site}. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "Read more at {site}. Follow us on Twitter and Facebook for breaking news.",
    "The views expressed in this article are those of the author and do not necessarily "
    "reflect the position of {site}.",
    "Leave a comment below and share this story with your friends at {site}.",
)
_SITES = ("Newsmax", "The Daily Ledger", "Global Wire", "Eastern Herald", "Metro Times")
_CURLY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """The seed articles' words (most frequent first) then made-up words, 20k in all."""
    counts: dict[str, int] = {}
    for path in sorted(glob.glob(os.path.join(SEEDS_DIR, "*.txt"))):
        with open(path, encoding="utf-8") as handle:
            for word in re.findall(r"[A-Za-z]+", handle.read()):
                counts[word.lower()] = counts.get(word.lower(), 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w))
    taken = set(words)
    rng = np.random.Generator(np.random.PCG64(2022))
    syllables = np.array([c + v for c in "bdfghklmnprstvz" for v in ("a", "e", "i", "o", "ai", "ou")])
    while len(words) < 20000:
        picks = syllables[rng.integers(0, len(syllables), size=(20000, 4))]
        lengths = rng.integers(2, 5, size=20000)
        for row, length in zip(picks, lengths):
            word = "".join(row[:length])
            if word not in taken and len(words) < 20000:
                taken.add(word)
                words.append(word)
    return tuple(words)


@lru_cache(maxsize=1)
def _zipf_cdf() -> np.ndarray:
    weights = 1.0 / (np.arange(len(vocabulary()), dtype=np.float64) + 8.0)
    return np.cumsum(weights / weights.sum())


def _sentence(rng: np.random.Generator, low: int = 8, high: int = 28) -> str:
    vocab = vocabulary()
    picks = np.searchsorted(_zipf_cdf(), rng.random(int(rng.integers(low, high))))
    words = [vocab[min(int(i), len(vocab) - 1)] for i in picks]
    if rng.random() < 0.15:
        # Curly quotes and apostrophes, so that straightening them is a real edit.
        cut = int(rng.integers(1, len(words)))
        words[cut - 1] = words[cut - 1] + "’s"
        words[cut:] = ["“" + words[cut]] + words[cut + 1 :]
        words[-1] = words[-1] + "”"
    return " ".join(words).capitalize() + "."


def base_article(seed: int, words: tuple[int, int] = (150, 700)) -> str:
    """A fresh article: paragraphs of 1 to 4 sentences, ``words`` long (a range)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    target = int(rng.integers(*words))
    return _paragraphs(rng, target)


def _paragraphs(rng: np.random.Generator, target: int, shared: list[str] = ()) -> str:
    sentences = list(shared)
    while sum(len(s.split()) for s in sentences) < target:
        sentences.append(_sentence(rng))
    order = rng.permutation(len(sentences))
    sentences = [sentences[i] for i in order]
    paragraphs, start = [], 0
    while start < len(sentences):
        size = int(rng.integers(1, 5))
        paragraphs.append(" ".join(sentences[start : start + size]))
        start += size
    return "\n\n".join(paragraphs)


def header_footer(text: str, rng: np.random.Generator) -> str:
    site = _SITES[int(rng.integers(len(_SITES)))]
    year = int(rng.integers(2019, 2025))
    header = _HEADERS[int(rng.integers(len(_HEADERS)))].format(site=site)
    footer = _FOOTERS[int(rng.integers(len(_FOOTERS)))].format(site=site, year=year)
    return f"{header}\n\n{text}\n\n{footer}"


def cut_paragraph(text: str, rng: np.random.Generator) -> str:
    paragraphs = text.split("\n\n")
    if len(paragraphs) < 4:
        return text
    del paragraphs[int(rng.integers(1, len(paragraphs) - 1))]
    return "\n\n".join(paragraphs)


def straight_quotes(text: str, rng: np.random.Generator | None = None) -> str:
    return text.translate(_CURLY)


def swap_words(text: str, rng: np.random.Generator, count: int | None = None) -> str:
    """Replace ``count`` (default 1 to 5) random words with other words."""
    vocab = vocabulary()
    paragraphs = [paragraph.split(" ") for paragraph in text.split("\n\n")]
    places = [(p, w) for p, words in enumerate(paragraphs) for w in range(len(words))]
    count = int(rng.integers(1, 6)) if count is None else count
    for pick in rng.choice(len(places), size=min(count, len(places)), replace=False):
        p, w = places[pick]
        paragraphs[p][w] = vocab[int(rng.integers(50, 5000))]
    return "\n\n".join(" ".join(words) for words in paragraphs)


def truncate(text: str, rng: np.random.Generator, keep: float | None = None) -> str:
    """Keep the first ``keep`` (default 60% to 90%) of the words, paragraphs intact."""
    keep = float(rng.uniform(0.6, 0.9)) if keep is None else keep
    left = max(1, int(len(text.split()) * keep))
    kept = []
    for paragraph in text.split("\n\n"):
        words = paragraph.split(" ")
        kept.append(" ".join(words[:left]))
        left -= len(words)
        if left <= 0:
            break
    return "\n\n".join(kept) + "…"


def exact_copy(text: str, rng: np.random.Generator) -> str:
    """Same words: only case, spacing and quote style change."""
    copy = straight_quotes(text) if rng.random() < 0.5 else text
    copy = copy.replace("\n\n", "\n \n") if rng.random() < 0.5 else copy
    return copy.upper() if rng.random() < 0.2 else copy


_APPLY = {
    "header_footer": header_footer,
    "cut_paragraph": cut_paragraph,
    "straight_quotes": straight_quotes,
    "swap_words": swap_words,
    "truncate": truncate,
}


def reprint(text: str, seed: int, edits: tuple[str, ...] | None = None) -> tuple[str, tuple[str, ...]]:
    """A reprint of ``text``: the named ``edits`` (default: a random non-empty mix)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    if edits is None:
        chosen = [edit for edit in EDITS if rng.random() < 0.5]
        edits = tuple(chosen) or (EDITS[int(rng.integers(len(EDITS)))],)
    for edit in EDITS:
        if edit in edits:
            text = _APPLY[edit](text, rng)
    return text, tuple(edits)


def same_event(seed: int, count: int, words: tuple[int, int] = (150, 600)) -> list[str]:
    """``count`` different articles about one event: each has the event's quote and a
    sentence of agency copy verbatim, plus its own reporting."""
    rng = np.random.Generator(np.random.PCG64(seed))
    shared = [_sentence(rng, 12, 24), "“" + _sentence(rng, 10, 20) + "”"]
    return [
        _paragraphs(rng, int(rng.integers(*words)), shared=shared) for _ in range(count)
    ]


def same_template(seed: int, count: int, template_words: int = 120) -> list[str]:
    """``count`` different articles inside one site template (navigation header and a long
    footer left in by the boilerplate step)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    header = _paragraphs(rng, template_words // 3)
    footer = _paragraphs(rng, template_words - template_words // 3)
    return [
        f"{header}\n\n{_paragraphs(rng, int(rng.integers(200, 500)))}\n\n{footer}"
        for _ in range(count)
    ]


@dataclass
class Corpus:
    """Articles plus ground truth: ``canonical[id]`` is the id an article duplicates (None
    for an original); ``kind[id]`` says how it was made."""

    articles: list[Article] = field(default_factory=list)
    canonical: dict[str, str | None] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)

    def add(self, article: Article, canonical: str | None, kind: str) -> None:
        self.articles.append(article)
        self.canonical[article.id] = canonical
        self.kind[article.id] = kind


START = datetime(2022, 2, 21, tzinfo=timezone.utc)


def corpus(size: int, seed: int = 0, duplicate_share: float = 0.35) -> Corpus:
    """About ``size`` articles: originals, their reprints and exact copies (about
    ``duplicate_share`` of the articles), same-event groups and same-template groups.
    Originals are published first, so the truth's canonical is the original."""
    rng = np.random.Generator(np.random.PCG64(seed))
    out = Corpus()
    group = 0

    def article(text: str, minutes: float | None, kind: str) -> Article:
        number = len(out.articles)
        when = START + timedelta(minutes=minutes) if minutes is not None else None
        return Article(
            id=f"g{seed}-{number:06d}",
            source=f"bench/{kind}/{number}",
            text=text,
            ingested_at=START + timedelta(days=3),
            published_at=when,
            order=f"{int(rng.integers(10**9)):09d}",
        )

    while len(out.articles) < size:
        group += 1
        roll = rng.random()
        at = float(rng.uniform(0, 60 * 24 * 2))
        if roll < 0.15:
            kind = "same_event" if roll < 0.1 else "same_template"
            make = same_event if roll < 0.1 else same_template
            for text in make(seed * 1_000_003 + group, int(rng.integers(3, 7))):
                out.add(article(text, at + float(rng.uniform(0, 600)), kind), None, kind)
        else:
            text = base_article(seed * 1_000_003 + group)
            original = article(text, at, "original")
            out.add(original, None, "original")
            copies = int(rng.geometric(0.45)) - 1 if rng.random() < duplicate_share * 2 else 0
            for number in range(copies):
                later = at + float(rng.uniform(1, 60 * 48)) if rng.random() < 0.9 else None
                if rng.random() < 0.2:
                    copy, kind = exact_copy(text, rng), "exact"
                else:
                    copy, edits = reprint(text, seed * 7919 + group * 31 + number)
                    kind = "+".join(edits)
                out.add(article(copy, later, kind), original.id, kind)
    return out


def score(corpus: Corpus, duplicate_of: dict[str, str | None]) -> dict[str, float]:
    """Recall: share of true duplicates marked as duplicates of their original.
    Precision: share of marked duplicates that really are copies of what they point to."""
    truth = {i: c for i, c in corpus.canonical.items() if c is not None}
    marked = {i: c for i, c in duplicate_of.items() if c is not None}
    found = sum(1 for i, c in truth.items() if marked.get(i) == c)

    def family(article_id: str) -> str:
        return corpus.canonical.get(article_id) or article_id

    right = sum(1 for i, c in marked.items() if family(i) == family(c))
    return {
        "duplicates": len(truth),
        "marked": len(marked),
        "recall": found / len(truth) if truth else 1.0,
        "precision": right / len(marked) if marked else 1.0,
    }


def nearly_empty_pages(seed: int, header: str = "", footer: str = "") -> list[str]:
    """Pages of one site with almost no text of their own: each has a line the site puts
    on its pages (about 45 words) and a few words, two with the site's header or footer
    around them, two nothing but the line. No two are copies of each other."""
    rng = np.random.Generator(np.random.PCG64(seed))
    line = _sentence(rng, 40, 48)
    own = [_sentence(rng, 2, 5) for _ in range(4)]
    pages = [f"{line}\n\n{own[0]}", f"{own[1]}\n\n{line}",
             f"{header}\n\n{line}\n\n{own[2]}".strip(), f"{line}\n\n{own[3]}\n\n{footer}".strip()]
    return pages + [line, line]

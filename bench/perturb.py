"""Seeded, deterministic perturbations of clean article text, one per kind of damage that
Repair must undo. The property tests use them, and ``make eval`` reports how often repair
restores the clean text per kind (``PERTURBATIONS``).

Every function takes the clean text and a seed and returns the damaged text; the same
(text, seed) always gives the same result.
"""

from __future__ import annotations

import random
import re
from typing import Callable

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)

from transforms.repair.scripts import letter_counts

Perturbation = Callable[[str, int], str]

_SOCIAL = ("Facebook", "Twitter", "WhatsApp", "Telegram", "LinkedIn", "Reddit", "Email")
_SECTIONS = ("World", "Europe", "Politics", "Business", "Opinion", "Sport", "Culture", "Asia")
_SITES = ("The Daily Ledger", "Northern Courier", "Globe Wire", "Metro Tribune", "The Sentinel")
_TOPICS = ("Ukraine", "Russia", "NATO", "energy", "sanctions", "elections", "Kremlin", "EU")

# Templates a site's page furniture is made of; none of them appears in the seeds.
_BOILERPLATE_TEMPLATES = (
    "Share this:",
    "Share on {social}",
    "Click to share on {social} (Opens in new window)",
    "Click to email a link to a friend (Opens in new window)",
    "Follow {site} on {social}",
    "Follow us on {social} for the latest updates",
    "Sign up for our {adjective} newsletter",
    "Subscribe to our newsletter",
    "Get the latest {topic} news delivered to your inbox",
    "© {year} {site}. All rights reserved.",
    "Copyright {year} {site}",
    "Home > {section} > {section2}",
    "Home » {section} » {topic}",
    "Tags: {topic}, {topic2}, {section}",
    "Posted in {section}",
    "Filed under: {section}",
    "Related Posts",
    "Related Articles",
    "You may also like",
    "Advertisement",
    "{number} Comments",
    "Leave a comment",
    "Comments are closed.",
    "Skip to main content",
    "Back to top",
    "Continue reading",
    "Read more",
    "Previous article",
    "Next post",
    "{social} | {social2} | Email",
    "We use cookies to improve your experience. By continuing to browse, you agree to our use of cookies.",
    "Accept all cookies",
    "Powered by WordPress",
    "Photo: {site}",
    "Read also: {topic} talks stall again",
    "Notify me of new posts by email.",
    "* * *",
    "----------",
)

# Short words of scripts an article of another script should not contain, written so no
# two share a word (a term an article repeats is kept on purpose).
STRAY_WORDS = {
    "Arabic": ("وبر", "كتب", "سلام", "مدينة"),
    "Cyrillic": ("ещё", "слово", "город", "также"),
    "Greek": ("και", "λόγος", "πόλη"),
    "Hebrew": ("שלום", "ספר", "עיר"),
    "Devanagari": ("नमस्ते", "शहर", "किताब"),
    "CJK": ("的是", "新闻", "城市"),
    "Georgian": ("ქალაქი", "წიგნი"),
    "Armenian": ("քաղաք", "գիրք"),
}

_INVISIBLES = ("\u200b", "\u200c", "\ufeff", "\u00ad", "\u2060")
_BIDI = ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069")
_CONTROLS = ("\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f")


def boilerplate_line(rng: random.Random) -> str:
    """One generated line of page furniture."""
    template = rng.choice(_BOILERPLATE_TEMPLATES)
    social, social2 = rng.sample(_SOCIAL, 2)
    section, section2 = rng.sample(_SECTIONS, 2)
    topic, topic2 = rng.sample(_TOPICS, 2)
    return template.format(
        social=social,
        social2=social2,
        section=section,
        section2=section2,
        topic=topic,
        topic2=topic2,
        site=rng.choice(_SITES),
        adjective=rng.choice(("daily", "weekly", "free", "morning")),
        year=rng.randint(2000, 2030),
        number=rng.randint(0, 999),
    )


def mojibake_cp1252(text: str, seed: int = 0) -> str:
    """UTF-8 bytes read as Windows-1252 (ftfy's sloppy variant, which maps the five
    unassigned bytes instead of failing, as real decoders do)."""
    return text.encode("utf-8").decode("sloppy-windows-1252")


def mojibake_latin1(text: str, seed: int = 0) -> str:
    """UTF-8 bytes read as Latin-1 (C1 controls where Windows-1252 has curly quotes)."""
    return text.encode("utf-8").decode("latin-1")


def double_mojibake(text: str, seed: int = 0) -> str:
    """The Windows-1252 mistake made twice."""
    return mojibake_cp1252(mojibake_cp1252(text))


def partial_mojibake(text: str, seed: int = 0) -> str:
    """Only one stretch of the text garbled, cut at spaces, as when two sources were
    concatenated. The stretch holds at least one non-ASCII character when the text has one,
    so the damage is never a no-op."""
    rng = random.Random(seed)
    special = [i for i, char in enumerate(text) if not char.isascii()]
    if not special:
        return text
    anchor = rng.choice(special)
    starts = [0] + [m.end() for m in re.finditer(" ", text[:anchor])]
    ends = [anchor + m.start() for m in re.finditer(" ", text[anchor:])] + [len(text)]
    start, end = rng.choice(starts), rng.choice(ends)
    garble = rng.choice((mojibake_cp1252, mojibake_latin1))
    return text[:start] + garble(text[start:end]) + text[end:]


def inject_boilerplate(text: str, seed: int = 0, lines: int = 3) -> str:
    """Generated boilerplate lines as their own paragraphs at the top, between
    paragraphs and at the bottom."""
    rng = random.Random(seed)
    paragraphs = text.split("\n\n")
    for _ in range(lines):
        position = rng.randint(0, len(paragraphs))
        paragraphs.insert(position, boilerplate_line(rng))
    return "\n\n".join(paragraphs)


def inject_trailing_cta(text: str, seed: int = 0) -> str:
    """A dangling "Read more" after the last sentence of a paragraph."""
    rng = random.Random(seed)
    paragraphs = text.split("\n\n")
    stopped = [i for i, p in enumerate(paragraphs) if p.rstrip().endswith((".", "!", "?", "”"))]
    if not stopped:
        return text
    index = rng.choice(stopped)
    phrase = rng.choice(("Read More", "Read more", "find out more", "Continue reading", "Learn more"))
    paragraphs[index] = paragraphs[index] + " " + phrase
    return "\n\n".join(paragraphs)


def inject_stray_script(text: str, seed: int = 0, script: str | None = None) -> str:
    """A short word of another script dropped in before a word, away from quotes and
    brackets. The script is picked from those the text does not use."""
    rng = random.Random(seed)
    present = set(letter_counts(text))
    scripts = sorted(name for name in STRAY_WORDS if name not in present)
    if script is None:
        script = rng.choice(scripts)
    word = rng.choice(STRAY_WORDS[script])
    if word in text:
        return text
    # Insert before a word that starts with a letter and after a space or line start, so the
    # fragment is neither quoted nor bracketed.
    slots = [m.start() for m in re.finditer(r"(?:(?<= )|(?<=^))[^\W\d_]", text, re.MULTILINE)]
    slots = [s for s in slots if s == 0 or text[s - 1] in " \n"]
    if not slots:
        return word + " " + text
    position = rng.choice(slots)
    return text[:position] + word + " " + text[position:]


def _sprinkle(text: str, rng: random.Random, chars: tuple[str, ...], count: int) -> str:
    pieces = list(text)
    for _ in range(count):
        position = rng.randint(0, len(pieces))
        pieces.insert(position, rng.choice(chars))
    return "".join(pieces)


def inject_zero_width(text: str, seed: int = 0, count: int = 5) -> str:
    """Zero-width spaces, non-joiners, BOMs, soft hyphens and word joiners anywhere
    (for Latin-script text, where none of them is needed)."""
    return _sprinkle(text, random.Random(seed), _INVISIBLES, count)


def inject_bom(text: str, seed: int = 0, count: int = 2) -> str:
    """Byte order marks at the start and in the middle, as concatenated files leave them."""
    return "\ufeff" + _sprinkle(text, random.Random(seed), ("\ufeff",), count)


def inject_bidi(text: str, seed: int = 0, count: int = 4) -> str:
    """Bidi embedding, override and isolate controls."""
    return _sprinkle(text, random.Random(seed), _BIDI, count)


def inject_controls(text: str, seed: int = 0, count: int = 5) -> str:
    """NULs and other C0 control characters."""
    return _sprinkle(text, random.Random(seed), _CONTROLS, count)


def damage_whitespace(text: str, seed: int = 0) -> str:
    """CRLF line ends, doubled spaces, trailing spaces, NBSPs and extra blank lines."""
    rng = random.Random(seed)
    out = []
    for line in text.split("\n"):
        if line and rng.random() < 0.5:
            line = line + rng.choice((" ", "  ", "\t", "\u00a0"))
        if " " in line and rng.random() < 0.5:
            spaces = [m.start() for m in re.finditer(" ", line)]
            position = rng.choice(spaces)
            line = line[:position] + rng.choice(("  ", "\u00a0", " \t ")) + line[position + 1 :]
        out.append(line)
    damaged = "\n".join(out).replace("\n\n", "\n" + "\n" * rng.randint(1, 4))
    return damaged.replace("\n", "\r\n")


PERTURBATIONS: dict[str, Perturbation] = {
    "mojibake_cp1252": mojibake_cp1252,
    "mojibake_latin1": mojibake_latin1,
    "double_mojibake": double_mojibake,
    "partial_mojibake": partial_mojibake,
    "boilerplate": inject_boilerplate,
    "trailing_cta": inject_trailing_cta,
    "stray_script": inject_stray_script,
    "zero_width": inject_zero_width,
    "bom": inject_bom,
    "bidi_override": inject_bidi,
    "control_chars": inject_controls,
    "whitespace": damage_whitespace,
}


def perturb(kind: str, text: str, seed: int = 0) -> str:
    """Apply the named perturbation; the names are the keys of ``PERTURBATIONS``."""
    try:
        function = PERTURBATIONS[kind]
    except KeyError:
        known = ", ".join(sorted(PERTURBATIONS))
        raise ValueError(f"Unknown perturbation {kind!r}; use one of: {known}.") from None
    return function(text, seed)


def restoration_rates(
    texts: list[str],
    repair: Callable[[str], object],
    seeds: range = range(3),
    kinds: tuple[str, ...] | None = None,
) -> dict[str, float]:
    """For each kind, the share of (text, seed) pairs where ``repair`` gives the same result
    for the damaged text as for the clean one; what ``make eval`` reports per kind."""
    rates = {}
    for kind in kinds or tuple(PERTURBATIONS):
        trials = restored = 0
        for text in texts:
            expected = repair(text)
            for seed in seeds:
                trials += 1
                restored += repair(perturb(kind, text, seed)) == expected
        rates[kind] = restored / trials if trials else 0.0
    return rates

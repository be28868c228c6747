"""Boilerplate: navigation, share and comment widgets, newsletter and cookie banners, CMS
footers and dangling "Read More" links, told apart from article text.

Three kinds of evidence, each enough on its own, and all of them demand a short line that
does not read as a sentence (over-removal is worse than under-removal):

* a small vocabulary of widget phrases and calls to action that generalises across sites,
* line shape: separators, breadcrumbs and link lists,
* recurrence: short lines found in many unrelated articles of the same run, counted in Beam
  (``FindCommonLines``) and handed to the repair step as a side input.
"""

import hashlib
import math
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

import apache_beam as beam

Edit = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class BoilerplateConfig:
    """When a line counts as boilerplate.

    ``max_words`` (20): vocabulary matches only in lines this short; articles' sentences
    that happen to start with "Share" or "Follow" are usually longer and end with a stop.
    ``max_line_chars`` (300): longer lines are never looked at, whatever they contain.
    ``recurrence_max_words`` (12) and ``recurrence_max_chars`` (160): lines counted for
    recurrence; long lines that recur are copied articles, a job for the near-copy stage.
    ``min_articles`` (3) and ``min_fraction`` (0.005): a line is common when it occurs in at
    least max(min_articles, min_fraction * articles in the run) distinct articles.
    ``max_common_share`` (0.5): when common lines would take more than this share of an
    article's characters, the article is probably a copy of others, so recurrence is not
    trusted for it.
    """

    max_words: int = 20
    max_line_chars: int = 300
    recurrence_max_words: int = 12
    recurrence_max_chars: int = 160
    min_articles: int = 3
    min_fraction: float = 0.005
    max_common_share: float = 0.5


_SOCIAL = (
    "facebook|twitter|whatsapp|telegram|linkedin|reddit|pinterest|tumblr|pocket|flipboard"
    "|messenger|email|e-mail|print|sms|vk|vkontakte|weibo|wechat|viber|instagram"
    "|youtube|tiktok|mastodon|bluesky|parler|truth social|rumble|gettr"
)
_CTA = (
    r"(?:read|find out|learn|see|show|view|load|discover|get|click|tap|continue|keep)"
    r" (?:more|all|here|reading|the full (?:story|article|report)|full (?:story|article)"
    r"|more here|more about this|more stories|details|the story)"
)
_SITE = r"(?:this|the|our) (?:web ?)?(?:site|page)"


def _vocabulary(groups: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    """One pattern with a named group per kind of boilerplate, so a match says why."""
    return re.compile("|".join(f"(?P<{name}>{'|'.join(parts)})" for name, parts in groups.items()))


# Phrases that are widget text wherever they start a line; the line may go on (the comment
# form explains its fields, the cookie banner its purposes).
_WIDGET_PREFIX = _vocabulary(
    {
        "comment_form": (
            r"your email address will not be published",
            r"required fields are marked",
            r"leave a (?:reply|comment|response)",
            r"(?:you must be|please) log(?:ged)? ?in to (?:post|leave|write) a comment",
            r"comments? (?:are|is) closed",
            r"this site uses akismet",
            r"save my name, email",
            r"notify me of (?:new|follow-?up)",
            r"cancel reply",
        ),
        "navigation": (r"skip to (?:the )?(?:main )?(?:content|navigation|menu|search|footer|primary)",),
        "share_widget": (
            r"click to (?:share|email|print|tweet|post|open)",
            r"opens in (?:a )?new (?:window|tab)",
            r"wp twitter auto publish",
        ),
        "cookie_banner": (
            rf"(?:we|{_SITE}) uses? cookies",
            r"by (?:continuing to (?:use|browse)|using|browsing) (?:this|our) (?:web)?site",
            r"(?:accept|reject|allow|manage|customi[sz]e) (?:all )?cookies",
            r"cookie (?:policy|settings|preferences|consent)",
        ),
        "newsletter": (
            r"(?:sign up|subscribe|register) (?:for|to) (?:our|the|a|my) .{0,50}"
            r"(?:newsletter|e-?mails?|alerts|updates|digest|briefing)",
            r"get (?:the latest|our) .{0,60}(?:in|to|delivered to|straight to) your inbox",
        ),
        "social_follow": (r"follow (?:us|me) on", rf"(?:like|join|find) us on (?:{_SOCIAL})"),
        # Copyright notices end with a stop by convention, so they are matched whatever
        # their shape; "Copyright law was changed..." does not start with a sign or a year.
        "site_footer": (
            r"(?:©|\(c\))",
            r"copyright\s*(?:©|\(c\))?\s*\d{4}",
            r".{0,80}\ball rights reserved",
        ),
    }
)

# Lines that are entirely one of these (after trimming bullets and punctuation).
_WHOLE_LINE = _vocabulary(
    {
        "call_to_action": (
            _CTA,
            r"read more|find out more|learn more|see more|show more|load more|more|full story",
            r"click here|continue reading|read on|keep reading",
        ),
        "share_widget": (
            rf"(?:share|tweet|pin|email|print|save|like|post)(?: (?:this|it))?"
            rf"(?: (?:article|story|post|page))?(?: (?:on|via|to) (?:{_SOCIAL}))?",
            rf"(?:{_SOCIAL})(?:[ ,|/•·]+(?:{_SOCIAL}))*",
            r"copy (?:link|url)|shares|like this",
        ),
        "social_follow": (rf"follow [\w.&'’ -]{{1,40}} (?:on|via) (?:{_SOCIAL})(?: .{{0,40}})?",),
        "advertising": (
            r"loading|advertisement|advertising|ad|sponsored(?: content)?|promoted(?: content)?"
            r"|partner content",
        ),
        "related_links": (
            r"related(?: (?:posts?|articles?|stories|news|content|coverage|topics|links|reading))?",
            r"you (?:may|might) (?:also )?like|recommended(?: for you| stories| articles)?",
            r"more (?:stories|news|articles|videos)(?: (?:from|on|about|like this)(?: .{1,30})?)?",
            r"(?:most )?(?:popular|read|viewed|shared|trending)(?: now| today| stories| articles)?",
        ),
        "comment_widget": (
            r"(?:\d+ |no )?comments?(?: \(\d+\))?(?: yet)?",
            r"(?:post|add|write|view|show) (?:a |all )?comments?",
        ),
        "navigation": (
            r"menu|main menu|home|homepage|search|search for|back to top|top|go to top"
            r"|scroll to top|toggle navigation|navigation|close|open menu",
            r"(?:previous|next|older|newer) (?:post|article|story|page|entry)s?",
        ),
        "newsletter": (
            r"subscribe(?: now| today| here)?|newsletter|sign (?:up|in)|log ?in|log ?out|register",
        ),
        "site_footer": (
            r"contact(?: us)?|about(?: us)?|privacy(?: policy)?"
            r"|terms(?: (?:of|and) (?:use|service|conditions))?"
            r"|advertise(?: with us)?|careers|imprint|impressum|sitemap|faq|help",
            r"(?:the )?(?:end|fin)",
        ),
        "attribution": (r"via [\w.&'’ -]{1,40}",),
    }
)

# Short lines that start like metadata or credits and go on with names or links.
_META_PREFIX = _vocabulary(
    {
        "metadata": (
            r"(?:tags?|topics?|categories|category|filed under|labels?|keywords?|related topics) ?:",
            r"posted (?:in|by|on|under) ",
            r"published (?:in|by) ",
        ),
        "credit": (
            r"(?:photo|image|video|picture|source|sources|credit|photo credit|image credit"
            r"|caption|watch|listen) ?:",
        ),
        "related_links": (r"(?:read also|also read|see also|read more|more on this|more from) ?:",),
        "site_footer": (r".{0,80}\bpowered by\b",),
    }
)

# A call to action left dangling after the last sentence of a paragraph ("... as
# “hysteria.” Read More"). It must follow terminal punctuation and end the line.
_TRAILING_CTA = re.compile(
    r"(?<=[.!?…\"”’»)])[ \t]+(?:read more|find out more|learn more|continue reading|click here"
    r"|see more|more here|read the full (?:story|article)|full story|read full (?:story|article))"
    r"[ \t.…:»›>]*$",
    re.IGNORECASE,
)
_TRAILING_WINDOW = 80

# The ``detail`` of each boilerplate repair, by what the line was recognised as.
_REASONS = {
    "comment_form": "comment form text",
    "comment_widget": "comment widget",
    "navigation": "site navigation",
    "share_widget": "share widget",
    "cookie_banner": "cookie banner",
    "newsletter": "newsletter or account link",
    "social_follow": "social media call to follow",
    "call_to_action": "call to action",
    "advertising": "advertising label",
    "related_links": "related-content link",
    "site_footer": "site footer",
    "attribution": "attribution line",
    "metadata": "post metadata",
    "credit": "credit or media label",
    "separator": "separator line",
    "link_list": "link list or breadcrumb",
    "recurring": "recurs in many articles of this run",
    "trailing": "dangling call to action after a paragraph",
}

_ITEM_SEPARATORS = re.compile(r"\s+[>›»|•·/]\s+|\s*[|•·]\s*")
_SENTENCE_END = (".", "!", "?", "…")
_WORD = re.compile(r"\S+")
_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$")


def normalise_line(line: str) -> str:
    """The form in which lines are compared across articles: case, digits and spacing
    vary between pages of one site ("3 Comments", "12 Comments")."""
    return re.sub(r"\d+", "0", " ".join(line.casefold().split()))


def _bare(line: str) -> str:
    """Case-folded, single-spaced, without bullets, arrows or punctuation at either end."""
    return _EDGE_JUNK.sub("", " ".join(line.casefold().split()))


def _word_count(line: str, limit: int) -> int:
    """Words in ``line``, counting no further than ``limit + 1`` (lines can be megabytes)."""
    count = 0
    for _ in _WORD.finditer(line):
        count += 1
        if count > limit:
            break
    return count


def _is_link_list(line: str) -> bool:
    """Breadcrumbs ("Home > World > Europe") and link rows ("Facebook | Twitter | Email"):
    three or more short items, none a sentence or a number."""
    items = [item.strip() for item in _ITEM_SEPARATORS.split(line) if item.strip()]
    if len(items) < 3:
        return False
    return all(
        len(item.split()) <= 4
        and not item.endswith(_SENTENCE_END)
        and not any(char.isdigit() for char in item)
        for item in items
    )


def boilerplate_reason(line: str, config: BoilerplateConfig = BoilerplateConfig()) -> str | None:
    """Why a whole line is boilerplate, or None when it may be article text."""
    stripped = line.strip()
    if not stripped or len(stripped) > config.max_line_chars:
        return None
    if not any(char.isalnum() for char in stripped):
        return _REASONS["separator"]
    words = _word_count(stripped, config.max_words)
    if words > config.max_words:
        return None
    folded = " ".join(stripped.casefold().split())
    bare = _bare(stripped)
    match = _WIDGET_PREFIX.match(folded) or _WIDGET_PREFIX.match(bare)
    if match:
        return _REASONS[match.lastgroup]
    sentence = stripped.rstrip("\"'”’»)").endswith(_SENTENCE_END)
    # A stopped line of several words reads as a sentence, whatever its first words.
    if not sentence or words <= 4:
        match = _WHOLE_LINE.fullmatch(bare) or _WHOLE_LINE.fullmatch(folded)
        if match:
            return _REASONS[match.lastgroup]
    if not sentence or words <= 8:
        match = _META_PREFIX.match(bare) or _META_PREFIX.match(folded)
        if match:
            return _REASONS[match.lastgroup]
    if not sentence and _is_link_list(stripped):
        return _REASONS["link_list"]
    return None


def strip_trailing_cta(line: str) -> tuple[str, str]:
    """Split a dangling call to action off the end of a paragraph: (kept, removed)."""
    tail = line[-_TRAILING_WINDOW:]
    match = _TRAILING_CTA.search(tail)
    if match is None:
        return line, ""
    removed = tail[match.start() :]
    return line[: len(line) - len(removed)], removed


def is_recurrence_candidate(line: str, config: BoilerplateConfig = BoilerplateConfig()) -> bool:
    """Short lines with letters are the only ones counted across articles."""
    stripped = line.strip()
    return (
        0 < len(stripped) <= config.recurrence_max_chars
        and _word_count(stripped, config.recurrence_max_words) <= config.recurrence_max_words
        and any(char.isalpha() for char in stripped)
    )


def article_signature(text: str) -> str:
    """Copies of one story share their longest paragraph, so counting distinct signatures
    instead of articles keeps a syndicated story's own lines from looking like boilerplate."""
    longest = " ".join(max(text.split("\n"), key=len, default="").split())
    return hashlib.blake2b(longest.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def short_line_keys(text: str, config: BoilerplateConfig = BoilerplateConfig()) -> set[str]:
    """The distinct normalised short lines of one article."""
    return {normalise_line(line) for line in text.split("\n") if is_recurrence_candidate(line, config)}


def remove_boilerplate(
    text: str,
    config: BoilerplateConfig = BoilerplateConfig(),
    common_lines: frozenset[str] | set[str] = frozenset(),
) -> tuple[str, list[Edit]]:
    """Drop boilerplate lines and dangling calls to action; blank lines left behind are
    tidied by the caller. Returns the new text and one edit per removal."""
    lines = text.split("\n")
    edits: list[Edit] = []
    common = [
        index
        for index, line in enumerate(lines)
        if common_lines and is_recurrence_candidate(line, config) and normalise_line(line) in common_lines
    ]
    common_chars = sum(len(lines[index]) for index in common)
    trust_common = common_chars <= config.max_common_share * max(1, len(text.strip()))
    common_set = set(common) if trust_common else set()
    kept: list[str] = []
    for index, line in enumerate(lines):
        reason = boilerplate_reason(line, config)
        if reason is None and index in common_set:
            reason = _REASONS["recurring"]
        if reason is not None:
            edits.append(("boilerplate", line, reason))
            continue
        line, removed = strip_trailing_cta(line)
        if removed:
            edits.append(("boilerplate", removed, _REASONS["trailing"]))
        kept.append(line)
    return ("\n".join(kept) if edits else text), edits


def common_line_threshold(total_articles: int, config: BoilerplateConfig) -> int:
    return max(config.min_articles, math.ceil(config.min_fraction * total_articles))


def find_common_lines(
    texts: Iterable[str], config: BoilerplateConfig = BoilerplateConfig()
) -> frozenset[str]:
    """``FindCommonLines`` without Beam, for callers holding a whole corpus in memory (eval,
    warming a streaming worker from a sample). Same keys, same threshold."""
    stories: dict[str, set[str]] = {}
    total = 0
    for text in texts:
        total += 1
        signature = article_signature(text)
        for key in short_line_keys(text, config):
            stories.setdefault(key, set()).add(signature)
    threshold = common_line_threshold(total, config)
    return frozenset(key for key, seen in stories.items() if len(seen) >= threshold)


class _ShortLinesWithSignature(beam.DoFn):
    """One (line, article signature) pair per distinct short line of an article."""

    def __init__(self, config: BoilerplateConfig):
        self._config = config

    def process(self, text: str) -> Iterator[tuple[str, str]]:
        signature = article_signature(text)
        for key in short_line_keys(text, self._config):
            yield key, signature


class FindCommonLines(beam.PTransform):
    """Texts in, the normalised short lines that recur across distinct articles out.

    Apply it to the repaired-so-far texts and pass the result to the repair step with
    ``beam.pvalue.AsList``; it holds only short lines that passed the threshold, so it is
    small even for a large run.
    """

    def __init__(self, config: BoilerplateConfig = BoilerplateConfig()):
        super().__init__()
        self._config = config

    def expand(self, texts):
        config = self._config
        total = texts | "CountArticles" >> beam.combiners.Count.Globally()
        return (
            texts
            | "ShortLines" >> beam.ParDo(_ShortLinesWithSignature(config))
            | "OncePerStory" >> beam.Distinct()
            | "LineOnly" >> beam.Keys()
            | "CountStories" >> beam.combiners.Count.PerElement()
            | "KeepCommon"
            >> beam.Filter(
                lambda pair, total: pair[1] >= common_line_threshold(total, config),
                total=beam.pvalue.AsSingleton(total),
            )
            | "Lines" >> beam.Keys()
        )

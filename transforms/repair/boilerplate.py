"""Boilerplate: navigation, share and comment widgets, newsletter and cookie banners, CMS
footers and dangling "Read More" links, told apart from article text; the widgets of news
sites in eight languages (sign-up forms, video players, pitches, ad markers, credit-only
lines) are recognised in ``widgets``.

Three kinds of evidence, each enough on its own, and all of them demand a short line that
does not read as a sentence (over-removal is worse than under-removal):

* a small vocabulary of widget phrases and calls to action that generalises across sites,
* line shape: separators, breadcrumbs and rows of widget links,
* recurrence: short lines found in most stories of the same publisher, counted by
  ``transforms.repair.common_lines`` and handed to ``remove_boilerplate`` per article.

Whatever the evidence, a line shaped like article content is never removed: quotes,
datelines, bylines, list items (lists of names), table rows (``content_shape``).
"""

import re
from dataclasses import dataclass

from transforms.repair.widgets import long_form_reason, widget_reason

Edit = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class BoilerplateConfig:
    """When a line counts as boilerplate.

    ``max_words`` (20): vocabulary matches only in lines this short; articles' sentences
    that happen to start with "Share" or "Follow" are usually longer and end with a stop.
    ``max_line_chars`` (300): longer lines are never looked at, whatever they contain.
    ``recurrence_max_words`` (12) and ``recurrence_max_chars`` (160): lines counted for
    recurrence; long lines that recur are copied articles, a job for the near-copy stage.
    ``min_articles`` (3) and ``min_fraction`` (0.5): a line is a publisher's template when
    it occurs in at least max(min_articles, min_fraction * that publisher's stories) of its
    distinct stories: a template is on most of a site's pages, while a subheading or a
    short paragraph a site happens to reuse is in a fifth of them at most. Counted per
    publisher, the threshold does not depend on the size of the run, and a line that
    recurs only across publishers (wire copy) is never common.
    ``max_common_share`` (0.5): when common lines would take more than this share of an
    article's characters, the article is probably a copy of others, so recurrence is not
    trusted for it.
    """

    max_words: int = 20
    max_line_chars: int = 300
    recurrence_max_words: int = 12
    recurrence_max_chars: int = 160
    min_articles: int = 3
    min_fraction: float = 0.5
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
            # "Posted by Jane Doe" is a byline; only a CMS's default account is not.
            r"posted (?:in|on|under) ",
            r"posted by (?:admin|administrator|editor|webmaster|staff|guest|user)\b",
            r"published in ",
        ),
        # A credit names who took the picture; longer text after the label is a caption.
        "credit": (
            r"(?:photos?|images?|videos?|pictures?|credits?|photo credit|image credit"
            r"|watch|listen) ?:",
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
    "recurring": "recurs in many stories of this publisher",
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


# Quotation marks that open a quote, and those that may close one.
_OPENING_QUOTES = "\"“„«‘‚'「『‹"
_CLOSING_QUOTES = "\"”“»’'」』›"
# List markers: bullets and dashes (Russian lists and direct speech start with a dash),
# "1." or "1)" and "a)".
_LIST_ITEM = re.compile(r"(?:[•·▪◦‣●○■□►▸*–—-]|\d{1,3}[.)]|[^\W\d_][)])\s*(?=[^\W_])")
_BYLINE = re.compile(
    r"(?i:(?:(?:reporting|written|story|words|text|edited|additional reporting) by|by|von|par"
    r"|por|door|przez|autor|autorka|auteur|autore|автор(?:ы)?|текст))\s*:?\s+(?=[^\W\d_])"
)
# A news agency credited on a line of its own ("Reuters", "— ТАСС", "(AP)").
_AGENCY = re.compile(
    r"[-–—(/\s]*(?:reuters|ap|afp|dpa|ansa|efe|pap|xinhua|bloomberg|associated press|tass|тасс"
    r"|риа новости|интерфакс|укрінформ|уніан)[)/\s.]*"
)
# A dateline's place in capitals, then a comma, a bracket or a dash ("KYIV, March 3",
# "MOSCOW (AP) —", "МОСКВА, 3 марта"), or an agency in brackets before a dash.
_DATELINE_PLACE = re.compile(r"([^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3})\s*(,|\(|[-–—](?:\s|$))")
_AGENCY_DASH = re.compile(r".{0,80}?\([^()]{2,30}\)\s*[-–—]")
_DATES_AND_TIMES = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\b\d{1,2}:\d{2}\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SCORE = re.compile(r"(?<!\d)\d{1,2}\s*[-–:]\s*\d{1,2}(?!\d)")
_FIGURE = re.compile(r"[+−-]?\d[\d.,  ]*%?")
_CELL_SEPARATORS = re.compile(r"\s*[|\t]\s*")


def _is_quote(line: str) -> bool:
    """Opens with a quotation mark that is followed by a word or closed later ("« Previous
    post" is an arrow, « Nous ne voulons pas » a quote)."""
    if line[0] not in _OPENING_QUOTES or len(line) < 2:
        return False
    return line[1].isalnum() or any(mark in line[2:] for mark in _CLOSING_QUOTES)


def _is_dateline(line: str) -> bool:
    if _AGENCY_DASH.match(line):
        return True
    match = _DATELINE_PLACE.match(line)
    if match is None or not match.group(1).isupper() or sum(c.isalpha() for c in match.group(1)) < 2:
        return False
    rest = line[match.end() :]
    # Page furniture in capitals has no date, agency or lower-case text after the place.
    return match.group(2) == "(" or not rest or any(char.isdigit() or char.islower() for char in rest)


def _is_table_row(line: str) -> bool:
    """Results and figures: three numbers (dates aside), a score, or cells of a table."""
    numbers = _DATES_AND_TIMES.sub(" ", line)
    if len(_NUMBER.findall(numbers)) >= 3 or _SCORE.search(numbers):
        return True
    cells = [cell for cell in _CELL_SEPARATORS.split(line) if cell]
    return len(cells) >= 3 and (
        2 * sum(len(cell) <= 3 for cell in cells) >= len(cells)
        or any(_FIGURE.fullmatch(cell) for cell in cells)
    )


def content_shape(line: str) -> str | None:
    """What kind of article content a stripped line is shaped like (quote, dateline,
    byline, list item, table row), or None. Such lines are never boilerplate, whatever
    words they contain: lists of names and short quotes are what the reader came for."""
    if _is_quote(line):
        return "quote"
    byline = _BYLINE.match(line)
    if byline and line[byline.end()].isupper() or _AGENCY.fullmatch(line.casefold()):
        return "byline"
    if _is_dateline(line):
        return "dateline"
    if _LIST_ITEM.match(line):
        return "list_item"
    if _is_table_row(line):
        return "table_row"
    return None


_HOME = re.compile(
    r"(?:you are here:? ?)?(?:home|homepage|start|startseite|accueil|inicio|portada|главная"
    r"|головна|news|nachrichten|actualités|noticias|новости|новини)"
)
_DIRECTIONAL = re.compile(r"\s[>›»]\s")


def _is_link_row(line: str) -> bool:
    """Breadcrumbs ("Home > World > Europe", "Home / News") and rows of widget links
    ("Facebook | Twitter | Email"): three or more short items, none a sentence or a number,
    led from a home page or made of widget words. A row of names ("Лавров · Шойгу ·
    Песков") is neither."""
    items = [item.strip() for item in _ITEM_SEPARATORS.split(line) if item.strip()]
    if len(items) < 3 or not all(
        len(item.split()) <= 4
        and not item.endswith(_SENTENCE_END)
        and not any(char.isdigit() for char in item)
        for item in items
    ):
        return False
    if _DIRECTIONAL.search(line) or _HOME.fullmatch(_bare(items[0])):
        return True
    widgets = sum(_WHOLE_LINE.fullmatch(_bare(item)) is not None for item in items)
    return 3 * widgets >= 2 * len(items)


def _is_credit(rest: str) -> bool:
    """After "Photo:", a credit names people or agencies ("Reuters", "Jane Doe for AP");
    anything else ("Putin in the Kremlin") is a caption."""
    words = rest.replace("/", " ").split()
    return 0 < len(words) <= 5 and all(
        word[0].isupper() or word[0].isdigit() or word in ("for", "via", "and", "&", "de", "van", "von")
        for word in words
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
        # A sign-up form run into one line is long; nothing else that long is furniture.
        return long_form_reason(stripped) if not _is_quote(stripped) else None
    folded = " ".join(stripped.casefold().split())
    bare = _bare(stripped)
    shape = content_shape(stripped)
    if shape is not None and shape != "list_item":
        return None
    widget = widget_reason(stripped, folded, bare) if shape is None else None
    if widget is not None:
        return widget
    match = _WIDGET_PREFIX.match(folded) or _WIDGET_PREFIX.match(bare)
    if match:
        return _REASONS[match.lastgroup]
    if shape == "list_item":
        # Only the widget phrases above can be told from a list of names under a bullet.
        return None
    sentence = stripped.rstrip("\"'”’»)").endswith(_SENTENCE_END)
    # A stopped line of several words reads as a sentence, whatever its first words.
    if not sentence or words <= 4:
        match = _WHOLE_LINE.fullmatch(bare) or _WHOLE_LINE.fullmatch(folded)
        if match:
            return _REASONS[match.lastgroup]
    if not sentence or words <= 8:
        match = _META_PREFIX.match(bare) or _META_PREFIX.match(folded)
        if match and (match.lastgroup != "credit" or _is_credit(stripped[match.end() :])):
            return _REASONS[match.lastgroup]
    if not sentence and _is_link_row(stripped):
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


def _is_name_like(words: list[str]) -> bool:
    """Two to six capitalised words ("Владимир Путин", "Jean-Luc de la Tour"): a person,
    a team or a place that a publisher's stories keep naming."""
    particles = {"de", "da", "di", "del", "la", "le", "du", "van", "von", "der", "den", "bin",
                 "ibn", "al", "el", "y", "and", "&", "и"}
    capitalised = 0
    for word in words:
        letter = next((char for char in word if char.isalpha()), "")
        if letter.isupper():
            capitalised += 1
        elif word.casefold() not in particles:
            return False
    return 2 <= len(words) <= 6 and capitalised >= 2


def is_recurrence_candidate(line: str, config: BoilerplateConfig = BoilerplateConfig()) -> bool:
    """The lines counted across a publisher's stories: short, with letters, and not shaped
    like content that stories repeat on purpose (names, bylines, datelines, list items,
    quotes, and whole sentences such as "X did not respond to a request for comment.")."""
    stripped = line.strip()
    if not (
        0 < len(stripped) <= config.recurrence_max_chars
        and _word_count(stripped, config.recurrence_max_words) <= config.recurrence_max_words
        and any(char.isalpha() for char in stripped)
    ):
        return False
    words = stripped.split()
    sentence = stripped.rstrip("\"'”’»)").endswith(_SENTENCE_END) and len(words) >= 4
    return not sentence and not _is_name_like(words) and content_shape(stripped) is None


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
    reasons = [boilerplate_reason(line, config) for line in lines]
    headers = _table_headers(lines, config)
    for index in _items_of_lists(lines, reasons, config) | headers:
        reasons[index] = None
    common_set -= headers
    kept: list[str] = []
    for index, line in enumerate(lines):
        reason = reasons[index]
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


def _items_of_lists(lines: list[str], reasons: list[str | None], config: BoilerplateConfig) -> set[int]:
    """One- and two-word lines that matched a widget word ("Telegram", "Home") but stand in
    a list, one a line, that has items that are not widgets or that a line of the article
    introduces ("Banned apps:"): the list names things, so every item stays."""
    keep: set[int] = set()
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and _is_list_line(lines[end], config):
            end += 1
        block = range(start, end)
        if len(block) >= 2 and (_introduced(lines, reasons, start) or any(reasons[i] is None for i in block)):
            keep.update(
                index for index in block
                if reasons[index] is not None and len(lines[index].split()) <= 2
                and _WHOLE_LINE.fullmatch(_bare(lines[index]))
            )
        start = end + 1
    return keep


def _introduced(lines: list[str], reasons: list[str | None], start: int) -> bool:
    """Whether the article line before ``start`` (blank lines aside) ends with a colon."""
    before = next((index for index in range(start - 1, -1, -1) if lines[index].strip()), None)
    return before is not None and reasons[before] is None and lines[before].rstrip().endswith(":")


def _table_headers(lines: list[str], config: BoilerplateConfig) -> set[int]:
    """Lines of cells ("Team | P | W | Pts") directly above a row of figures with as many
    cells: the head of a table, however much it looks like a row of links."""
    headers = set()
    for index in range(len(lines) - 1):
        if len(lines[index]) > config.max_line_chars or len(lines[index + 1]) > config.max_line_chars:
            continue
        cells = [cell for cell in _CELL_SEPARATORS.split(lines[index].strip()) if cell]
        below = lines[index + 1].strip()
        if (
            len(cells) >= 3
            and below
            and _is_table_row(below)
            and len([cell for cell in _CELL_SEPARATORS.split(below) if cell]) == len(cells)
        ):
            headers.add(index)
    return headers


def _is_list_line(line: str, config: BoilerplateConfig) -> bool:
    stripped = line.strip()
    return (
        bool(stripped)
        and any(char.isalnum() for char in stripped)
        and _word_count(stripped, 6) <= 6
        and not stripped.endswith(_SENTENCE_END)
    )

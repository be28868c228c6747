"""HTML in an article's text: a CMS export, a feed's ``content:encoded`` or a scraper that
kept the body's markup sends ``<p>...</p>``. The tags go and their text stays; paragraphs,
line breaks and list items become line breaks; what a reader never sees (scripts, styles,
embeds, comments) goes with its content, each removal recorded.

Careful first: text is taken for HTML only when it holds tags of HTML's own vocabulary,
enough of them (``looks_like_html``; ``x < y``, ``<3`` or an e-mail in angle brackets are
no tags), and a text without block tags keeps its own line breaks."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

Edit = tuple[str, str, str | None]

MIN_TAGS = 2
MIN_INLINE_TAGS = 4
# Tags that open a line of their own (a list item, a table row); the other blocks are
# paragraphs.
_LINES = frozenset({"br", "li", "tr", "dt", "dd"})
# Tags whose edges are line breaks; the others (b, i, a, span...) only lose their tags.
_BLOCKS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "table", "tr", "section", "article", "header", "footer", "figure", "figcaption", "hr",
    "pre", "dl", "dt", "dd", "aside", "nav", "main",
})
_INLINE = frozenset({
    "a", "b", "i", "u", "em", "strong", "span", "small", "sup", "sub", "img", "td", "th",
    "tbody", "thead", "abbr", "cite", "q", "mark", "time", "font", "picture", "source",
    "video", "audio", "code", "s", "ins", "del", "wbr",
})
# Elements whose content a reader never sees: removed with it.
_HIDDEN = frozenset({"script", "style", "noscript", "iframe", "template", "svg", "object",
                     "head"})
_TAG = re.compile(r"</?(%s)(?:\s[^<>]*)?/?>" % "|".join(sorted(_BLOCKS | _INLINE | _HIDDEN)),
                  re.IGNORECASE)
_COLLAPSE = re.compile(r"\s+")
_LINE_EDGES = re.compile(r"[ \t]*\n[ \t]*")
_BLANKS = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """``MIN_TAGS`` HTML tags of which one at least makes a block (a paragraph, a break, a
    list), or ``MIN_INLINE_TAGS`` tags of any kind: a story that names a tag ("type <p>")
    is not markup, ``<p>Text</p><p>More</p>`` is."""
    if "<" not in text:
        return False
    found = blocks = 0
    for match in _TAG.finditer(text):
        found += 1
        blocks += match.group(1).lower() in _BLOCKS
        if found >= MIN_INLINE_TAGS or (found >= MIN_TAGS and blocks):
            return True
    return False


def strip_markup(text: str) -> tuple[str, list[Edit]]:
    """The text without its markup, and the edits: hidden elements and comments each with
    their content, then one edit naming the tags removed."""
    if not looks_like_html(text):
        return text, []
    parser = _Reader(has_blocks=any(m.group(1).lower() in _BLOCKS for m in _TAG.finditer(text)))
    parser.feed(text)
    parser.close()
    # The spaces and breaks left where tags stood are the markup's, not the text's.
    kept = _BLANKS.sub("\n\n", _LINE_EDGES.sub("\n", "".join(parser.parts))).strip()
    edits = list(parser.removed)
    names = " ".join(f"<{tag}>" for tag in sorted(parser.tags))
    count = sum(parser.tags.values())
    edits.append(("html_markup", names,
                  f"removed {count} HTML tag{'s' * (count != 1)}, kept their text"
                  + ("; block edges became line breaks" if parser.has_blocks else "")))
    return kept, edits


class _Reader(HTMLParser):
    """Collects the visible text; character references are decoded as HTML reads them."""

    def __init__(self, has_blocks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.has_blocks = has_blocks
        self.parts: list[str] = []
        self.removed: list[Edit] = []
        self.tags: Counter[str] = Counter()
        self._hidden: list[str] = []
        self._hidden_text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags[tag] += 1
        if tag in _HIDDEN:
            self._hidden.append(tag)
        elif tag in _BLOCKS and not self._hidden:
            self.parts.append("\n" if tag in _LINES else "\n\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.tags[tag] += 1
        if tag in _BLOCKS and not self._hidden:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and tag in self._hidden:
            while self._hidden and self._hidden.pop() != tag:
                pass
            if not self._hidden:
                content = "".join(self._hidden_text)
                self._hidden_text = []
                self.removed.append(("html_markup", content, f"removed a <{tag}> element"))
        elif tag in _BLOCKS and tag not in _LINES and not self._hidden:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            self._hidden_text.append(data)
        elif self.has_blocks:
            # In HTML a line break inside a paragraph is a space; the blocks make the lines.
            self.parts.append(_COLLAPSE.sub(" ", data))
        else:
            self.parts.append(data)

    def handle_comment(self, data: str) -> None:
        self.removed.append(("html_markup", f"<!--{data}-->", "removed an HTML comment"))

    def close(self) -> None:
        # What a script or style left open holds stays in the parser's buffer.
        tail = self.rawdata if self._hidden else ""
        super().close()
        if self._hidden:
            # An element left open to the end: what followed it was never shown either.
            self.removed.append(("html_markup", "".join(self._hidden_text) + tail,
                                 f"removed an unclosed <{self._hidden[0]}> element"))

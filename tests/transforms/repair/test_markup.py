import pytest

from transforms.repair.markup import looks_like_html, strip_markup
from transforms.repair.repair import repair_text

# Bodies as real sources send them: a CMS export, a feed's content:encoded with a figure, a
# block editor's comments, an embedded post with its script, inline-only markup.
HTML_CASES = [
    ("cms export",
     "<p>Shares in <strong>Siemens</strong> rose 3% in Frankfurt on Monday.</p>\n"
     "<p>Analysts at Deutsche Bank said the rally&nbsp;would last.</p>",
     "Shares in Siemens rose 3% in Frankfurt on Monday.\n\n"
     "Analysts at Deutsche Bank said the rally would last."),
    ("feed with a figure and its caption",
     '<figure><img src="https://x.test/a.jpg" alt=""><figcaption>Rescuers in Valencia on '
     "Tuesday.</figcaption></figure><p>The flood &amp; its aftermath left 200 homes empty.</p>",
     "Rescuers in Valencia on Tuesday.\n\nThe flood & its aftermath left 200 homes empty."),
    ("block editor comments",
     "<!-- wp:paragraph -->\n<p>The council met in Leeds.</p>\n<!-- /wp:paragraph -->\n"
     "<!-- wp:paragraph -->\n<p>It voted 7 to 2.</p>\n<!-- /wp:paragraph -->",
     "The council met in Leeds.\n\nIt voted 7 to 2."),
    ("embedded post and its script",
     '<p>The minister wrote:</p><blockquote class="twitter-tweet"><p>We will not back down.'
     '</p></blockquote><script async src="https://platform.x.test/widgets.js"></script>'
     "<p>Critics disagreed.</p>",
     "The minister wrote:\n\nWe will not back down.\n\nCritics disagreed."),
    ("a list and line breaks",
     "<p>Closed roads:</p><ul><li>A1 north</li><li>M6 junction 4</li></ul>"
     "<p>Police said<br>more would follow.</p>",
     "Closed roads:\n\nA1 north\nM6 junction 4\n\nPolice said\nmore would follow."),
    ("inline markup in plain paragraphs",
     "The <b>Bundestag</b> met in Berlin.\n\nThe <i>Bundesrat</i> did not.",
     "The Bundestag met in Berlin.\n\nThe Bundesrat did not."),
    ("a style left open",
     "<p>Prices rose in Lyon.</p><style>p { color: red }",
     "Prices rose in Lyon."),
]

# Text that holds angle brackets and is not markup: it must come back unchanged.
NOT_HTML = [
    "Inflation fell to <2% while x < y held, and fans sent <3 to the team.",
    "Write to <editor@example.com> or <https://example.com/tips> with tips.",
    "He typed <p> into the editor and nothing happened.",
    "Arrows: a <- b, c <= d, e << f; in C++ vector<int> and map<string, int> are types.",
    "<Reuters> The story begins here, in Nairobi, on Monday.",
    "Scores were <10 in three of the <5 districts.",
]


@pytest.mark.parametrize("label,html,text", HTML_CASES, ids=[c[0] for c in HTML_CASES])
def test_markup_goes_and_the_text_stays(label, html, text):
    kept, edits = strip_markup(html)
    assert kept == text
    assert edits and {kind for kind, _, _ in edits} == {"html_markup"}


@pytest.mark.parametrize("text", NOT_HTML)
def test_angle_brackets_that_are_not_markup_are_left_alone(text):
    assert not looks_like_html(text)
    assert strip_markup(text) == (text, [])
    _, repaired, repairs = repair_text(text)
    assert repaired == text and not repairs


def test_what_a_reader_never_sees_is_recorded_with_its_content():
    html = ("<p>Fire in Porto.</p><script>track('x');</script><!-- ad slot 3 -->"
            "<iframe src='v'>video</iframe><p>No one was hurt.</p>")
    kept, edits = strip_markup(html)
    assert kept == "Fire in Porto.\n\nNo one was hurt."
    assert ("html_markup", "track('x');", "removed a <script> element") in edits
    assert ("html_markup", "<!-- ad slot 3 -->", "removed an HTML comment") in edits
    assert ("html_markup", "video", "removed a <iframe> element") in edits
    assert edits[-1] == ("html_markup", "<iframe> <p> <script>",
                         "removed 4 HTML tags, kept their text; block edges became line breaks")


def test_an_html_body_reaches_the_later_repairs_as_lines():
    """After the markup, the article's own repairs see lines: the headline and a share
    prompt of the page are handled as in a plain-text article."""
    html = ("<h1>Flood in Valencia</h1><p>The mayor said &quot;we will rebuild&quot; on "
            "Tuesday, as water fell across the region.</p><p>Share this article on Facebook</p>")
    title, text, repairs = repair_text(html)
    assert title == "Flood in Valencia"
    assert text == 'The mayor said "we will rebuild" on Tuesday, as water fell across the region.'
    assert {r.kind for r in repairs} >= {"html_markup", "title"}

"""Boilerplate: generated page furniture goes, article lines that merely look similar stay
(names, bylines, datelines, quotes, list items, table rows), and a publisher's common lines
go unless they are most of the article."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.perturb import boilerplate_line
from transforms.repair.boilerplate import (
    boilerplate_reason,
    content_shape,
    is_recurrence_candidate,
    normalise_line,
    remove_boilerplate,
    strip_trailing_cta,
)

# Written by hand, in none of the seeds nor the perturbation templates.
UNSEEN_BOILERPLATE = [
    "Share this article",
    "Share via WhatsApp",
    "Sign up to our morning briefing newsletter",
    "Subscribe to the Kyiv Post daily digest",
    "Follow The Kyiv Independent on Twitter",
    "Join us on Telegram",
    "Home / News / World",
    "News › Europe › Ukraine",
    "Tags: Putin, Ukraine, Donbass",
    "TOPICS: Russia-Ukraine war",
    "Posted in Uncategorized",
    "Posted by admin",
    "© Copyright 2023 Example Media Ltd",
    "(c) 2021 Gazette Group",
    "Copyright © 2019 The Hill Country Evening Standard Ltd. All rights reserved.",
    "Copyright 2020 Example Media. Reproduction without permission is prohibited.",
    "This website uses cookies to ensure you get the best experience on our website.",
    "Manage cookies",
    "ADVERTISEMENT",
    "Related Stories",
    "Most Read",
    "Trending Now",
    "Click here",
    "Comments (12)",
    "0 comments",
    "Notify me of follow-up comments by email.",
    "You must be logged in to post a comment.",
    "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    "Filed under: Europe",
    "Photo credit: Reuters",
    "READ MORE: Biden warns Putin over Ukraine",
    "Read also: Sanctions hit the rouble",
    "Like us on Facebook",
    "Facebook Twitter WhatsApp Email",
    "Twitter | Facebook | Telegram",
    "Next article",
    "« Previous post",
    "Back to top ↑",
    "Skip to main content",
    "Opens in new window",
    "Powered by WordPress.com",
    "____________",
    "• • •",
    "via Reuters",
    "Keep reading",
    "Load more",
]

# Short lines from real articles that share a word or a shape with boilerplate.
ARTICLE_LINES = [
    "Return to armistice",
    "exercises and caution",
    "Russian troops on Ukrainian soil now – EU’s top diplomat",
    "High Representative of the European Union for Foreign Affairs and Security Policy Josep "
    "Borrell reacts as he delivers a speech in Paris, on February 22, 2022. © AFP / Christophe "
    "ARCHAMBAULT",
    "Share prices fell sharply on Monday.",
    "Follow the money, the prosecutor said.",
    "Read more books, the minister urged parents.",
    "Home is where the heart is, he said.",
    "More news is expected on Tuesday.",
    "Comments from the Kremlin were muted.",
    "Powered by cheap gas, Germany’s industry boomed for decades.",
    "Posted in 2014, the video was viewed millions of times.",
    "Source of tension: the pipeline",
    "Copyright law was changed in 2019, the court said.",
    "What happens next?",
    "The End of an Era",
    "Sanctions",
    "Putin Makes Big Statement About Recognition Of Ukraine Rebel Independence",
    "Tanks roll into Donetsk",
    "“We do not want war,” Putin said.",
    "Kyiv, Moscow and Minsk traded accusations.",
    "Search continues for missing sailors",
    "Subscribers to the service will be refunded, the company said.",
    "1. Sanctions",
    "2022",
    # Lists of names, in a row or one to a line, with or without bullets.
    "Лавров | Шойгу | Песков",
    "Сергей Лавров · Сергей Шойгу · Дмитрий Песков",
    "Анна Иванова • Мария Петрова • Ольга Сидорова",
    "Лавров / Шойгу / Песков / Мишустин",
    "Jan Nowak | Anna Kowalska | Piotr Wiśniewski",
    "• Telegram",
    "— Сергей Лавров, министр иностранных дел;",
    "2) Home Office",
    # Bylines, datelines, captions, quotes, tables.
    "Posted by Jane Doe",
    "Published by Jane Doe",
    "By Jane Doe, Reuters",
    "Автор: Иван Петров",
    "KYIV, March 3 (Reuters) -",
    "МОСКВА, 3 марта — РИА Новости",
    "Photo: Protesters gather in central Kyiv on the first day of the talks",
    "Source: Ministry of Health",
    "“Sign up for our daily newsletter,” the advert read.",
    "« Nous ne voulons pas la guerre », a dit le président.",
    "Team | P | W | D | L | Pts",
    "Spain 3 1 0 2",
    "Ukraine 2-1 Sweden",
]

# Lines an article repeats on purpose: they are never counted as a publisher's template.
NEVER_COMMON = [
    "Владимир Путин",
    "Jean-Luc de la Tour",
    "By Jane Doe",
    "MOSCOW (AP) —",
    "The Kremlin did not respond to a request for comment.",
    "• Сергей Лавров",
    "“We will not give up.”",
    "Spain 3 1 0 2 5",
    "Reuters",
    "— ТАСС",
]


@pytest.mark.parametrize("line", UNSEEN_BOILERPLATE)
def test_unseen_boilerplate_is_recognised(line):
    assert boilerplate_reason(line) is not None


@pytest.mark.parametrize("line", ARTICLE_LINES)
def test_article_lines_are_kept(line):
    assert boilerplate_reason(line) is None


@pytest.mark.parametrize("line", NEVER_COMMON)
def test_content_that_recurs_is_never_counted(line):
    assert not is_recurrence_candidate(line)


@pytest.mark.parametrize(
    "line, shape",
    [
        ("“We do not want war,” Putin said.", "quote"),
        ("« Previous post", None),
        ("By Jane Doe", "byline"),
        ("By continuing to browse you agree", None),
        ("LONDON — The government said", "dateline"),
        ("ADVERTISEMENT - SCROLL TO CONTINUE", None),
        ("• Анна Иванова", "list_item"),
        ("Spain | 3 | 1 | 0", "table_row"),
        ("Posted by admin on 3 March 2021", None),
    ],
)
def test_content_shapes(line, shape):
    assert content_shape(line) == shape


def test_a_russian_list_of_names_survives():
    names = ["• Сергей Лавров", "• Сергей Шойгу", "• Telegram", "• Дмитрий Песков"]
    text = "В список вошли:\n" + "\n".join(names) + "\n\nПоделиться\n\nShare this:"
    kept, edits = remove_boilerplate(text)
    # The Russian share button goes too, now that the widget vocabulary reads Russian.
    assert [fragment for _, fragment, _ in edits] == ["Поделиться", "Share this:"]
    assert all(name in kept for name in names)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32))
def test_generated_boilerplate_is_recognised(seed):
    line = boilerplate_line(random.Random(seed))
    assert boilerplate_reason(line) is not None, line


@pytest.mark.parametrize(
    "line, kept, removed",
    [
        ("as “hysteria.” Read More", "as “hysteria.”", " Read More"),
        (
            "the Atlantic military alliance. find out more",
            "the Atlantic military alliance.",
            " find out more",
        ),
        ("It was over. Continue reading…", "It was over.", " Continue reading…"),
        ("We need to find out more", "We need to find out more", ""),
        ("He wanted to read more.", "He wanted to read more.", ""),
        ("Read More about it here. Then go.", "Read More about it here. Then go.", ""),
    ],
)
def test_trailing_call_to_action(line, kept, removed):
    assert strip_trailing_cta(line) == (kept, removed)


def test_long_lines_are_not_inspected():
    huge = "Share this: " + "word " * 300_000
    assert boilerplate_reason(huge) is None
    assert strip_trailing_cta(huge.strip() + ". Read more")[1] == " Read more"


def test_remove_boilerplate_records_each_line():
    text = "Skip to content\n\nBody sentence one.\n\nShare this:\n\nBody sentence two. Read more"
    kept, edits = remove_boilerplate(text)
    assert kept == "\nBody sentence one.\n\n\nBody sentence two."
    assert [(kind, fragment) for kind, fragment, _ in edits] == [
        ("boilerplate", "Skip to content"),
        ("boilerplate", "Share this:"),
        ("boilerplate", " Read more"),
    ]


def test_common_lines_are_removed_unless_they_are_most_of_the_article():
    common = frozenset({normalise_line("The Northern Courier is reader-funded")})
    text = "A long body paragraph about the council meeting.\n\nThe Northern Courier is reader-funded"
    assert remove_boilerplate(text, common_lines=common)[0].strip() == (
        "A long body paragraph about the council meeting."
    )
    mostly_common = "Short.\n\nThe Northern Courier is reader-funded"
    assert remove_boilerplate(mostly_common, common_lines=common)[0] == mostly_common


def test_widget_words_in_a_list_of_names_stay_and_a_share_bar_goes():
    text = "Banned apps:\nTelegram\nWhatsApp\nSignal\n\nBody.\n\nShare\nTweet\nEmail\n\nText.\nAdvertisement"
    kept, edits = remove_boilerplate(text)
    assert [fragment for _, fragment, _ in edits] == ["Share", "Tweet", "Email", "Advertisement"]
    assert "Telegram\nWhatsApp\nSignal" in kept


def test_a_table_head_stays_even_when_its_publisher_repeats_it():
    head = "Candidate | Votes | Share"
    text = f"Results:\n\n{head}\nIvanov | 1,204 | 45%\nPetrov | 1,100 | 40%\n\nA sentence of the story."
    assert remove_boilerplate(text, common_lines={normalise_line(head)}) == (text, [])
    alone = f"A sentence of the story.\n\n{head}"
    assert remove_boilerplate(alone, common_lines={normalise_line(head)})[1] != []


@pytest.mark.parametrize(
    "line, credit",
    [
        ("Photo: Reuters", True),
        ("Photo: Jane Doe for AP", True),
        ("Image credit: Getty Images/AFP", True),
        ("Photo: Putin in the Kremlin", False),
        ("Photo: Rescue workers search the rubble of a building in Dnipro", False),
    ],
)
def test_a_credit_goes_and_a_caption_stays(line, credit):
    assert (boilerplate_reason(line) is not None) == credit

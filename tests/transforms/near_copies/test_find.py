import glob
import json
import os
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from bench import reprints
from schemas.records import Article
from transforms.near_copies import FindNearCopies, NearCopyConfig, minhash, rank

SEEDS = sorted(glob.glob(os.path.join(reprints.SEEDS_DIR, "*.txt")))
T0 = datetime(2022, 2, 21, 12, tzinfo=timezone.utc)


def seed_text(number: int) -> str:
    with open(SEEDS[number], encoding="utf-8") as handle:
        return handle.read()


def make(
    article_id: str, text: str, minutes: float | None = 0, order: str = "", url: str | None = None
) -> Article:
    return Article(
        id=article_id,
        source=f"test/{article_id}",
        text=text,
        ingested_at=T0 + timedelta(days=1),
        published_at=T0 + timedelta(minutes=minutes) if minutes is not None else None,
        order=order or article_id,
        url=url,
    )


def run(articles, config=NearCopyConfig(), check=None):
    """Runs the transform; ``check`` gets the output articles as a list, sorted by id."""
    with TestPipeline() as p:
        out = p | beam.Create(articles) | FindNearCopies(config)
        assert_that(
            out | beam.combiners.ToList(), lambda lists: check(sorted(lists[0], key=lambda a: a.id))
        )


def outcome_of(articles, folder, config=NearCopyConfig()) -> dict:
    """id -> (duplicate_of, similarity), read back from a file the pipeline writes."""
    path = os.path.join(str(folder), "outcome.json")

    def save(lists):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump([[a.id, a.duplicate_of, a.similarity] for a in lists[0]], handle)

    run_with = TestPipeline()
    with run_with as p:
        out = p | beam.Create(articles) | FindNearCopies(config)
        assert_that(out | beam.combiners.ToList(), save)
    with open(path, encoding="utf-8") as handle:
        rows = json.load(handle)
    answers = {row[0]: (row[1], row[2]) for row in rows}
    # Nothing dropped, and an id seen twice got one answer.
    assert len(rows) == len(articles)
    assert len({tuple(row) for row in rows}) == len(answers)
    return answers


def newsmax_reprint(text: str) -> str:
    """Seed 002's style: a 'via Newsmax' header, straight quotes, a cut paragraph and a
    footer with the republisher's notice."""
    paragraphs = text.translate(str.maketrans({"“": '"', "”": '"', "’": "'"})).split("\n\n")
    del paragraphs[4]
    return "\n\n".join(
        ["Putin Sends Troops Into Ukraine After Recognizing Rebel Regions", "via Newsmax:"]
        + paragraphs
        + ["Copyright 2022 Newsmax Media, Inc. All rights reserved.", "Read more at Newsmax.com"]
    )


def _scenarios() -> tuple[list[Article], dict[str, str | None]]:
    """Many small cases with unrelated texts, run as one pipeline (Beam's start-up cost is
    per pipeline). Returns the articles and the expected duplicate_of of each."""
    articles: list[Article] = []
    expected: dict[str, str | None] = {}

    def add(article: Article, duplicate_of: str | None) -> None:
        articles.append(article)
        expected[article.id] = duplicate_of

    for i in range(len(SEEDS)):
        add(make(f"seed{i}", seed_text(i), minutes=i), None)
    add(make("newsmax", newsmax_reprint(seed_text(4)), minutes=90), "seed4")
    for k, edit in enumerate(reprints.EDITS):
        base = reprints.base_article(100 + k, words=(300, 400))
        copy, _ = reprints.reprint(base, seed=3, edits=(edit,))
        assert copy != base
        add(make(f"{edit}-base", base), None)
        add(make(f"{edit}-copy", copy, minutes=60), f"{edit}-base")
    base = reprints.base_article(12)
    add(make("exact-base", base), None)
    copy = reprints.exact_copy(base, np.random.Generator(np.random.PCG64(1))).upper()
    add(make("exact-copy", copy, 5), "exact-base")
    # Canonical choice: earliest published_at, unknown last, then order, then id.
    cases = [
        (("late", 60, ""), ("early", 0, ""), "early"),
        (("unknown", None, ""), ("known", 30, ""), "known"),
        (("tie-o2", 30, "2"), ("tie-o1", 30, "1"), "tie-o1"),
        (("none-o1", None, "1"), ("none-o2", None, "2"), "none-o1"),
        (("same-b", 30, "x"), ("same-a", 30, "x"), "same-a"),
    ]
    for k, (one, two, canonical) in enumerate(cases):
        base = reprints.base_article(200 + k)
        copy, _ = reprints.reprint(base, seed=k, edits=("straight_quotes", "swap_words"))
        for (name, minutes, order), text in ((one, base), (two, copy)):
            add(make(name, text, minutes, order=order), None if name == canonical else canonical)
    for i, text in enumerate(reprints.same_event(seed=5, count=6)):
        add(make(f"event{i}", text, i), None)
    for i, text in enumerate(reprints.same_template(seed=6, count=8, template_words=200)):
        add(make(f"template{i}", text, i), None)
    # A site whose template (navigation and footer) outweighs each article's own text: it
    # is learnt per publisher and ignored when confirming, so only real copies match.
    header = reprints.base_article(700, words=(230, 240))
    footer = reprints.base_article(701, words=(460, 470))
    bodies = [reprints.base_article(710 + i, words=(200, 400)) for i in range(12)]
    site = [f"{header}\n\n{body}\n\n{footer}" for body in bodies]
    for i, text in enumerate(site):
        add(make(f"site{i}", text, i, url=f"https://www.site.example/news/{i}"), None)
    revision, _ = reprints.reprint(site[0], seed=1, edits=("swap_words",))
    add(make("site-revision", revision, 60, url="https://site.example/news/0-updated"), "site0")
    # Nearly empty pages of the same site: a line it puts on its pages and a few words each
    # (two inside its header or footer, two nothing but the line). None is a copy.
    for i, text in enumerate(reprints.nearly_empty_pages(9, header, footer)):
        add(make(f"site-empty{i}", text, 70 + i, url=f"https://www.site.example/brief/{i}"), None)
    # A roundup holding two whole stories links them, but they are not copies of each
    # other: the second story fails the direct check against the canonical and stays.
    story_a = reprints.base_article(720, words=(200, 250))
    story_c = reprints.base_article(721, words=(200, 250))
    add(make("story-a", story_a, 0), None)
    add(make("story-c", story_c, 10), None)
    add(make("roundup", f"{story_a}\n\n{story_c}", 20), "story-a")
    for name, text in (("empty1", ""), ("empty2", "  … "), ("empty3", ""), ("word", "one word")):
        add(make(name, text), None)
    # The same input read twice: one id, never a duplicate of itself.
    twice = reprints.base_article(730)
    add(make("twice", twice), None)
    articles.append(make("twice", twice))
    return articles, expected


SCENARIOS, EXPECTED = _scenarios()


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    return outcome_of(SCENARIOS, tmp_path_factory.mktemp("near_copies"))


def test_nothing_is_dropped(outcome):
    assert sorted(outcome) == sorted({a.id for a in SCENARIOS})


def test_an_article_read_twice_is_not_a_copy_of_itself(outcome):
    assert outcome["twice"] == (None, None)


def test_no_two_seeds_are_near_copies(outcome):
    assert [outcome[f"seed{i}"] for i in range(len(SEEDS))] == [(None, None)] * len(SEEDS)


def test_seeds_stay_far_below_the_threshold():
    sets = [minhash.shingle_hashes(minhash.word_hashes(seed_text(i)), 5) for i in range(len(SEEDS))]
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            # 000/003 and 002/004 are different articles about one event.
            assert minhash.containment(sets[i], sets[j]) < 0.1


def test_newsmax_reprint_of_seed_004_is_caught_with_its_real_similarity(outcome):
    original = minhash.shingle_hashes(minhash.word_hashes(seed_text(4)), 5)
    copy = minhash.shingle_hashes(minhash.word_hashes(newsmax_reprint(seed_text(4))), 5)
    duplicate_of, value = outcome["newsmax"]
    assert duplicate_of == "seed4"
    assert value == pytest.approx(minhash.containment(original, copy), abs=1e-4)
    assert 0.7 <= value < 1.0


@pytest.mark.parametrize("edit", reprints.EDITS)
def test_each_kind_of_reprint_is_caught(outcome, edit):
    assert outcome[f"{edit}-copy"][0] == f"{edit}-base"
    assert outcome[f"{edit}-base"] == (None, None)


def test_exact_copies_have_similarity_one(outcome):
    assert outcome["exact-copy"] == ("exact-base", 1.0)


@pytest.mark.parametrize(
    "duplicate,canonical",
    [("late", "early"), ("unknown", "known"), ("tie-o2", "tie-o1"), ("none-o2", "none-o1"),
     ("same-b", "same-a")],
)
def test_canonical_is_earliest_published_then_lowest_order_then_id(outcome, duplicate, canonical):
    assert outcome[duplicate][0] == canonical
    assert outcome[canonical] == (None, None)


def test_different_articles_about_one_event_do_not_match(outcome):
    assert {outcome[f"event{i}"] for i in range(6)} == {(None, None)}


def test_different_articles_in_one_long_site_template_do_not_match(outcome):
    assert {outcome[f"template{i}"] for i in range(8)} == {(None, None)}


def test_a_long_site_template_is_ignored_but_a_revision_on_the_site_is_caught(outcome):
    sets = [
        minhash.shingle_hashes(minhash.word_hashes(a.text), 5)
        for a in SCENARIOS
        if a.id.startswith("site")
    ]
    # Without the template filter these would be near-copies of each other.
    assert minhash.containment(sets[0], sets[1]) > 0.7
    assert {outcome[f"site{i}"] for i in range(12)} == {(None, None)}
    assert outcome["site-revision"][0] == "site0"


def test_nearly_empty_pages_of_a_site_are_not_merged_on_its_site_line(outcome):
    empty = [a for a in SCENARIOS if a.id.startswith("site-empty")]
    sets = [minhash.shingle_hashes(minhash.word_hashes(a.text), 5) for a in empty]
    # The line alone makes two of them near-copies by containment.
    assert minhash.containment(sets[0], sets[1]) > 0.7
    assert {outcome[a.id] for a in empty} == {(None, None)}


def test_a_roundup_does_not_chain_two_stories_together(outcome):
    assert outcome["roundup"] == ("story-a", 1.0)
    assert outcome["story-c"] == (None, None)


def test_empty_texts_stand_alone(outcome):
    assert {outcome[name] for name in ("empty1", "empty2", "empty3", "word")} == {(None, None)}


def test_every_case_as_expected(outcome):
    assert {k: v[0] for k, v in outcome.items()} == EXPECTED


def test_with_no_star_rounds_the_union_find_finish_gives_the_same_answers(outcome, tmp_path):
    # Only clusters already a star around their canonical settle in zero rounds; the rest
    # are finished by the union-find in one place.
    assert outcome_of(SCENARIOS, tmp_path, NearCopyConfig(max_rounds=0)) == outcome


def test_rank_treats_naive_times_as_utc():
    naive = make("a", "x", 0)
    naive.published_at = naive.published_at.replace(tzinfo=None)
    assert rank(naive) == rank(make("a", "x", 0))


def test_small_case_with_equal_to():
    base = reprints.base_article(17)
    copy, _ = reprints.reprint(base, seed=9)
    with TestPipeline() as p:
        out = p | beam.Create([make("b", base), make("c", copy, 9)]) | FindNearCopies()
        assert_that(out | beam.Map(lambda a: (a.id, a.duplicate_of)), equal_to([("b", None), ("c", "b")]))


def test_oversized_buckets_are_split_and_copies_still_join_up():
    base = reprints.base_article(16, words=(300, 400))
    articles = [make("base", base)]
    for i in range(14):
        copy, _ = reprints.reprint(base, seed=100 + i, edits=("header_footer", "swap_words"))
        articles.append(make(f"copy{i:02d}", copy, minutes=10 + i))
    expected = [(a.id, "base" if a.id != "base" else None) for a in articles]
    with TestPipeline() as p:
        out = p | beam.Create(articles) | FindNearCopies(NearCopyConfig(max_bucket=3))
        assert_that(out | beam.Map(lambda a: (a.id, a.duplicate_of)), equal_to(expected))


def test_generated_corpus_recall_precision_and_real_similarities():
    corpus = reprints.corpus(300, seed=3)
    config = NearCopyConfig()
    sets = {
        a.id: minhash.shingle_hashes(minhash.word_hashes(a.text), config.shingle_size)
        for a in corpus.articles
    }

    def check(outputs):
        assert sorted(a.id for a in outputs) == sorted(corpus.canonical)
        marked = {a.id: a.duplicate_of for a in outputs}
        score = reprints.score(corpus, marked)
        assert score["duplicates"] > 60
        assert score["precision"] == 1.0
        assert score["recall"] >= 0.95
        canonicals = {a.id for a in outputs if a.duplicate_of is None}
        for a in outputs:
            if a.duplicate_of is None:
                assert a.similarity is None
                continue
            # Duplicates point at canonicals, never at another duplicate.
            assert a.duplicate_of in canonicals
            real = minhash.containment(sets[a.id], sets[a.duplicate_of])
            assert a.similarity == pytest.approx(real, abs=1e-4)
            assert a.similarity >= config.threshold

    run(corpus.articles, config, check=check)

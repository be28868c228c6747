"""Stage 6: from clusters to each article's ``duplicate_of`` and ``similarity``, every
step a join by key (pair, representative, article id), never a side input."""

import dataclasses
from typing import Iterable, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics

from schemas.records import Article
from transforms.near_copies.candidates import PAIR, WANTED
from transforms.near_copies.clustering import ordered

WANT, SIMILARITY = "want", "similarity"
COPY_OF, FOLLOWER = "copy_of", "follower"
ARTICLE, ANSWER = "article", "answer"


def wanted_pair(element: tuple[tuple, tuple]) -> Iterator[tuple[tuple, tuple]]:
    """(node, label) of a duplicate -> keyed by (duplicate, canonical) ids."""
    node, label = element
    if node != label:
        yield ordered(node[-1], label[-1]), (WANT, (node[-1], label[-1]))


def confirmed_pair(pair: tuple) -> tuple[tuple, tuple]:
    return ordered(pair[0], pair[1]), (SIMILARITY, pair[2])


class DirectOrCheckFn(beam.DoFn):
    """One (duplicate, canonical): a copy with the pair's similarity if the pair was
    confirmed, else the pair is checked directly, so that every ``similarity`` is a real
    similarity to ``duplicate_of`` (a member linked through a roundup may fail it)."""

    UNCHECKED = "unchecked"

    def __init__(self) -> None:
        self.unchecked = Metrics.counter("near_copies", "checked_against_canonical")

    def process(self, element: tuple[tuple, Iterable[tuple]]):
        want = value = None
        for tag, found in element[1]:
            if tag == WANT:
                want = found
            else:
                value = found
        if want is None:
            return
        if value is None:
            self.unchecked.inc()
            yield beam.pvalue.TaggedOutput(self.UNCHECKED, want)
        else:
            yield want[0], (want[1], value)


def check_ends(pair: tuple[str, str]) -> Iterator[tuple[str, tuple]]:
    """(duplicate, canonical) -> pair ends for ``ConfirmPairs(only_wanted=True)``."""
    duplicate, canonical = pair
    yield duplicate, (PAIR, canonical)
    yield canonical, (WANTED, None)


def _follower(element: tuple[str, tuple]) -> tuple[str, tuple]:
    member, (_, representative, _) = element
    return representative, (FOLLOWER, member)


def _resolve(element: tuple[str, Iterable[tuple]]) -> Iterator[tuple[str, tuple]]:
    """One exact-copy representative: its followers get its answer, or follow it with
    similarity 1 when it is canonical itself."""
    key, values = element
    answer = next((value for tag, value in values if tag == COPY_OF), None)
    if answer is not None:
        yield key, answer
    for tag, value in values:
        if tag == FOLLOWER:
            yield value, answer or (key, 1.0)


class Answers(beam.PTransform):
    """Copies (id, (canonical, similarity)) and exact copies (id, (FOLLOW, representative,
    None)) -> (id, (duplicate_of, similarity)) for every duplicate."""

    def __init__(self, followers) -> None:
        super().__init__()
        self.followers = followers

    def expand(self, copies):
        return (
            (
                copies | "Tag" >> beam.MapTuple(lambda key, answer: (key, (COPY_OF, answer))),
                self.followers | "KeyByRepresentative" >> beam.Map(_follower),
            )
            | "WithFollowers" >> beam.Flatten()
            | "JoinRepresentatives" >> beam.GroupByKey()
            | "Resolve" >> beam.FlatMap(_resolve)
        )


class MarkCopiesFn(beam.DoFn):
    """One article id: its articles (one, or more if it was read twice) with its answer."""

    def __init__(self) -> None:
        self.duplicates = Metrics.counter("near_copies", "duplicates")

    def process(self, element: tuple[str, Iterable[tuple]]) -> Iterator[Article]:
        values = element[1]
        # Only an id given to two different texts can get two answers: take one, always the same.
        answer = min((value for tag, value in values if tag == ANSWER), default=(None, None))
        for tag, article in values:
            if tag != ARTICLE:
                continue
            if answer[0] is not None:
                self.duplicates.inc()
            # Most articles are canonical and already say so: a copy of each costs ~30 us.
            if (article.duplicate_of, article.similarity) != answer:
                article = dataclasses.replace(article, duplicate_of=answer[0], similarity=answer[1])
            yield article


class MarkCopies(beam.PTransform):
    """Articles joined with the answers by id; an article with none stays canonical."""

    def __init__(self, answers) -> None:
        super().__init__()
        self.answers = answers

    def expand(self, articles):
        return (
            (
                articles | "KeyById" >> beam.Map(lambda a: (a.id, (ARTICLE, a))),
                self.answers | "TagAnswers" >> beam.MapTuple(lambda key, answer: (key, (ANSWER, answer))),
            )
            | "WithAnswers" >> beam.Flatten()
            | "JoinArticles" >> beam.GroupByKey()
            | "Mark" >> beam.ParDo(MarkCopiesFn())
        )

"""Common lines: the short lines a publisher repeats on most of its stories (its page
template), found per publisher so that the answer does not depend on the size of the run.

Which publisher: the envelope's ``source``, else the URL's host, else the folder the file
was read from (the Kafka topic for a stream). Which lines: ``is_recurrence_candidate`` in
``transforms.repair.boilerplate``; content shapes (names, bylines, datelines, list items, quotes,
whole sentences) are never counted. Copies of one story count once.

``FindCommonLines`` counts in Beam with combines keyed by (publisher, line) and by
publisher, and joins the verdict back to each article by key; ``find_common_lines`` is the
same without Beam.
"""

import hashlib
import math
import posixpath
import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

import apache_beam as beam

from transforms.repair.boilerplate import BoilerplateConfig, is_recurrence_candidate, normalise_line


def article_signature(text: str) -> str:
    """Copies of one story share their longest paragraph, so counting distinct signatures
    instead of articles keeps a syndicated story's own lines from looking like boilerplate."""
    longest = " ".join(max(text.split("\n"), key=len, default="").split())
    return hashlib.blake2b(longest.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def short_line_keys(text: str, config: BoilerplateConfig = BoilerplateConfig()) -> set[str]:
    """The distinct normalised short lines of one article."""
    return {normalise_line(line) for line in text.split("\n") if is_recurrence_candidate(line, config)}


def common_line_threshold(publisher_stories: int, config: BoilerplateConfig) -> int:
    """Distinct stories of one publisher a line must be in to be that publisher's template."""
    return max(config.min_articles, math.ceil(config.min_fraction * publisher_stories))


def publisher_key(publisher_id: str | None, url: str | None, source: str) -> str:
    """Whose template an article's lines are compared with: the publisher the envelope
    names, else the URL's host, else the folder (or Kafka topic) the article was read
    from, since scrapers keep a site's pages together and nothing else is known."""
    if publisher_id and publisher_id.strip():
        return "publisher:" + " ".join(publisher_id.casefold().split())
    host = _host(url)
    if host:
        return "host:" + host
    if source.startswith("kafka://"):
        return "topic:" + source[len("kafka://") :].split("/", 1)[0]
    return "folder:" + posixpath.dirname(source.split("#", 1)[0])


_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def _host(url: str | None) -> str | None:
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        host = urlsplit(url if "://" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or not _HOST.fullmatch(host):
        return None
    return host[4:] if host.startswith("www.") else host


def find_common_lines(
    articles: Iterable[tuple[str, str]], config: BoilerplateConfig = BoilerplateConfig()
) -> dict[str, frozenset[str]]:
    """``FindCommonLines`` without Beam, for callers holding a whole corpus in memory (eval,
    tests): (publisher, text) pairs in, each publisher's common lines out."""
    stories: dict[str, set[str]] = {}
    lines: dict[tuple[str, str], set[str]] = {}
    for publisher, text in articles:
        signature = article_signature(text)
        stories.setdefault(publisher, set()).add(signature)
        for key in short_line_keys(text, config):
            lines.setdefault((publisher, key), set()).add(signature)
    common: dict[str, set[str]] = {}
    for (publisher, key), seen in lines.items():
        if len(seen) >= common_line_threshold(len(stories[publisher]), config):
            common.setdefault(publisher, set()).add(key)
    return {publisher: frozenset(keys) for publisher, keys in common.items()}


def common_lines_by_article(
    articles: Iterable[tuple[str, str, str]], config: BoilerplateConfig = BoilerplateConfig()
) -> dict[str, set[str]]:
    """``FindCommonLines`` in one place, for a micro-batch held in memory: (article id,
    publisher, text) in; each article id's lines that are its publisher's template."""
    articles = list(articles)
    common = find_common_lines(((publisher, text) for _, publisher, text in articles), config)
    found: dict[str, set[str]] = {}
    for article_id, publisher, text in articles:
        keys = short_line_keys(text, config) & common.get(publisher, frozenset())
        if keys:
            found.setdefault(article_id, set()).update(keys)
    return found


class _LinesOfArticle(beam.DoFn):
    """((publisher, line), (story signature, article id)) per distinct short line of an
    article, and (publisher, signature) once per article on the ``stories`` output."""

    STORIES = "stories"

    def __init__(self, config: BoilerplateConfig):
        self._config = config

    def process(self, item: tuple[str, str, str]) -> Iterator[object]:
        article_id, publisher, text = item
        signature = article_signature(text)
        yield beam.pvalue.TaggedOutput(self.STORIES, (publisher, signature))
        for key in short_line_keys(text, self._config):
            yield (publisher, key), (signature, article_id)


def _common_of_publisher(
    publisher: str, joined: dict, config: BoilerplateConfig = BoilerplateConfig()
) -> Iterator[tuple[tuple[str, str], bool]]:
    total = sum(joined["stories"])
    threshold = common_line_threshold(total, config)
    for key, count in joined["lines"]:
        if count >= threshold:
            yield (publisher, key), True


def _to_articles(key: tuple[str, str], joined: dict) -> Iterator[tuple[str, str]]:
    if any(joined["common"]):
        for article_id in joined["articles"]:
            yield article_id, key[1]


class FindCommonLines(beam.PTransform):
    """(article id, publisher, text) in; (article id, normalised line) out for each line of
    an article that is its publisher's template.

    Every step is keyed by publisher or by (publisher, line), so no collection of the run
    is held by one worker or handed out as a side input; a publisher's group holds only
    its lines already seen in ``min_articles`` stories.
    """

    def __init__(self, config: BoilerplateConfig = BoilerplateConfig()):
        super().__init__()
        self._config = config

    def expand(self, articles):
        config = self._config
        lines = articles | "ShortLines" >> beam.ParDo(_LinesOfArticle(config)).with_outputs(
            _LinesOfArticle.STORIES, main="lines"
        )
        stories = (
            lines[_LinesOfArticle.STORIES]
            | "OncePerStory" >> beam.Distinct()
            | "StoriesPerPublisher" >> beam.combiners.Count.PerKey()
        )
        counts = (
            lines.lines
            | "LineInStory" >> beam.MapTuple(lambda key, found: (key, found[0]))
            | "OncePerLineAndStory" >> beam.Distinct()
            | "StoriesPerLine" >> beam.combiners.Count.PerKey()
            # No threshold is lower, and most lines occur once: they stop here.
            | "SeenEnough" >> beam.Filter(lambda pair: pair[1] >= config.min_articles)
            | "ByPublisher" >> beam.MapTuple(lambda key, count: (key[0], (key[1], count)))
        )
        common = (
            {"stories": stories, "lines": counts}
            | "JoinPublisherStories" >> beam.CoGroupByKey()
            | "KeepCommon" >> beam.FlatMapTuple(_common_of_publisher, config=config)
        )
        occurrences = lines.lines | "LineInArticle" >> beam.MapTuple(lambda key, found: (key, found[1]))
        return (
            {"common": common, "articles": occurrences}
            | "JoinVerdicts" >> beam.CoGroupByKey()
            | "ToArticles" >> beam.FlatMapTuple(_to_articles)
        )

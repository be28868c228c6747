"""Site templates the boilerplate step left in: learnt per publisher from a sample, and
taken out of each article's shingles before pairs are confirmed, so two different
articles in one long template are not copies.

Templates meet articles by key (publisher), never as a side input: their number grows
with the publishers. A big publisher's articles are spread over ``SALTS`` keys, each
sent the template, so no worker gets a whole publisher."""

import hashlib
import zlib
from typing import Iterable, Iterator

import apache_beam as beam
import numpy as np

from transforms.near_copies.candidates import NODE
from transforms.near_copies.config import NearCopyConfig

SALTS = 16
TEMPLATE = "template"
NO_SITE = "no_site"


def template_of(element: tuple[str, list[tuple]], config: NearCopyConfig):
    """(publisher, sample of (id hash, shingles)) -> (publisher, template shingles): those in
    at least ``template_share`` of the sampled articles. A site's navigation and footer
    repeat on every page; a wire story repeats across publishers, not within one site's
    sample, so it is not taken for a template."""
    site, sample = element
    if len(sample) < config.template_min_articles:
        return
    values, seen = np.unique(
        np.concatenate([np.frombuffer(shingles, dtype="<u8") for _, shingles in sample]),
        return_counts=True,
    )
    common = values[seen >= config.template_share * len(sample)]
    if len(common):
        yield site, common.astype("<u8").tobytes()


def without_template(shingles: np.ndarray, template: np.ndarray | None) -> np.ndarray:
    if template is None or not len(shingles):
        return shingles
    return np.setdiff1d(shingles, template, assume_unique=True)


def sample_digest(article_id: str) -> bytes:
    """Deterministic sample: the articles whose ids hash lowest, so replays agree. Bytes
    compare as the unsigned numbers they spell (big-endian)."""
    return hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()


def _sample_key(fp: tuple) -> tuple[str, tuple]:
    # No ``int`` in the hint: Beam would encode the unsigned 64-bit digest as a signed one.
    return fp[5], (int.from_bytes(sample_digest(fp[0]), "big"), fp[3])


def strip_print(fp: tuple, template: np.ndarray | None) -> tuple:
    """A fingerprint tuple without its site's template shingles."""
    if template is None:
        return fp
    kept = without_template(np.frombuffer(fp[3], dtype="<u8"), template)
    return fp[:3] + (kept.tobytes(),) + fp[4:]


def _to_every_salt(template: tuple[str, bytes]) -> Iterator[tuple]:
    site, shingles = template
    for salt in range(SALTS):
        yield (site, salt), (TEMPLATE, shingles)


class SiteKeyFn(beam.DoFn):
    """Nodes with a publisher -> keyed by (publisher, salt); the rest pass by untouched."""

    def process(self, element: tuple[str, tuple]):
        fp = element[1][1]
        if not fp[5]:
            yield beam.pvalue.TaggedOutput(NO_SITE, element)
            return
        # crc32, not hash(): Python salts str hashes per process, and replays should agree.
        yield (fp[5], zlib.crc32(fp[0].encode("utf-8")) % SALTS), element[1]


class StripFn(beam.DoFn):
    """One (publisher, salt): its nodes without the template's shingles. The values are
    read twice (Beam's grouped values can be), so no node is held while the template is
    looked for."""

    def process(self, element: tuple[tuple, Iterable[tuple]]) -> Iterator[tuple[str, tuple]]:
        values = element[1]
        template = next((np.frombuffer(v, dtype="<u8") for tag, v in values if tag == TEMPLATE), None)
        for tag, fp in values:
            if tag == NODE:
                yield fp[0], (NODE, strip_print(fp, template))


class StripStoredFn(beam.DoFn):
    """A node without its site's template as a store holds it
    (``transforms.state.site_templates``: the whole run's, for a run in chunks)."""

    def __init__(self, templates) -> None:
        self.templates = templates

    def process(self, node: tuple[str, tuple]) -> Iterator[tuple[str, tuple]]:
        fp = node[1][1]
        yield fp[0], (NODE, strip_print(fp, self.templates.get(fp[5])))


class StripTemplates(beam.PTransform):
    """Nodes (id, (NODE, fingerprint)) -> the same, shingles without their site's template,
    learnt from ``fingerprints`` (all articles, exact copies included), or read from
    ``templates``, a store of them learnt beforehand."""

    def __init__(self, config: NearCopyConfig, fingerprints, templates=None) -> None:
        super().__init__()
        self.config = config
        self.fingerprints = fingerprints
        self.templates = templates

    def expand(self, nodes):
        if self.templates is not None:
            return nodes | "StoredTemplates" >> beam.ParDo(StripStoredFn(self.templates))
        templates = (
            self.fingerprints
            | "WithPublisher" >> beam.Filter(lambda f: f[5])
            | "KeyByPublisher" >> beam.Map(_sample_key)
            | "SamplePerPublisher" >> beam.combiners.Top.SmallestPerKey(self.config.template_sample)
            | "Templates" >> beam.FlatMap(template_of, self.config)
            | "ToEverySalt" >> beam.FlatMap(_to_every_salt)
        )
        split = nodes | "KeyBySite" >> beam.ParDo(SiteKeyFn()).with_outputs(NO_SITE, main="sited")
        stripped = (
            (split.sited, templates)
            | "WithTemplates" >> beam.Flatten()
            | "JoinTemplates" >> beam.GroupByKey()
            | "Strip" >> beam.ParDo(StripFn())
        )
        return (stripped, split[NO_SITE]) | "AllNodes" >> beam.Flatten()

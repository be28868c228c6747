"""The generated bench corpus: deterministic, distinct base articles, truthful manifest."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import corpus
from bench.corpus import CorpusConfig, accidental_copies, base_article, build, generate, read_manifest
from transforms.near_copies import minhash
from transforms.reading.read import list_inputs


@given(st.integers(min_value=0, max_value=10**9))
@settings(max_examples=25, deadline=None)
def test_base_article_is_deterministic_english_news_shape(seed):
    headline, body = base_article(seed)
    assert (headline, body) == base_article(seed)
    assert 1 <= len(headline.split()) <= 30 and "\n" not in headline
    size = len((headline + body).encode("utf-8"))
    assert 0.5 * 3000 <= size <= 1.6 * 3000
    assert "{" not in body and "[" not in body  # every slot and alternative filled
    assert body.count("\n\n") >= 2


def test_no_two_base_articles_are_near_copies():
    texts = ["\n\n".join(base_article(seed)) for seed in range(250)]
    sets = [minhash.shingle_hashes(minhash.word_hashes(t), 5) for t in texts]
    worst = max(minhash.containment(sets[i], sets[j]) for i in range(len(sets)) for j in range(i))
    assert worst < 0.3
    assert accidental_copies(texts, threshold=0.3) == []


def test_accidental_copies_finds_a_planted_copy():
    texts = ["\n\n".join(base_article(seed)) for seed in range(40)]
    texts.append(texts[7].replace("\n\n", "\n\nAn extra line. ", 1))
    assert [(a, b) for a, b, _ in accidental_copies(texts)] == [(7, 40)]


def test_same_event_and_same_template_are_different_articles():
    for texts in (corpus.same_event(5, 4), corpus.same_template(5, 4)):
        sets = [minhash.shingle_hashes(minhash.word_hashes(t), 5) for t in texts]
        values = [minhash.containment(sets[i], sets[j]) for i in range(4) for j in range(i)]
        assert max(values) < 0.7  # below the near-copy threshold...
        assert min(values) > 0.03  # ...yet sharing real text (the hard part)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generate_mixes_kinds_deterministically(seed):
    config = CorpusConfig(articles=300, seed=seed)
    items = generate(config)
    assert [(i.kind, i.source, i.text, i.raw) for i in items] == [
        (i.kind, i.source, i.text, i.raw) for i in generate(config)
    ]
    kinds = Counter(item.kind.split(":")[0] for item in items)
    assert len(items) == 300
    assert kinds["base"] > 200 and kinds["reprint"] > 10 and kinds["exact"] > 2
    assert kinds["bad"] >= 1 and kinds["damaged"] >= 5
    for item in items:
        if item.kind.startswith(("reprint", "exact")):
            assert items[item.group].kind.startswith(("base", "damaged")), "copies point at a base article"
            assert item.group < item.index
    assert len({item.source for item in items}) == 300


def test_written_corpus_matches_manifest_and_reader(tmp_path):
    config = CorpusConfig(articles=120, seed=4, bad_share=0.1, jsonl_share=0.3, lines_per_file=16)
    manifest = build(str(tmp_path / "c"), config)
    assert len(manifest.rows) == 120
    assert read_manifest(str(tmp_path / "c")).rows == manifest.rows
    # The reader skips the manifest and sees every input exactly once.
    files = list_inputs([str(tmp_path / "c")])
    assert not any(f.source.startswith("_") for f in files)
    lines = 0
    for f in files:
        if f.source.endswith(".jsonl"):
            with open(f.path, encoding="utf-8") as handle:
                lines += sum(1 for _ in handle)
        else:
            lines += 1
    assert lines == 120
    sources = {row["source"] for row in manifest.rows}
    assert {s.split("#")[0] for s in sources} == {f.source for f in files}
    for row in manifest.rows:
        if row["source"].endswith(".jsonl") or "#" not in row["source"]:
            continue
        path, number = row["source"].split("#")
        with open(os.path.join(tmp_path, "c", path), encoding="utf-8") as handle:
            line = handle.read().split("\n")[int(number) - 1]
        if row["expect"] == "article":
            assert json.loads(line)["text"].strip()
    assert manifest.expected("reject") == sum(1 for r in manifest.rows if r["kind"].startswith("bad:"))

"""The generated stray-script set: both kinds in every script, reproducible, and each
stray case's expected text is its text without the dropped word."""

from collections import Counter

from bench.stray_cases import SCRIPTS, generate


def test_every_script_has_stray_and_legitimate_cases():
    counts = Counter((case.script, case.stray) for case in generate())
    for script in SCRIPTS:
        assert counts[(script, True)] > 0 and counts[(script, False)] > 0, script


def test_the_set_is_reproducible_from_its_seed():
    assert generate(3) == generate(3)
    assert generate(3) != generate(4)


def test_expected_text_drops_only_the_stray_word():
    for case in generate():
        (word,) = case.words if case.stray else case.words[:1]
        if case.stray:
            assert word in case.text and word not in case.expected
            assert case.text.replace(f"{word} ", "", 1).replace(f" {word}", "", 1) == case.expected
        else:
            assert case.expected == case.text

"""Perturbations: deterministic per seed, really damaging, and damaging in the way named."""

from __future__ import annotations

import pytest

from bench import perturb
from transforms.repair.boilerplate import boilerplate_reason
from transforms.repair.scripts import letter_counts

CLEAN = (
    "Talks In Zürich Resume\n\n"
    "The minister said “the café talks” would continue on Monday – and officials in "
    "Gdańsk agreed. Prices rose to €300.\n\n"
    "Nobody expected a déjà vu, the señor said. Dvořák played at the Šibenik festival."
)


@pytest.mark.parametrize("kind", sorted(perturb.PERTURBATIONS))
def test_same_seed_same_damage_and_text_changes(kind):
    first = perturb.perturb(kind, CLEAN, 11)
    assert first == perturb.perturb(kind, CLEAN, 11)
    assert first != CLEAN


@pytest.mark.parametrize(
    "kind",
    ["partial_mojibake", "boilerplate", "stray_script", "zero_width", "bidi_override", "control_chars"],
)
def test_seeds_vary_the_damage(kind):
    assert len({perturb.perturb(kind, CLEAN, seed) for seed in range(8)}) > 1


def test_mojibake_is_reversible_by_construction():
    assert perturb.mojibake_cp1252(CLEAN).encode("sloppy-windows-1252").decode("utf-8") == CLEAN
    assert perturb.mojibake_latin1(CLEAN).encode("latin-1").decode("utf-8") == CLEAN
    double = perturb.double_mojibake(CLEAN)
    assert double.encode("sloppy-windows-1252").decode("utf-8") == perturb.mojibake_cp1252(CLEAN)


def test_partial_mojibake_garbles_only_a_stretch():
    damaged = [perturb.partial_mojibake(CLEAN, seed) for seed in range(10)]
    assert all(text != CLEAN for text in damaged)
    # Some seeds leave clean accented text outside the garbled stretch.
    assert any("Zürich" in text and text != perturb.mojibake_cp1252(CLEAN) for text in damaged)
    assert perturb.partial_mojibake("plain ascii only", 1) == "plain ascii only"


def test_injected_boilerplate_lines_are_boilerplate():
    damaged = perturb.inject_boilerplate(CLEAN, 3, lines=5)
    added = [line for line in damaged.split("\n") if line and line not in CLEAN.split("\n")]
    assert len(added) == 5
    assert all(boilerplate_reason(line) for line in added)


def test_injected_stray_word_is_one_word_of_a_new_script():
    damaged = perturb.inject_stray_script(CLEAN, 2)
    before, after = letter_counts(CLEAN), letter_counts(damaged)
    new = set(after) - set(before)
    assert len(new) == 1
    assert len(damaged.split()) == len(CLEAN.split()) + 1


def test_whitespace_damage_uses_crlf():
    assert "\r\n" in perturb.damage_whitespace(CLEAN, 1)


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown perturbation 'nope'; use one of: "):
        perturb.perturb("nope", CLEAN)


def test_restoration_rates_count_restored_pairs():
    def keep_first_line(text: str) -> str:
        return text.split("\n")[0].replace("\r", "")

    rates = perturb.restoration_rates(
        [CLEAN], keep_first_line, seeds=range(4), kinds=("whitespace", "mojibake_cp1252")
    )
    assert rates["mojibake_cp1252"] == 0.0
    assert 0.0 <= rates["whitespace"] <= 1.0
    assert perturb.restoration_rates([CLEAN], lambda text: 0, seeds=range(2)) == dict.fromkeys(
        perturb.PERTURBATIONS, 1.0
    )

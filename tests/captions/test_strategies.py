"""Strategies: selection, mixing probabilities, balanced concepts, the world prior, bad input."""
import numpy as np
import pytest

from synclr_lib.captions.strategies import (BASE_STRATEGIES, ConceptSource, StrategyError,
                                            balanced_concepts, file_source, sample_queries,
                                            strategy_probabilities, template_caption, uses_lm,
                                            world_source)
from synclr_lib.world import BACKGROUNDS, OBJECTS, RELATIONS, mentions, plausible_backgrounds


def test_unknown_strategy_is_one_clear_error():
    with pytest.raises(StrategyError, match=r"unknown caption strategy 'c_bgg'; valid: template, c, "):
        strategy_probabilities("c_bgg")


def test_empty_concept_list_is_one_clear_error():
    with pytest.raises(StrategyError, match="empty"):
        ConceptSource(concepts=[])


def test_bad_mix():
    with pytest.raises(StrategyError, match="unknown strategies"):
        strategy_probabilities("mix", {"c": 1, "cc": 1})
    with pytest.raises(StrategyError, match="positive sum"):
        strategy_probabilities("mix", {"c": 0})


def test_mix_probabilities_are_respected_within_sampling_error():
    mix = {"c": 0.44, "c_rel": 0.11, "c_bg": 0.45}
    n = 20_000
    q = sample_queries(world_source(), "mix", n, seed=0, mix=mix)
    for s, p in mix.items():
        share = sum(r["strategy"] == s for r in q) / n
        assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / n), (s, share)
    assert {r["template"] for r in q} == {"c", "c_bg", "c_rel"}


def test_every_concept_gets_the_same_number_of_queries():
    n = 50 * len(OBJECTS)
    q = sample_queries(world_source(), "c", n, seed=3)
    counts = {c: sum(r["concept"] == c for r in q) for c in OBJECTS}
    assert set(counts.values()) == {50}
    assert sorted(balanced_concepts(["a", "b", "c"], 7, np.random.default_rng(0))).count("a") in (2, 3)


def test_backgrounds_follow_the_strategy():
    src = world_source()
    plausible = sample_queries(src, "c_bg", 2000, seed=1)
    assert all(r["background"] in plausible_backgrounds(r["concept"]) for r in plausible)
    random = sample_queries(src, "c_bg_random", 2000, seed=1)
    assert {r["background"] for r in random} == set(BACKGROUNDS)
    outside = sum(r["background"] not in plausible_backgrounds(r["concept"]) for r in random)
    assert outside > 0.3 * len(random)  # 6 of 12 backgrounds are implausible for an object
    rel = sample_queries(src, "c_rel", 500, seed=1)
    assert {r["relation"] for r in rel} == set(RELATIONS) and all(r["background"] is None for r in rel)


def test_single_strategies_and_lm_use():
    for s in BASE_STRATEGIES:
        assert {r["strategy"] for r in sample_queries(world_source(), s, 50, seed=0)} == {s}
    assert not uses_lm("template") and uses_lm("c") and uses_lm("mix", {"c": 1, "template": 1})
    assert not uses_lm("mix", {"template": 1})


def test_template_captions_need_no_lm_and_name_concept_and_place():
    src = world_source()
    rng = np.random.default_rng(0)
    for r in sample_queries(src, "template", 200, seed=2):
        cap = template_caption(r, src, rng)
        m = mentions(cap)
        assert r["concept"] in m["objects"] and r["background"] in m["backgrounds"], cap


def test_concept_list_from_a_text_file(tmp_path):
    path = tmp_path / "classes.txt"
    path.write_text("zebra\n# a comment\n\ngolden retriever\nzebra\n")
    src = file_source(path)
    assert src.concepts == ["zebra", "golden retriever"]
    q = sample_queries(src, "c_rel", 10, seed=0)
    assert {r["concept"] for r in q} == {"zebra", "golden retriever"}
    assert src.mentions("Two zebras grazing")["objects"] == ["zebra"]
    with pytest.raises(StrategyError, match="plausible backgrounds"):
        sample_queries(src, "c_bg", 4, seed=0)
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(StrategyError, match="empty"):
        file_source(tmp_path / "empty.txt")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        file_source(tmp_path / "missing.txt")


def test_template_strategy_has_enough_distinct_captions_for_a_mini_set():
    src = world_source()
    rng = np.random.default_rng(0)
    caps = {template_caption(r, src, rng) for r in sample_queries(src, "template", 12_000, seed=4)}
    assert len(caps) > 8_000

"""The paper's prompt format: instruction, exactly 3 demonstrations from the right pool, open query."""
import numpy as np
import pytest

from synclr_lib.captions.demonstrations import MINI_COLOUR_SHARE, MINI_POOL, REAL_POOL
from synclr_lib.captions.prompts import (DEMO_GAP, INSTRUCTIONS, Demonstration, PromptError,
                                         build_prompt, first_line, format_prompt)
from synclr_lib.world import mentions, plausible_backgrounds


@pytest.mark.parametrize("template,extra", [("c", {}), ("c_bg", {"background": "grass"}),
                                            ("c_rel", {"relation": "next to"})])
def test_prompt_has_instruction_three_demonstrations_from_the_pool_and_open_query(template, extra):
    rng = np.random.default_rng(0)
    prompt, picked = build_prompt(template, "dress", MINI_POOL, rng, **extra)
    blocks = prompt.split(DEMO_GAP)
    assert blocks[0] == INSTRUCTIONS[template]
    assert len(blocks) == 1 + 3 + 1
    assert len(set(picked)) == 3
    assert blocks[1:4] == [MINI_POOL[template][i].line() for i in picked]
    key = "dress" + (", " + next(iter(extra.values())) if extra else "")
    assert blocks[-1] == f"{key} =>"
    assert prompt.endswith("=>") and prompt.count("\n") == 8


def test_c_instruction_is_the_papers():
    assert INSTRUCTIONS["c"] == "Generate an image description with an object category:"
    rng = np.random.default_rng(1)
    prompt, _ = build_prompt("c", "zebra", REAL_POOL, rng)
    assert prompt.startswith("Generate an image description with an object category:\n\n")
    assert prompt.endswith("\n\nzebra =>")


def test_demonstrations_are_random_but_seeded():
    a = [build_prompt("c", "star", MINI_POOL, np.random.default_rng(s))[1] for s in range(20)]
    b = [build_prompt("c", "star", MINI_POOL, np.random.default_rng(s))[1] for s in range(20)]
    assert a == b
    assert len({tuple(p) for p in a}) > 15


def test_pools_have_tens_per_template_and_keys_match_their_template():
    for pool in (MINI_POOL, REAL_POOL):
        for template, demos in pool.items():
            assert len(demos) >= 8
            assert all(d.template == template for d in demos)
    assert all(len(v) >= 20 for v in MINI_POOL.values())


def test_mini_demonstrations_mention_their_key_in_world_vocabulary():
    for demos in MINI_POOL.values():
        for d in demos:
            m = mentions(d.caption)
            assert d.concept in m["objects"], d
            assert d.background is None or d.background in m["backgrounds"], d
            assert d.relation is None or d.relation in m["relations"], d


def test_mini_demonstrations_name_a_colour_in_a_minority():
    demos = [d for pool in MINI_POOL.values() for d in pool]
    share = np.mean([bool(mentions(d.caption)["colours"]) for d in demos])
    assert share == pytest.approx(MINI_COLOUR_SHARE, abs=0.03)
    assert MINI_COLOUR_SHARE < 0.5


def test_mini_demonstrations_name_only_backgrounds_plausible_for_their_concept():
    for demos in MINI_POOL.values():
        for d in demos:
            assert set(mentions(d.caption)["backgrounds"]) <= set(plausible_backgrounds(d.concept)), d


def test_query_must_fit_its_template():
    rng = np.random.default_rng(0)
    with pytest.raises(PromptError, match="needs a background"):
        build_prompt("c_bg", "dress", MINI_POOL, rng)
    with pytest.raises(PromptError, match="unknown template"):
        format_prompt("c_place", [], "dress")
    with pytest.raises(PromptError, match="3 are drawn"):
        build_prompt("c", "dress", {"c": [Demonstration("a", "b")]}, rng)


def test_first_line_rule():
    assert first_line(" A red dress on grass.\n\nstar => a star") == "A red dress on grass."
    assert first_line("\nsecond") == ""
    assert first_line("no newline ") == "no newline"

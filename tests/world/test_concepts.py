"""Concept lists, the world prior and mentions()."""
import pytest

from synclr_lib.world import (BACKGROUNDS, COLOURS, DRAWABLE, GLYPHS, OBJECT_GROUPS, OBJECTS, RELATIONS, SIZES, VOCABULARY,
                              WorldError, mentions, plausible_backgrounds)
from synclr_lib.world.concepts import PAPER_RELATION_WORDS, phrase_table


def test_sizes_of_the_concept_lists():
    assert len(OBJECTS) == 22 and len(set(OBJECTS)) == 22
    groups = [OBJECT_GROUPS[o] for o in OBJECTS]
    assert (groups.count("garment"), groups.count("shape")) == (10, 12)
    # the glyphs are drawable but outside C: not in OBJECTS, not in the phrase table
    assert len(GLYPHS) == 10 and not set(GLYPHS) & set(OBJECTS) and DRAWABLE == OBJECTS + GLYPHS
    assert mentions("a blue letter K on sand")["objects"] == []
    assert len(COLOURS) == 12 and len(BACKGROUNDS) == 12 and len(SIZES) == 3
    assert set(PAPER_RELATION_WORDS) == {"in", "on", "next to", "behind", "in front of", "over", "under",
                                         "above", "below", "besides"}
    assert set(PAPER_RELATION_WORDS.values()) == set(RELATIONS)


def test_prior_is_a_proper_subset_and_garments_avoid_water():
    for obj in OBJECTS:
        bgs = plausible_backgrounds(obj)
        assert 4 <= len(bgs) < len(BACKGROUNDS) and set(bgs) <= set(BACKGROUNDS)
    assert sum("water" in plausible_backgrounds(o) for o in OBJECTS if OBJECT_GROUPS[o] == "garment") <= 1
    with pytest.raises(WorldError, match="unknown object"):
        plausible_backgrounds("unicorn")


def test_every_phrase_is_understood_and_unambiguous():
    table = phrase_table()  # raises on a phrase claimed by two concepts
    assert len(table) > 200
    for kind, vocab in VOCABULARY.items():
        for concept, phrases in vocab.items():
            for p in phrases:
                if kind == "relations":
                    found = mentions(f"a circle {p} a square")
                else:
                    found = mentions(f"there is {p} here")
                assert concept in found[kind], (kind, p, found)


@pytest.mark.parametrize("text, expected", [
    ("Two crimson tees next to a hex, on the beach",
     dict(objects=["t-shirt", "hexagon"], colours=["red"], backgrounds=["sand"], relations=["next to"], counts=[2])),
    ("a navy blue t-shirt against blue sky", dict(objects=["t-shirt"], colours=["navy"], backgrounds=["sky"])),
    ("a shirt", dict(objects=["shirt"])),
    ("three Plus Signs in front of a star on grass",
     dict(objects=["cross", "star"], backgrounds=["grass"], relations=["in front of"], counts=[3])),
    ("big dresses over the sea", dict(objects=["dress"], backgrounds=["water"], sizes=["large"])),
    ("a tiny lime-green heart under a lozenge", dict(objects=["heart", "diamond"], colours=["lime"],
                                                   relations=["below"], sizes=["small"])),
])
def test_mentions(text, expected):
    found = mentions(text)
    for key in ("objects", "colours", "backgrounds", "relations", "counts", "sizes"):
        assert found[key] == expected.get(key, []), (key, found)


def test_mentions_rejects_non_text():
    with pytest.raises(TypeError):
        mentions(None)

"""The mini world: concept list C, world prior, renderer, mini-web corpus and evaluation suites.

At `mini` scale nothing pretrained can be downloaded, so a small world stands in for the
internet and for the real evaluation datasets (issue 3, notebooks/01_world.py):

    from synclr_lib.world import OBJECTS, mentions, SceneSpec, render, load_mini_web, load_suite
    image, mask = render(SceneSpec("sneaker", "red", "grass"), size=32)
    web = load_mini_web(cfg)                 # images + alt-text (the "internet")
    suite = load_suite("objects", cfg, "test")  # held-out renders (the "ImageNet" analogue)
"""
from .concepts import (BACKGROUNDS, COLOUR_RGB, COLOURS, COUNTS, DRAWABLE, GARMENTS, GLYPHS, MASK_CLASSES,
                       OBJECT_GROUPS, OBJECTS, PAPER_RELATION_WORDS, RELATIONS, SHAPES, SIZES,
                       VOCABULARY, WorldError, mask_label, mentions, plausible_backgrounds)
from .render import SceneSpec, render
from .sprites import FashionMNISTMissing, load_fashion_mnist

__all__ = [
    "OBJECTS", "OBJECT_GROUPS", "GARMENTS", "GLYPHS", "DRAWABLE", "SHAPES", "COLOURS", "COLOUR_RGB",
    "BACKGROUNDS", "RELATIONS", "PAPER_RELATION_WORDS", "SIZES", "COUNTS", "MASK_CLASSES",
    "VOCABULARY", "WorldError", "FashionMNISTMissing", "mask_label", "mentions",
    "plausible_backgrounds", "SceneSpec", "render", "load_fashion_mnist",
]

from .alttext import alt_text, sample_scene  # noqa: E402
from .web import MiniWeb, load_mini_web, read_mini_web  # noqa: E402

__all__ += ["alt_text", "sample_scene", "MiniWeb", "load_mini_web", "read_mini_web"]
from .suites import Suite, load_suite, suite_names, suite_specs  # noqa: E402

__all__ += ["Suite", "load_suite", "suite_names", "suite_specs"]

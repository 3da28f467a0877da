"""Scene sampling from the world prior and noisy web alt-text.

The mini-web plays the internet that the paper's g1 (Llama-2) and g2 (Stable Diffusion)
were pretrained on, so its captions are written like alt-text: synonyms, varied word
order, omitted details, irrelevant words. Every phrase comes from `VOCABULARY` (concepts.py),
the same table `mentions()` parses with. Introduced in notebooks/01_world.py.
"""
from __future__ import annotations

import numpy as np

from .concepts import (BACKGROUNDS, COLOURS, COUNT_PHRASES, OBJECT_GROUPS, OBJECTS, PLAUSIBLE_BACKGROUNDS,
                       RELATIONS, SIZES, VOCABULARY, WorldError, article, plural)
from .render import ROTATION_RANGE, SceneSpec

# Layout mix of the mini-web: single objects, two objects in a relation, 2-4 copies.
WEB_LAYOUTS = {"single": 0.6, "relation": 0.25, "count": 0.15}
SCALE_JITTER = (0.92, 1.08)  # size jitter on top of small / medium / large
PREFIXES = ["", "", "", "", "photo of", "image of", "picture:", "stock photo", "close-up of", "cute",
            "new", "my favourite", "look at this"]
SUFFIXES = ["", "", "", "", "| free shipping", "hd", "4k", "wallpaper", "#design", "buy now", "for sale",
            "jpg", "(sold)", "- click to enlarge"]
# How often alt-text names what the image shows: real alt-text often leaves colour and
# place out, and g2 can only learn to vary what its training captions leave open.
ALT_TEXT_COLOUR_P = 0.5  # an object's colour is named
ALT_TEXT_BACKGROUND_P = 0.6  # the background is named


def sample_scene(seed: int, *, source: str = "web", prior: float = 0.95, layout: str | None = None,
                 obj: str | None = None, colour: str | None = None, background: str | None = None,
                 size: str | None = None, count: int | None = None, relation: str | None = None) -> SceneSpec:
    """A scene drawn from the world prior; arguments that are given are held fixed.

    With probability `prior` the background comes from the object's plausible list
    (the GPT-4 background lists analogue), otherwise from all backgrounds.
    """
    rng = np.random.default_rng([int(seed), 3])
    if layout is None:
        layout = rng.choice(list(WEB_LAYOUTS), p=list(WEB_LAYOUTS.values()))
    if layout not in WEB_LAYOUTS:
        raise WorldError(f"unknown layout {layout!r}; valid: {', '.join(WEB_LAYOUTS)}")
    obj = obj or OBJECTS[rng.integers(len(OBJECTS))]
    colour = colour or COLOURS[rng.integers(len(COLOURS))]
    if background is None:
        pool = PLAUSIBLE_BACKGROUNDS[obj] if rng.random() < prior else BACKGROUNDS
        background = pool[rng.integers(len(pool))]
    size = size or SIZES[rng.integers(len(SIZES))]
    r = ROTATION_RANGE[OBJECT_GROUPS[obj]]
    spec = dict(object=obj, colour=colour, background=background, size=size,
                rotation=round(float(rng.uniform(-r, r)), 2),
                scale=round(float(rng.uniform(*SCALE_JITTER)), 3), source=source, seed=int(seed))
    if layout == "relation":
        spec["relation"] = relation or RELATIONS[rng.integers(len(RELATIONS))]
        spec["other"] = OBJECTS[rng.integers(len(OBJECTS))]
        spec["other_colour"] = COLOURS[rng.integers(len(COLOURS))]
    elif layout == "count":
        spec["count"] = count or int(rng.integers(2, 5))
    return SceneSpec(**spec)


def _pick(rng, phrases, canonical_p=0.5):
    """The canonical phrase with probability canonical_p, otherwise any synonym."""
    if rng.random() < canonical_p or len(phrases) == 1:
        return phrases[0]
    return phrases[1 + rng.integers(len(phrases) - 1)]


def _noun_phrase(rng, obj, colour, size, count, *, colour_p=ALT_TEXT_COLOUR_P, size_p=0.4, count_p=0.9):
    noun = _pick(rng, VOCABULARY["objects"][obj])
    if count > 1:
        noun = plural(noun)
    adjectives = []
    if size and rng.random() < size_p:
        adjectives.append(_pick(rng, VOCABULARY["sizes"][size]))
    colour_word = _pick(rng, VOCABULARY["colours"][colour]) if colour and rng.random() < colour_p else None
    post = False
    if colour_word:
        if rng.random() < 0.8:
            adjectives.append(colour_word)
        else:
            post = True  # "sneaker in red"
    words = adjectives + [noun]
    if count > 1:
        det = _pick(rng, COUNT_PHRASES[count], 0.6) if rng.random() < count_p else "some"
    else:
        det = ["a", "the", "one", ""][rng.integers(4)]
        det = article(words[0]) if det == "a" else det
    phrase = " ".join(w for w in [det] + words if w)
    return f"{phrase} in {colour_word}" if post else phrase


def alt_text(spec: SceneSpec, seed: int | None = None) -> str:
    """Noisy web alt-text for a scene (deterministic given the spec and `seed`)."""
    rng = np.random.default_rng([int(spec.seed if seed is None else seed), 4])
    if spec.object is None:
        return _pick(rng, VOCABULARY["backgrounds"][spec.background]) + " texture"
    subject = _noun_phrase(rng, spec.object, spec.colour, spec.size, spec.count)
    for obj, col in spec.extras:
        subject += (", " if rng.random() < 0.5 else " and ") + _noun_phrase(rng, obj, col, None, 1, size_p=0)
    if spec.relation:
        rel = _pick(rng, VOCABULARY["relations"][spec.relation], 0.6)
        other = _noun_phrase(rng, spec.other, spec.other_colour, None, 1, size_p=0)
        subject = f"{subject} {rel} {other}"
    parts = [subject]
    if rng.random() < ALT_TEXT_BACKGROUND_P:
        bg = _pick(rng, VOCABULARY["backgrounds"][spec.background])
        form = rng.integers(4)
        if form == 0:
            parts = [f"{bg}:", subject]
        elif form == 1:
            parts = [subject, f"on {bg}" if bg[-1] != "s" or rng.random() < 0.5 else f"on the {bg}"]
        elif form == 2:
            parts = [subject, f"against {bg}"]
        else:
            parts = [subject, f"with {bg} in the background"]
    prefix, suffix = PREFIXES[rng.integers(len(PREFIXES))], SUFFIXES[rng.integers(len(SUFFIXES))]
    if rng.random() < 0.1:
        prefix = f"IMG_{rng.integers(1000, 10000)}"
    text = " ".join(p for p in [prefix, *parts, suffix] if p)
    style = rng.random()
    if style < 0.1:
        text = text.title()
    elif style < 0.15:
        text = text.upper()
    elif style < 0.6:
        text = text[0].upper() + text[1:]
    return " ".join(text.split())

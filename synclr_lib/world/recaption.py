"""Descriptive recaptions of mini-web scenes: the mini analogue of DALL-E 3's captioner.

Text-to-image models since DALL-E 3 are pretrained mostly on *descriptive* captions that a
captioning model wrote for each image, not on the web's alt-text alone (DALL-E 3: 95 %
synthetic captions). The mini-web's scenes come with their spec, so the world itself is a
perfect captioner: every object, colour, size, count, relation and the background, each by
its canonical name, in one fixed order. The mini g2 trains on a mix of these and the alt-text
(`images.recaption_fraction`); g1 and SynCLR never see them.

    recaption(SceneSpec("sneaker", "red", "wood", size="small"))  # "a small red sneaker on wood"

Measured (benchmarks/results/study_g2_recipe.md): a g2 trained and prompted with canonical
captions drew the caption's object twice as often as one trained on alt-text (30.7 vs 14.6 %);
the g2 stage with half its pairs recaptioned, prompted with g1 captions, 45.1 % vs 33.8 %.
Introduced in notebooks/03_images_cfg.py.
"""
from __future__ import annotations

from .concepts import COUNT_PHRASES, article, plural
from .render import SceneSpec


def _object_phrase(obj: str, colour: str | None, size: str | None = None, count: int = 1) -> str:
    words = " ".join(w for w in (size, colour, plural(obj) if count > 1 else obj) if w)
    return f"{COUNT_PHRASES[count][0]} {words}" if count > 1 else f"{article(words)} {words}"


def recaption(spec: SceneSpec) -> str:
    """One descriptive caption of a scene, all in canonical names (parsed back by `mentions`)."""
    if spec.object is None:
        return f"{spec.background} texture"
    subject = _object_phrase(spec.object, spec.colour, spec.size, spec.count)
    for obj, colour in spec.extras:
        subject += f" and {_object_phrase(obj, colour)}"
    if spec.relation:
        subject += f" {spec.relation} {_object_phrase(spec.other, spec.other_colour)}"
    return f"{subject} on {spec.background}"

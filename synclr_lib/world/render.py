"""The renderer: a SceneSpec -> an RGB image and a per-pixel concept mask.

    from synclr_lib.world import SceneSpec, render
    image, mask = render(SceneSpec("sneaker", "red", "grass", relation="next to", other="star"), size=32)

`image` is uint8 [size, size, 3] (the project's pixel convention), `mask` int16 [size, size]
holding indices into MASK_CLASSES (backgrounds first, then objects): a pixel belongs to an
object where that object's alpha is at least 0.5. Positions and sizes are fractions of the
canvas, so one spec draws the same scene at 32, 64 or 128 px. The same spec (seed included)
always gives byte-identical output. Introduced in notebooks/01_world.py.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from .concepts import (COLOUR_RGB, COUNTS, GARMENTS, OBJECT_GROUPS, SIZE_FRACTION, WorldError,
                       check_concept, mask_label)
from .sprites import EXTENT, garment_index, object_patch
from .textures import SOURCES, background_window, varied_background_window

MIN_SIZE = 16  # smaller canvases cannot hold a recognisable object
ROTATION_RANGE = {"garment": 12.0, "glyph": 20.0, "shape": 20.0}  # +- degrees, kept small:
# a square turned 45 degrees would be a diamond
NOISE_STD = 3.0 / 255  # faint sensor noise so no two renders share exact pixels
SOURCE_SPLIT = {"web": "train", "eval": "test"}  # Fashion-MNIST split per source


@dataclass(frozen=True)
class SceneSpec:
    """Everything a scene is made of; `seed` fixes what the spec leaves free (texture window,
    position, lighting, sprites of secondary garments, noise)."""
    object: str | None  # main object (a name of OBJECTS); None draws the background only
    colour: str = "red"  # main object's colour (COLOURS)
    background: str = "grass"  # BACKGROUNDS
    size: str = "medium"  # SIZES
    rotation: float = 0.0  # main object's rotation, degrees counter-clockwise
    count: int = 1  # copies of the main object, 1-4
    relation: str | None = None  # RELATIONS: "<object> <relation> <other>"
    other: str | None = None  # the second object of a relation
    other_colour: str | None = None  # its colour (None: drawn from the seed)
    extras: tuple = ()  # ((object, colour), ...): more objects in a grid (multi-label scenes)
    scale: float = 1.0  # size jitter on top of `size`
    sprite: int | None = None  # Fashion-MNIST index of a garment main object (None: from seed)
    source: str = "web"  # "web" (Fashion-MNIST train) or "eval" (test split, other textures)
    seed: int = 0
    background_variation: float = 0.0  # 0-1: camera and light variation of the background
    # (textures.varied_background_window); 0 shows the tile as is, as the mini-web does

    def to_dict(self) -> dict:
        d = asdict(self)
        d["extras"] = [list(e) for e in self.extras]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "SceneSpec":
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise WorldError(f"unknown SceneSpec fields {sorted(unknown)}; valid: {sorted(names)}")
        d = dict(d)
        d["extras"] = tuple(tuple(e) for e in d.get("extras", ()))
        return cls(**d)

    def concepts(self) -> list[str]:
        """Names of all objects in the scene (main first)."""
        out = [] if self.object is None else [self.object]
        if self.other:
            out.append(self.other)
        out += [e[0] for e in self.extras]
        return out


def validate(spec: SceneSpec, size: int = 32) -> None:
    """Raise WorldError with a clear message when the spec cannot be drawn."""
    if not isinstance(size, (int, np.integer)) or size < MIN_SIZE:
        raise WorldError(f"image size must be an int >= {MIN_SIZE}, got {size!r}")
    check_concept("background", spec.background)
    if spec.source not in SOURCES:
        raise WorldError(f"unknown source {spec.source!r}; valid: {', '.join(SOURCES)}")
    if not isinstance(spec.seed, (int, np.integer)) or spec.seed < 0:
        raise WorldError(f"seed must be a non-negative int, got {spec.seed!r}")
    if not 0 <= spec.background_variation <= 1:
        raise WorldError(f"background_variation must be in [0, 1], got {spec.background_variation!r}")
    if spec.object is None:
        if spec.relation or spec.other or spec.extras or spec.count != 1:
            raise WorldError("a background-only scene (object=None) has no count, relation or extras")
        return
    check_concept("drawable", spec.object)
    check_concept("colour", spec.colour)
    check_concept("size", spec.size)
    if spec.count not in COUNTS:
        raise WorldError(f"count must be one of {COUNTS}, got {spec.count!r}")
    if (spec.relation is None) != (spec.other is None):
        raise WorldError("a relation needs both `relation` and `other` (e.g. relation='above', other='star')")
    if spec.relation is not None:
        check_concept("relation", spec.relation)
        check_concept("drawable", spec.other)
        if spec.count != 1 or spec.extras:
            raise WorldError("a relation scene has count 1 and no extras")
    if spec.other_colour is not None:
        check_concept("colour", spec.other_colour)
    if spec.extras:
        if spec.count != 1:
            raise WorldError("extras and count > 1 cannot be combined")
        if len(spec.extras) > 3:
            raise WorldError(f"at most 3 extras (4 objects in all), got {len(spec.extras)}")
        for e in spec.extras:
            if len(e) != 2:
                raise WorldError(f"each extra is (object, colour), got {e!r}")
            check_concept("drawable", e[0])
            check_concept("colour", e[1])
    if spec.sprite is not None and OBJECT_GROUPS[spec.object] == "garment":
        idx = garment_index(SOURCE_SPLIT[spec.source])[GARMENTS.index(spec.object)]
        if spec.sprite not in set(idx.tolist()):
            raise WorldError(f"sprite {spec.sprite} is not a {spec.object!r} of the Fashion-MNIST "
                             f"{SOURCE_SPLIT[spec.source]} split (source={spec.source!r})")
    extent = object_extent(spec, size)
    if extent > size or not spec.scale > 0:
        raise WorldError(f"object larger than the canvas: {spec.size} x scale {spec.scale} is "
                         f"{extent:.1f} px on a {size} px image")


def object_extent(spec: SceneSpec, size: int) -> float:
    """Main object's extent in pixels before layout caps it (size x scale x canvas)."""
    return SIZE_FRACTION[spec.size] * spec.scale * size


@dataclass
class _Item:
    obj: str
    colour: str
    extent: float  # px
    cx: float
    cy: float
    rotation: float
    sprite: int | None = None


def _random_sprite(obj, source, rng):
    idx = garment_index(SOURCE_SPLIT[source])[GARMENTS.index(obj)]
    return int(idx[rng.integers(len(idx))])


def _rotation(obj, rng):
    r = ROTATION_RANGE[OBJECT_GROUPS[obj]]
    return float(rng.uniform(-r, r))


def _place_group(items, size, rng):
    """Shift a group (item centres relative to 0) to a random position inside the canvas."""
    lo_x = min(it.cx - it.extent / 2 for it in items)
    hi_x = max(it.cx + it.extent / 2 for it in items)
    lo_y = min(it.cy - it.extent / 2 for it in items)
    hi_y = max(it.cy + it.extent / 2 for it in items)
    dx = rng.uniform(-lo_x, max(-lo_x, size - hi_x))
    dy = rng.uniform(-lo_y, max(-lo_y, size - hi_y))
    for it in items:
        it.cx += dx
        it.cy += dy


def layout(spec: SceneSpec, size: int, rng: np.random.Generator) -> list[_Item]:
    """The objects of a scene in drawing order, with pixel extents and centres."""
    if spec.object is None:
        return []
    s = object_extent(spec, size)
    other_colour = spec.other_colour or None
    main = _Item(spec.object, spec.colour, s, 0.0, 0.0, float(spec.rotation), spec.sprite)
    if spec.relation is None and spec.count == 1 and not spec.extras:
        _place_group([main], size, rng)
        return [main]
    if spec.relation is not None:
        if other_colour is None:
            other_colour = list(COLOUR_RGB)[int(rng.integers(len(COLOUR_RGB)))]
        other = _Item(spec.other, other_colour, 0.0, 0.0, 0.0, _rotation(spec.other, rng))
        rel = spec.relation
        if rel in ("next to", "above", "below"):
            main.extent = min(s, 0.5 * size)
            other.extent = 0.8 * main.extent
            gap = 0.08 * size
            dist = (main.extent + other.extent) / 2 + gap
            if rel == "next to":
                main.cx = dist if rng.random() < 0.5 else -dist  # main right or left of other
                main.cy = other.cy + rng.uniform(-0.1, 0.1) * size
            else:
                main.cy = -dist if rel == "above" else dist  # image y grows downwards
                main.cx = rng.uniform(-0.1, 0.1) * size
            order = [other, main]
        elif rel == "on":
            main.extent = min(s, 0.48 * size)
            other.extent = min(main.extent * 1.05, 0.5 * size)
            main.cy = -(main.extent + other.extent) / 2 * 0.95  # touching, slightly overlapping
            main.cx = rng.uniform(-0.05, 0.05) * size
            order = [other, main]
        elif rel == "in":
            other.extent = min(max(s, 0.62 * size), 0.9 * size)
            main.extent = 0.45 * other.extent
            main.cx, main.cy = (rng.uniform(-0.04, 0.04) * size for _ in range(2))
            order = [other, main]
        else:  # "in front of" / "behind": overlapping, drawing order decides
            main.extent = min(s, 0.55 * size)
            other.extent = 0.9 * main.extent
            main.cx = 0.42 * main.extent * (1 if rng.random() < 0.5 else -1)
            main.cy = 0.3 * main.extent * (1 if rng.random() < 0.5 else -1)
            order = [other, main] if rel == "in front of" else [main, other]
        _place_group(order, size, rng)
        return order
    # a grid of copies (count) or of different objects (extras)
    members = [(spec.object, spec.colour)] * spec.count if spec.count > 1 else \
        [(spec.object, spec.colour)] + [tuple(e) for e in spec.extras]
    k = len(members)
    if k == 2:
        cells = [(0, 0), (1, 0)] if rng.random() < 0.5 else [(0, 0), (0, 1)]
        cw, ch = (size / 2, size) if cells[1] == (1, 0) else (size, size / 2)
    else:
        cells = [(0, 0), (1, 0), (0, 1), (1, 1)]
        rng.shuffle(cells)
        cells = cells[:k]
        cw = ch = size / 2
    items = []
    for i, ((obj, colour), (gx, gy)) in enumerate(zip(members, cells)):
        e = min(s, 0.9 * min(cw, ch))
        cx = gx * cw + rng.uniform(e / 2, cw - e / 2)
        cy = gy * ch + rng.uniform(e / 2, ch - e / 2)
        if i == 0:
            items.append(_Item(obj, colour, e, cx, cy, float(spec.rotation), spec.sprite))
        else:
            items.append(_Item(obj, colour, e, cx, cy, _rotation(obj, rng)))
    return items


def render(spec: SceneSpec, size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Draw `spec` at `size` px: (image uint8 [size, size, 3], mask int16 [size, size])."""
    validate(spec, size)
    # separate streams: background, layout and noise do not shift when one of them changes
    rng_bg = np.random.default_rng([int(spec.seed), 0])
    rng_layout = np.random.default_rng([int(spec.seed), 1])
    rng_noise = np.random.default_rng([int(spec.seed), 2])
    if spec.background_variation:  # its own stream: scenes without variation draw as before
        canvas = varied_background_window(spec.background, spec.source, size,
                                          np.random.default_rng([int(spec.seed), 8]), spec.background_variation)
    else:
        canvas = background_window(spec.background, spec.source, size, rng_bg)
    canvas *= np.float32(rng_bg.uniform(0.9, 1.1))  # lighting
    mask = np.full((size, size), mask_label(spec.background), dtype=np.int16)
    for it in layout(spec, size, rng_layout):
        _draw(canvas, mask, it, spec.source, rng_layout)
    canvas += rng_noise.normal(0.0, NOISE_STD, canvas.shape).astype(np.float32)
    image = np.clip(np.rint(canvas * 255), 0, 255).astype(np.uint8)
    return image, mask


def _draw(canvas, mask, it: _Item, source, rng):
    sprite = it.sprite
    if OBJECT_GROUPS[it.obj] == "garment" and sprite is None:
        sprite = _random_sprite(it.obj, source, rng)
    lightness = np.float32(rng.uniform(0.88, 1.08))
    alpha, shade = object_patch(it.obj, it.extent, it.rotation, split=SOURCE_SPLIT[source],
                                sprite=sprite or 0)
    side = alpha.shape[0]
    size = canvas.shape[0]
    x0 = int(math.floor(it.cx - side / 2 + 0.5))
    y0 = int(math.floor(it.cy - side / 2 + 0.5))
    # clip the patch to the canvas (its transparent margin may stick out)
    cx0, cy0 = max(x0, 0), max(y0, 0)
    cx1, cy1 = min(x0 + side, size), min(y0 + side, size)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    a = alpha[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    sh = shade[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    rgb = np.asarray(COLOUR_RGB[it.colour], np.float32) / 255 * lightness
    obj = np.clip(sh[..., None] * rgb, 0, 1)
    region = canvas[cy0:cy1, cx0:cx1]
    region += (obj - region) * a[..., None]
    mask[cy0:cy1, cx0:cx1][a >= 0.5] = mask_label(it.obj)

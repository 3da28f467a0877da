"""Object silhouettes: real Fashion-MNIST sprites, letters from a bundled font, and shapes.

Every object is an alpha mask (float32 in [0, 1]) plus a shading map (float32, 1 = the
colour as named): garments keep the real sprite's light and folds, letters and shapes are
flat. Masks are drawn once at high resolution and cached; `object_patch()` rotates and
resizes them for one scene. Introduced in notebooks/01_world.py.
"""
from __future__ import annotations

import gzip
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .concepts import GARMENTS, LETTERS, OBJECT_GROUPS, SHAPES, WorldError, check_concept

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
                       "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
# The letters' font: matplotlib ships DejaVu, so it exists wherever the project installs.
GLYPH_FONT = "DejaVuSans-Bold.ttf"
BASE = 128  # side of the cached high-resolution masks
EXTENT = 0.70  # the object spans this fraction of its (square) patch, so rotation never clips


class FashionMNISTMissing(FileNotFoundError):
    """Fashion-MNIST is not installed; the message gives the command that installs it."""


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


@lru_cache(maxsize=2)
def load_fashion_mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST images uint8 [N, 28, 28] and labels int64 [N] ("train" 60k, "test" 10k).

    The mini-web draws garments from the train split only; evaluation suites from the test
    split only, so no evaluated garment instance was ever seen by g1, g2 or the encoder.
    """
    if split not in FASHION_MNIST_FILES:
        raise WorldError(f"unknown Fashion-MNIST split {split!r}; valid: train, test")
    paths = [FASHION_MNIST_DIR / name for name in FASHION_MNIST_FILES[split]]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FashionMNISTMissing(
            f"Fashion-MNIST not found ({', '.join(missing)}). Install it with: "
            f"sudo apt-get install dataset-fashion-mnist   (or `make setup`)")
    images, labels = (_read_idx(p) for p in paths)
    return images, labels.astype(np.int64)


@lru_cache(maxsize=2)
def garment_index(split: str) -> list[np.ndarray]:
    """For each garment class, the indices of its sprites in the split."""
    _, labels = load_fashion_mnist(split)
    return [np.flatnonzero(labels == c) for c in range(len(GARMENTS))]


def _supersample(draw_fn, ss: int = 4) -> np.ndarray:
    """Draw at ss x BASE with PIL (white on black), box-filter down to BASE: smooth alpha."""
    img = Image.new("L", (BASE * ss, BASE * ss), 0)
    draw_fn(ImageDraw.Draw(img), BASE * ss)
    img = img.resize((BASE, BASE), Image.BOX)
    return np.asarray(img, dtype=np.float32) / 255.0


def _poly(points, n):
    """Unit-square points (x, y in [-1, 1], y up) -> pixel coordinates of the EXTENT box."""
    half = n * EXTENT / 2
    return [(n / 2 + x * half, n / 2 - y * half) for x, y in points]


def _regular(k, start=90.0, r=1.0):
    return [(r * math.cos(math.radians(start + 360 * i / k)), r * math.sin(math.radians(start + 360 * i / k)))
            for i in range(k)]


def _ellipse_box(cx, cy, rx, ry, n):
    half = n * EXTENT / 2
    return [n / 2 + (cx - rx) * half, n / 2 - (cy + ry) * half, n / 2 + (cx + rx) * half, n / 2 - (cy - ry) * half]


def _shape_drawer(name: str):
    """A function drawing shape `name` into a PIL ImageDraw of side n (white = object)."""
    star = [p for i in range(5) for p in (_regular(5)[i], tuple(0.42 * v for v in _regular(5, 90 + 36)[i]))]
    polygons = {
        "square": [(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)],
        "rectangle": [(-1, -0.45), (1, -0.45), (1, 0.45), (-1, 0.45)],
        "triangle": [(0, 1), (-1, -0.8), (1, -0.8)],
        "diamond": [(0, 1), (0.65, 0), (0, -1), (-0.65, 0)],
        "pentagon": [(0, 1), (0.9, 0.2), (0.9, -0.95), (-0.9, -0.95), (-0.9, 0.2)],
        "hexagon": _regular(6, start=0),
        "star": star,
        "cross": [(-0.3, 1), (0.3, 1), (0.3, 0.3), (1, 0.3), (1, -0.3), (0.3, -0.3), (0.3, -1),
                  (-0.3, -1), (-0.3, -0.3), (-1, -0.3), (-1, 0.3), (-0.3, 0.3)],
    }
    if name in polygons:
        pts = polygons[name]
        return lambda d, n: d.polygon(_poly(pts, n), fill=255)
    if name == "circle":
        return lambda d, n: d.ellipse(_ellipse_box(0, 0, 1, 1, n), fill=255)
    if name == "oval":
        return lambda d, n: d.ellipse(_ellipse_box(0, 0, 1, 0.55, n), fill=255)
    if name == "crescent":
        return lambda d, n: (d.ellipse(_ellipse_box(0, 0, 1, 1, n), fill=255),
                             d.ellipse(_ellipse_box(0.45, 0.2, 0.8, 0.8, n), fill=0))
    if name == "heart":
        def heart(d, n):
            d.ellipse(_ellipse_box(-0.48, 0.45, 0.52, 0.52, n), fill=255)
            d.ellipse(_ellipse_box(0.48, 0.45, 0.52, 0.52, n), fill=255)
            d.polygon(_poly([(-0.98, 0.32), (0.98, 0.32), (0, -1)], n), fill=255)
        return heart
    raise WorldError(f"no drawing for shape {name!r}")


def _font_path() -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / GLYPH_FONT)


def _glyph_drawer(letter: str):
    def draw(d, n):
        font = ImageFont.truetype(_font_path(), size=int(n * EXTENT * 1.1))
        left, top, right, bottom = d.textbbox((0, 0), letter, font=font)
        w, h = right - left, bottom - top
        # scale is fixed by the font size; centre the ink box in the patch
        d.text(((n - w) / 2 - left, (n - h) / 2 - top), letter, font=font, fill=255)
    return draw


@lru_cache(maxsize=None)
def flat_mask(obj: str) -> np.ndarray:
    """High-resolution alpha [BASE, BASE] of a letter or shape (cached)."""
    check_concept("drawable", obj)
    group = OBJECT_GROUPS[obj]
    if group == "shape":
        return _supersample(_shape_drawer(obj))
    if group == "glyph":
        return _supersample(_glyph_drawer(obj.split()[-1]))
    raise WorldError(f"{obj!r} is a garment: use garment_sprite()")


def garment_sprite(split: str, index: int) -> tuple[np.ndarray, np.ndarray]:
    """(alpha, shade) [28, 28] of Fashion-MNIST image `index` of `split`.

    Alpha is the sprite's silhouette with holes filled (dark prints stay part of the garment);
    shade keeps the real sprite's light: 0.45 (darkest cloth) .. 1.1 (brightest).
    """
    images, _ = load_fashion_mnist(split)
    return _garment_maps(split, int(index), images[int(index)])


def _garment_maps(split, index, sprite):
    from scipy.ndimage import binary_fill_holes

    x = sprite.astype(np.float32) / 255.0
    solid = binary_fill_holes(x > 0.04)
    alpha = np.where(solid, np.clip(x / 0.08, 0.6, 1.0), 0.0).astype(np.float32)
    peak = max(float(x.max()), 1e-3)
    shade = (0.45 + 0.65 * (x / peak)).astype(np.float32)
    return alpha, shade


def object_patch(obj: str, extent_px: float, rotation: float, *, split: str = "train",
                 sprite: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(alpha, shade) of side ceil(extent_px / EXTENT): the object spans `extent_px` pixels.

    The patch is larger than the object so a rotation never clips it; `rotation` is in
    degrees, counter-clockwise. Letters and shapes have shade 1 everywhere.
    """
    side = max(2, int(math.ceil(extent_px / EXTENT)))
    if OBJECT_GROUPS[obj] == "garment":
        alpha28, shade28 = garment_sprite(split, sprite)
        # place the 28 px sprite (which fills its box) inside a patch with EXTENT margin
        pad = int(round(28 * (1 / EXTENT - 1) / 2))
        a = Image.fromarray(np.pad(alpha28, pad), mode="F")
        s = Image.fromarray(np.pad(shade28, pad, constant_values=1.0), mode="F")
        if rotation:
            a = a.rotate(rotation, resample=Image.BILINEAR)
            s = s.rotate(rotation, resample=Image.BILINEAR, fillcolor=1.0)
        alpha = np.asarray(a.resize((side, side), Image.BILINEAR), dtype=np.float32)
        shade = np.asarray(s.resize((side, side), Image.BILINEAR), dtype=np.float32)
        return np.clip(alpha, 0, 1), shade
    # rotate at twice the output resolution (6x cheaper than at BASE, same look), then
    # BOX-shrink, which keeps thin strokes (letters) visible at 14 px
    a = Image.fromarray(_flat_mask_at(obj, min(BASE, 2 * side)), mode="F")
    if rotation:
        a = a.rotate(rotation, resample=Image.BILINEAR)
    alpha = np.asarray(a.resize((side, side), Image.BOX if side < a.size[0] else Image.BILINEAR), dtype=np.float32)
    return np.clip(alpha, 0, 1), np.ones_like(alpha)


@lru_cache(maxsize=4096)
def _flat_mask_at(obj: str, work: int) -> np.ndarray:
    base = flat_mask(obj)
    if work >= BASE:
        return base
    return np.asarray(Image.fromarray(base, mode="F").resize((work, work), Image.BOX), dtype=np.float32)

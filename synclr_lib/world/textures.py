"""Backgrounds ("places"): three real scikit-image textures and nine procedural ones.

Each background is a large tile (float32 RGB in [0, 1]) made once per (background, source,
image size) and cached; a scene shows a random window of it. The two sources use disjoint
material: the mini-web (`source="web"`) crops the top half of each real texture and tiles
grown from one seed, the evaluation suites (`source="eval"`) the bottom half and tiles from
another seed. Introduced in notebooks/01_world.py.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .concepts import BACKGROUNDS, WorldError, check_concept

SOURCES = ("web", "eval")
TILE_FACTOR = 6  # a tile is TILE_FACTOR x the image side, so windows rarely repeat
# the real textures' tint (they ship in grey): brick reddish, grass green, gravel beige
REAL_TINT = {"brick wall": ((70, 35, 30), (200, 120, 95)), "grass": ((25, 60, 20), (140, 200, 90)),
             "gravel": ((70, 65, 60), (205, 195, 175))}
REAL_LOADER = {"brick wall": "brick", "grass": "grass", "gravel": "gravel"}
REAL_ZOOM = {"brick wall": 0.3, "grass": 0.5, "gravel": 0.4}  # image px per texture px at 32 px
# Within-class appearance variation (`varied_background_window`), as photos of one DTD or SUN397
# class differ in camera and light; each range is scaled by a strength in [0, 1].
VARIATION_ZOOM = (0.6, 1.7)  # image px per tile px, log-uniform: the camera's distance
VARIATION_ROTATION = 180.0  # +- degrees: a surface may be seen from any side ...
UPRIGHT_ROTATION = {"sky": 10.0}  # ... but a place with an up keeps it (only a camera tilt)
VARIATION_BLUR = 1.0  # largest Gaussian sigma in 32-px-image pixels: focus and motion
VARIATION_CONTRAST = 0.5  # contrast factor in [1 - c, 1 + c] around the window's mean
VARIATION_BRIGHTNESS = 0.35  # brightness factor in [1 - b, 1 + b]: exposure
VARIATION_SATURATION = (0.4, 1.4)  # saturation factor range (1: unchanged)
VARIATION_HUE = 30.0  # +- degrees of hue rotation: season, light source, material
VARIATION_TINT = 0.12  # std of the log per-channel gain: white balance


def _noise(rng, h, w, scale):
    """Smooth value noise in [0, 1]: random grid at 1/scale resolution, bilinear upsampled."""
    from PIL import Image

    gh, gw = max(2, int(h / scale) + 2), max(2, int(w / scale) + 2)
    grid = rng.random((gh, gw)).astype(np.float32)
    img = Image.fromarray(grid, mode="F").resize((int(gw * scale), int(gh * scale)), Image.BICUBIC)
    out = np.asarray(img, dtype=np.float32)[:h, :w]
    lo, hi = out.min(), out.max()
    return (out - lo) / max(hi - lo, 1e-6)


def _mix(a, b, t):
    a, b = np.asarray(a, np.float32) / 255, np.asarray(b, np.float32) / 255
    return a + (b - a) * t[..., None]


def _real(name, source, h, w, unit):
    from PIL import Image
    from skimage import data

    grey = getattr(data, REAL_LOADER[name])()
    half = grey.shape[0] // 2
    part = grey[:half] if source == "web" else grey[half:]
    # the same zoom relative to the image, whatever the image size
    zoom = REAL_ZOOM[name] * unit
    target = (max(8, int(part.shape[1] * zoom)), max(8, int(part.shape[0] * zoom)))
    img = np.asarray(Image.fromarray(part).resize(target, Image.LANCZOS), dtype=np.float32) / 255
    img = (img - img.mean()) / (img.std() + 1e-6) * 0.22 + 0.5  # same contrast for all three
    tile = _mix(*REAL_TINT[name], np.clip(img, 0, 1))
    reps = (int(np.ceil(h / tile.shape[0])), int(np.ceil(w / tile.shape[1])), 1)
    return np.tile(tile, reps)[:h, :w]


def _procedural(name, rng, h, w, unit):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) / unit  # coordinates in 32-px-image pixels
    if name == "sky":
        t = (yy % 32) / 32  # a gradient per image height: light at the horizon
        base = _mix((70, 130, 215), (185, 215, 245), t)
        clouds = np.clip(_noise(rng, h, w, 10 * unit) * 1.8 - 0.9, 0, 1)
        return base + (1 - base) * clouds[..., None] * 0.8
    if name == "water":
        waves = 0.5 + 0.5 * np.sin(yy * 1.1 + 2.5 * np.sin(xx * 0.25) + 3 * _noise(rng, h, w, 8 * unit))
        return _mix((20, 70, 120), (70, 140, 175), waves * 0.8 + 0.2 * _noise(rng, h, w, 2 * unit))
    if name == "wood":
        grain = 0.5 + 0.5 * np.sin(yy * 0.9 + 6 * _noise(rng, h, w, 12 * unit))
        planks = ((xx // 11) % 2) * 0.12
        return _mix((110, 65, 30), (190, 135, 80), np.clip(grain * 0.75 + planks, 0, 1))
    if name == "sand":
        ripples = 0.5 + 0.5 * np.sin(xx * 0.5 + yy * 0.3 + 4 * _noise(rng, h, w, 10 * unit))
        grain = rng.random((h, w)).astype(np.float32)
        return _mix((190, 160, 110), (235, 215, 170), 0.55 * ripples + 0.45 * grain)
    if name == "snow":
        t = 0.6 * _noise(rng, h, w, 8 * unit) + 0.4 * rng.random((h, w)).astype(np.float32)
        return _mix((200, 210, 225), (250, 250, 252), t)
    if name == "stripes":
        t = (((xx + yy) / 5.0) % 2 < 1).astype(np.float32)  # diagonal stripes, period 10 px
        return _mix((215, 205, 180), (120, 135, 150), t)
    if name == "checkerboard":
        t = (((xx // 6) + (yy // 6)) % 2).astype(np.float32)
        return _mix((225, 225, 220), (95, 95, 100), t)
    if name == "polka dots":
        cx, cy = (xx % 8) - 4, (yy % 8) - 4
        t = np.clip(2.6 - np.sqrt(cx ** 2 + cy ** 2), 0, 1)
        return _mix((200, 185, 210), (120, 90, 110), t)
    if name == "asphalt":
        t = 0.5 * rng.random((h, w)).astype(np.float32) + 0.5 * _noise(rng, h, w, 3 * unit)
        return _mix((55, 55, 60), (125, 125, 130), t)
    raise WorldError(f"no texture for background {name!r}")


_SOURCE_SEED = {"web": 11, "eval": 97}


@lru_cache(maxsize=64)
def texture_tile(name: str, source: str, image_size: int) -> np.ndarray:
    """The (cached, read-only) tile float32 [T, T, 3] in [0, 1] for a background and source."""
    check_concept("background", name)
    if source not in SOURCES:
        raise WorldError(f"unknown source {source!r}; valid: {', '.join(SOURCES)}")
    side = TILE_FACTOR * image_size
    unit = image_size / 32
    if name in REAL_LOADER:
        tile = _real(name, source, side, side, unit)
    else:
        rng = np.random.default_rng([_SOURCE_SEED[source], BACKGROUNDS.index(name)])
        tile = _procedural(name, rng, side, side, unit)
    tile = np.ascontiguousarray(np.clip(tile, 0, 1), dtype=np.float32)
    tile.setflags(write=False)
    return tile


def background_window(name: str, source: str, image_size: int, rng: np.random.Generator) -> np.ndarray:
    """A random image_size window of the background's tile (a fresh float32 array)."""
    tile = texture_tile(name, source, image_size)
    y = int(rng.integers(0, tile.shape[0] - image_size + 1))
    x = int(rng.integers(0, tile.shape[1] - image_size + 1))
    if name == "sky":  # keep the horizon gradient upright: windows start at an image row
        y = 0
    return tile[y:y + image_size, x:x + image_size].copy()


def _scaled_range(lo: float, hi: float, strength: float) -> tuple[float, float]:
    """[lo, hi] shrunk towards 1 (no change) by strength."""
    return 1 + (lo - 1) * strength, 1 + (hi - 1) * strength


def varied_background_window(name: str, source: str, image_size: int, rng: np.random.Generator,
                             strength: float) -> np.ndarray:
    """A window of the background's tile seen through a random camera (zoom, rotation, blur) in a
    random light (contrast, brightness, saturation, hue, white balance); `strength` in [0, 1]
    scales every VARIATION_* range. A fresh float32 [size, size, 3] array in [0, 1]."""
    from scipy.ndimage import gaussian_filter, map_coordinates

    if not 0 <= strength <= 1:
        raise WorldError(f"background variation strength must be in [0, 1], got {strength!r}")
    tile = texture_tile(name, source, image_size)
    side = tile.shape[0]
    unit = image_size / 32
    log_lo, log_hi = (strength * math.log(z) for z in VARIATION_ZOOM)
    turn = math.radians(rng.uniform(-1, 1) * strength * UPRIGHT_ROTATION.get(name, VARIATION_ROTATION))
    cos, sin = math.cos(turn), math.sin(turn)
    # the rotated window's bounding box, in tile px, must fit the tile
    spread = abs(cos) + abs(sin)
    if name == "sky":  # the horizon gradient repeats every image height: stay within one period
        log_lo = max(log_lo, math.log(spread))
        log_hi = max(log_hi, log_lo)
    zoom = math.exp(rng.uniform(log_lo, log_hi))
    half_box = image_size / zoom * spread / 2
    period = image_size if name == "sky" else side
    cx = rng.uniform(half_box, side - half_box)
    cy = rng.uniform(half_box, period - half_box)
    offsets = (np.arange(image_size, dtype=np.float32) + 0.5 - image_size / 2) / zoom
    u, v = np.meshgrid(offsets, offsets)  # u along x (columns), v along y (rows)
    xs = cx - 0.5 + cos * u - sin * v
    ys = cy - 0.5 + sin * u + cos * v
    window = np.stack([map_coordinates(tile[..., c], [ys, xs], order=1, mode="nearest") for c in range(3)], -1)
    sigma = rng.uniform(0, strength * VARIATION_BLUR) * unit
    if sigma > 0:
        window = gaussian_filter(window, sigma=(sigma, sigma, 0), mode="reflect")
    luma_weights = np.array([0.299, 0.587, 0.114], np.float32)
    contrast = rng.uniform(*_scaled_range(1 - VARIATION_CONTRAST, 1 + VARIATION_CONTRAST, strength))
    window = window.mean((0, 1)) + (window - window.mean((0, 1))) * contrast
    window = window * rng.uniform(*_scaled_range(1 - VARIATION_BRIGHTNESS, 1 + VARIATION_BRIGHTNESS, strength))
    luma = window @ luma_weights
    saturation = rng.uniform(*_scaled_range(*VARIATION_SATURATION, strength))
    window = luma[..., None] + (window - luma[..., None]) * saturation
    window = window @ _hue_rotation(rng.uniform(-1, 1) * strength * VARIATION_HUE).T
    window = window * np.exp(rng.normal(0, strength * VARIATION_TINT, 3))
    return np.ascontiguousarray(np.clip(window, 0, 1), dtype=np.float32)


def _hue_rotation(degrees: float) -> np.ndarray:
    """3x3 RGB matrix turning the hue by `degrees` (a rotation of the YIQ chroma plane)."""
    to_yiq = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    a = math.radians(degrees)
    turn = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    return (np.linalg.inv(to_yiq) @ turn @ to_yiq).astype(np.float32)

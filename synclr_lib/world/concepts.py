"""The concept list C of the mini world, its vocabulary, the world prior, and `mentions()`.

The paper builds C from dataset class names (ImageNet, Aircraft, DTD, SUN397, ...) and asks
GPT-4 for *plausible* backgrounds per concept (Sec. 3.1). Here C is small and drawable:
22 objects (10 real Fashion-MNIST garments, 12 shapes), 12 colours with close pairs, 3 sizes,
12 backgrounds ("places"), 7 drawable relations (covering the paper's 10 relation words) and
counts 1-4. Ten letters ("glyphs") are drawable too but lie outside C: the mini-web, g1 and
g2 never see them, so the `glyphs` suite measures transfer to unseen concepts. (With 40
objects, letters and 8 more shapes included, a mini g2 trained on canonical captions of
single objects drew the caption's object in 14 % of images, against 52 % with these 22, in
the same training time: benchmarks/results/study_g2_recipe.md.)

`VOCABULARY` is the ONE table of phrases for every concept: the alt-text writer of the
mini-web draws its synonyms from it and `mentions()` parses free text with it, so the two
always agree. Introduced in notebooks/01_world.py.

    from synclr_lib.world import mentions
    mentions("Two crimson tees next to a hex, on the beach")
    # {'objects': ['t-shirt', 'hexagon'], 'colours': ['red'], 'backgrounds': ['sand'],
    #  'relations': ['next to'], 'counts': [2], 'sizes': []}
"""
from __future__ import annotations

import re
from functools import lru_cache


class WorldError(ValueError):
    """A bad concept name or an impossible scene: the message names the valid choices."""


# --------------------------------------------------------------------------------------
# Objects: each maps to its phrases (first = canonical name); plurals are derived.
# --------------------------------------------------------------------------------------
# Fashion-MNIST classes 0..9 in label order, drawn from the real sprites.
GARMENT_PHRASES = {
    "t-shirt": ["t-shirt", "tee", "tshirt", "t shirt", "tee shirt"],
    "trousers": ["trousers", "pants", "jeans", "slacks"],
    "pullover": ["pullover", "sweater", "jumper"],
    "dress": ["dress", "gown", "frock"],
    "coat": ["coat", "jacket", "parka"],
    "sandal": ["sandal", "flip-flop", "slipper"],
    "shirt": ["shirt", "blouse", "button-down"],
    "sneaker": ["sneaker", "trainer", "running shoe", "sports shoe"],
    "bag": ["bag", "handbag", "purse", "tote"],
    "ankle boot": ["ankle boot", "boot", "bootie"],
}
# Letters with distinct silhouettes at 14 px (E/F and the like are the fine-grained pairs).
LETTERS = ["A", "B", "E", "F", "H", "K", "M", "R", "S", "Z"]
GLYPH_PHRASES = {f"letter {c}": [f"letter {c}", f"capital {c}", f"character {c}", f"glyph {c}"]
                 for c in LETTERS}
# The feasibility study's twelve shapes, tellable apart at 14-24 px. Eight more (ring, arrow,
# semicircle, trapezoid, hourglass, lightning bolt, frame, chevron) were tried and dropped:
# the mini g2 could not draw 20 shapes apart (see the module docstring).
SHAPE_PHRASES = {
    "circle": ["circle", "disc", "round dot"],
    "oval": ["oval", "ellipse"],
    "square": ["square", "square tile"],
    "rectangle": ["rectangle", "bar", "oblong"],
    "triangle": ["triangle", "triangular sign"],
    "diamond": ["diamond", "rhombus", "lozenge"],
    "pentagon": ["pentagon", "house shape", "five-sided shape"],
    "hexagon": ["hexagon", "hex", "six-sided shape"],
    "star": ["star", "five-pointed star"],
    "cross": ["cross", "plus sign"],
    "heart": ["heart", "love heart"],
    "crescent": ["crescent", "crescent moon", "half moon"],
}
OBJECT_PHRASES = {**GARMENT_PHRASES, **SHAPE_PHRASES}  # the concept list C (glyphs are not in it)
OBJECTS: list[str] = list(OBJECT_PHRASES)
GARMENTS: list[str] = list(GARMENT_PHRASES)
GLYPHS: list[str] = list(GLYPH_PHRASES)
SHAPES: list[str] = list(SHAPE_PHRASES)
DRAWABLE: list[str] = OBJECTS + GLYPHS  # what render() can draw: C plus the evaluation-only glyphs
OBJECT_GROUPS: dict[str, str] = {**{o: "garment" for o in GARMENTS}, **{o: "glyph" for o in GLYPHS},
                                 **{o: "shape" for o in SHAPES}}

# --------------------------------------------------------------------------------------
# Attributes
# --------------------------------------------------------------------------------------
# sRGB of each colour; close pairs (orange/yellow, lime/green, teal/cyan, blue/navy,
# purple/magenta, magenta/pink) make the colour suite fine-grained.
COLOUR_RGB = {
    "red": (215, 35, 35),
    "orange": (245, 135, 25),
    "yellow": (240, 215, 30),
    "lime": (160, 225, 40),
    "green": (30, 140, 50),
    "teal": (20, 128, 128),
    "cyan": (40, 215, 230),
    "blue": (40, 90, 225),
    "navy": (25, 30, 110),
    "purple": (120, 50, 170),
    "magenta": (220, 40, 190),
    "pink": (250, 150, 190),
}
COLOUR_PHRASES = {
    "red": ["red", "scarlet", "crimson", "cherry"],
    "orange": ["orange", "tangerine", "amber"],
    "yellow": ["yellow", "lemon", "golden"],
    "lime": ["lime", "lime-green", "chartreuse"],
    "green": ["green", "emerald", "dark green"],
    "teal": ["teal", "dark cyan", "petrol"],
    "cyan": ["cyan", "aqua", "light blue"],
    "blue": ["blue", "cobalt", "royal blue"],
    "navy": ["navy", "navy blue", "dark blue"],
    "purple": ["purple", "violet", "plum"],
    "magenta": ["magenta", "fuchsia", "hot pink"],
    "pink": ["pink", "rosy", "light pink"],
}
COLOURS: list[str] = list(COLOUR_RGB)

# Object extent as a fraction of the canvas (32 px: 14, 18, 23 px), before jitter.
SIZE_FRACTION = {"small": 0.45, "medium": 0.58, "large": 0.72}
SIZE_PHRASES = {
    "small": ["small", "little", "tiny"],
    "medium": ["medium", "medium-sized", "mid-size"],
    "large": ["large", "big", "huge"],
}
SIZES: list[str] = list(SIZE_FRACTION)

# Backgrounds ("places"): three real scikit-image textures, nine procedural ones.
BACKGROUND_PHRASES = {
    "brick wall": ["brick wall", "bricks", "brickwork", "brick"],
    "grass": ["grass", "lawn", "meadow", "grassy field"],
    "gravel": ["gravel", "pebbles", "gravel path"],
    "sky": ["sky", "blue sky", "clouds", "cloudy sky"],
    "water": ["water", "sea", "lake", "ocean", "waves"],
    "wood": ["wood", "wooden floor", "wooden table", "planks"],
    "sand": ["sand", "beach", "desert", "dunes"],
    "snow": ["snow", "snowfield", "snowy ground"],
    "stripes": ["stripes", "striped wallpaper", "striped background"],
    "checkerboard": ["checkerboard", "checkered floor", "chessboard"],
    "polka dots": ["polka dots", "dotted background", "spotted wallpaper"],
    "asphalt": ["asphalt", "road", "pavement", "tarmac"],
}
BACKGROUNDS: list[str] = list(BACKGROUND_PHRASES)
REAL_TEXTURE_BACKGROUNDS = ("brick wall", "grass", "gravel")  # from skimage.data

# Relations: the paper's 10 words (Sec. 3.1) collapse onto 7 drawable layouts
# ("over" is drawn as "above", "under" as "below", "besides" as "next to").
RELATION_PHRASES = {
    "next to": ["next to", "beside", "besides", "alongside"],
    "above": ["above", "over"],
    "below": ["below", "under", "beneath"],
    "on": ["on", "on top of", "resting on"],
    "in": ["in", "inside", "within"],
    "in front of": ["in front of"],
    "behind": ["behind"],
}
RELATIONS: list[str] = list(RELATION_PHRASES)
PAPER_RELATION_WORDS = {"in": "in", "on": "on", "next to": "next to", "behind": "behind",
                        "in front of": "in front of", "over": "above", "under": "below",
                        "above": "above", "below": "below", "besides": "next to"}

COUNTS: list[int] = [1, 2, 3, 4]
COUNT_PHRASES = {1: ["one", "1", "single", "lone"], 2: ["two", "2", "twin"],
                 3: ["three", "3", "trio of"], 4: ["four", "4", "quartet of"]}

# Per-pixel mask labels: backgrounds first, then the objects of C, then the glyphs.
MASK_CLASSES: list[str] = BACKGROUNDS + DRAWABLE


def mask_label(name: str) -> int:
    """Index of a background or object in MASK_CLASSES (the values of render()'s mask)."""
    try:
        return MASK_CLASSES.index(name)
    except ValueError:
        raise WorldError(f"unknown concept {name!r}; valid: {', '.join(MASK_CLASSES)}") from None


# --------------------------------------------------------------------------------------
# The world prior: plausible backgrounds per object (the GPT-4 background lists analogue).
# --------------------------------------------------------------------------------------
_GLYPH_PLACES = ["brick wall", "wood", "asphalt", "sand", "stripes", "checkerboard", "polka dots"]
PLAUSIBLE_BACKGROUNDS: dict[str, list[str]] = {
    # garments: worn, hung or laid out; rarely floating on water or in the sky
    "t-shirt": ["wood", "brick wall", "grass", "sand", "stripes", "polka dots"],
    "trousers": ["wood", "brick wall", "checkerboard", "stripes", "asphalt", "grass"],
    "pullover": ["wood", "snow", "brick wall", "checkerboard", "polka dots", "stripes"],
    "dress": ["grass", "sand", "wood", "polka dots", "stripes", "brick wall"],
    "coat": ["snow", "brick wall", "asphalt", "wood", "gravel", "checkerboard"],
    "sandal": ["sand", "water", "wood", "grass", "gravel", "stripes"],
    "shirt": ["wood", "brick wall", "stripes", "checkerboard", "polka dots", "grass"],
    "sneaker": ["asphalt", "gravel", "grass", "wood", "brick wall", "checkerboard"],
    "bag": ["wood", "brick wall", "sand", "asphalt", "stripes", "polka dots"],
    "ankle boot": ["snow", "gravel", "asphalt", "grass", "wood", "brick wall"],
    # letters: signs, graffiti, prints, written in sand
    **{g: list(_GLYPH_PLACES) for g in GLYPHS},
    # shapes: kites and balloons in the sky, buoys on water, tiles, toys ...
    "circle": ["sky", "water", "grass", "sand", "polka dots", "checkerboard"],
    "oval": ["sky", "water", "grass", "snow", "stripes", "wood"],
    "square": ["brick wall", "asphalt", "checkerboard", "wood", "gravel", "stripes"],
    "rectangle": ["brick wall", "asphalt", "wood", "gravel", "stripes", "snow"],
    "triangle": ["sand", "snow", "grass", "sky", "asphalt", "checkerboard"],
    "diamond": ["checkerboard", "polka dots", "stripes", "snow", "sky", "water"],
    "pentagon": ["grass", "snow", "brick wall", "asphalt", "wood", "sand"],
    "hexagon": ["gravel", "sand", "wood", "brick wall", "checkerboard", "asphalt"],
    "star": ["sky", "water", "snow", "sand", "polka dots", "stripes"],
    "cross": ["snow", "grass", "brick wall", "asphalt", "checkerboard", "gravel"],
    "heart": ["sky", "grass", "sand", "polka dots", "wood", "snow"],
    "crescent": ["sky", "water", "snow", "sand", "stripes", "asphalt"],
}


def check_concept(kind: str, name) -> None:
    """Raise WorldError naming the valid choices when `name` is not a concept of `kind`.

    kind "drawable" accepts the objects of C and the evaluation-only glyphs (what render() draws)."""
    valid = {"object": OBJECTS, "drawable": DRAWABLE, "colour": COLOURS, "background": BACKGROUNDS,
             "relation": RELATIONS, "size": SIZES}[kind]
    if name not in valid:
        noun = "object" if kind == "drawable" else kind
        raise WorldError(f"unknown {noun} {name!r}; valid {noun}s: {', '.join(map(str, valid))}")


def plausible_backgrounds(obj: str) -> list[str]:
    """The world prior: backgrounds where `obj` plausibly appears (a copy, canonical names)."""
    check_concept("drawable", obj)
    return list(PLAUSIBLE_BACKGROUNDS[obj])


# --------------------------------------------------------------------------------------
# Phrases -> concepts
# --------------------------------------------------------------------------------------
_UNCHANGED_PLURALS = {"trousers", "pants", "jeans", "slacks"}


def article(phrase: str) -> str:
    """The indefinite article of a phrase ("an orange circle", "a red circle")."""
    return "an" if phrase[0].lower() in "aeiou" else "a"


def plural(phrase: str) -> str:
    """English plural of an object phrase ("dress" -> "dresses", "letter A" -> "letter As")."""
    if phrase in _UNCHANGED_PLURALS:
        return phrase
    if phrase.endswith(("s", "x", "ch", "sh")) and phrase[-2] != " ":
        return phrase + "es"
    return phrase + "s"


def _tokens(text: str) -> list[str]:
    # Lower case; hyphens stay inside words so "t-shirt" never reads as "shirt".
    return re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower())


@lru_cache(maxsize=1)
def phrase_table() -> dict[tuple[str, ...], tuple[str, object]]:
    """token tuple -> (kind, concept) for every phrase of VOCABULARY (plurals included)."""
    table: dict[tuple[str, ...], tuple[str, object]] = {}

    def add(phrase, kind, concept):
        key = tuple(_tokens(phrase))
        if key in table and table[key] != (kind, concept):
            raise RuntimeError(f"phrase {phrase!r} is ambiguous: {table[key]} vs {(kind, concept)}")
        table[key] = (kind, concept)

    for obj, phrases in OBJECT_PHRASES.items():
        for p in phrases:
            add(p, "objects", obj)
            add(plural(p), "objects", obj)
    for kind, vocab in (("colours", COLOUR_PHRASES), ("backgrounds", BACKGROUND_PHRASES),
                        ("relations", RELATION_PHRASES), ("counts", COUNT_PHRASES),
                        ("sizes", SIZE_PHRASES)):
        for concept, phrases in vocab.items():
            for p in phrases:
                add(p, kind, concept)
    return table


VOCABULARY = {"objects": OBJECT_PHRASES, "colours": COLOUR_PHRASES, "backgrounds": BACKGROUND_PHRASES,
              "relations": RELATION_PHRASES, "counts": COUNT_PHRASES, "sizes": SIZE_PHRASES}


def mentions(text: str) -> dict[str, list]:
    """Which concepts a free text mentions, by canonical name, in order of first mention.

    Longest phrase wins ("navy blue" is navy, "t-shirt" is not a shirt, "blue sky" is a
    background). A relation word counts only when an object follows it before any other
    relation word: "a sneaker on grass" has no relation, "a sneaker on a hexagon" has "on".
    Counts are only explicit numbers ("two", "3", "single"). Returns dict(objects, colours,
    backgrounds, relations, counts, sizes), each a list of canonical names (ints for counts).
    """
    if not isinstance(text, str):
        raise TypeError(f"mentions() expects a string, got {type(text).__name__}")
    table = phrase_table()
    longest = max(len(k) for k in table)
    toks = _tokens(text)
    found: list[tuple[str, object]] = []
    i = 0
    while i < len(toks):
        for n in range(min(longest, len(toks) - i), 0, -1):
            hit = table.get(tuple(toks[i:i + n]))
            if hit:
                found.append(hit)
                i += n
                break
        else:
            i += 1
    out: dict[str, list] = {k: [] for k in ("objects", "colours", "backgrounds", "relations", "counts", "sizes")}
    for k, (kind, concept) in enumerate(found):
        if kind == "relations":
            following = next((f for f in found[k + 1:] if f[0] in ("objects", "relations")), None)
            if not following or following[0] != "objects":
                continue
        if concept not in out[kind]:
            out[kind].append(concept)
    return out

"""Hand-written demonstration pools: one per template, for the mini world and for real concepts.

The paper wrote 176 demonstrations (106 `c`, 50 `c, bg`, 20 `c, rel`) and samples 3 per
prompt. `MINI_POOL` is the mini world's analogue, written in the world's vocabulary (objects,
colours, sizes, counts, backgrounds and relation words that g2 can draw, see
synclr_lib/world/concepts.py) so that a caption which imitates it is drawable; a test checks
that every demonstration mentions its own key. Like the paper's ("zebra => A zebra is
trotting across the sunlit savannah") they name the concept and often a scene, and only a
minority (`MINI_COLOUR_SHARE`) a colour: what a caption leaves open, g2 varies between the
images of that caption, so the multi-positive loss cannot be solved by colour alone.
`REAL_POOL` is a small pool of real-world concepts for real LLMs (SmolLM2, Llama-2) on real
class names.

    from synclr_lib.captions.demonstrations import pool_for
    pool = pool_for("mini")      # {"c": [...], "c_bg": [...], "c_rel": [...]}

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

from .prompts import Demonstration as D

# ---------------------------------------------------------------------------------------
# The mini world: garments and shapes on twelve backgrounds.
# ---------------------------------------------------------------------------------------
MINI_COLOUR_SHARE = 0.25  # of MINI demonstrations naming a colour: few, so g1 leaves colour for g2 to vary

MINI_C = [
    D("t-shirt", "A t-shirt hanging on a washing line in the afternoon sun."),
    D("trousers", "A pair of trousers folded on a wooden table."),
    D("pullover", "A red pullover thrown over a chair."),
    D("dress", "A summer dress laid out on the lawn."),
    D("coat", "A winter coat hung up by the door."),
    D("sandal", "A sandal left behind on the beach."),
    D("shirt", "A crumpled shirt photographed from above."),
    D("sneaker", "A muddy sneaker on the gravel path."),
    D("bag", "A blue handbag on a shelf in a shop window."),
    D("ankle boot", "An ankle boot standing in fresh snow."),
    D("circle", "A circle drifting on calm water."),
    D("oval", "An oval balloon rising into the sky."),
    D("square", "A square tile set into a brick wall."),
    D("triangle", "A yellow triangle warning drivers by the roadside."),
    D("diamond", "A diamond pattern seen up close."),
    D("hexagon", "A hexagon nut lying among the pebbles."),
    D("star", "A star glowing above the rooftops at night."),
    D("cross", "A green cross on a pharmacy sign."),
    D("heart", "A heart drawn in the sand."),
    D("crescent", "A crescent moon rising over the sea."),
    D("rectangle", "A long purple rectangle painted across the road."),
    D("pentagon", "A pink pentagon sticker on a notebook."),
]

MINI_C_BG = [
    D("t-shirt", "A t-shirt drying on the grass in the sun.", background="grass"),
    D("trousers", "Jeans folded on a wooden table.", background="wood"),
    D("pullover", "A thick pullover lying in the snow.", background="snow"),
    D("dress", "A dress hanging against spotted wallpaper.", background="polka dots"),
    D("coat", "A green coat hanging against a brick wall.", background="brick wall"),
    D("sandal", "A flip-flop half buried in the sand.", background="sand"),
    D("shirt", "A shirt pinned up against striped wallpaper.", background="stripes"),
    D("sneaker", "A worn sneaker on the pavement after the rain.", background="asphalt"),
    D("bag", "A tote bag left on the beach.", background="sand"),
    D("ankle boot", "An orange ankle boot on a gravel path.", background="gravel"),
    D("circle", "A circle bobbing on the lake.", background="water"),
    D("oval", "An oval drifting across the cloudy sky.", background="sky"),
    D("square", "A square lying on a checkered floor.", background="checkerboard"),
    D("rectangle", "A rectangle painted on the road.", background="asphalt"),
    D("triangle", "A triangle half covered in snow.", background="snow"),
    D("diamond", "A pink diamond on polka dots.", background="polka dots"),
    D("pentagon", "A pentagon lying in the meadow.", background="grass"),
    D("star", "Three stars shining in the night sky.", background="sky"),
    D("heart", "A heart carved into old planks.", background="wood"),
    D("crescent", "A golden crescent moon reflected in the sea.", background="water"),
    D("hexagon", "A hexagon among the pebbles.", background="gravel"),
    D("cross", "A red cross marked on the snowfield.", background="snow"),
]

MINI_C_REL = [
    D("t-shirt", "A t-shirt next to a sneaker.", relation="next to"),
    D("dress", "A dress above a small star.", relation="above"),
    D("bag", "A handbag hanging below a circle.", relation="below"),
    D("coat", "A coat in front of a large square.", relation="in front of"),
    D("sandal", "A sandal behind a circle on the beach.", relation="behind"),
    D("pullover", "A pullover on a yellow rectangle.", relation="on"),
    D("circle", "A circle next to a hexagon.", relation="next to"),
    D("shirt", "A shirt in front of a big circle.", relation="in front of"),
    D("oval", "An oval beside a triangle.", relation="next to"),
    D("pentagon", "A pentagon above a red heart.", relation="above"),
    D("rectangle", "A rectangle below a star.", relation="below"),
    D("square", "A square above a diamond, on a checkered floor.", relation="above"),
    D("star", "A star in front of a large oval.", relation="in front of"),
    D("heart", "A heart inside a square.", relation="in"),
    D("triangle", "A small triangle on top of a rectangle.", relation="on"),
    D("diamond", "A blue diamond behind a cross.", relation="behind"),
    D("hexagon", "A hexagon next to two ovals.", relation="next to"),
    D("sneaker", "A sneaker beside a bag.", relation="next to"),
    D("crescent", "A crescent above a teal cross.", relation="above"),
    D("ankle boot", "A purple ankle boot in front of a pentagon.", relation="in front of"),
]

MINI_POOL = {"c": MINI_C, "c_bg": MINI_C_BG, "c_rel": MINI_C_REL}

# ---------------------------------------------------------------------------------------
# Real concepts, for real LLMs. Our own sentences in the style of the paper's examples.
# ---------------------------------------------------------------------------------------
REAL_C = [
    D("zebra", "A zebra trots across the sunlit savannah, its black and white stripes sharp against the dry grass."),
    D("teapot", "A white porcelain teapot steams gently on a wooden kitchen table beside two cups."),
    D("mountain bike", "A muddy mountain bike leans against a pine tree at the edge of a forest trail."),
    D("goldfinch", "A bright goldfinch perches on a thistle head, its yellow feathers glowing in morning light."),
    D("espresso machine", "A polished chrome espresso machine hisses behind the counter of a busy cafe."),
    D("lighthouse", "A red and white lighthouse stands on a rocky cliff as waves crash below."),
    D("tabby cat", "A tabby cat naps in a patch of sunlight on a worn wooden windowsill."),
    D("sailboat", "A small sailboat glides across a calm blue bay under a cloudless sky."),
    D("violin", "A violin rests on a velvet cloth next to an open book of sheet music."),
    D("pizza", "A wood-fired pizza with bubbling mozzarella and fresh basil sits on a rustic board."),
    D("fire truck", "A shiny red fire truck is parked outside the station, its ladder folded on top."),
    D("sunflower", "A tall sunflower turns its heavy golden head toward the late summer sun."),
    D("backpack", "A worn green backpack lies on a rock at the top of a mountain pass."),
    D("jellyfish", "A translucent jellyfish drifts through deep blue water, its tentacles trailing behind."),
]
REAL_C_BG = [
    ("golden retriever", "park", "A golden retriever chases a tennis ball across the lawn of a sunny park."),
    ("canoe", "lake", "A wooden canoe floats on a misty lake at dawn, surrounded by pine forest."),
    ("laptop", "library", "An open laptop sits on a long oak table in a quiet library lined with books."),
    ("owl", "barn", "A barn owl watches from a beam high inside an old wooden barn."),
    ("croissant", "bakery", "Fresh croissants cool on a tray in the window of a small bakery."),
    ("camel", "desert", "A camel walks slowly over rippled sand dunes in the orange light of a desert evening."),
    ("umbrella", "city street", "A black umbrella shelters a passer-by on a rainy city street at night."),
    ("snowboard", "ski resort", "A snowboard stands upright in the snow outside a lodge at a ski resort."),
]
REAL_C_REL = [
    ("teddy bear", "on", "A worn teddy bear sits on a neatly made bed beside a striped pillow."),
    ("kite", "above", "A red kite flies high above a sandy beach on a windy afternoon."),
    ("bicycle", "next to", "A blue bicycle is parked next to a lamp post on a cobbled street."),
    ("cat", "under", "A grey cat hides under a garden bench, peeking out at the camera."),
    ("vase", "in front of", "A glass vase of tulips stands in front of a sunny window."),
    ("dog", "behind", "A curious dog peers out from behind a white picket fence."),
    ("goldfish", "in", "A single goldfish swims in a round glass bowl on a desk."),
    ("lantern", "over", "A paper lantern hangs over a small wooden table set for dinner."),
]
REAL_POOL = {"c": REAL_C,
             "c_bg": [D(c, cap, background=bg) for c, bg, cap in REAL_C_BG],
             "c_rel": [D(c, cap, relation=rel) for c, rel, cap in REAL_C_REL]}

POOLS = {"mini": MINI_POOL, "real": REAL_POOL}


def pool_for(name: str) -> dict:
    """The demonstration pool `mini` (mini world vocabulary) or `real` (real concepts)."""
    if name not in POOLS:
        raise ValueError(f"unknown demonstration pool {name!r}; valid: {', '.join(POOLS)}")
    return POOLS[name]

"""Hand-written demonstration pools: one per template, for the mini world and for real concepts.

The paper wrote 176 demonstrations (106 `c`, 50 `c, bg`, 20 `c, rel`) and samples 3 per
prompt. `MINI_POOL` is the mini world's analogue, written in the world's vocabulary (objects,
colours, sizes, counts, backgrounds and relation words that g2 can draw, see
synclr_lib/world/concepts.py) so that a caption which imitates it is drawable; a test checks
that every demonstration mentions its own key. `REAL_POOL` is a small pool of real-world
concepts for real LLMs (SmolLM2, Llama-2) on real class names.

    from synclr_lib.captions.demonstrations import pool_for
    pool = pool_for("mini")      # {"c": [...], "c_bg": [...], "c_rel": [...]}

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

from .prompts import Demonstration as D

# ---------------------------------------------------------------------------------------
# The mini world: garments and shapes on twelve backgrounds.
# ---------------------------------------------------------------------------------------
MINI_C = [
    D("t-shirt", "A small red t-shirt lies flat on a wooden floor."),
    D("trousers", "A pair of navy trousers hangs in front of a brick wall."),
    D("pullover", "A large green pullover laid out on fresh snow."),
    D("dress", "A pink dress on the grass in the afternoon."),
    D("coat", "A big orange coat on the pavement, seen from above."),
    D("sandal", "One yellow sandal on a sandy beach."),
    D("shirt", "A teal shirt spread over a checkered floor."),
    D("sneaker", "Two blue sneakers on the gravel path."),
    D("bag", "A purple handbag on a wooden table."),
    D("ankle boot", "A small red ankle boot standing in the snow."),
    D("circle", "A single orange circle floating on the water."),
    D("oval", "A large teal oval against a cloudy sky."),
    D("square", "A small blue square tile set into a brick wall."),
    D("triangle", "A yellow triangle on the snow."),
    D("diamond", "Two pink diamonds on a checkerboard."),
    D("hexagon", "A green hexagon resting on gravel."),
    D("star", "A big golden star shining in the blue sky."),
    D("cross", "A red cross painted on the road."),
    D("heart", "A magenta heart on the lawn."),
    D("crescent", "A lemon-yellow crescent over dark water."),
    D("rectangle", "A long navy rectangle lying on the wooden planks."),
    D("pentagon", "Two purple pentagons on the snowy ground."),
]

MINI_C_BG = [
    D("t-shirt", "A navy t-shirt drying on the grass.", background="grass"),
    D("trousers", "Blue jeans folded on a wooden table.", background="wood"),
    D("pullover", "A thick red pullover lying in the snow.", background="snow"),
    D("dress", "A long yellow dress laid out on polka dots.", background="polka dots"),
    D("coat", "A large green coat against a brick wall.", background="brick wall"),
    D("sandal", "A pink flip-flop left on the beach.", background="sand"),
    D("shirt", "A purple shirt on a striped background.", background="stripes"),
    D("sneaker", "A small orange sneaker on the pavement.", background="asphalt"),
    D("bag", "A teal tote bag on the sand.", background="sand"),
    D("ankle boot", "Two navy ankle boots on gravel.", background="gravel"),
    D("circle", "An orange circle floating on the lake.", background="water"),
    D("oval", "A cyan oval drifting across the sky.", background="sky"),
    D("square", "A yellow square on a checkerboard.", background="checkerboard"),
    D("rectangle", "A long navy rectangle on the road.", background="asphalt"),
    D("triangle", "A big green triangle on the snow.", background="snow"),
    D("diamond", "A pink diamond on polka dots.", background="polka dots"),
    D("pentagon", "A purple pentagon on the lawn.", background="grass"),
    D("star", "Three golden stars in the night sky.", background="sky"),
    D("heart", "A small red heart on a wooden floor.", background="wood"),
    D("crescent", "A teal crescent moon over the sea.", background="water"),
    D("hexagon", "An orange hexagon tile on gravel.", background="gravel"),
    D("cross", "A red cross sign on the snow.", background="snow"),
]

MINI_C_REL = [
    D("t-shirt", "A red t-shirt next to a blue sneaker.", relation="next to"),
    D("dress", "A pink dress above a small yellow star.", relation="above"),
    D("bag", "A navy bag below a green circle, on the grass.", relation="below"),
    D("coat", "A large coat in front of an orange square.", relation="in front of"),
    D("sandal", "A sandal behind a teal circle on the sand.", relation="behind"),
    D("pullover", "A purple pullover on a big yellow rectangle.", relation="on"),
    D("circle", "A green circle next to a navy hexagon.", relation="next to"),
    D("shirt", "A teal shirt in front of a large yellow circle.", relation="in front of"),
    D("oval", "A lime oval next to a magenta triangle.", relation="next to"),
    D("pentagon", "A yellow pentagon above a red heart.", relation="above"),
    D("rectangle", "A blue rectangle below an orange star.", relation="below"),
    D("square", "A yellow square above a pink diamond on the snow.", relation="above"),
    D("star", "A red star in front of a large blue oval.", relation="in front of"),
    D("heart", "A pink heart inside a teal square.", relation="in"),
    D("triangle", "A small triangle on a big purple rectangle.", relation="on"),
    D("diamond", "A lime diamond behind a red cross.", relation="behind"),
    D("hexagon", "A navy hexagon next to two yellow ovals.", relation="next to"),
    D("sneaker", "A green sneaker beside a red bag.", relation="next to"),
    D("crescent", "A golden crescent above a blue cross.", relation="above"),
    D("ankle boot", "An ankle boot in front of a magenta pentagon.", relation="in front of"),
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

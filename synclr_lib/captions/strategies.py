"""Caption strategies (the paper's Table 2 rows) and the concept lists they draw from.

    template     fixed templates, no LM: concept + hypernym + place ("IN + hypernyms + Places"),
                 plus a colour in 80 % of them in the mini world
    c            concept => caption
    c_bg_random  concept, a *random* background => caption  ("IN + Places + LLM")
    c_bg         concept, a *plausible* background from the world prior => caption
                 ("IN + GPT-4 backgrounds + LLM")
    c_rel        concept, a relation word => caption (g1 picks the second object)
    mix          the final configuration: each query picks one of the above with the
                 probabilities in CaptionConfig.mix (paper code: c .44, c_rel .11, c_bg .45)

Concepts are sampled in shuffled rounds, so every concept gets the same number of queries
(+-1): the paper has many captions per concept and the training team relies on it.

    source = concept_source(cfg)              # the world's 40 objects, or a class-name file
    queries = sample_queries(source, "mix", 1000, seed=0, mix=cfg.captions.mix)

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..config import Config, ConfigError

BASE_STRATEGIES = ("template", "c", "c_bg_random", "c_bg", "c_rel")
STRATEGIES = BASE_STRATEGIES + ("mix",)
TEMPLATE_OF = {"c": "c", "c_bg_random": "c_bg", "c_bg": "c_bg", "c_rel": "c_rel"}  # prompt template
# The paper's 10 relation words (Sec. 3.1), used for concept lists outside the mini world.
PAPER_RELATIONS = ("in", "on", "next to", "behind", "in front of", "over", "under", "above",
                   "below", "besides")


class StrategyError(ConfigError):
    """An unknown strategy, a bad mix, or a concept list that cannot serve a strategy
    (a ConfigError: the command line prints it as one line and exits with status 2)."""


@dataclass
class ConceptSource:
    """A concept list C and the priors the strategies need."""
    concepts: list[str]
    backgrounds: list[str] = field(default_factory=list)  # all places (c_bg_random, template)
    plausible: dict[str, list[str]] = field(default_factory=dict)  # concept -> plausible places (c_bg)
    relations: list[str] = field(default_factory=lambda: list(PAPER_RELATIONS))
    hypernyms: dict[str, str] = field(default_factory=dict)  # concept -> group (template)
    colours: list[str] = field(default_factory=list)  # colour words the template strategy may add
    name: str = "custom"
    mentions: Callable[[str], dict] | None = None  # text -> {"objects": [...], ...}

    def __post_init__(self):
        if not self.concepts:
            raise StrategyError(f"the concept list {self.name!r} is empty: give at least one concept")
        if len(set(self.concepts)) != len(self.concepts):
            dup = sorted({c for c in self.concepts if self.concepts.count(c) > 1})
            raise StrategyError(f"the concept list {self.name!r} repeats {dup[:5]}")


def world_source() -> ConceptSource:
    """The mini world: 40 objects, 12 backgrounds, its prior, 7 drawable relations, mentions()."""
    from .. import world

    return ConceptSource(concepts=list(world.OBJECTS), backgrounds=list(world.BACKGROUNDS),
                         plausible={o: world.plausible_backgrounds(o) for o in world.OBJECTS},
                         relations=list(world.RELATIONS), hypernyms={o: world.OBJECT_GROUPS[o] for o in world.OBJECTS},
                         colours=list(world.COLOURS),
                         name="world", mentions=world.mentions)


def file_source(concepts_path, backgrounds_path: str | None = None) -> ConceptSource:
    """Class names from a text file (one per line, '#' comments); optional JSON of plausible
    backgrounds {concept: [place, ...]} (the paper's GPT-4 lists)."""
    path = Path(concepts_path)
    if not path.is_file():
        raise FileNotFoundError(f"concept list {path} does not exist (captions.concepts: 'world' "
                                f"or a text file with one class name per line)")
    concepts = [ln.split("#", 1)[0].strip() for ln in path.read_text().splitlines()]
    concepts = list(dict.fromkeys(c for c in concepts if c))
    plausible = read_backgrounds(backgrounds_path) if backgrounds_path else {}
    places = sorted({b for v in plausible.values() for b in v})
    return ConceptSource(concepts=concepts, backgrounds=places, plausible=plausible,
                         name=path.name, mentions=substring_mentions(concepts, places))


def substring_mentions(concepts, places) -> Callable[[str], dict]:
    """mentions() for a plain concept list: whole-word, case-insensitive, plural-tolerant."""
    def pattern(name):
        return re.compile(r"\b" + re.escape(name.lower()) + r"(?:s|es)?\b")
    cpat = {c: pattern(c) for c in concepts}
    bpat = {b: pattern(b) for b in places}
    rpat = {r: pattern(r) for r in PAPER_RELATIONS}

    def mentions(text: str) -> dict:
        low = text.lower()
        return {"objects": [c for c, p in cpat.items() if p.search(low)],
                "backgrounds": [b for b, p in bpat.items() if p.search(low)],
                "relations": [r for r, p in rpat.items() if p.search(low)]}
    return mentions


def read_backgrounds(path) -> dict[str, list[str]]:
    """Plausible backgrounds per concept from a JSON file {concept: [place, ...]}."""
    bpath = Path(path)
    if not bpath.is_file():
        raise FileNotFoundError(f"background lists {bpath} do not exist (captions.backgrounds: "
                                f"'world' or a JSON file {{concept: [places]}})")
    return {k: list(v) for k, v in json.loads(bpath.read_text()).items()}


def concept_source(cfg: Config) -> ConceptSource:
    """The concept list of cfg.captions.concepts with its background lists."""
    c = cfg.captions
    if c.concepts != "world":
        return file_source(c.concepts, None if c.backgrounds == "world" else c.backgrounds)
    source = world_source()
    if c.backgrounds != "world":
        source.plausible.update(read_backgrounds(c.backgrounds))
    return source


def check_strategy(strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise StrategyError(f"unknown caption strategy {strategy!r}; valid: {', '.join(STRATEGIES)}")


def strategy_probabilities(strategy: str, mix: dict | None = None) -> dict[str, float]:
    """{base strategy: probability}: one strategy with 1.0, or the normalised mix."""
    check_strategy(strategy)
    if strategy != "mix":
        return {strategy: 1.0}
    mix = dict(mix or {})
    bad = [k for k in mix if k not in BASE_STRATEGIES]
    if bad:
        raise StrategyError(f"captions.mix has unknown strategies {bad}; valid: {', '.join(BASE_STRATEGIES)}")
    if any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
        raise StrategyError(f"captions.mix needs non-negative probabilities with a positive sum, got {mix}")
    total = float(sum(mix.values()))
    return {k: v / total for k, v in mix.items() if v > 0}


def uses_lm(strategy: str, mix: dict | None = None) -> bool:
    """Whether any query of this strategy is written by g1."""
    return any(s != "template" for s in strategy_probabilities(strategy, mix))


def balanced_concepts(concepts: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """n concepts in shuffled rounds: every concept appears floor(n/|C|) or ceil(n/|C|) times."""
    if not concepts:
        raise StrategyError("the concept list is empty: give at least one concept")
    out = []
    while len(out) < n:
        out.extend(concepts[i] for i in rng.permutation(len(concepts)))
    return out[:n]


def sample_queries(source: ConceptSource, strategy: str, n: int, seed, mix: dict | None = None) -> list[dict]:
    """n queries {concept, strategy, template, background, relation} for one strategy or a mix."""
    probs = strategy_probabilities(strategy, mix)
    rng = np.random.default_rng(seed)
    concepts = balanced_concepts(source.concepts, n, rng)
    names = list(probs)
    picks = rng.choice(len(names), size=n, p=[probs[k] for k in names])
    queries = []
    for concept, k in zip(concepts, picks):
        s = names[k]
        q = {"concept": concept, "strategy": s, "template": TEMPLATE_OF.get(s, "fixed"),
             "background": None, "relation": None}
        if s == "c_bg":
            places = source.plausible.get(concept)
            if not places:
                raise StrategyError(f"strategy c_bg needs plausible backgrounds for {concept!r}; "
                                    f"give captions.backgrounds as a JSON file {{concept: [places]}}")
            q["background"] = places[rng.integers(len(places))]
        elif s in ("c_bg_random", "template") and source.backgrounds:
            q["background"] = source.backgrounds[rng.integers(len(source.backgrounds))]
        elif s == "c_bg_random":
            raise StrategyError("strategy c_bg_random needs a list of backgrounds (captions.backgrounds)")
        elif s == "c_rel":
            q["relation"] = source.relations[rng.integers(len(source.relations))]
        queries.append(q)
    return queries


# ---------------------------------------------------------------------------------------
# The `template` strategy: fixed templates, no LM (concept + hypernym + place).
# ---------------------------------------------------------------------------------------
TEMPLATE_VERSION = 2  # bump when template captions change, so cached template sets are rebuilt
FIXED_TEMPLATES = (
    "a photo of {a_c}, a type of {h}, on {bg}.",
    "{a_c}, a kind of {h}, with {bg} in the background.",
    "{bg}: {a_c}, a {h}.",
    "a picture of a {h}, specifically {a_c}, against {bg}.",
    "{a_c} on {bg}.",
    "a photo of {a_c} on {bg}.",
    "a photo of {a_c}.",
    "a photo of {a_c}, a type of {h}.",
)


def article(phrase: str) -> str:
    """'a'/'an' + phrase; plural nouns ("trousers", not "dress") take none."""
    if phrase.endswith("s") and not phrase.endswith("ss"):
        return phrase
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def template_caption(query: dict, source: ConceptSource, rng: np.random.Generator) -> str:
    """A caption from a fixed template (only templates whose fields the source provides).

    Where the source has colour words (the mini world), 80 % of captions name a colour:
    40 objects x 12 places x 6 templates alone give only 2,880 distinct captions.
    """
    c = query["concept"]
    if source.colours and rng.random() < 0.8:
        c = f"{source.colours[rng.integers(len(source.colours))]} {c}"
    fields = {"a_c": article(c), "h": source.hypernyms.get(query["concept"]), "bg": query.get("background")}
    usable = [t for t in FIXED_TEMPLATES
              if all(fields[f] for f in ("h", "bg") if "{" + f + "}" in t)]
    # keep the place in the caption when there is one: the row records it as the background
    if fields["bg"]:
        usable = [t for t in usable if "{bg}" in t]
    t = usable[rng.integers(len(usable))]
    text = t.format(**fields)
    return text[0].upper() + text[1:]

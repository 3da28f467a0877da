"""The paper's in-context prompts for g1 (Sec. 3.1, Table 1) and the first-line rule.

Three templates, framed as plain text completion: an instruction line, 3 demonstrations
drawn at random from the template's pool, then the query left open after `=>`:

    Generate an image description with an object category:

    zebra => A zebra trots across the sunlit savannah.

    teapot => A white teapot steams on a wooden table.

    bicycle => A red bicycle leans against a brick wall.

    goldfish =>

The `c` instruction line is the paper's; the `c, bg` and `c, rel` lines extend it as the
official synthesis script does ("... and an environment category:", "... and a relation:").
Demonstrations are separated by blank lines, as in that script. g1 continues the text and
we keep the first line of what it writes.

    prompt, picked = build_prompt("c_bg", "dress", pool, rng, background="grass")

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TEMPLATES = ("c", "c_bg", "c_rel")  # concept, concept + background, concept + relation
INSTRUCTIONS = {
    "c": "Generate an image description with an object category:",
    "c_bg": "Generate an image description with an object category and an environment category:",
    "c_rel": "Generate an image description with an object category and a relation:",
}
SEPARATOR = " => "  # between the query key and the caption
DEMO_GAP = "\n\n"  # between instruction, demonstrations and the query


class PromptError(ValueError):
    """A query that does not fit its template, or a pool too small to draw from."""


@dataclass(frozen=True)
class Demonstration:
    """One in-context example: a key (concept [, background | relation]) and its caption."""
    concept: str
    caption: str
    background: str | None = None
    relation: str | None = None

    @property
    def template(self) -> str:
        return "c_bg" if self.background else "c_rel" if self.relation else "c"

    def line(self) -> str:
        return f"{query_key(self.concept, self.background, self.relation)}{SEPARATOR}{self.caption}"


def query_key(concept: str, background: str | None = None, relation: str | None = None) -> str:
    """`concept`, `concept, bg` or `concept, rel`: the left side of a prompt line."""
    if background and relation:
        raise PromptError("a query has a background or a relation, not both")
    extra = background or relation
    return f"{concept}, {extra}" if extra else concept


def template_of(background: str | None, relation: str | None) -> str:
    return "c_bg" if background else "c_rel" if relation else "c"


def format_prompt(template: str, demonstrations, concept: str, background: str | None = None,
                  relation: str | None = None) -> str:
    """Instruction, the given demonstrations, then the open query `key =>`."""
    if template not in TEMPLATES:
        raise PromptError(f"unknown template {template!r}; valid: {', '.join(TEMPLATES)}")
    if template_of(background, relation) != template:
        raise PromptError(f"template {template!r} needs "
                          + {"c": "a concept only", "c_bg": "a background",
                             "c_rel": "a relation"}[template]
                          + f"; got background={background!r}, relation={relation!r}")
    lines = [INSTRUCTIONS[template]] + [d.line() for d in demonstrations]
    lines.append(query_key(concept, background, relation) + SEPARATOR.rstrip())
    return DEMO_GAP.join(lines)


def build_prompt(template: str, concept: str, pool: dict, rng: np.random.Generator, *,
                 background: str | None = None, relation: str | None = None,
                 n_demonstrations: int = 3) -> tuple[str, list[int]]:
    """The paper's prompt with `n_demonstrations` drawn without replacement from pool[template].

    Returns (prompt, indices of the demonstrations in the pool).
    """
    demos = pool.get(template, [])
    if len(demos) < n_demonstrations:
        raise PromptError(f"the {template!r} pool has {len(demos)} demonstrations; "
                          f"{n_demonstrations} are drawn per prompt")
    picked = [int(i) for i in rng.choice(len(demos), size=n_demonstrations, replace=False)]
    bad = [demos[i] for i in picked if demos[i].template != template]
    if bad:
        raise PromptError(f"pool {template!r} holds a {bad[0].template!r} demonstration: {bad[0]}")
    return format_prompt(template, [demos[i] for i in picked], concept, background, relation), picked


def first_line(completion: str) -> str:
    """The paper keeps the first line of the completion, stripped."""
    return completion.split("\n", 1)[0].strip()

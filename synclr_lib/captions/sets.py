"""Caption sets: the cached stage `captions` and its public loaders.

One caption set = one strategy (or the mix) over one concept list, written by one g1:

    rows = load_captions(cfg)          # list of dicts, one per caption (runs / reuses the stage)
    path = caption_set_path(cfg)       # .../captions.jsonl
    stats = caption_set_stats(cfg)     # stats.json (diversity, coverage, mention rates)
    rows = load_captions(with_strategy(cfg, "c_bg"))   # the Table 2 analogue's sets

Each row: {id, caption, concept, strategy, template, background, relation, second_object,
seed, demonstrations, new_tokens}. `template` is the prompt used (c | c_bg | c_rel, or
fixed for the template strategy), `second_object` is the other object a c_rel caption names
(found with the world's mentions()), `seed` the torch seed of the batch that sampled it.

Captions are de-duplicated (case and spacing ignored) and empty ones dropped; the set is
topped up with more queries until it holds n_captions. Generation runs in chunk files that
are each written atomically, so a killed run resumes where it stopped (the stage is
resumable). Run it from the shell:

    python -m synclr_lib captions --profile mini --set captions.strategy=c_bg

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import time
import warnings
from pathlib import Path

import numpy as np

from ..config import Config
from ..runtime import bf16_enabled, set_threads
from ..stages import run_stage, stage
from .demonstrations import pool_for
from .g1 import SMOLLM2_GGUF, g1_input, load_g1
from .generation import batch_seed, generate_completions
from .prompts import build_prompt
from .stats import caption_stats
from .strategies import (TEMPLATE_VERSION, concept_source, sample_queries, strategy_probabilities,
                         template_caption, uses_lm)

ROW_FIELDS = ("caption", "concept", "strategy", "template", "background", "relation",
              "second_object", "seed", "demonstrations", "new_tokens")
MAX_TOP_UP_FACTOR = 4  # give up when 4x n_captions queries still leave the set short


def with_strategy(cfg: Config, strategy: str) -> Config:
    """A copy of cfg whose caption set uses `strategy`."""
    out = copy.deepcopy(cfg)
    out.captions.strategy = strategy
    return out


def demonstration_pool_name(cfg: Config) -> str:
    d = cfg.captions.demonstrations
    if d == "auto":
        return "mini" if cfg.captions.concepts == "world" else "real"
    return d


def _file_digest(path: str) -> str | None:
    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest()[:12] if p.is_file() else None


def _captions_payload(cfg: Config) -> dict:
    c = cfg.captions
    probs = strategy_probabilities(c.strategy, c.mix)  # an unknown strategy fails here, early
    pool = pool_for(demonstration_pool_name(cfg))
    payload = {
        # a user file by name and content, not where it lies
        "concepts": c.concepts if c.concepts == "world" else {"file": Path(c.concepts).name, "sha": _file_digest(c.concepts)},
        "backgrounds": c.backgrounds if c.backgrounds == "world" else {"file": Path(c.backgrounds).name, "sha": _file_digest(c.backgrounds)},
        "strategy": c.strategy, "probabilities": probs, "n_captions": c.n_captions,
        "chunk_size": c.chunk_size, "seed": cfg.run.seed,
    }
    if "template" in probs:
        payload["template_version"] = TEMPLATE_VERSION
    if uses_lm(c.strategy, c.mix):
        payload.update({
            "n_demonstrations": c.n_demonstrations,
            "pool": hashlib.sha256(json.dumps({k: [d.line() for d in v] for k, v in pool.items()})
                                   .encode()).hexdigest()[:12],
            "temperature": c.temperature, "top_p": c.top_p, "max_new_tokens": c.max_new_tokens,
            "batch_size": c.batch_size, "bf16": bf16_enabled(cfg),
        })
        if c.g1 == "smollm2":  # a package, not a folder among the inputs
            payload["g1"] = {"smollm2": SMOLLM2_GGUF}
    return payload


def _captions_requires(cfg: Config) -> dict:
    """g1, when the strategy asks a language model and g1 is a folder (trained here or local)."""
    c = cfg.captions
    g1 = g1_input(cfg) if uses_lm(c.strategy, c.mix) else None
    return {"g1": g1} if g1 is not None else {}


def normalise(caption: str) -> str:
    """The de-duplication key: lower case, single spaces, no trailing punctuation."""
    return " ".join(caption.lower().split()).rstrip(" .!,;")


def chunk_rows(cfg: Config, k: int, size: int, source, pool, model=None, tok=None,
               progress: bool = True) -> list[dict]:
    """Queries of chunk k (seeded by (seed, k)) and their captions."""
    c = cfg.captions
    queries = sample_queries(source, c.strategy, size, seed=[cfg.run.seed, 21, k], mix=c.mix)
    rng = np.random.default_rng([cfg.run.seed, 22, k])
    rows = [dict(q, caption=None, second_object=None, seed=None, demonstrations=None, new_tokens=None)
            for q in queries]
    lm_rows = [r for r in rows if r["strategy"] != "template"]
    for r in rows:
        if r["strategy"] == "template":
            r["caption"] = template_caption(r, source, rng)
    if lm_rows:
        prompts = []
        for r in lm_rows:
            prompt, picked = build_prompt(r["template"], r["concept"], pool, rng,
                                          background=r["background"], relation=r["relation"],
                                          n_demonstrations=c.n_demonstrations)
            prompts.append(prompt)
            r["demonstrations"] = picked
        out = generate_completions(model, tok, prompts, seed=batch_seed(cfg.run.seed, 1000 + k),
                                   temperature=c.temperature, top_p=c.top_p,
                                   max_new_tokens=c.max_new_tokens, batch_size=c.batch_size,
                                   bf16=bf16_enabled(cfg) and cfg.run.device == "cpu",
                                   progress=progress, desc=f"captions chunk {k}")
        for r, text, n, s in zip(lm_rows, out.captions, out.new_tokens, out.seeds):
            r.update(caption=text, new_tokens=n, seed=s)
    if source.mentions is not None:
        for r in rows:
            if r["relation"]:
                others = [o for o in source.mentions(r["caption"])["objects"] if o != r["concept"]]
                r["second_object"] = others[0] if others else None
    return rows


def _write_jsonl_atomic(path: Path, rows) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    os.replace(tmp, path)


def read_jsonl(path) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def build_caption_set(cfg: Config, out_dir: Path, *, progress: bool = True, g1_dir: Path | None = None) -> dict:
    """Generate, de-duplicate and top up to n_captions; write captions.jsonl and stats.json.
    `g1_dir`: g1's folder (a build's input); None finds it from cfg (see load_g1)."""
    c = cfg.captions
    out_dir = Path(out_dir)
    if c.n_captions < 1:
        raise ValueError(f"captions.n_captions must be >= 1, got {c.n_captions}")
    source = concept_source(cfg)
    pool = pool_for(demonstration_pool_name(cfg))
    model = tok = None
    if uses_lm(c.strategy, c.mix):
        set_threads(cfg.run.threads)
        model, tok = load_g1(cfg, g1_dir)
    chunks = out_dir / "chunks"
    chunks.mkdir(exist_ok=True)
    seen, kept, generated, empty, duplicates = set(), [], 0, 0, 0
    planned = c.n_captions  # first pass: one query per wanted caption; then top up the deficit
    k, t0 = 0, time.time()
    while len(kept) < c.n_captions:
        if generated >= MAX_TOP_UP_FACTOR * c.n_captions + c.chunk_size:
            warnings.warn(f"caption set stopped at {len(kept)} unique captions of {c.n_captions} "
                          f"after {generated} queries (too many duplicates)")
            break
        deficit = c.n_captions - len(kept)
        size = min(c.chunk_size, planned) if planned > 0 else \
            min(c.chunk_size, max(c.batch_size, math.ceil(1.1 * deficit)))
        planned -= size
        path = chunks / f"chunk-{k:05d}-{size}.jsonl"
        if path.is_file():
            rows = read_jsonl(path)
        else:
            rows = chunk_rows(cfg, k, size, source, pool, model, tok, progress=progress)
            _write_jsonl_atomic(path, rows)
        generated += len(rows)
        for r in rows:
            key = normalise(r["caption"] or "")
            if not key:
                empty += 1
                continue
            if len(kept) >= c.n_captions:
                break
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            kept.append(r)
        k += 1
    gen_s = time.time() - t0
    final = [{"id": i, **{f: r.get(f) for f in ROW_FIELDS}} for i, r in enumerate(kept)]
    _write_jsonl_atomic(out_dir / "captions.jsonl", final)
    stats = caption_stats(final, source.concepts, source.mentions, seed=cfg.run.seed)
    stats.update({"queries": generated, "empty": empty, "duplicates": duplicates,
                  "strategy": c.strategy, "g1": c.g1 if uses_lm(c.strategy, c.mix) else None,
                  "generation_seconds": round(gen_s, 1), "concepts": source.name})
    (out_dir / "stats.json").write_text(json.dumps(stats, indent=2))
    return {"n_captions": len(final), "queries": generated, "generation_seconds": round(gen_s, 1)}


def verify_caption_set(path: Path) -> dict[str, str]:
    """{file: what is wrong} of a finished caption set: its chunks, captions.jsonl and
    stats.json must parse, captions.jsonl with the recorded count (a deleted chunk is redrawn)."""
    path, problems, counts = Path(path), {}, {}
    for file in [*sorted((path / "chunks").glob("chunk-*.jsonl")), path / "captions.jsonl"]:
        rel = file.relative_to(path).as_posix()
        try:
            counts[rel] = len(read_jsonl(file))
        except FileNotFoundError:
            problems[rel] = "missing"
        except ValueError as err:
            problems[rel] = f"unreadable ({err})"
    try:
        json.loads((path / "stats.json").read_text())
    except (OSError, ValueError) as err:
        problems["stats.json"] = f"unreadable ({err})"
    try:
        expected = json.loads((path / "meta.json").read_text())["info"].get("n_captions")
    except (OSError, ValueError, KeyError):
        expected = None
    if expected is not None and counts.get("captions.jsonl", expected) != expected:
        problems["captions.jsonl"] = f"{counts['captions.jsonl']} rows, {expected} recorded"
    return problems


@stage("captions", payload=_captions_payload, requires=_captions_requires, resumable=True,
       verify=verify_caption_set)
def build_captions(cfg: Config, out_dir: Path, inputs: dict) -> dict:
    """A de-duplicated caption set (captions.jsonl) with its statistics (stats.json)."""
    return build_caption_set(cfg, out_dir, g1_dir=inputs.get("g1"))


def caption_set_dir(cfg: Config) -> Path:
    return run_stage("captions", cfg)


def caption_set_path(cfg: Config) -> Path:
    """captions.jsonl of cfg's caption set (built on first use)."""
    return caption_set_dir(cfg) / "captions.jsonl"


def load_captions(cfg: Config) -> list[dict]:
    """The rows of cfg's caption set (built on first use)."""
    return read_captions(caption_set_dir(cfg))


def read_captions(path: Path) -> list[dict]:
    """The rows of the caption set in a `captions` artifact (a stage build's input)."""
    return read_jsonl(Path(path) / "captions.jsonl")


def caption_set_stats(cfg: Config) -> dict:
    """stats.json of cfg's caption set (built on first use)."""
    return json.loads((caption_set_dir(cfg) / "stats.json").read_text())

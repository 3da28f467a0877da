"""Caption synthesis with g1 (paper Sec. 3.1): prompts, strategies, the mini g1, caption sets.

    from synclr_lib.captions import load_captions, caption_set_path, build_prompt
    rows = load_captions(cfg)   # the caption set of cfg.captions (cached stage `captions`)

Modules: prompts (the paper's template format), demonstrations (the pools), strategies
(template | c | c_bg_random | c_bg | c_rel | mix), generation (any HF causal LM, batched),
mini_g1 (tiny Llama + own BPE, stage `g1`), g1 (which model), smollm2 (real small LLM,
stage `smollm2_demo`), sets (stage `captions`, loaders), stats (diversity, mention rates).
Introduced in notebooks/02_captions.py.
"""
from .demonstrations import MINI_POOL, REAL_POOL, pool_for
from .g1 import load_g1, load_smollm2, smollm2_gguf
from .generation import ModelNotFoundError, generate_completions, load_causal_lm
from .prompts import INSTRUCTIONS, TEMPLATES, Demonstration, PromptError, build_prompt, first_line
from .sets import caption_set_path, caption_set_stats, load_captions, read_captions, with_strategy
from .stats import caption_stats, mention_rates
from .strategies import STRATEGIES, StrategyError, concept_source, sample_queries

__all__ = [
    "MINI_POOL", "REAL_POOL", "pool_for", "load_g1", "load_smollm2", "smollm2_gguf",
    "ModelNotFoundError", "generate_completions", "load_causal_lm", "INSTRUCTIONS", "TEMPLATES",
    "Demonstration", "PromptError", "build_prompt", "first_line", "caption_set_path",
    "caption_set_stats", "load_captions", "read_captions", "with_strategy", "caption_stats", "mention_rates",
    "STRATEGIES", "StrategyError", "concept_source", "sample_queries",
]

"""Batched generation with any HF causal LM: reproducible, first line only, length cap, bad dirs."""
import numpy as np
import pytest
import torch

from synclr_lib.captions.demonstrations import MINI_POOL
from synclr_lib.captions.generation import (ModelNotFoundError, generate_completions, load_causal_lm,
                                            stop_token_ids)
from synclr_lib.captions.prompts import build_prompt


def prompts(n, seed=0):
    rng = np.random.default_rng(seed)
    concepts = ["dress", "star", "letter K", "bag", "circle"]
    return [build_prompt("c", concepts[i % 5], MINI_POOL, rng)[0] for i in range(n)]


def test_generation_is_reproducible_for_a_seed(tiny_lm):
    model, tok = tiny_lm
    p = prompts(10)
    kw = dict(temperature=0.8, top_p=0.9, max_new_tokens=12, batch_size=4, progress=False)
    a = generate_completions(model, tok, p, seed=7, **kw)
    b = generate_completions(model, tok, p, seed=7, **kw)
    c = generate_completions(model, tok, p, seed=8, **kw)
    assert a.raw == b.raw and a.seeds == b.seeds
    assert a.raw != c.raw


def test_a_batch_does_not_depend_on_earlier_batches(tiny_lm):
    model, tok = tiny_lm
    p = prompts(8)
    kw = dict(max_new_tokens=10, batch_size=4, progress=False)
    whole = generate_completions(model, tok, p, seed=3, **kw)
    second = generate_completions(model, tok, p[4:], seed=3, batch_offset=1, **kw)
    assert whole.raw[4:] == second.raw


def test_length_cap_and_first_line_hold(tiny_lm):
    model, tok = tiny_lm
    out = generate_completions(model, tok, prompts(12), seed=0, max_new_tokens=6, batch_size=12,
                               progress=False)
    assert max(out.new_tokens) <= 6
    assert all("\n" not in c for c in out.captions)


class ScriptedLM(torch.nn.Module):
    """A stand-in LM whose generate() writes a fixed continuation, to check the post-processing."""

    def __init__(self, tok, continuation):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.ids = tok(continuation, add_special_tokens=False)["input_ids"]
        self.kwargs = None

    def generate(self, input_ids, attention_mask, **kwargs):
        self.kwargs = kwargs
        new = torch.tensor(self.ids[:kwargs["max_new_tokens"]]).repeat(len(input_ids), 1)
        return torch.cat([input_ids, new], 1)


def test_only_the_first_line_is_kept_and_sampling_is_the_papers(tiny_lm):
    _, tok = tiny_lm
    lm = ScriptedLM(tok, " a red dress on grass\n\nstar => a star")
    out = generate_completions(lm, tok, prompts(3), seed=0, max_new_tokens=30, progress=False)
    assert out.captions == ["a red dress on grass"] * 3
    assert all(r.startswith(" a red dress on grass\n") for r in out.raw)
    assert lm.kwargs["do_sample"] and lm.kwargs["temperature"] == 0.8 and lm.kwargs["top_p"] == 0.9
    assert lm.kwargs["top_k"] == 0 and lm.kwargs["use_cache"]
    assert set(stop_token_ids(tok)) <= set(lm.kwargs["eos_token_id"])


def test_left_padding(tiny_lm):
    _, tok = tiny_lm
    enc = tok(["a", "a much longer prompt here"], padding=True, return_tensors="pt")
    assert enc["attention_mask"][0, 0] == 0 and enc["attention_mask"][0, -1] == 1


def test_missing_model_directory_is_one_clear_error(tmp_path):
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        load_causal_lm(tmp_path / "no-such-model")
    with pytest.raises(ModelNotFoundError, match="holds no config.json"):
        load_causal_lm(tmp_path)

"""Batched generation with any HF causal LM: reproducible, first line only, length cap, bad dirs."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from synclr_lib.captions.demonstrations import MINI_POOL
from synclr_lib.captions.generation import (ModelNotFoundError, generate_completions, load_causal_lm,
                                            sample_batch, sample_top_p)
from synclr_lib.captions.prompts import build_prompt


def prompts(n, seed=0):
    rng = np.random.default_rng(seed)
    concepts = ["dress", "star", "cross", "bag", "circle"]
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
    p.sort(key=lambda x: len(tok(x)["input_ids"]))  # batches are formed in order of length
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


class ScriptedCache:
    def __init__(self):
        self.kept = []

    def reorder_cache(self, keep):
        self.kept.append(len(keep))


class ScriptedLM(torch.nn.Module):
    """A stand-in causal LM that writes a fixed continuation (row r stops after r+1 lines' worth
    of tokens is not needed: every row writes the same text), to check the decoding loop."""

    def __init__(self, tok, continuation):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.script = tok(continuation, add_special_tokens=False)["input_ids"]
        self.vocab = len(tok)
        self.prompt_len = None
        self.calls = []

    def forward(self, input_ids, attention_mask, position_ids, past_key_values=None, use_cache=True,
                logits_to_keep=None):
        if past_key_values is None:
            self.prompt_len = attention_mask.shape[1]
            past_key_values = ScriptedCache()
        step = attention_mask.shape[1] - self.prompt_len
        self.calls.append((input_ids.shape, position_ids[:, -1].tolist()))
        logits = torch.zeros(len(input_ids), 1, self.vocab)
        logits[:, 0, self.script[min(step, len(self.script) - 1)]] = 100.0
        return SimpleNamespace(logits=logits, past_key_values=past_key_values)


def test_decoding_keeps_the_first_line_stops_there_and_continues_positions(tiny_lm):
    _, tok = tiny_lm
    lm = ScriptedLM(tok, " a red dress on grass\n\nstar => a star")
    out = generate_completions(lm, tok, prompts(3), seed=0, max_new_tokens=30, progress=False)
    assert out.captions == ["a red dress on grass"] * 3
    assert all(r == " a red dress on grass\n" for r in out.raw)
    first_newline = tok(" a red dress on grass\n", add_special_tokens=False)["input_ids"]
    assert out.new_tokens == [len(first_newline)] * 3  # stopped at the newline token
    positions = [pos for _, pos in lm.calls]
    assert all(b == [p + 1 for p in a] for a, b in zip(positions, positions[1:]))
    capped = generate_completions(lm, tok, prompts(3), seed=0, max_new_tokens=2, progress=False)
    assert capped.new_tokens == [2] * 3


def test_finished_rows_leave_the_batch():
    class Cache(ScriptedCache):
        pass

    calls = []

    class TwoLengths(torch.nn.Module):
        """Row 0 stops after 1 token, row 1 after 3 (token 1 is the stop token)."""
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, input_ids, attention_mask, position_ids, past_key_values=None, use_cache=True):
            cache = past_key_values or Cache()
            step = attention_mask.shape[1] - 2
            calls.append(len(input_ids))
            logits = torch.zeros(len(input_ids), 1, 4)
            for i in range(len(input_ids)):
                stop = step >= (0 if len(input_ids) == 2 and i == 0 else 2)
                logits[i, 0, 1 if stop else 2] = 100.0
            return SimpleNamespace(logits=logits, past_key_values=cache)

    enc = {"input_ids": torch.tensor([[3, 3], [3, 3]]), "attention_mask": torch.ones(2, 2, dtype=torch.long)}
    tokens = sample_batch(TwoLengths(), enc, seed=0, temperature=0.8, top_p=0.9, max_new_tokens=10, stops={1})
    assert tokens == [[1], [2, 2, 1]]
    assert calls == [2, 1, 1]  # after step 1 only the unfinished row is computed


def test_top_p_sampling_matches_a_hand_written_reference():
    probs = torch.tensor([0.15, 0.5, 0.05, 0.3])
    logits = probs.log().repeat(10_000, 1)
    u = (torch.arange(10_000) + 0.5) / 10_000  # an exact grid instead of random numbers
    picked = sample_top_p(logits, u, temperature=1.0, top_p=0.9)
    freq = torch.bincount(picked, minlength=4).float() / 10_000
    # reference: sort descending, keep tokens whose preceding mass < 0.9 -> 0.5, 0.3, 0.15
    expected = torch.tensor([0.15, 0.5, 0.0, 0.3]) / 0.95
    assert torch.allclose(freq, expected, atol=2e-4)
    hot = sample_top_p(logits[:5], u[:5], temperature=0.5, top_p=0.01)
    assert hot.tolist() == [1] * 5  # a tiny nucleus is greedy
    sharp = sample_top_p(logits, u, temperature=0.5, top_p=1.0)
    p2 = probs ** 2 / (probs ** 2).sum()
    assert torch.allclose(torch.bincount(sharp, minlength=4).float() / 10_000, p2, atol=2e-4)


def test_left_padding(tiny_lm):
    _, tok = tiny_lm
    enc = tok(["a", "a much longer prompt here"], padding=True, return_tensors="pt")
    assert enc["attention_mask"][0, 0] == 0 and enc["attention_mask"][0, -1] == 1


def test_missing_model_directory_is_one_clear_error(tmp_path):
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        load_causal_lm(tmp_path / "no-such-model")
    with pytest.raises(ModelNotFoundError, match="holds no config.json"):
        load_causal_lm(tmp_path)

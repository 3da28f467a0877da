"""Any Hugging Face causal LM as g1: load from a local directory, sample completions in batches.

    model, tok = load_causal_lm("models/Llama-2-7b-hf")          # or a save_pretrained dir
    out = generate_completions(model, tok, prompts, seed=0, temperature=0.8, top_p=0.9,
                               max_new_tokens=100, batch_size=8)
    out.captions        # first line of each completion (the paper's rule)

Batches are left-padded (decoder-only models continue from the right edge), prompts are
grouped by length to waste little on padding, and decoding runs the model with its KV cache
(transformers' DynamicCache). Only the first line is kept, so a sequence stops at its first
token that holds a newline (or EOS), and finished sequences leave the batch (their rows are
dropped from the cache): short captions do not pay for the longest one in their batch.

Sampling is temperature + nucleus (top-p), drawn by inverse CDF from one uniform number per
row and step, generated from (seed, batch index): a batch's result depends neither on the
batches before it (a resumed run reproduces an uninterrupted one) nor on when its other
rows finish.

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from ..progress import tqdm

from .prompts import first_line


class ModelNotFoundError(FileNotFoundError):
    """A g1 model directory (or GGUF file) that does not exist or holds no model."""


def check_model_dir(path: Path) -> Path:
    """`path`, if it holds a save_pretrained causal LM (config.json); else ModelNotFoundError."""
    if not (Path(path) / "config.json").is_file():
        what = "does not exist" if not Path(path).exists() else "holds no config.json"
        raise ModelNotFoundError(
            f"g1 model directory {path} {what}: give a local directory written by "
            f"save_pretrained (a Hugging Face causal LM with its tokenizer), 'mini-train' or 'smollm2'")
    return Path(path)


def load_causal_lm(path, *, gguf_file: str | None = None, device: str = "cpu", dtype=None):
    """(model in eval mode, tokenizer with left padding) from a local directory, offline.

    `path` is a directory written by `save_pretrained` (config.json + weights + tokenizer),
    or, with `gguf_file`, a directory holding that GGUF file (transformers de-quantizes it).
    """
    import synclr_lib  # noqa: F401  (HF offline before any HF import)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(path)
    if gguf_file is not None:
        if not (path / gguf_file).is_file():
            raise ModelNotFoundError(f"GGUF file {path / gguf_file} does not exist")
    else:
        check_model_dir(path)
    kwargs = {"gguf_file": gguf_file} if gguf_file else {}
    if dtype is None:  # the checkpoint's own precision on a GPU (Llama-2: fp16), fp32 on CPU
        dtype = "auto" if str(device).startswith("cuda") else torch.float32
    from ..runtime import quiet_model_io

    with quiet_model_io():  # a load bar would nest in the caption stage's own bar
        tok = AutoTokenizer.from_pretrained(path, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, **kwargs).to(device).eval()
    prepare_tokenizer(tok)
    return model, tok


def prepare_tokenizer(tok):
    """Left padding, and a pad token (EOS when the tokenizer has none)."""
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


@lru_cache(maxsize=8)
def _newline_ids(tok) -> tuple[int, ...]:
    texts = tok.batch_decode([[i] for i in range(len(tok))])
    return tuple(i for i, t in enumerate(texts) if "\n" in t)


def stop_token_ids(tok) -> list[int]:
    """EOS plus every token whose text contains a newline (the first line is all we keep)."""
    ids = set(_newline_ids(tok))
    if tok.eos_token_id is not None:
        ids.add(int(tok.eos_token_id))
    return sorted(ids)


def batch_seed(seed: int, batch_index: int) -> int:
    """A seed for one batch that depends only on (seed, batch index)."""
    return int(np.random.SeedSequence([int(seed), int(batch_index)]).generate_state(1)[0])


def sample_top_p(logits: torch.Tensor, uniform: torch.Tensor, temperature: float, top_p: float) -> torch.Tensor:
    """Nucleus sampling: softmax(logits / T), keep the most likely tokens until their mass
    reaches top_p (at least one), renormalise, and invert the CDF at `uniform` (one per row)."""
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    sorted_p, order = probs.sort(dim=-1, descending=True)
    cum = sorted_p.cumsum(-1)
    sorted_p = sorted_p.masked_fill(cum - sorted_p >= top_p, 0.0)  # mass before the token >= p
    cum = sorted_p.cumsum(-1)
    target = uniform.to(cum.dtype).unsqueeze(1) * cum[:, -1:]
    pick = torch.searchsorted(cum, target, right=True).clamp(max=cum.shape[1] - 1)
    return order.gather(1, pick).squeeze(1)


@dataclass
class Completions:
    captions: list[str]  # first line of each completion, stripped
    raw: list[str]  # the decoded new tokens, up to and including the stop token
    new_tokens: list[int]  # tokens generated per prompt (<= max_new_tokens)
    seeds: list[int] = field(default_factory=list)  # sampling seed of each prompt's batch


@lru_cache(maxsize=32)
def _forward_params(cls) -> frozenset:
    return frozenset(inspect.signature(cls.forward).parameters)


def _forward(model, cache=None, **kw):
    """One forward pass with the KV cache, whatever this transformers version calls it
    (`cache` from 5.x, `past_key_values` before); returns (logits of the last position, cache)."""
    params = _forward_params(type(model))
    if cache is not None:
        kw["cache" if "cache" in params else "past_key_values"] = cache
    if "logits_to_keep" in params:  # older architectures compute logits for every position
        kw["logits_to_keep"] = 1
    out = model(**kw, use_cache=True)
    new_cache = getattr(out, "cache", None)
    return out.logits[:, -1], new_cache if new_cache is not None else out.past_key_values


def sample_batch(model, enc, *, seed: int, temperature: float, top_p: float, max_new_tokens: int,
                 stops: set[int]) -> list[list[int]]:
    """New token ids of each left-padded prompt, each ending at its first stop token (or the cap)."""
    device = enc["input_ids"].device
    attn = enc["attention_mask"]
    batch = attn.shape[0]
    gen = torch.Generator(device="cpu").manual_seed(seed)
    uniforms = torch.rand(max_new_tokens, batch, generator=gen)  # row r, step s: uniforms[s, r]
    position = (attn.long().cumsum(-1) - 1).clamp(min=0)
    logits, cache = _forward(model, input_ids=enc["input_ids"], attention_mask=attn, position_ids=position)
    rows = torch.arange(batch)
    next_position = position[:, -1] + 1
    tokens: list[list[int]] = [[] for _ in range(batch)]
    for step in range(max_new_tokens):
        nxt = sample_top_p(logits, uniforms[step, rows], temperature, top_p)
        ids = nxt.tolist()
        live = []
        for i, (r, t) in enumerate(zip(rows.tolist(), ids)):
            tokens[r].append(t)
            if t not in stops:
                live.append(i)
        if not live or step == max_new_tokens - 1:
            break
        if len(live) < len(ids):  # finished rows leave the batch and the cache
            keep = torch.tensor(live, device=device)
            cache.reorder_cache(keep)
            rows, nxt, attn, next_position = rows[keep.cpu()], nxt[keep], attn[keep], next_position[keep]
        attn = torch.cat([attn, attn.new_ones(len(live), 1)], dim=1)
        logits, cache = _forward(model, cache, input_ids=nxt[:, None], attention_mask=attn,
                                 position_ids=next_position[:, None])
        next_position = next_position + 1
    return tokens


@torch.inference_mode()
def generate_completions(model, tok, prompts: list[str], *, seed: int, temperature: float = 0.8,
                         top_p: float = 0.9, max_new_tokens: int = 100, batch_size: int = 32,
                         bf16: bool = False, batch_offset: int = 0, progress: bool = True,
                         desc: str = "g1 captions") -> Completions:
    """Sample one completion per prompt (temperature / top-p), batched with left padding.

    Prompts are batched in order of length (results come back in input order). Batch b is
    sampled with batch_seed(seed, batch_offset + b); `batch_offset` numbers this call's
    batches after earlier calls' (for chunked runs).
    """
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
    model.eval()
    prepare_tokenizer(tok)
    stops = set(stop_token_ids(tok))
    device = next(model.parameters()).device
    autocast = (torch.autocast(device.type, dtype=torch.bfloat16) if bf16
                else contextlib.nullcontext())
    encoded = tok(list(prompts), add_special_tokens=True)["input_ids"]
    order = sorted(range(len(prompts)), key=lambda i: (len(encoded[i]), i))
    n = len(prompts)
    captions, raw, new_tokens, seeds = [""] * n, [""] * n, [0] * n, [0] * n
    starts = range(0, n, batch_size)
    for b, start in enumerate(tqdm(starts, desc=desc, unit="batch", disable=not progress, leave=False)):
        idx = order[start:start + batch_size]
        s = batch_seed(seed, batch_offset + b)
        enc = tok.pad({"input_ids": [encoded[i] for i in idx]}, padding=True, return_tensors="pt").to(device)
        with autocast:
            new = sample_batch(model, enc, seed=s, temperature=temperature, top_p=top_p,
                               max_new_tokens=max_new_tokens, stops=stops)
        for i, row in zip(idx, new):
            text = tok.decode(row, skip_special_tokens=True)
            captions[i], raw[i], new_tokens[i], seeds[i] = first_line(text), text, len(row), s
    return Completions(captions, raw, new_tokens, seeds)

"""Any Hugging Face causal LM as g1: load from a local directory, sample completions in batches.

    model, tok = load_causal_lm("models/Llama-2-7b-hf")          # or a save_pretrained dir
    out = generate_completions(model, tok, prompts, seed=0, temperature=0.8, top_p=0.9,
                               max_new_tokens=100, batch_size=8)
    out.captions        # first line of each completion (the paper's rule)

Batches are left-padded (decoder-only models continue from the right edge) and use the KV
cache. Generation stops at the first newline token (or EOS): every token whose text holds a
newline ends a sequence, since only the first line is kept. Sampling is seeded per batch from
(seed, batch index), so a batch's result does not depend on which batches ran before it
(a resumed run reproduces an uninterrupted one).

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from .prompts import first_line


class ModelNotFoundError(FileNotFoundError):
    """A g1 model directory (or GGUF file) that does not exist or holds no model."""


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
    elif not (path / "config.json").is_file():
        what = "does not exist" if not path.exists() else "holds no config.json"
        raise ModelNotFoundError(
            f"g1 model directory {path} {what}: give a local directory written by "
            f"save_pretrained (a Hugging Face causal LM with its tokenizer), 'mini' or 'smollm2'")
    kwargs = {"gguf_file": gguf_file} if gguf_file else {}
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


@dataclass
class Completions:
    captions: list[str]  # first line of each completion, stripped
    raw: list[str]  # the decoded new tokens (may run past the first line)
    new_tokens: list[int]  # tokens generated per prompt (<= max_new_tokens)
    seeds: list[int] = field(default_factory=list)  # torch seed of each prompt's batch


@torch.inference_mode()
def generate_completions(model, tok, prompts: list[str], *, seed: int, temperature: float = 0.8,
                         top_p: float = 0.9, max_new_tokens: int = 100, batch_size: int = 32,
                         bf16: bool = False, batch_offset: int = 0, progress: bool = True,
                         desc: str = "g1 captions") -> Completions:
    """Sample one completion per prompt (temperature / top-p), batched with left padding.

    `batch_offset` numbers this call's batches after earlier calls' (for chunked runs), so
    batch b is always seeded with batch_seed(seed, batch_offset + b).
    """
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
    prepare_tokenizer(tok)
    stops = stop_token_ids(tok)
    stop_set = set(stops)
    device = next(model.parameters()).device
    autocast = (torch.autocast(device.type, dtype=torch.bfloat16) if bf16
                else contextlib.nullcontext())
    out = Completions([], [], [], [])
    starts = range(0, len(prompts), batch_size)
    for b, start in enumerate(tqdm(starts, desc=desc, unit="batch", disable=not progress,
                                   leave=False)):
        batch = prompts[start:start + batch_size]
        s = batch_seed(seed, batch_offset + b)
        torch.manual_seed(s)
        enc = tok(batch, return_tensors="pt", padding=True, add_special_tokens=True).to(device)
        with autocast:
            ids = model.generate(**enc, do_sample=True, temperature=temperature, top_p=top_p,
                                 top_k=0, max_new_tokens=max_new_tokens, eos_token_id=stops,
                                 pad_token_id=tok.pad_token_id, use_cache=True)
        new = ids[:, enc["input_ids"].shape[1]:]
        for row in new.tolist():
            n = len(row)
            for j, t in enumerate(row):  # tokens after the first stop token are padding
                if t in stop_set:
                    n = j + 1
                    break
            text = tok.decode(row[:n], skip_special_tokens=True)
            out.raw.append(text)
            out.captions.append(first_line(text))
            out.new_tokens.append(n)
            out.seeds.append(s)
    return out

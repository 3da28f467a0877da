"""Frozen features for the probes: the CLS token of the last block, the mean of the patch
tokens, and (on request) every patch token, extracted in batches and cached on disk.

An *encoder* is any Hugging Face model whose output has `last_hidden_state` [B, 1 + P, D]
(CLS first, then P patch tokens on a square grid) taking `pixel_values` float [B, 3, H, W]
in [-1, 1] (`synclr_lib.pixels.to_tensor`), e.g. a `transformers.ViTModel` saved by the
training stage (`load_encoder(dir)`, the training stage's loader); or a module with
`encode_tokens(x) -> (cls, patches)`, like the raw-pixel baseline `PixelEncoder`.
`random_init_encoder(cfg)` builds the untrained ViT of the profile (the training issue's
`build_encoder`), the paper's "random init" row.

The cache: artifacts/features/<hash>/{cls,mean_patch,patch}.npy, one entry per (encoder
fingerprint, images hash, name, bf16, patches), built by the same atomic mechanism as every
stage (`synclr_lib.cache.cached`). The fingerprint hashes the encoder's weights (so a
retrained encoder never reuses stale features) and the images hash covers the exact pixels
(so a re-rendered suite never does either). An entry with patch tokens also serves a
request without them.

    from synclr_lib.evaluate.features import extract_features, load_encoder
    feats = extract_features(load_encoder("artifacts/train/.../encoder"), images, cache_name="objects-test")
    feats.cls.shape, feats.mean_patch.shape

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import hashlib
import json
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..cache import cached, is_complete, stage_path
from ..pixels import to_tensor

FEATURE_STAGE = "features"  # cached outside the stage registry (stages.CACHED_ELSEWHERE)


@dataclass
class Features:
    """Frozen features of N images."""
    cls: np.ndarray  # [N, D] CLS token of the last block (raw pixels: the flattened image)
    mean_patch: np.ndarray  # [N, D'] mean of the patch tokens
    patch: np.ndarray | None = None  # [N, P, D'] every patch token (only when asked for)

    @property
    def grid(self) -> int:
        """Side of the square patch grid."""
        if self.patch is None:
            raise ValueError("these features were extracted without patch tokens (patches=False)")
        side = int(round(self.patch.shape[1] ** 0.5))
        if side * side != self.patch.shape[1]:
            raise ValueError(f"{self.patch.shape[1]} patch tokens do not form a square grid")
        return side


class PixelEncoder(torch.nn.Module):
    """The raw-pixel "encoder" baseline: CLS = the flattened image (optionally downsampled to
    `cls_size` x `cls_size` first, to keep the probes' feature dimension small), patch tokens =
    the flattened `patch_size` x `patch_size` x 3 pixel blocks at full resolution."""

    def __init__(self, patch_size: int = 4, cls_size: int | None = None):
        super().__init__()
        self.patch_size = patch_size  # pixels per patch side (match the ViT's for dense/PCA)
        self.cls_size = cls_size  # side of the image flattened into the CLS feature (None: as is)

    def fingerprint(self) -> str:
        return f"pixels-p{self.patch_size}-c{self.cls_size}"

    def encode_tokens(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        p = self.patch_size
        if x.shape[-1] % p or x.shape[-2] % p:
            raise ValueError(f"image size {tuple(x.shape[-2:])} is not divisible by patch size {p}")
        patches = F.unfold(x, kernel_size=p, stride=p).transpose(1, 2)  # [B, P, 3 p p]
        small = x
        if self.cls_size is not None and x.shape[-1] != self.cls_size:
            small = F.interpolate(x, size=(self.cls_size, self.cls_size), mode="bilinear",
                                  antialias=True, align_corners=False)
        return small.flatten(1), patches


def random_init_encoder(cfg, seed: int | None = None):
    """The profile's encoder (`synclr_lib.models.build_encoder`, sizes from `cfg.train`) with
    random weights, in eval mode: the "random init" row. Deterministic in `seed` (default
    `cfg.run.seed`); the global torch RNG is left untouched."""
    from ..models import build_encoder

    return build_encoder(cfg.train, seed=cfg.run.seed if seed is None else seed, mask_token=False).eval()


def load_encoder(path, device: str = "cpu"):
    """A trained encoder from a training artifact (its directory or its `encoder/`), frozen and in
    eval mode: the training stage's own public loader (`synclr_lib.models.load_encoder`)."""
    from ..models import load_encoder as load_trained_encoder

    return load_trained_encoder(path, device)


def encoder_fingerprint(model) -> str:
    """A short hash of what the encoder computes: its class, config and weights (the unused
    ViT pooler excluded: AutoModel adds a freshly initialised one to checkpoints without it)."""
    if hasattr(model, "fingerprint"):
        return str(model.fingerprint())
    h = hashlib.sha256(type(model).__name__.encode())
    config = getattr(model, "config", None)
    if config is not None and hasattr(config, "to_dict"):
        described = {k: v for k, v in config.to_dict().items()
                     if k not in ("_name_or_path", "transformers_version")}  # where, not what
        h.update(json.dumps(described, sort_keys=True, default=str).encode())
    for name, tensor in sorted(model.state_dict().items()):
        if name.startswith("pooler."):  # never used for features (CLS of the last block is)
            continue
        t = tensor.detach().cpu().contiguous().reshape(-1)
        h.update(f"{name}:{t.dtype}:{tuple(tensor.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()[:16]


def images_hash(images: np.ndarray) -> str:
    images = np.ascontiguousarray(images)
    h = hashlib.sha256(f"{images.shape}:{images.dtype}".encode())
    h.update(memoryview(images).cast("B"))
    return h.hexdigest()[:12]


def _model_image_size(model) -> int | None:
    config = getattr(model, "config", None)
    size = getattr(config, "image_size", None)
    if isinstance(size, (tuple, list)):
        size = size[0]
    return int(size) if size else None


def encode_tokens(model, pixel_values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(cls [B, D], patch tokens [B, P, D]) of one batch; images are resized to the model's
    `config.image_size` when they differ."""
    if hasattr(model, "encode_tokens"):
        return model.encode_tokens(pixel_values)
    size = _model_image_size(model)
    if size is not None and pixel_values.shape[-1] != size:
        pixel_values = F.interpolate(pixel_values, size=(size, size), mode="bilinear", antialias=True,
                                     align_corners=False)
    hidden = model(pixel_values=pixel_values).last_hidden_state
    return hidden[:, 0], hidden[:, 1:]


def _model_device(model) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


@torch.no_grad()
def _extract(model, images, batch_size, bf16, patches, device, progress, desc) -> Features:
    device = torch.device(device) if device is not None else _model_device(model)
    was_training = getattr(model, "training", False)
    model.eval()
    cls_out, mean_out, patch_out = [], [], []
    starts = range(0, len(images), batch_size)
    if progress:
        from ..progress import tqdm
        starts = tqdm(starts, desc=desc, leave=False, unit="batch")
    autocast = (torch.autocast(device_type=device.type, dtype=torch.bfloat16)
                if bf16 and device.type in ("cpu", "cuda") else nullcontext())
    try:
        for s in starts:
            x = to_tensor(images[s:s + batch_size]).to(device)
            with autocast:
                cls, tokens = encode_tokens(model, x)
            cls_out.append(cls.float().cpu().numpy())
            mean_out.append(tokens.float().mean(1).cpu().numpy())
            if patches:
                patch_out.append(tokens.float().cpu().numpy())
    finally:
        model.train(was_training)
    return Features(cls=np.concatenate(cls_out), mean_patch=np.concatenate(mean_out),
                    patch=np.concatenate(patch_out) if patches else None)


def _feature_payload(model, images: np.ndarray, name: str, bf16: bool, patches: bool) -> dict:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return {"encoder": encoder_fingerprint(model), "images": images_hash(images), "name": safe,
            "bf16": bool(bf16), "patches": bool(patches)}


def feature_cache_dir(model, images: np.ndarray, name: str, bf16: bool, patches: bool = False) -> Path:
    """Where `extract_features(..., cache_name=name)` stores this encoder's features of `images`."""
    return stage_path(FEATURE_STAGE, _feature_payload(model, images, name, bf16, patches))


def _load(path: Path, patches: bool) -> Features:
    return Features(cls=np.load(path / "cls.npy"), mean_patch=np.load(path / "mean_patch.npy"),
                    patch=np.load(path / "patch.npy") if patches else None)


def _write(out: Path, feats: Features, info: dict) -> dict:
    np.save(out / "cls.npy", feats.cls)
    np.save(out / "mean_patch.npy", feats.mean_patch)
    if feats.patch is not None:
        np.save(out / "patch.npy", feats.patch)
    return info


def extract_features(model, images_uint8: np.ndarray, batch_size: int = 256, bf16: bool = True, *,
                     patches: bool = False, cache_name: str | None = None, device=None,
                     progress: bool = True) -> Features:
    """Frozen features of uint8 images [N, H, W, 3]: CLS, mean patch token and optionally
    every patch token (`patches=True`). Runs under no_grad in eval mode, in batches, with bf16
    autocast when `bf16`. With `cache_name` (e.g. "objects-train") the result is cached per
    (encoder weights, images) under artifacts/features/ and reused on the next call."""
    images = np.asarray(images_uint8)
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] != 3 or len(images) == 0:
        raise ValueError(f"expected a non-empty uint8 image array [N, H, W, 3], got "
                         f"{images.shape} {images.dtype}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    extract = lambda: _extract(model, images, batch_size, bf16, patches, device, progress,  # noqa: E731
                               desc=f"features {cache_name or ''}".strip())
    if not cache_name:
        return extract()
    payload = _feature_payload(model, images, cache_name, bf16, patches)  # hashes weights and pixels once
    if not patches:  # an entry with patch tokens holds everything this call needs
        with_patches = stage_path(FEATURE_STAGE, {**payload, "patches": True})
        if is_complete(with_patches):
            return _load(with_patches, False)
    info = {"name": cache_name, "n_images": len(images), "image_shape": list(images.shape[1:]), "bf16": bf16,
            "encoder": type(model).__name__}
    path = cached(FEATURE_STAGE, payload, lambda out: _write(out, extract(), info), verbose=False)
    return _load(path, patches)

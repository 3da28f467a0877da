"""A ViT with a convolutional trunk ("early convolutions", Xiao et al. 2021): the stock
`transformers.ViTModel` whose patchify convolution is replaced by 3x3 conv-GroupNorm-GELU
layers and a 1x1 projection: the last log2(patch_size) layers have stride 2, any layers before
them stride 1 (so `stem_channels=(32, 64, 128, 256)` with patch 8 is a 4-layer CNN down to a
4x4 token grid, then the transformer blocks with a CLS token).

Why: at 32 px the mini world's objects are 6-20 px, rotated and cluttered. A patch-4 linear
embedding learned almost no object identity in the training budget even with labels, and a
two-layer stride-2 stem learned it too slowly for a CPU budget; a CNN trunk at full
resolution followed by a few transformer blocks learns it in minutes
(benchmarks/results/study_encoder_proxy.md). The transformer part keeps what the paper's
method needs from a ViT: a CLS token, patch tokens for iBOT's masked-token loss, the dense
probe and the patch PCA.
GroupNorm (per sample), not BatchNorm: a sample's features do not depend on its batch, so a
batch split over torchrun ranks gives the single-process loss, and teacher = EMA of weights.

This file is self-contained (torch + transformers only) on purpose: `save_pretrained` copies
it beside the weights with an `auto_map`, so, with synclr_lib not installed,

    transformers.AutoModel.from_pretrained(dir, trust_remote_code=True)

loads the encoder; with synclr_lib imported (`synclr_lib.models` registers the model type),
`AutoModel.from_pretrained(dir)` alone does. Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import math

from torch import nn
from transformers import ViTConfig, ViTModel


class ConvStemViTConfig(ViTConfig):
    """ViTConfig plus the conv stem's channels (one entry per stride-2 layer)."""

    model_type = "synclr_conv_stem_vit"

    def __init__(self, stem_channels=(32, 64), stem_norm_groups=1, **kwargs):
        super().__init__(**kwargs)
        self.stem_channels = list(stem_channels)
        self.stem_norm_groups = int(stem_norm_groups)  # GroupNorm groups of each stem layer (1 = LayerNorm-like)
        halvings = math.log2(self.patch_size)
        if halvings != int(halvings) or len(self.stem_channels) < int(halvings):
            raise ValueError(f"patch_size={self.patch_size} needs at least one stem channel per halving "
                             f"(log2(patch_size) = {int(halvings)} stride-2 layers; extra leading entries "
                             f"are stride-1 layers), got stem_channels={self.stem_channels}")
        bad = [c for c in self.stem_channels if c % self.stem_norm_groups]
        if bad:
            raise ValueError(f"stem_channels {bad} are not divisible by stem_norm_groups={self.stem_norm_groups}")


class ConvStem(nn.Sequential):
    """[N, C, H, W] -> [N, width, H/patch, W/patch]: 3x3 conv-GN-GELU layers (stride 1, then
    stride 2 once per halving of the patch size), then a 1x1 projection to the width."""

    def __init__(self, in_channels: int, stem_channels, width: int, patch_size: int, groups: int = 1):
        layers, c = [], in_channels
        n_stride1 = len(stem_channels) - int(math.log2(patch_size))
        for i, out in enumerate(stem_channels):
            stride = 1 if i < n_stride1 else 2
            layers += [nn.Conv2d(c, out, 3, stride=stride, padding=1, bias=False), nn.GroupNorm(groups, out),
                       nn.GELU()]
            c = out
        layers.append(nn.Conv2d(c, width, 1))
        super().__init__(*layers)

    @property
    def weight(self):
        """ViTModel.forward reads `projection.weight.dtype` to cast its input."""
        return self[-1].weight


class ConvStemViTModel(ViTModel):
    """transformers.ViTModel with `ConvStem` as its patch projection (masking, CLS, position
    embeddings and their interpolation are the stock ViT's)."""

    config_class = ConvStemViTConfig

    def __init__(self, config: ConvStemViTConfig, add_pooling_layer: bool = True, use_mask_token: bool = False):
        super().__init__(config, add_pooling_layer=add_pooling_layer, use_mask_token=use_mask_token)
        self.embeddings.patch_embeddings.projection = ConvStem(
            config.num_channels, config.stem_channels, config.hidden_size, config.patch_size,
            getattr(config, "stem_norm_groups", 1))
        self.post_init()

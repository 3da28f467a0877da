"""Losses of the representation-learning stage, one file per loss (notebooks/04_training.py).

- multi_positive_loss: StableRep / SynCLR's multi-positive contrastive loss (SimCLR's InfoNCE
  when each caption has one image and two views);
- sinkhorn_knopp, ibot_patch_loss: iBOT's masked patch loss with Sinkhorn-Knopp targets;
- clip_loss: symmetric image-text contrastive loss (CLIP baseline, Table 10).
SupCE uses torch's cross-entropy on concept labels.
"""
from .clip import clip_loss
from .ibot import ibot_patch_loss, sinkhorn_knopp
from .multi_positive import multi_positive_loss, multi_positive_targets

__all__ = ["multi_positive_loss", "multi_positive_targets", "sinkhorn_knopp", "ibot_patch_loss", "clip_loss"]

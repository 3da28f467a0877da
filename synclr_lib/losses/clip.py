"""CLIP's symmetric image-text contrastive loss, written with the multi-positive loss so that
several images of one caption (P captions x K images) are all positives of their text.

    image -> text: each image's only positive is its caption's text;
    text -> image: each text's positives are the K images drawn from it (uniform p).
    L = (L_image->text + L_text->image) / 2, logits scaled by a learnable 1/temperature.

With one image per text (the mini-web's alt-text) it is exactly CLIP's loss. The paper's
Table 10 baseline trains CLIP on the same synthetic captions and images.

    loss = clip_loss(image_emb, text_emb, image_caption_ids, text_caption_ids, temperature)

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import torch

from .multi_positive import multi_positive_loss


def clip_loss(image_emb: torch.Tensor, text_emb: torch.Tensor, image_ids: torch.Tensor,
              text_ids: torch.Tensor, temperature: float | torch.Tensor) -> torch.Tensor:
    """Symmetric image-text loss; `text_ids` must be unique (one row per caption)."""
    if text_ids.unique().numel() != text_ids.numel():
        raise ValueError("clip_loss needs one text row per caption id (text_ids must be unique)")
    return 0.5 * (multi_positive_loss(image_emb, text_emb, image_ids, text_ids, temperature)
                  + multi_positive_loss(text_emb, image_emb, text_ids, image_ids, temperature))

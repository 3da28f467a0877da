"""The training objectives: SynCLR with switchable components, and the paper's baselines.

| method | views per image | loss |
|---|---|---|
| synclr | 1 global (+ n local with `multicrop`) | multi-positive over P captions x K images; + `ema` teacher candidates; + `ibot` masked patch loss |
| simclr | 2 global | multi-positive with each image its own caption (= InfoNCE) |
| supce | 1 global | cross-entropy on concept labels (linear classifier on CLS) |
| clip | 1 global | image-text contrastive, frozen MiniLM sentence embedding + trainable projection |

`train.components` (Table 4): "" is StableRep (one encoder; candidates are the student's own
global crops, the anchor's own crop excluded); `ema` takes the candidates from an EMA
teacher (momentum 0.994 -> 1) and excludes the anchor's own image there; `ibot` masks half
of the global crops for the student (half their patches) and adds the masked patch loss
(teacher targets by Sinkhorn-Knopp; without `ema` the teacher is the student without
gradient); `multicrop` adds n local crops whose only loss is the contrastive one. Loss =
L(global) + mean L(local) + w * L_iBOT, as in the official code.

Every random draw of a step (views, masks) is made for the *global* batch from a generator
seeded by (run seed, step) and then sliced, so 1 or N processes and a resumed run compute
the same thing. Losses are normalised so that averaging gradients over ranks gives the
gradient of the global-batch loss (distributed.py).

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..config import ConfigError, train_seed
from ..data.augment import ViewAugmenter, random_masks
from ..images.proxy import parse_open
from ..losses import clip_loss, ibot_patch_loss, multi_positive_loss, sinkhorn_knopp
from ..models import DINOHead, ProjectionHead, add_stochastic_depth, build_encoder
from ..models.heads import NORMS
from ..models.vit import check_attention
from ..runtime import generator
from ..validate import parse_names
from . import distributed

METHODS = ("synclr", "simclr", "supce", "clip")
COMPONENTS = ("ema", "ibot", "multicrop")
WEB_METHODS = ("simclr", "clip")  # the learning-from-data baselines


def parse_components(text: str) -> tuple[str, ...]:
    """'ema,ibot' -> ('ema', 'ibot'); one clear error naming the valid components."""
    return parse_names("train.components", text, COMPONENTS, "empty = StableRep")


def check_train_config(cfg) -> None:
    """What is wrong with cfg.train alone (checked before any stage runs), as one clear error."""
    from .data import SOURCES

    t = cfg.train
    if t.method not in METHODS:
        raise ConfigError(f"unknown train.method {t.method!r}; valid: {', '.join(METHODS)}")
    parse_components(t.components)
    parse_open(t.proxy_open)
    check_attention(t)
    if t.proj_norm not in NORMS:
        raise ConfigError(f"unknown train.proj_norm {t.proj_norm!r}; valid: {', '.join(NORMS)}")
    if t.data not in SOURCES:
        raise ConfigError(f"unknown train.data {t.data!r}; valid: {', '.join(SOURCES)}")
    if t.data == "web" and t.method not in WEB_METHODS and not t.data_dir:
        raise ConfigError(f"train.data=web (learning from data) supports methods {', '.join(WEB_METHODS)}, "
                          f"not {t.method!r}: mini-web images have one alt-text each")
    if t.method == "synclr" and t.images_per_caption < 2:
        from .data import TrainDataError

        raise TrainDataError(f"the multi-positive loss needs at least 2 images per caption in a batch: "
                             f"train.images_per_caption={t.images_per_caption}")


def check_config(cfg, data) -> None:
    """Every reason the config and the data cannot train, as one clear error."""
    t = cfg.train
    check_train_config(cfg)
    if data.source == "web" and t.method not in WEB_METHODS:
        raise ConfigError(f"train.data=web (learning from data) supports methods {', '.join(WEB_METHODS)}, "
                          f"not {t.method!r}: mini-web images have one alt-text each")
    if t.method == "synclr":
        from .data import TrainDataError

        if t.images_per_caption < 2 or data.images_per_caption < 2:
            raise TrainDataError(f"the multi-positive loss needs at least 2 images per caption in a batch: "
                                 f"train.images_per_caption={t.images_per_caption}, the data has "
                                 f"{data.images_per_caption} per caption ({data.root})")
    if t.steps < 1 or t.warmup < 0 or cfg.run.checkpoint_every < 1 or t.log_every < 1:
        raise ConfigError("train.steps, run.checkpoint_every and train.log_every must be >= 1, train.warmup >= 0")


@dataclass
class StepBatch:
    """This rank's slice of a step's global batch."""
    pixels: torch.Tensor  # float [b, 3, H, W] in [-1, 1]
    ids: torch.Tensor  # [b] positive-group id of each image (caption id; image id for SimCLR)
    labels: torch.Tensor | None  # [b] concept labels (SupCE)
    start: int  # offset of this slice in the global batch
    n_global: int  # images in the global batch
    seed: int  # seed of this step's random draws (views, masks)


@dataclass
class Schedules:
    teacher_temp: float = 0.04


def step_seed(seed: int, step: int) -> int:
    return int(np.random.SeedSequence([int(seed), int(step), 11]).generate_state(1)[0])


class Objective(nn.Module):
    """Student (and teacher) networks plus the loss of one method."""

    def __init__(self, cfg, data):
        super().__init__()
        # every initial weight depends on the training seed only, never on the global RNG's history
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(train_seed(cfg) + 1)
            self._build(cfg, data)

    def _build(self, cfg, data):
        t = self.t = cfg.train
        self.method = t.method
        self.components = parse_components(t.components) if t.method == "synclr" else ()
        self.encoder = build_encoder(t, seed=train_seed(cfg))
        self.drop_path = add_stochastic_depth(self.encoder, t.drop_path)
        self.aug = ViewAugmenter(t)
        self.n_patches = (t.image_size // t.patch_size) ** 2
        self.mask_pixels = t.ibot_mask_pixels and bool(t.stem_channels)
        if t.method in ("synclr", "simclr", "clip"):
            self.proj = ProjectionHead(t.width, t.proj_hidden, t.proj_dim, norm=t.proj_norm)
        if "ibot" in self.components:
            self.ibot_head = DINOHead(t.width, t.ibot_hidden, t.ibot_bottleneck, t.ibot_prototypes)
        if t.method == "supce":
            labels, names = data.concept_labels()
            self.register_buffer("concept_of_image", torch.as_tensor(labels), persistent=False)
            self.classifier = nn.Linear(t.width, len(names))
        if t.method == "clip":
            from ..text.minilm import embed_sentences

            unique, inverse = np.unique(np.asarray(data.texts, dtype=object).astype(str), return_inverse=True)
            emb = embed_sentences(list(unique))[inverse]  # frozen tower: computed once
            self.register_buffer("text_emb", torch.as_tensor(emb), persistent=False)
            self.text_proj = nn.Sequential(nn.Linear(emb.shape[1], t.proj_hidden), nn.GELU(),
                                           nn.Linear(t.proj_hidden, t.proj_dim))
            self.log_scale = nn.Parameter(torch.tensor(math.log(1 / t.temperature)))
        self.teacher = None
        if "ema" in self.components:
            self.teacher = nn.ModuleDict({"encoder": copy.deepcopy(self.encoder), "proj": copy.deepcopy(self.proj)})
            if "ibot" in self.components:
                self.teacher["ibot_head"] = copy.deepcopy(self.ibot_head)
            self.teacher.requires_grad_(False)

    # ------------------------------------------------------------------ helpers
    def student_parameters(self):
        return [p for n, p in self.named_parameters() if p.requires_grad and not n.startswith("teacher.")]

    @torch.no_grad()
    def update_teacher(self, momentum: float) -> None:
        if self.teacher is None:
            return
        pairs = [(self.teacher[name], getattr(self, name)) for name in self.teacher]
        t_params = [p for tm, _ in pairs for p in tm.parameters()]
        s_params = [p for _, sm in pairs for p in sm.parameters()]
        torch._foreach_mul_(t_params, momentum)
        torch._foreach_add_(t_params, s_params, alpha=1 - momentum)

    def train(self, mode: bool = True):
        super().train(mode)
        if self.teacher is not None:
            self.teacher.eval()  # no dropout / drop-path in the teacher
        return self

    def _views(self, gen, batch: StepBatch, kind: str, per_image: int = 1) -> torch.Tensor:
        """This rank's views: params drawn for the whole global batch, then sliced."""
        params = self.aug.draw(gen, batch.n_global * per_image, kind)
        b = len(batch.pixels)
        if per_image == 1:
            return self.aug.apply(batch.pixels, params[batch.start:batch.start + b])
        # view v of image i sits at v * n_global + i (views of one kind stacked view-major)
        idx = torch.cat([torch.arange(v * batch.n_global + batch.start, v * batch.n_global + batch.start + b)
                         for v in range(per_image)])
        pixels = batch.pixels.repeat(per_image, 1, 1, 1)
        return self.aug.apply(pixels, _take(params, idx))

    # ------------------------------------------------------------------ losses
    def forward(self, batch: StepBatch, sched: Schedules) -> tuple[torch.Tensor, dict]:
        return getattr(self, f"_{self.method}")(batch, sched)

    def _encode(self, x: torch.Tensor, batch: StepBatch, views: int = 1, tag: int = 0, **kwargs) -> torch.Tensor:
        """Student tokens of this rank's views (view-major, `views` per image); stochastic depth
        draws for the global batch of views, so that sharding does not change them."""
        if self.drop_path is not None:
            b = len(batch.pixels)
            rows = torch.cat([torch.arange(v * batch.n_global + batch.start, v * batch.n_global + batch.start + b)
                              for v in range(views)])
            self.drop_path.prepare(batch.seed + 7919 * (tag + 1), batch.n_global * views, rows)
        return self.encoder(x, **kwargs).last_hidden_state

    def _synclr(self, batch: StepBatch, sched: Schedules):
        t, comps = self.t, self.components
        gen = generator(batch.seed)
        b, start, world = len(batch.pixels), batch.start, max(1, batch.n_global // max(len(batch.pixels), 1))
        crops = self._views(gen, batch, "global")
        masks = None
        if "ibot" in comps:
            masks = random_masks(gen, batch.n_global, self.n_patches, t.ibot_mask_prob, t.ibot_mask_ratio)
            n_masked_global = int(masks.any(1).sum())
            masks = masks[start:start + b].to(crops.device)
        out = self._encode(mask_pixels(crops, masks) if self.mask_pixels else crops, batch, bool_masked_pos=masks)
        anchors_g = self.proj(out[:, 0])
        ids = batch.ids
        all_ids = distributed.gather(ids)
        own = torch.arange(start, start + b, device=ids.device)  # own image among the candidates
        teacher_out = None
        if self.teacher is not None:
            with torch.no_grad():
                teacher_out = self.teacher["encoder"](crops).last_hidden_state
                candidates = distributed.gather(self.teacher["proj"](teacher_out[:, 0]).float())
        else:
            candidates = distributed.gather(anchors_g, with_grad=True)
        cols = torch.arange(len(all_ids), device=ids.device)
        loss_g = multi_positive_loss(anchors_g, candidates, ids, all_ids, t.temperature,
                                     exclude=own.view(-1, 1) == cols.view(1, -1))
        parts = {"contrastive": loss_g.detach(), "embedding_cosine": mean_pairwise_cosine(anchors_g)}
        loss = loss_g
        if "multicrop" in comps and t.n_local > 0:
            local = self._views(gen, batch, "local", per_image=t.n_local)  # view-major
            l_out = self._encode(local, batch, views=t.n_local, tag=1, interpolate_pos_encoding=True)
            anchors_l = self.proj(l_out[:, 0])
            l_ids, l_own = ids.repeat(t.n_local), own.repeat(t.n_local)
            loss_l = multi_positive_loss(anchors_l, candidates, l_ids, all_ids, t.temperature,
                                         exclude=l_own.view(-1, 1) == cols.view(1, -1))
            parts["local"] = loss_l.detach()
            loss = loss + loss_l
        if "ibot" in comps:
            with torch.no_grad():
                if teacher_out is None:  # no EMA: the student, without gradient, is the teacher
                    if self.drop_path is not None:
                        self.drop_path.enabled = False
                    teacher_out = self.encoder(crops).last_hidden_state
                    if self.drop_path is not None:
                        self.drop_path.enabled = True
                head = self.teacher["ibot_head"] if self.teacher is not None else self.ibot_head
                t_scores = head(teacher_out[:, 1:][masks])
                targets = sinkhorn_knopp(t_scores, sched.teacher_temp)
            s_scores = self.ibot_head(out[:, 1:][masks])
            crop_index = masks.nonzero()[:, 0]
            _, crop_index = torch.unique(crop_index, return_inverse=True)
            # sum over this rank's masked crops / global count, x world size: averaging over
            # ranks then gives the mean over all masked crops of the global batch
            loss_i = ibot_patch_loss(s_scores, targets, crop_index, max(n_masked_global, 1), t.student_temp) * world
            parts["ibot"] = loss_i.detach()
            loss = loss + t.ibot_weight * loss_i
        return loss, parts

    def _simclr(self, batch: StepBatch, sched: Schedules):
        gen = generator(batch.seed)
        b = len(batch.pixels)
        views = self._views(gen, batch, "global", per_image=2)  # [view1 of b images, view2 of b]
        z = self.proj(self._encode(views, batch, views=2)[:, 0])
        ids = batch.ids.repeat(2)
        candidates = distributed.gather(z, with_grad=True)
        all_ids = distributed.gather(ids)
        rank = batch.start // max(b, 1)
        own = torch.arange(rank * 2 * b, (rank + 1) * 2 * b, device=ids.device)
        cols = torch.arange(len(all_ids), device=ids.device)
        loss = multi_positive_loss(z, candidates, ids, all_ids, self.t.temperature,
                                   exclude=own.view(-1, 1) == cols.view(1, -1))
        return loss, {"contrastive": loss.detach(), "embedding_cosine": mean_pairwise_cosine(z)}

    def _supce(self, batch: StepBatch, sched: Schedules):
        crops = self._views(generator(batch.seed), batch, "global")
        logits = self.classifier(self._encode(crops, batch)[:, 0])
        loss = F.cross_entropy(logits.float(), batch.labels)
        return loss, {"cross_entropy": loss.detach()}

    def _clip(self, batch: StepBatch, sched: Schedules):
        crops = self._views(generator(batch.seed), batch, "global")
        img = self.proj(self._encode(crops, batch)[:, 0])
        # one text row per caption of this rank's slice (captions never straddle ranks)
        text_ids, first = np.unique(batch.ids.cpu().numpy(), return_index=True)
        text_ids = torch.as_tensor(batch.ids.cpu().numpy()[np.sort(first)], device=img.device)
        txt = self.text_proj(self.text_emb[text_ids])
        all_img, all_txt = distributed.gather(img, with_grad=True), distributed.gather(txt, with_grad=True)
        all_img_ids, all_txt_ids = distributed.gather(batch.ids), distributed.gather(text_ids)
        # every rank computes the same global loss; averaging gradients over ranks is exact
        temperature = 1 / self.log_scale.clamp(max=math.log(100)).exp()
        loss = clip_loss(all_img, all_txt, all_img_ids, all_txt_ids, temperature)
        return loss, {"clip": loss.detach(), "logit_scale": (1 / temperature).detach(),
                      "embedding_cosine": mean_pairwise_cosine(img)}


def mask_pixels(crops: torch.Tensor, masks: torch.Tensor | None) -> torch.Tensor:
    """crops [b, 3, H, W] with the pixels of masked patches (masks [b, grid*grid]) set to 0, mid-grey."""
    if masks is None:
        return crops
    grid = int(round(masks.shape[1] ** 0.5))
    keep = 1 - F.interpolate(masks.view(-1, 1, grid, grid).to(crops.dtype), size=crops.shape[-2:], mode="nearest")
    return crops * keep


def mean_pairwise_cosine(z: torch.Tensor) -> torch.Tensor:
    """Mean cosine similarity between the embeddings of different images of a batch (detached):
    near 1 means collapse (every image the same vector), which the training curves log."""
    z = F.normalize(z.detach().float(), dim=-1)
    n = len(z)
    if n < 2:
        return z.new_zeros(())
    return (z.sum(0).square().sum() - n) / (n * (n - 1))


def _take(params, idx):
    from ..data.augment import ViewParams

    return ViewParams(params.boxes[idx], params.flip[idx], params.jitter[idx], params.gray[idx],
                      params.blur_sigma[idx], params.solarize[idx], params.downsample[idx], params.size)

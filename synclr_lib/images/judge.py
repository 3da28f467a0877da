"""The judge: a small CNN that tells a 32 px scene's object, colour and background.

It is our CLIP-score analogue for the CFG study (paper Sec. 3.2, Table 3) and is never used
to train SynCLR. Trained on mini-web renders (their scene specs are the labels); then

    fidelity  = fraction of generated images whose judged object / colour / background is the
                one their caption asks for (labels from the caption row and `mentions()`),
    diversity = mean pairwise distance between the images of one caption in the judge's
                feature space (averaged over captions).

    judge = load_judge(cfg)       # judge.model: the shipped judge (mini), or stage "judge" at mini-train
    scores = fidelity_diversity(judge, images, caption_rows)

Introduced in notebooks/03_images_cfg.py.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn
from ..progress import tqdm

from ..config import TRAIN_HERE
from ..pixels import to_tensor
from ..paths import local_dir
from ..runtime import bf16_enabled, generator
from ..stages import Input, Upstream, input_dir, stage
from .pretrain import WEB_STAGE

ATTRIBUTES = ("object", "colour", "background")


def _vocab() -> dict[str, list[str]]:
    from ..world import BACKGROUNDS, COLOURS, OBJECTS

    return {"object": list(OBJECTS), "colour": list(COLOURS), "background": list(BACKGROUNDS)}


class Judge(ModelMixin, ConfigMixin):
    """A small VGG-style CNN: conv-BN-ReLU stages of (1, 2, 2, 1) convs with w, 2w, 4w, 4w
    channels and a max-pool after the first three (32 -> 4 px), a feature layer on the
    flattened 4x4 map (it keeps where things are: which object is on top of which) and a
    linear head per attribute. save_pretrained / from_pretrained like any diffusers model."""

    @register_to_config
    def __init__(self, n_object: int = 22, n_colour: int = 12, n_background: int = 12, width: int = 32,
                 feature_dim: int = 256, image_size: int = 32):
        super().__init__()
        layers, cin = [], 3
        for convs, cout, pool in ((1, width, True), (2, 2 * width, True), (2, 4 * width, True), (1, 4 * width, False)):
            for _ in range(convs):
                layers += [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
                cin = cout
            if pool:
                layers.append(nn.MaxPool2d(2))
        side = image_size // 8
        self.body = nn.Sequential(*layers, nn.Flatten(), nn.Linear(cin * side * side, feature_dim),
                                  nn.ReLU(inplace=True))
        self.heads = nn.ModuleDict({"object": nn.Linear(feature_dim, n_object),
                                    "colour": nn.Linear(feature_dim, n_colour),
                                    "background": nn.Linear(feature_dim, n_background)})

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """x float [N, 3, H, W] in [-1, 1] -> (features [N, D], {attribute: logits})."""
        feats = self.body(x)
        return feats, {k: head(feats) for k, head in self.heads.items()}


def spec_labels(specs: list[dict]) -> dict[str, np.ndarray]:
    """Integer labels per attribute from scene specs (-1 where the scene has none)."""
    vocab = _vocab()
    out = {}
    for attr in ATTRIBUTES:
        index = {name: i for i, name in enumerate(vocab[attr])}
        has_object = [s.get("object") is not None for s in specs]
        out[attr] = np.array([index.get(s.get(attr), -1) if (attr == "background" or ok) else -1
                              for s, ok in zip(specs, has_object)], dtype=np.int64)
    return out


def caption_labels(rows: list[dict]) -> dict[str, np.ndarray]:
    """What each caption asks for (-1 = it names nothing of that kind).

    g2 only sees the caption text, so the labels are what the text names (`mentions()`):
    the object is the row's concept when the text names it (it is the main object of a
    relation caption), else the first object named; the background is the row's background
    when named, else the first one named; the colour is the first one named (captions name
    the main object's colour first). A caption whose g1 wrote another object than the
    requested concept is thus scored on what it says, not on what g1 was asked for."""
    from ..world import mentions

    vocab = _vocab()
    index = {a: {name: i for i, name in enumerate(vocab[a])} for a in ATTRIBUTES}
    out = {a: [] for a in ATTRIBUTES}
    for row in rows:
        said = mentions(row.get("caption", ""))
        obj = row.get("concept") if row.get("concept") in said["objects"] else (said["objects"] or [None])[0]
        bg = row.get("background") if row.get("background") in said["backgrounds"] else \
            (said["backgrounds"] or [None])[0]
        colour = (said["colours"] or [None])[0]
        for attr, name in (("object", obj), ("colour", colour), ("background", bg)):
            out[attr].append(index[attr].get(name, -1))
    return {a: np.array(v, dtype=np.int64) for a, v in out.items()}


def concept_named_rate(rows: list[dict]) -> float:
    """Fraction of caption rows whose text names the row's concept (g1's hit rate)."""
    from ..world import mentions

    return float(np.mean([r.get("concept") in mentions(r.get("caption", ""))["objects"] for r in rows])) if rows else float("nan")


def _augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Shifts of up to 2 px and, for half the batch, a light blur: generated images are soft."""
    n = x.shape[0]
    padded = F.pad(x, (2, 2, 2, 2), mode="replicate")
    dx, dy = torch.randint(0, 5, (2, n), generator=gen)
    x = torch.stack([padded[i, :, dy[i]:dy[i] + x.shape[2], dx[i]:dx[i] + x.shape[3]] for i in range(n)])
    blur = torch.rand(n, generator=gen) < 0.5
    if blur.any():
        k = torch.tensor([0.25, 0.5, 0.25])
        kernel = (k[:, None] * k[None, :]).expand(3, 1, 3, 3)
        x[blur] = F.conv2d(F.pad(x[blur], (1, 1, 1, 1), mode="replicate"), kernel, groups=3)
    return x


def train_judge(images: np.ndarray, labels: dict[str, np.ndarray], judge_cfg, *, seed: int,
                bf16: bool = True, progress: bool = True) -> tuple[Judge, pd.DataFrame]:
    """Train the judge on uint8 images [N, H, W, 3] with integer labels (-1 = ignore);
    `judge_cfg` is the config's `judge` section (width, steps, batch, lr)."""
    vocab = _vocab()
    torch.manual_seed(seed)
    judge = Judge(len(vocab["object"]), len(vocab["colour"]), len(vocab["background"]),
                  width=judge_cfg.width, image_size=images.shape[1])
    steps, batch = judge_cfg.steps, judge_cfg.batch
    opt = torch.optim.AdamW(judge.parameters(), lr=judge_cfg.lr, weight_decay=0.05)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=judge_cfg.lr, total_steps=steps, pct_start=0.1)
    gen = generator(seed + 1)
    lab = {a: torch.from_numpy(v) for a, v in labels.items()}
    rows, start = [], time.time()
    judge.train().to(memory_format=torch.channels_last)  # with bf16: ~2x faster on CPU (measured)
    for step in tqdm(range(steps), desc="judge", disable=not progress, mininterval=2):
        idx = torch.randint(0, len(images), (batch,), generator=gen)
        x = _augment(to_tensor(images[idx.numpy()]), gen).contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            _, logits = judge(x)
        loss = sum(F.cross_entropy(logits[a].float(), lab[a][idx], ignore_index=-1) for a in ATTRIBUTES
                   if (lab[a][idx] >= 0).any())  # an all-unlabelled batch would give NaN
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        rows.append({"step": step, "loss": loss.item(), "elapsed_s": time.time() - start})
    judge = judge.to(memory_format=torch.contiguous_format)
    return judge.eval().requires_grad_(False), pd.DataFrame(rows)


@torch.no_grad()
def judge_images(judge: Judge, images: np.ndarray, batch: int = 512) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(features float32 [N, D], {attribute: predicted index [N]}) of uint8 images."""
    feats, preds = [], {a: [] for a in ATTRIBUTES}
    for i in range(0, len(images), batch):
        f, logits = judge(to_tensor(images[i:i + batch]))
        feats.append(f)
        for a in ATTRIBUTES:
            preds[a].append(logits[a].argmax(1))
    if not feats:
        return np.zeros((0, judge.config.feature_dim), np.float32), {a: np.zeros(0, np.int64) for a in ATTRIBUTES}
    return torch.cat(feats).numpy(), {a: torch.cat(v).numpy() for a, v in preds.items()}


def accuracy(preds: dict[str, np.ndarray], labels: dict[str, np.ndarray]) -> dict[str, float]:
    """Per-attribute accuracy over labelled items, and `all` (every labelled attribute right);
    `all` is NaN when an attribute is never labelled, as "all three" was not measured then."""
    out = {}
    all_right = np.ones(len(next(iter(labels.values()))), dtype=bool)
    for a in ATTRIBUTES:
        known = labels[a] >= 0
        right = preds[a] == labels[a]
        out[a] = float(right[known].mean()) if known.any() else float("nan")
        all_right &= right | ~known
    measured = len(all_right) and not any(np.isnan(out[a]) for a in ATTRIBUTES)
    out["all"] = float(all_right.mean()) if measured else float("nan")
    return out


def pairwise_distance_per_group(features: np.ndarray, groups: np.ndarray) -> dict:
    """{group: mean Euclidean distance between its distinct members}, for groups of two or more."""
    out = {}
    for g in np.unique(groups):
        f = features[groups == g]
        if len(f) < 2:
            continue
        d = np.sqrt(((f[:, None] - f[None]) ** 2).sum(-1))
        out[g.item()] = float(d[np.triu_indices(len(f), 1)].mean())
    return out


def mean_pairwise_distance(features: np.ndarray, groups: np.ndarray) -> float:
    """Mean over groups of the mean Euclidean distance between a group's distinct members."""
    per_group = pairwise_distance_per_group(features, groups)
    return float(np.mean(list(per_group.values()))) if per_group else float("nan")


def fidelity_diversity(judge: Judge, images: np.ndarray, caption_ids: np.ndarray, rows: list[dict]) -> dict:
    """Fidelity (per attribute and all three) and diversity of generated images.

    images uint8 [N, H, W, 3]; caption_ids [N] index `rows` (the caption rows)."""
    feats, preds = judge_images(judge, images)
    cap = caption_labels(rows)
    labels = {a: cap[a][caption_ids] for a in ATTRIBUTES}
    return {**{f"fidelity_{k}": v for k, v in accuracy(preds, labels).items()},
            "diversity": mean_pairwise_distance(feats, caption_ids)}


# --------------------------------------------------------------------------------------
# Cached stage
# --------------------------------------------------------------------------------------
def _judge_payload(cfg) -> dict:
    j = cfg.judge
    return {"seed": cfg.run.seed, "bf16": bf16_enabled(cfg), "judge_width": j.width, "judge_steps": j.steps,
            "judge_batch": j.batch, "judge_lr": j.lr}


@stage("judge", payload=_judge_payload, requires=(WEB_STAGE,))
def build_judge(cfg, out: Path, inputs: dict) -> dict:
    """The judge trained on mini-web renders; accuracy on a held-out 10 % of them."""
    from ..world import read_mini_web

    if cfg.judge.model != TRAIN_HERE:
        raise ValueError(f"judge.model={cfg.judge.model!r} is a trained judge; only judge.model={TRAIN_HERE} "
                         f"is trained here")

    web = read_mini_web(inputs[WEB_STAGE])
    labels = spec_labels(list(web.specs))
    n_val = max(1, len(web.images) // 10)
    train = {a: v[:-n_val] for a, v in labels.items()}
    judge, losses = train_judge(web.images[:-n_val], train, cfg.judge, seed=cfg.run.seed, bf16=bf16_enabled(cfg))
    _, preds = judge_images(judge, web.images[-n_val:])
    acc = accuracy(preds, {a: v[-n_val:] for a, v in labels.items()})
    judge.save_pretrained(out / "judge")
    losses.to_csv(out / "losses.csv", index=False)
    info = {"held_out_accuracy": acc, "held_out_images": n_val,
            "train_s": round(float(losses["elapsed_s"].iloc[-1]), 1)}
    (out / "summary.json").write_text(json.dumps(info, indent=2))
    return info


def judge_input(cfg) -> Input:
    """The judge a stage reads (an entry of its requires): the `judge` stage at
    judge.model=mini-train, else the shipped folder judge.model (checked now, before any work)."""
    if cfg.judge.model == TRAIN_HERE:
        return Upstream("judge", cfg)
    path = local_dir(cfg.judge.model)
    if not (path / "judge" / "config.json").is_file():
        raise FileNotFoundError(f"judge.model={cfg.judge.model!r}: {path} holds no judge/config.json; "
                                f"run `make generators` or set judge.model={TRAIN_HERE}")
    return path


def judge_dir(cfg) -> Path:
    """The folder holding judge/ (weights), summary.json and losses.csv: judge.model (the
    shipped judge at `mini`), or the `judge` stage's artifact at mini-train (trained if needed)."""
    return input_dir(judge_input(cfg))


def read_judge(path: Path) -> Judge:
    """The judge saved in a judge folder (`judge_dir`, or a stage's `inputs["judge"]`)."""
    return Judge.from_pretrained(Path(path) / "judge").eval().requires_grad_(False)


def load_judge(cfg) -> Judge:
    """The trained judge of this config (see judge_dir)."""
    return read_judge(judge_dir(cfg))


def judge_summary(cfg) -> dict:
    """Held-out accuracy per attribute, held-out images, training seconds."""
    return json.loads((judge_dir(cfg) / "summary.json").read_text())

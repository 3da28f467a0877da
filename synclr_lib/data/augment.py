"""Batched view augmentations on tensors: random resized crops (global and local), the
paper's "downsample", and BYOL's colour jitter (with hue), grayscale, blur and solarize.

Everything a view needs (crop box, flip, jitter factors, which ops fire) is first *drawn*
for the whole global batch from one `torch.Generator`, then *applied* to any slice of it.
So a batch split across torch.distributed ranks gets exactly the views a single process
would make, and a resumed run redraws the same views for the same step.

    aug = ViewAugmenter(cfg.train)
    params = aug.draw(generator(seed), n=256, kind="global")
    views = aug.apply(pixels, params)      # pixels float [n, 3, H, W] in [-1, 1]

Recipe (DINOv2 / SynCLR code, BYOL): crops RandomResizedCrop (global scale 0.32-1, local
0.08-0.32, ratio 3/4-4/3, bilinear); colour jitter with p 0.8 (brightness 0.4, contrast 0.4,
saturation 0.2, hue 0.1; fixed order, not torchvision's random order); grayscale p 0.2.
Global crops are split at random into BYOL's two view types: type 1 always blurred, type 2
blurred with p 0.1 and solarized with p 0.2; local crops blurred with p 0.5. Blur sigma is
given in pixels of a 224-px image and rescaled to the crop size (so the relative blur is the
paper's); hue rotates the HSV hue (kornia). Horizontal flip is off by default at `mini`
(it scrambles the small world's left/right relations).

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

KINDS = ("global", "local")


@dataclass
class ViewParams:
    """Everything drawn for n views: slice with `params[a:b]`."""
    boxes: torch.Tensor  # [n, 4] crop centre x, y and width, height as fractions of the image
    flip: torch.Tensor  # [n] bool
    jitter: torch.Tensor  # [n, 4] brightness, contrast, saturation factors and hue shift (turns)
    gray: torch.Tensor  # [n] bool
    blur_sigma: torch.Tensor  # [n] pixels at the output size; 0 = no blur
    solarize: torch.Tensor  # [n] bool
    downsample: torch.Tensor  # [n] bool
    size: int  # output side in pixels

    def __len__(self) -> int:
        return len(self.flip)

    def __getitem__(self, s: slice) -> "ViewParams":
        return ViewParams(self.boxes[s], self.flip[s], self.jitter[s], self.gray[s],
                          self.blur_sigma[s], self.solarize[s], self.downsample[s], self.size)


def _uniform(gen, n, lo, hi):
    return lo + (hi - lo) * torch.rand(n, generator=gen)


def sample_boxes(gen: torch.Generator, n: int, scale, ratio=(3 / 4, 4 / 3)) -> torch.Tensor:
    """RandomResizedCrop boxes [n, 4] (cx, cy, w, h as fractions), clipped inside the image."""
    area = _uniform(gen, n, scale[0], scale[1])
    log_r = _uniform(gen, n, math.log(ratio[0]), math.log(ratio[1]))
    w = torch.sqrt(area * torch.exp(log_r)).clamp(max=1.0)
    h = torch.sqrt(area / torch.exp(log_r)).clamp(max=1.0)
    cx = w / 2 + (1 - w) * torch.rand(n, generator=gen)
    cy = h / 2 + (1 - h) * torch.rand(n, generator=gen)
    return torch.stack([cx, cy, w, h], 1)


def resized_crop(x: torch.Tensor, boxes: torch.Tensor, size: int, flip: torch.Tensor | None = None) -> torch.Tensor:
    """Crop each image of x [n, C, H, W] to its box and resize to size x size (bilinear)."""
    n = x.shape[0]
    cx, cy, w, h = boxes.to(x.dtype).unbind(1)
    sx = w * (1 - 2 * flip.to(x.dtype)) if flip is not None else w
    theta = torch.zeros(n, 2, 3, dtype=x.dtype, device=x.device)
    theta[:, 0, 0], theta[:, 0, 2] = sx, 2 * cx - 1
    theta[:, 1, 1], theta[:, 1, 2] = h, 2 * cy - 1
    grid = F.affine_grid(theta, (n, x.shape[1], size, size), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _gray(x: torch.Tensor) -> torch.Tensor:
    """ITU-R 601 luma [n, 1, H, W] of x in [0, 1] (torchvision's weights)."""
    return (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])


def color_jitter(x: torch.Tensor, factors: torch.Tensor) -> torch.Tensor:
    """Brightness, contrast, saturation (torchvision's definitions) then hue, per image.

    x in [0, 1]; factors [n, 4] = (brightness, contrast, saturation, hue shift in turns).
    """
    import kornia

    b, c, s, hue = (f.view(-1, 1, 1, 1).to(x.dtype) for f in factors.unbind(1))
    x = (x * b).clamp(0, 1)
    mean = _gray(x).mean(dim=(1, 2, 3), keepdim=True)
    x = ((x - mean) * c + mean).clamp(0, 1)
    g = _gray(x)
    x = ((x - g) * s + g).clamp(0, 1)
    if bool((hue != 0).any()):
        hsv = kornia.color.rgb_to_hsv(x)  # hue in radians [0, 2 pi)
        h = torch.remainder(hsv[:, :1] + hue * 2 * math.pi, 2 * math.pi)
        x = kornia.color.hsv_to_rgb(torch.cat([h, hsv[:, 1:]], 1)).clamp(0, 1)
    return x


def gaussian_blur(x: torch.Tensor, sigma: torch.Tensor, max_sigma: float | None = None) -> torch.Tensor:
    """Separable Gaussian blur with a per-image sigma (pixels); sigma 0 leaves an image as is.

    The kernel radius is 3 * max_sigma (default: the largest sigma given); pass the largest
    possible sigma so that an image's result does not depend on the rest of its batch.
    """
    n, ch, hgt, wid = x.shape
    top = float(sigma.max()) if max_sigma is None else max_sigma
    radius = max(1, int(math.ceil(3 * top)))
    radius = min(radius, (min(hgt, wid) - 1) // 2)
    offsets = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    sig = sigma.to(x.dtype).clamp(min=1e-6).view(-1, 1)
    kernel = torch.exp(-0.5 * (offsets.view(1, -1) / sig) ** 2)
    kernel = kernel / kernel.sum(1, keepdim=True)
    kernel = torch.where((sigma > 0).view(-1, 1), kernel, (offsets == 0).to(x.dtype).expand_as(kernel))
    k = kernel.repeat_interleave(ch, 0)  # [n * C, K]
    y = x.reshape(1, n * ch, hgt, wid)
    y = F.conv2d(F.pad(y, (radius, radius, 0, 0), mode="reflect"), k.view(n * ch, 1, 1, -1), groups=n * ch)
    y = F.conv2d(F.pad(y, (0, 0, radius, radius), mode="reflect"), k.view(n * ch, 1, -1, 1), groups=n * ch)
    return y.view(n, ch, hgt, wid)


class ViewAugmenter:
    """Draws and applies global / local views with the recipe of `cfg.train` (module doc)."""

    def __init__(self, t):
        self.t = t
        for name in ("global_scale", "local_scale", "jitter", "blur_sigma"):
            value = getattr(t, name)
            if len(value) != (4 if name == "jitter" else 2):
                raise ValueError(f"train.{name} has the wrong length: {value}")

    def draw(self, gen: torch.Generator, n: int, kind: str = "global") -> ViewParams:
        if kind not in KINDS:
            raise ValueError(f"unknown view kind {kind!r}; valid: {', '.join(KINDS)}")
        t = self.t
        size = t.image_size if kind == "global" else t.local_size
        boxes = sample_boxes(gen, n, t.global_scale if kind == "global" else t.local_scale)
        flip = (torch.rand(n, generator=gen) < 0.5) & t.flip
        apply = torch.rand(n, generator=gen) < t.jitter_prob
        bj, cj, sj, hj = t.jitter
        jitter = torch.stack([_uniform(gen, n, 1 - bj, 1 + bj), _uniform(gen, n, 1 - cj, 1 + cj),
                              _uniform(gen, n, 1 - sj, 1 + sj), _uniform(gen, n, -hj, hj)], 1)
        jitter = torch.where(apply.view(-1, 1), jitter, torch.tensor([1.0, 1.0, 1.0, 0.0]))
        gray = torch.rand(n, generator=gen) < t.grayscale_prob
        if kind == "global":  # BYOL's two view types, half and half at random
            second = torch.rand(n, generator=gen) < 0.5
            blur_p = torch.where(second, torch.tensor(0.1), torch.tensor(1.0))
            solarize = second & (torch.rand(n, generator=gen) < t.solarize_prob)
        else:
            blur_p = torch.full((n,), 0.5)
            solarize = torch.zeros(n, dtype=torch.bool)
        blur = torch.rand(n, generator=gen) < blur_p
        sigma = _uniform(gen, n, t.blur_sigma[0], t.blur_sigma[1]) * size / 224
        sigma = torch.where(blur, sigma, torch.zeros_like(sigma))
        down = torch.rand(n, generator=gen) < t.downsample_prob
        return ViewParams(boxes, flip, jitter, gray, sigma, solarize, down, size)

    def apply(self, x: torch.Tensor, p: ViewParams) -> torch.Tensor:
        """x float [n, 3, H, W] in [-1, 1] (n = len(p)) -> views float [n, 3, size, size] in [-1, 1]."""
        if x.shape[0] != len(p):
            raise ValueError(f"{x.shape[0]} images but {len(p)} view parameters")
        v = resized_crop((x.float() + 1) / 2, p.boxes, p.size, p.flip)
        if bool(p.downsample.any()):
            idx = p.downsample.nonzero().flatten()
            small = F.interpolate(v[idx], size=max(p.size // 2, 1), mode="bilinear", antialias=True, align_corners=False)
            v = v.index_copy(0, idx, F.interpolate(small, size=p.size, mode="bilinear", align_corners=False))
        v = color_jitter(v, p.jitter)
        v = torch.where(p.gray.view(-1, 1, 1, 1), _gray(v).expand_as(v), v)
        if bool((p.blur_sigma > 0).any()):
            v = gaussian_blur(v, p.blur_sigma, max_sigma=self.t.blur_sigma[1] * p.size / 224)
        v = torch.where(p.solarize.view(-1, 1, 1, 1), torch.where(v >= 0.5, 1 - v, v), v)
        return (v * 2 - 1).clamp(-1, 1)


def random_masks(gen: torch.Generator, n: int, n_patches: int, mask_prob: float, ratio: float) -> torch.Tensor:
    """iBOT masks [n, n_patches] bool: round(n * mask_prob) crops (chosen at random) get
    round(ratio * n_patches) random patches masked (at least one); the others none."""
    n_masked_crops = int(round(n * mask_prob))
    n_masked_patches = max(1, int(round(ratio * n_patches)))
    masks = torch.zeros(n, n_patches, dtype=torch.bool)
    if n_masked_crops == 0:
        return masks
    crops = torch.randperm(n, generator=gen)[:n_masked_crops]
    order = torch.rand(n_masked_crops, n_patches, generator=gen).argsort(1)[:, :n_masked_patches]
    masks[crops.view(-1, 1), order] = True
    return masks

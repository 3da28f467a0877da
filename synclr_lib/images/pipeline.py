"""g2, the text-to-image model: one diffusers `StableDiffusionPipeline` at every scale.

* `gpu` / `paper`: Stable Diffusion 1.5 read from a local diffusers directory
  (`images.g2=models/stable-diffusion-v1-5`); nothing is downloaded.
* `mini`: the same pipeline class assembled from small components pretrained on the
  mini-web (synclr_lib/images/pretrain.py): an `AutoencoderKL` (32x32x3 -> 16x16x4), a
  `UNet2DConditionModel` on those latents with cross-attention to the frozen pretrained
  all-MiniLM-L6-v2 token states (384-d, `TEXT_MAX_LENGTH` tokens), and a DPM-Solver++
  scheduler. The profile loads the shipped one (generators/mini/g2, `make generators`);
  images.g2=mini-train pretrains it here.

    pipe = build_mini_pipeline(cfg.images)              # untrained components
    pipe.save_pretrained(path); pipe = load_pipeline(path)   # offline round trip
    pipe = load_g2(cfg)                                  # the pretrained g2 of this profile

The per-image initial noise is a pure function of (base seed, caption id, image index)
(`image_seed`, `initial_latents`), so any image can be regenerated alone.

Introduced in notebooks/03_images_cfg.py.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import numpy as np
import torch

from ..config import TRAIN_HERE
from ..paths import local_dir
from ..runtime import generator, quiet_model_io, single_thread

# MiniLM tokens per caption at mini: at 16, a third of alt-texts and g1 captions were cut, losing
# the background of 13 % and an object of 6 % of g1 captions; at 24 almost none (stop 13)
TEXT_MAX_LENGTH = 24


class G2Error(ValueError):
    """Bad input to g2: a missing model directory, a bad CFG scale, an empty caption list..."""


class _DropKnownWarning(logging.Filter):
    """Drops a logger's records that contain every one of `fragments` (one known message)."""

    def __init__(self, *fragments: str):
        super().__init__()
        self.fragments = fragments

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not all(f in message for f in self.fragments)


# Two warnings every g2 build printed, neither about anything wrong: the mini g2's text encoder is
# MiniLM (a BertModel) by design where diffusers' type check expects CLIP, and importing the
# pipeline looks up image processors for a safety checker that g2 does not have (no torchvision).
KNOWN_WARNINGS = {
    "diffusers.pipelines.pipeline_utils": ("Expected types for text_encoder", "BertModel"),
    "transformers.utils.import_utils": ("ImageProcessor` requires torchvision (not installed)",),
}
for _name, _fragments in KNOWN_WARNINGS.items():
    logging.getLogger(_name).addFilter(_DropKnownWarning(*_fragments))


# --------------------------------------------------------------------------------------
# The mini components (diffusers' own classes, tiny configs)
# --------------------------------------------------------------------------------------
def _groups(channels) -> int:
    """GroupNorm groups that divide every width (8 for the small models used here)."""
    return int(np.gcd.reduce([int(c) for c in channels] + [32]))


def mini_vae(images_cfg, image_size: int = 32):
    """AutoencoderKL: 3 blocks (2 downsamplings), 4 latent channels: 32 px -> 8x8x4."""
    from diffusers import AutoencoderKL

    ch = tuple(int(c) for c in images_cfg.vae_channels)
    return AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4,
                         down_block_types=("DownEncoderBlock2D",) * len(ch),
                         up_block_types=("UpDecoderBlock2D",) * len(ch),
                         block_out_channels=ch, layers_per_block=1, norm_num_groups=_groups(ch),
                         sample_size=image_size)


def mini_unet(images_cfg, latent_size: int = 8, cross_attention_dim: int = 384):
    """UNet2DConditionModel with cross-attention at the levels `images_cfg.unet_attention_levels`
    (0 = full latent resolution) and in the middle block. At 8x8 latents, level 0 only is 1.5x
    faster than everywhere at equal quality (an early feasibility study); at 16x16 latents attention
    belongs at the coarser levels (256 tokens of self-attention cost 2.8x per step)."""
    from diffusers import UNet2DConditionModel

    ch = tuple(int(c) for c in images_cfg.unet_channels)
    levels = {int(i) for i in images_cfg.unet_attention_levels}
    if not levels <= set(range(len(ch))):
        raise G2Error(f"images.unet_attention_levels={tuple(images_cfg.unet_attention_levels)} must name "
                      f"levels of the UNet, 0..{len(ch) - 1} (unet_channels={ch})")
    down = tuple("CrossAttnDownBlock2D" if i in levels else "DownBlock2D" for i in range(len(ch)))
    up = tuple("CrossAttnUpBlock2D" if i in levels else "UpBlock2D" for i in reversed(range(len(ch))))
    return UNet2DConditionModel(sample_size=latent_size, in_channels=4, out_channels=4,
                                block_out_channels=ch, layers_per_block=images_cfg.unet_layers_per_block,
                                down_block_types=down, up_block_types=up,
                                mid_block_type="UNetMidBlock2DCrossAttn",
                                cross_attention_dim=cross_attention_dim,
                                attention_head_dim=images_cfg.unet_heads, norm_num_groups=_groups(ch))


def train_scheduler(images_cfg):
    """The DDPM noise schedule used for training (and, via its config, for sampling)."""
    from diffusers import DDPMScheduler

    return DDPMScheduler(num_train_timesteps=1000, beta_schedule=images_cfg.beta_schedule,
                         beta_start=0.00085, beta_end=0.012,  # SD 1.5's (ignored by cosine)
                         prediction_type=images_cfg.prediction_type, clip_sample=False, steps_offset=1)


def sampling_scheduler(train_sched):
    """DPM-Solver++ (multistep, trailing spacing: the first step starts from pure noise)."""
    from diffusers import DPMSolverMultistepScheduler

    return DPMSolverMultistepScheduler.from_config(train_sched.config, algorithm_type="dpmsolver++",
                                                   solver_order=2, timestep_spacing="trailing")


def minilm_text_encoder():
    """(tokenizer padded/truncated to TEXT_MAX_LENGTH tokens, frozen MiniLM BertModel using the mask)."""
    from transformers import AutoTokenizer, BertModel

    from ..text.minilm import minilm_dir

    path = minilm_dir()
    with quiet_model_io():
        tokenizer = AutoTokenizer.from_pretrained(path, model_max_length=TEXT_MAX_LENGTH)
        encoder = BertModel.from_pretrained(path).eval().requires_grad_(False)  # pooler unused
    encoder.config.use_attention_mask = True  # the pipeline then passes the padding mask
    return tokenizer, encoder


def assemble_pipeline(vae, unet, scheduler, tokenizer, text_encoder):
    """StableDiffusionPipeline without a safety checker (none exists for these models)."""
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)  # our own tqdm bars count images, not steps
    return pipe


def build_mini_pipeline(images_cfg, image_size: int = 32):
    """The mini g2 with freshly initialised VAE and UNet (weights come from pretraining), in eval
    mode like a loaded pipeline (train mode changed a decoded pixel; training calls .train())."""
    tokenizer, text_encoder = minilm_text_encoder()
    vae = mini_vae(images_cfg, image_size).eval()
    unet = mini_unet(images_cfg, latent_size=image_size // 2 ** (len(images_cfg.vae_channels) - 1),
                     cross_attention_dim=text_encoder.config.hidden_size).eval()
    return assemble_pipeline(vae, unet, sampling_scheduler(train_scheduler(images_cfg)), tokenizer,
                             text_encoder)


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------
def resolve_model_dir(path: str | Path) -> Path:
    """A local diffusers directory (a relative path: under the current directory when it is
    there, else under the repository, see paths.local_dir)."""
    path = local_dir(path)
    if not (path / "model_index.json").is_file():
        raise G2Error(f"g2 model directory {path} not found (no model_index.json there). Put a "
                      f"diffusers Stable Diffusion 1.5 checkout there or set images.g2 to another "
                      f"local directory; nothing is downloaded.")
    return path


def load_pipeline(path: str | Path, device: str = "cpu"):
    """A saved StableDiffusionPipeline from a local directory, offline, on `device`."""
    from diffusers import StableDiffusionPipeline

    path = resolve_model_dir(path)
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    text = {}
    if not (path / "text_encoder").is_dir():  # a shipped mini g2 (synclr_lib/generators.py): MiniLM is packaged
        tokenizer, text_encoder = minilm_text_encoder()
        text = {"tokenizer": tokenizer, "text_encoder": text_encoder.to(dtype)}
    with quiet_model_io():
        pipe = StableDiffusionPipeline.from_pretrained(path, local_files_only=True, safety_checker=None,
                                                       feature_extractor=None, requires_safety_checker=False,
                                                       dtype=dtype, **text)
    pipe.scheduler = sampling_scheduler(pipe.scheduler)  # SD 1.5 ships PNDM; mini: unchanged
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def g2_input(cfg):
    """The g2 a stage reads (an entry of its requires): the `g2` stage's pipeline at
    images.g2=mini-train, else the local folder images.g2 (checked now, before any work)."""
    if cfg.images.g2 == TRAIN_HERE:
        from ..stages import Upstream

        return Upstream("g2", cfg, "pipeline")
    return resolve_model_dir(cfg.images.g2)


def g2_model_dir(cfg) -> Path:
    """Where this profile's g2 lives: a local dir (the shipped mini g2 at `mini`), or the mini g2
    pretrained here at images.g2=mini-train (built if needed)."""
    from ..stages import input_dir

    return input_dir(g2_input(cfg))


def load_g2(cfg):
    """The profile's g2 pipeline, ready to sample (mini: pretrained on the mini-web)."""
    return load_pipeline(g2_model_dir(cfg), cfg.run.device)


# --------------------------------------------------------------------------------------
# Seeds, noise, precision
# --------------------------------------------------------------------------------------
def image_seed(base_seed: int, caption_id: int, image_index: int) -> int:
    """The seed of image j of caption i: a pure function of (base seed, i, j)."""
    return int(np.random.SeedSequence([int(base_seed), int(caption_id), int(image_index)]).generate_state(1)[0])


def initial_latents(base_seed: int, caption_ids, image_indices, shape: tuple[int, int, int]) -> torch.Tensor:
    """float32 [N, *shape] starting noise, one fresh generator per image (batch-independent)."""
    return torch.stack([torch.randn(shape, generator=generator(image_seed(base_seed, i, j)))
                        for i, j in zip(caption_ids, image_indices)])


def latent_shape(pipe) -> tuple[int, int, int]:
    """(channels, h, w) of the UNet's input latents."""
    size = pipe.unet.config.sample_size
    return (pipe.unet.config.in_channels, size, size)


@contextlib.contextmanager
def unet_autocast(pipe, enabled: bool):
    """Run only the UNet under bf16 autocast (CPU ~1.7x); its output is cast back to float32
    so the scheduler keeps float32 latents and the VAE and text encoder stay in float32."""
    if not enabled or pipe.device.type != "cpu":
        yield
        return
    unet = pipe.unet
    plain_forward = unet.forward

    def forward(*args, **kwargs):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = plain_forward(*args, **kwargs)
        if isinstance(out, tuple):
            return tuple(o.float() for o in out)
        out.sample = out.sample.float()
        return out

    unet.forward = forward
    try:
        yield
    finally:
        del unet.forward  # back to the class's method


def check_guidance(cfg_scale: float) -> float:
    if not np.isfinite(cfg_scale) or cfg_scale < 0:
        raise G2Error(f"CFG scale must be a number >= 0 (1 = no guidance), got {cfg_scale}")
    return float(cfg_scale)


@torch.no_grad()
def sample_latents(pipe, captions: list[str], latents: torch.Tensor, *, cfg_scale: float, steps: int,
                   images_per_caption: int, bf16: bool = False) -> torch.Tensor:
    """Denoise `latents` [len(captions) * K, ...] (caption-major) into clean latents with the
    pipeline (text encoding, CFG and the scheduler loop are all diffusers')."""
    check_guidance(cfg_scale)
    # captions longer than the text window are cut exactly as in g2's pretraining; diffusers
    # would log every cut caption (thousands of lines in a notebook), so only errors pass here
    pipe_logger = logging.getLogger(type(pipe).__module__)
    level = pipe_logger.level
    pipe_logger.setLevel(logging.ERROR)
    try:
        with unet_autocast(pipe, bf16):
            out = pipe(prompt=list(captions), num_images_per_prompt=images_per_caption,
                       latents=latents.to(pipe.device, pipe.unet.dtype), guidance_scale=cfg_scale,
                       num_inference_steps=steps, output_type="latent", return_dict=False)[0]
    finally:
        pipe_logger.setLevel(level)
    return out


@torch.no_grad()
def decode_latents(pipe, latents: torch.Tensor, size: int | None = None) -> np.ndarray:
    """Clean latents -> uint8 [N, size, size, 3] (antialiased resize when size differs)."""
    from ..pixels import to_uint8

    vae = pipe.vae
    with single_thread():  # the same pixels whatever the thread count (the UNet is exact in bf16)
        x = vae.decode(latents.to(vae.dtype) / vae.config.scaling_factor, return_dict=False)[0].float()
    if size is not None and x.shape[-1] != size:
        x = torch.nn.functional.interpolate(x, size=(size, size), mode="bilinear", antialias=True,
                                            align_corners=False)
    return to_uint8(x)

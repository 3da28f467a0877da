"""Every default of the project, in one place: typed config sections and the four profiles.

A `Config` has one dataclass per pipeline stage (world -> captions -> images -> train -> eval),
plus `run` for machine settings. The `mini` profile is the dataclass defaults; the other
profiles are written below as changes to it, so a diff between profiles is easy to read.

    from synclr_lib.config import resolve
    cfg = resolve("smoke", ["train.steps=20", "world.image_size=64"])

Overrides are `section.field=value` strings; values are parsed by the field's type and a bad
key, a bad type or an unknown profile raises `ConfigError` naming the valid choices.
Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field

TRAIN_HERE = "mini-train"  # captions.g1 / images.g2 / judge.model value: pretrain the mini generator here (make generators)


class ConfigError(ValueError):
    """A bad profile name, override key or override value."""


# --------------------------------------------------------------------------------------
# Sections. Defaults are the `mini` profile: the whole paper on a 2-core CPU.
# --------------------------------------------------------------------------------------
@dataclass
class RunConfig:
    seed: int = 0  # base seed; every stage derives its own seeds from it
    device: str = "cpu"  # "cpu" or "cuda"
    threads: int = 0  # torch intra-op threads; 0 = the cores other processes leave idle at start (runtime.set_threads); fix it for bit-identical reruns under changing load
    bf16: str = "auto"  # bf16 autocast: auto (on where measured faster on this machine, runtime.bf16_decision) | true | false
    checkpoint_every: int = 200  # training steps between atomic checkpoints (and one at the end)


@dataclass
class WorldConfig:
    image_size: int = 32  # render resolution of every image of the world (train.image_size is the encoder's input)
    n_web: int = 50_000  # mini-web scenes (image + alt-text), the "internet" g1 and g2 learn from
    web_seed: int = 0  # seed range start for the mini-web; evaluation uses eval_seed
    eval_seed: int = 1_000_000_000  # disjoint seed range for held-out evaluation renders
    suite_train_per_class: int = 40  # evaluation suites: train images per class
    suite_val_per_class: int = 10  # validation images per class (probe hyper-parameters)
    suite_test_per_class: int = 30  # test images per class
    segmentation_images: int = 600  # images in the dense (ADE20k-analogue) suite, all splits
    real_max_per_split: int = 2000  # cap on each split of the packaged real datasets
    web_prior: float = 0.95  # share of mini-web scenes whose background follows the world prior
    render_workers: int = 2  # processes rendering the mini-web (output does not depend on it)


@dataclass
class CaptionConfig:
    g1: str = "generators/mini/g1"  # a local causal-LM dir (default: the shipped mini g1), "mini-train" (train it here: stage `g1`) or "smollm2"
    concepts: str = "world"  # "world" (the mini world's 22 objects) or a text file of class names, one per line
    backgrounds: str = "world"  # "world" (the world prior) or a JSON file {concept: [plausible backgrounds]}
    demonstrations: str = "auto"  # demonstration pool: auto (mini for the world, else real) | mini | real
    strategy: str = "mix"  # template | c | c_bg_random | c_bg | c_rel | mix
    mix: dict = field(default_factory=lambda: {"c": 0.44, "c_rel": 0.11, "c_bg": 0.45})  # mix probabilities (paper code's object split)
    n_captions: int = 10_000  # captions per caption set (after de-duplication)
    n_demonstrations: int = 3  # in-context examples per prompt (paper: 3)
    temperature: float = 0.8  # paper: 0.8
    top_p: float = 0.9  # paper: 0.9
    max_new_tokens: int = 40  # paper: 100; mini captions are short
    batch_size: int = 256  # prompts per generate() call
    chunk_size: int = 4096  # prompts per resumable chunk file of a caption set
    # mini g1 (Llama architecture) and its pretraining
    g1_hidden: int = 128  # hidden size
    g1_layers: int = 4  # decoder layers
    g1_heads: int = 4  # attention heads
    g1_vocab: int = 1024  # BPE vocabulary trained with `tokenizers` (mini-web words fit whole)
    g1_seq_len: int = 128  # tokens per packed training row (an in-context document is ~90)
    g1_steps: int = 1200  # pretraining steps
    g1_batch: int = 32  # sequences per step
    g1_lr: float = 2e-3  # AdamW peak lr, warm-up then cosine
    # the SmolLM2-135M-Instruct demo on real concepts (notebooks/02_captions.py)
    demo_captions: int = 36  # captions in the demo (0 skips it)
    demo_max_new_tokens: int = 60  # real captions are longer than mini ones


@dataclass
class ImageConfig:
    g2: str = "generators/mini/g2"  # a local Stable Diffusion dir (default: the shipped mini g2) or "mini-train" (train it here: stages `g2_vae`, `g2`)
    images_per_caption: int = 4  # images g2 draws per caption (paper: 4); train.images_per_caption of them go into a batch
    cfg_scale: float = 2.5  # paper: 2.5
    steps: int = 10  # sampler steps (DPM-Solver++; paper: DDIM 50); as faithful as 20 at half the time: benchmarks/results/study_g2_recipe.md
    batch_size: int = 64  # images per denoising call (same bytes at any size; speed: benchmarks/bench_generation.py)
    num_workers: int = 2  # generation processes (1 torch thread each; shard s goes to worker s mod N)
    shard_size: int = 1024  # images per output shard
    # the mini g2's components and pretraining (make generators; images.g2=mini-train)
    vae_channels: tuple = (32, 64)  # AutoencoderKL block widths: 32 px -> 16x16x4 latents (why not 8x8: study_g2_recipe.md)
    vae_steps: int = 3000  # VAE training steps
    vae_batch: int = 16  # VAE batch size
    vae_lr: float = 1.5e-3  # AdamW peak lr, cosine
    vae_latent_noise: float = 0.05  # decoder trained on posterior mean + this noise (L1 + MSE)
    unet_channels: tuple = (32, 64, 128)  # UNet2DConditionModel block widths (16 -> 8 -> 4 px)
    unet_layers_per_block: int = 1  # resnet(+attention) layers per UNet block
    unet_attention_levels: tuple = (1, 2)  # UNet levels with cross-attention (0 = full latent size; 8x8 and 4x4 here, ~3x faster than 16x16: study_g2_recipe.md)
    unet_heads: int = 8  # cross-attention heads
    beta_schedule: str = "scaled_linear"  # DDPM noise schedule (diffusers name), as SD 1.5
    unet_steps: int = 16_000  # UNet training steps (fidelity per step count: study_g2_recipe.md)
    unet_batch: int = 32  # small batches learned objects faster at equal time
    unet_lr: float = 1e-3  # AdamW peak lr, cosine
    unet_snr_gamma: float = 5.0  # Min-SNR-gamma loss weights (Hang et al. 2023; diffusers' --snr_gamma), 0 = plain MSE; its gain: study_g2_recipe.md
    caption_dropout: float = 0.1  # empty captions so classifier-free guidance works
    recaption_fraction: float = 0.5  # share of pretraining pairs captioned by their recaption instead of alt-text (world/recaption.py; sweep: study_g2_recipe.md)
    prediction_type: str = "v_prediction"  # v-prediction draws colour far better than epsilon here (study_g2_recipe.md)


@dataclass
class JudgeConfig:
    """The CLIP-score analogue that scores g2's images (notebooks/03); SynCLR never sees it."""
    model: str = "generators/mini/judge"  # a judge dir (default: the shipped one) or "mini-train" (train it here: stage `judge`)
    width: int = 32  # CNN width w (stages of w, 2w, 4w, 4w channels)
    steps: int = 3000  # training steps on mini-web renders
    batch: int = 64  # batch size
    lr: float = 2e-3  # AdamW one-cycle peak lr


@dataclass
class StudyConfig:
    """What the paper's experiments add to one training run (synclr_lib/studies/)."""
    ablation_steps: int = 300  # training steps of every comparison row (paper: 85k ablations vs 500k main)
    compare_seeds: int = 3  # seeds of the main SynCLR-vs-SimCLR comparison (they vary train.seed)
    compare_suites: str = ""  # suites probed for the training comparisons, comma-separated ("" = objects + the 9 fine-grained)
    cfg_scales: tuple = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0)  # CFG scales of the Table 3 study
    cfg_captions: int = 256  # captions drawn at every CFG scale of the study
    strategies: tuple = ("alt-text", "template", "c_bg_random", "c_bg", "mix")  # Table 2 rows: captions.strategy names, or the mini-web's alt-text (the paper's real captions)
    strategy_captions: int = 512  # captions of each strategy drawn (x images.images_per_caption) and trained on


@dataclass
class TrainConfig:
    # what is trained, on what (notebooks/04_training.py)
    method: str = "synclr"  # synclr (multi-positive + components) | simclr | supce | clip
    components: str = "ema,ibot,multicrop"  # SynCLR parts on top of StableRep (Table 4); "" = StableRep
    data: str = "synthetic"  # synthetic (images stage: g2) | proxy (renders of scene specs) | web (mini-web)
    data_dir: str = ""  # train on this synthetic-image directory instead of the images stage
    proxy_captions: int = 10_000  # data=proxy: scene specs ("captions"), each rendered images.images_per_caption times
    proxy_open: str = "colour,background"  # data=proxy: attributes redrawn per render, as g2 fills in what a caption leaves open ("" = pinned)
    # encoder: transformers ViTModel (saved with save_pretrained)
    image_size: int = 32  # global crop size = encoder input size (world.image_size is the render size)
    patch_size: int = 8  # token-grid stride; 8 at 32 px = a 4x4 grid after the conv trunk
    stem_channels: tuple = (32, 64, 128, 256)  # conv trunk widths: leading layers stride 1, the last log2(patch_size) stride 2; () = ViT's linear patchify (paper)
    stem_norm_groups: int = 8  # GroupNorm groups in the conv trunk
    width: int = 256  # transformer width (MLP 4x)
    depth: int = 2  # transformer blocks after the conv trunk
    heads: int = 4  # attention heads
    attention: str = "eager"  # ViT attention kernel: "eager" (faster on CPU: benchmarks/bench_attention.py) | "sdpa" (GPU)
    drop_path: float = 0.0  # stochastic depth, whole blocks per sample via a hook (paper ViT-B 0.1)
    # heads
    proj_hidden: int = 1024  # contrastive MLP hidden size (paper 4096)
    proj_norm: str = "batch"  # contrastive head norm: batch (prevents collapse, study_encoder_proxy.md) | layer
    proj_dim: int = 256  # contrastive embedding size (paper 256)
    ibot_hidden: int = 512  # iBOT (DINO-style) head hidden size (paper 2048)
    ibot_bottleneck: int = 128  # iBOT head bottleneck before the prototypes (paper 256)
    ibot_prototypes: int = 1024  # iBOT prototypes (paper 65,536)
    # batches: P captions x K images
    captions_per_batch: int = 32  # P captions per step (global batch, all ranks); 32 x 4 = 128 images
    images_per_caption: int = 4  # K images of each caption in a batch (at most images.images_per_caption, the images drawn)
    group_by: str = ""  # caption-row field grouping captions inside a batch ("" = random captions)
    captions_per_group: int = 4  # captions sharing `group_by` placed together in a batch
    # crops and augmentations (BYOL / DINOv2 recipe, batched on tensors)
    global_scale: tuple = (0.6, 1.0)  # global crop area range (paper 0.32-1; mini objects fill little of 32 px)
    local_size: int = 16  # local crop size (paper 96 for 224)
    n_local: int = 2  # local crops per image (paper: 4; 2 halves their cost at mini)
    local_scale: tuple = (0.2, 0.5)  # local crop area range (paper 0.08-0.32: at 32 px mostly background)
    flip: bool = False  # horizontal flip; off: it scrambles left/right relations of the small world
    jitter_prob: float = 0.0  # colour jitter probability (BYOL 0.8; off at mini, where g2 varies colour: study_encoder_proxy.md)
    jitter: tuple = (0.4, 0.4, 0.2, 0.1)  # brightness, contrast, saturation, hue strengths (BYOL)
    grayscale_prob: float = 0.0  # random grayscale (BYOL 0.2)
    blur_sigma: tuple = (0.1, 2.0)  # Gaussian blur sigma range in pixels of a 224-px image, rescaled
    solarize_prob: float = 0.0  # solarize on the "second view" half of global crops (BYOL 0.2)
    downsample_prob: float = 0.0  # downsample to half size and back (the paper's "downsample", 0.1)
    # objective
    temperature: float = 0.1  # contrastive tau (paper: 0.08 SynCLR, 0.1 StableRep)
    ema_start: float = 0.9  # EMA teacher momentum, cosine to 1 (paper 0.994 over 85k+ steps; mini runs are a few hundred)
    student_temp: float = 0.1  # iBOT student temperature (paper 0.1)
    teacher_temp: float = 0.04  # iBOT teacher temperature at step 0 (paper 0.04)
    teacher_temp_final: float = 0.07  # ... after the warm-up (paper 0.07)
    teacher_temp_warmup: int = 250  # steps of linear teacher-temperature warm-up (paper 4k of 85k)
    ibot_mask_prob: float = 0.5  # fraction of global crops that are masked (paper 0.5)
    ibot_mask_ratio: float = 0.25  # fraction of a masked crop's patches replaced by the mask token (paper 0.5; mini: 4 of 16 tokens)
    ibot_mask_pixels: bool = False  # also blank a masked patch's pixels (a conv trunk's tokens see their neighbours' pixels)
    ibot_weight: float = 0.1  # weight of the iBOT loss (paper 1; why less at mini: study_encoder_proxy.md)
    # optimisation
    steps: int = 500  # optimisation steps of the main runs (schedule study: study_encoder_proxy.md)
    warmup: int = 50  # linear lr warm-up steps
    lr: float = 1e-3  # AdamW peak lr, cosine
    min_lr: float = 1e-5  # lr at the end of the cosine
    weight_decay: float = 0.04  # start of cosine wd schedule (paper 0.04)
    weight_decay_end: float = 0.2  # end of cosine wd schedule (paper 0.2)
    grad_clip: float = 3.0  # max gradient norm (0 = off)
    log_every: int = 10  # steps between rows of the training-curve CSV
    seed: int = -1  # training seed (init, batch order, views, masks); -1 = run.seed (seed repeats vary this, not run.seed, which would redraw the data)


@dataclass
class EvalConfig:
    feature: str = "cls"  # probed feature: cls (paper) | mean_patch | cls+mean_patch
    feature_batch: int = 256  # images per encoder forward pass during feature extraction
    probe_threads: int = 1  # BLAS/torch threads while probing (small solves; 0 = leave as is)
    probe_c_values: int = 12  # log-spaced l2 strengths tried by the logistic probe (paper: 45)
    probe_c_min: float = 1e-6  # smallest C (inverse l2 strength) of the grid (paper: 1e-6)
    probe_c_max: float = 1e5  # largest C of the grid (paper: 1e5)
    probe_max_iter: int = 1000  # L-BFGS iterations
    linear_epochs: int = 90  # SGD linear probe epochs (paper: 90)
    linear_lrs: tuple = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)  # parallel heads
    linear_batch: int = 1024  # SGD batch size (paper: 1024)
    linear_batchnorm: bool = True  # non-affine BatchNorm before the linear layer (paper: optional)
    dense_epochs: int = 30  # SGD epochs of the dense (per-patch) probe
    knn_ks: tuple = (10, 20, 100, 200)  # kNN neighbours (capped by train size)
    knn_temperature: float = 0.07  # kNN vote temperature


@dataclass
class Config:
    profile: str = "mini"
    run: RunConfig = field(default_factory=RunConfig)
    world: WorldConfig = field(default_factory=WorldConfig)
    captions: CaptionConfig = field(default_factory=CaptionConfig)
    images: ImageConfig = field(default_factory=ImageConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    study: StudyConfig = field(default_factory=StudyConfig)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def section(self, name: str) -> dict:
        return dataclasses.asdict(getattr(self, name))


SECTIONS = ("run", "world", "captions", "images", "judge", "train", "eval", "study")


def train_seed(cfg) -> int:
    """The seed of a training run: `train.seed`, or `run.seed` when it is -1."""
    return cfg.train.seed if cfg.train.seed >= 0 else cfg.run.seed


# --------------------------------------------------------------------------------------
# Profiles: changes to the mini defaults.
# --------------------------------------------------------------------------------------
# BYOL's augmentations (the paper's); `mini` trains multi-positive runs without the colour ones
# (study_encoder_proxy.md), SimCLR keeps them at every profile (studies/runs.py).
BYOL_AUGMENT: dict[str, object] = {
    "train.global_scale": (0.32, 1.0),
    "train.local_scale": (0.08, 0.32),
    "train.jitter_prob": 0.8,
    "train.grayscale_prob": 0.2,
    "train.solarize_prob": 0.2,
    "train.downsample_prob": 0.1,
}

PROFILES: dict[str, dict[str, object]] = {
    # CI: every stage in seconds; results are meaningless, code paths are not.
    "smoke": {
        "captions.g1": TRAIN_HERE,  # smoke trains its own tiny generators (seconds), so CI runs the pretraining code
        "images.g2": TRAIN_HERE,
        "judge.model": TRAIN_HERE,
        "world.n_web": 512,
        "world.suite_train_per_class": 4,
        "world.suite_val_per_class": 2,
        "world.suite_test_per_class": 3,
        "world.segmentation_images": 40,
        "world.real_max_per_split": 100,
        "captions.n_captions": 64,
        "captions.g1_steps": 20,
        "captions.g1_hidden": 32,
        "captions.g1_layers": 1,
        "captions.g1_heads": 2,
        "captions.g1_vocab": 512,
        "captions.batch_size": 64,
        "captions.chunk_size": 64,
        "captions.max_new_tokens": 12,
        "captions.g1_seq_len": 96,
        "captions.g1_batch": 16,
        "captions.demo_captions": 0,
        "images.steps": 4,
        "images.batch_size": 64,
        "images.shard_size": 64,
        "images.num_workers": 1,  # no process start-up in CI
        "study.cfg_scales": (1.0, 2.5, 8.0),
        "images.vae_channels": (8, 16, 16),
        "images.vae_steps": 20,
        "images.unet_channels": (16, 32),
        "images.unet_attention_levels": (0,),
        "images.unet_heads": 2,
        "images.unet_steps": 20,
        "judge.width": 8,
        "judge.steps": 20,
        "study.cfg_captions": 8,
        "study.strategy_captions": 8,
        "train.stem_channels": (8, 16, 16, 32),
        "train.width": 32,
        "train.depth": 2,
        "train.heads": 2,
        "train.steps": 10,
        "train.warmup": 2,
        "train.captions_per_batch": 8,
        "train.ibot_prototypes": 64,
        "run.checkpoint_every": 5,
        "train.proj_hidden": 64,
        "train.proj_dim": 32,
        "train.ibot_hidden": 64,
        "train.ibot_bottleneck": 32,
        "train.n_local": 2,
        "train.proxy_captions": 64,
        "study.ablation_steps": 4,
        "study.compare_seeds": 1,
        "study.compare_suites": "objects,colours",
        "train.teacher_temp_warmup": 5,
        "train.log_every": 1,
        "eval.probe_c_values": 4,
        "eval.probe_max_iter": 100,
        "eval.linear_epochs": 5,
        "eval.dense_epochs": 3,
    },
    "mini": {},
    # One GPU, real pretrained weights from local directories (set the paths with --set).
    "gpu": {
        "run.device": "cuda",
        "world.image_size": 64,
        "captions.g1": "models/llm",  # any local HF causal LM directory
        "captions.max_new_tokens": 77,
        "captions.batch_size": 64,
        "images.g2": "models/stable-diffusion-v1-5",  # local diffusers directory
        "judge.model": TRAIN_HERE,  # the shipped judge reads 32 px; this world renders 64
        "images.steps": 25,
        "images.batch_size": 32,
        "images.num_workers": 1,  # one GPU: one process
        **BYOL_AUGMENT,
        "train.ema_start": 0.994,
        "train.ibot_weight": 1.0,
        "train.ibot_mask_ratio": 0.5,
        "train.image_size": 64,
        "train.local_size": 32,
        "train.patch_size": 8,
        "train.stem_channels": (64, 128, 256),
        "train.width": 384,
        "train.depth": 12,
        "train.heads": 6,
        "train.steps": 20_000,
        "train.warmup": 1000,
        "study.ablation_steps": 5000,
        "train.captions_per_batch": 128,
        "train.ibot_prototypes": 8192,
        "train.n_local": 4,
        "train.proj_hidden": 2048,
        "train.ibot_hidden": 1024,
        "train.ibot_bottleneck": 256,
        "train.drop_path": 0.1,
        "train.attention": "sdpa",
        "train.teacher_temp_warmup": 2000,
        "run.checkpoint_every": 1000,
        "eval.probe_c_values": 45,
    },
    # The paper's hyper-parameters (ViT-B/16, Table 12 ablation schedule), many GPUs via torchrun.
    "paper": {
        "run.device": "cuda",
        "world.image_size": 224,
        "captions.g1": "models/Llama-2-7b-hf",
        "captions.mix": {"c": 0.44, "c_rel": 0.11, "c_bg": 0.45},
        "captions.n_captions": 10_000_000,
        "captions.max_new_tokens": 100,
        "captions.batch_size": 64,
        "images.g2": "models/stable-diffusion-v1-5",
        "judge.model": TRAIN_HERE,  # the shipped judge reads 32 px; this world renders 224
        "images.steps": 50,
        "images.batch_size": 64,
        "images.num_workers": 1,  # one process per GPU: launch parts with --shard k --num-shards N
        **BYOL_AUGMENT,
        "train.ema_start": 0.994,
        "train.ibot_weight": 1.0,
        "train.ibot_mask_ratio": 0.5,
        "train.image_size": 224,
        "train.local_size": 96,
        "train.patch_size": 16,
        "train.stem_channels": (),  # the paper's plain ViT-B/16
        "train.width": 768,
        "train.depth": 12,
        "train.heads": 12,
        "train.steps": 85_000,
        "train.warmup": 80_000 // 8,
        "study.ablation_steps": 85_000,  # the paper's ablation schedule
        "train.captions_per_batch": 2048,
        "train.lr": 2e-3,
        "train.temperature": 0.08,
        "train.ibot_prototypes": 65_536,
        "train.n_local": 4,
        "train.proj_hidden": 4096,
        "train.ibot_hidden": 2048,
        "train.ibot_bottleneck": 256,
        "train.drop_path": 0.1,
        "train.attention": "sdpa",
        "train.flip": True,
        "train.teacher_temp_warmup": 4000,
        "run.checkpoint_every": 5000,
        "eval.probe_c_values": 45,
    },
}


# --------------------------------------------------------------------------------------
# Resolution and parsing
# --------------------------------------------------------------------------------------
def _field_types(section_obj) -> dict[str, type]:
    hints = typing.get_type_hints(type(section_obj))
    return {f.name: hints[f.name] for f in dataclasses.fields(section_obj)}


def _valid_keys() -> list[str]:
    cfg = Config()
    return [f"{s}.{k}" for s in SECTIONS for k in _field_types(getattr(cfg, s))]


def _parse_value(key: str, raw: object, typ: type) -> object:
    """Turn an override (string from the CLI or a python value) into the field's type."""
    if not isinstance(raw, str):
        if typ is float and isinstance(raw, int) and not isinstance(raw, bool):
            return float(raw)
        if typ is tuple and isinstance(raw, list):
            return tuple(raw)
        if isinstance(raw, typ) and not (typ is int and isinstance(raw, bool)):
            return raw
        raise ConfigError(f"{key} expects {typ.__name__}, got {type(raw).__name__} {raw!r}")
    try:
        if typ is bool:
            low = raw.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if typ is int:
            return int(raw.replace("_", ""))
        if typ is float:
            return float(raw)
        if typ is str:
            return raw
        if typ is tuple:
            items = [s for s in raw.replace("(", "").replace(")", "").split(",") if s.strip()]
            return tuple(_number(s.strip()) for s in items)
        if typ is dict:
            value = json.loads(raw)
            if not isinstance(value, dict):
                raise ValueError
            return value
    except (ValueError, json.JSONDecodeError):
        pass
    raise ConfigError(f"{key} expects {typ.__name__}, got {raw!r}")


def _number(text: str) -> object:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            continue
    return text


def apply_override(cfg: Config, key: str, value: object) -> None:
    section_name, _, field_name = key.partition(".")
    if section_name not in SECTIONS or not field_name:
        raise ConfigError(f"unknown override key {key!r}; sections are {', '.join(SECTIONS)} "
                          f"(e.g. train.steps=100). Valid keys: {', '.join(_valid_keys())}")
    section = getattr(cfg, section_name)
    types = _field_types(section)
    if field_name not in types:
        raise ConfigError(f"unknown override key {key!r}; valid keys in [{section_name}]: "
                          f"{', '.join(section_name + '.' + k for k in types)}")
    if key == "run.bf16":
        setattr(section, field_name, parse_bf16_setting(value))
        return
    setattr(section, field_name, _parse_value(key, value, types[field_name]))


BF16_SETTINGS = ("auto", "true", "false")  # run.bf16 values; booleans and yes/no/1/0/on/off map to true/false


def parse_bf16_setting(raw: object) -> str:
    """`run.bf16` as "auto", "true" or "false" (from a bool or any boolean spelling)."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    low = str(raw).strip().lower()
    if low == "auto":
        return low
    try:
        return "true" if _parse_value("run.bf16", low, bool) else "false"
    except ConfigError:
        raise ConfigError(f"run.bf16 expects {', '.join(BF16_SETTINGS)} (or a boolean), got {raw!r}") from None


def parse_overrides(overrides) -> dict[str, object]:
    """Accept ["a.b=1", ...], "a.b=1 c.d=2", or {"a.b": 1}; return {"a.b": value}."""
    if overrides is None:
        return {}
    if isinstance(overrides, dict):
        return dict(overrides)
    if isinstance(overrides, str):
        overrides = overrides.split()
    out = {}
    for item in overrides:
        key, sep, value = str(item).partition("=")
        if not sep:
            raise ConfigError(f"override {item!r} must look like section.field=value")
        out[key.strip()] = value.strip()
    return out


def resolve(profile: str = "mini", overrides=None) -> Config:
    """The profile's config with overrides applied; raises ConfigError on bad input."""
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}")
    cfg = Config(profile=profile)
    for key, value in PROFILES[profile].items():
        apply_override(cfg, key, value)
    for key, value in parse_overrides(overrides).items():
        apply_override(cfg, key, value)
    return cfg


def profile_summary(keys=("world.image_size", "world.n_web", "captions.g1", "captions.n_captions",
                          "images.g2", "images.steps", "train.width", "train.depth",
                          "train.patch_size", "train.steps", "train.captions_per_batch",
                          "run.device")):
    """A table (pandas DataFrame) of a few key settings side by side for every profile."""
    import pandas as pd

    rows = []
    for key in keys:
        section, _, name = key.partition(".")
        rows.append({"setting": key, **{p: getattr(getattr(resolve(p), section), name) for p in PROFILES}})
    return pd.DataFrame(rows)

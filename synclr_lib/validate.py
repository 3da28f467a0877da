"""Check a whole resolved config before any stage runs: every value in range, every choice
known, and (for commands that run stages) every local path present.

    from synclr_lib.validate import validate
    validate(cfg)                      # values only (what `python -m synclr_lib config` checks)
    validate(cfg, paths=True)          # also g1/g2 model dirs, concept files, train.data_dir

The first problem raises `ConfigError` as one line naming the field, the bad value and what
is expected, so `python -m synclr_lib <stage>` and `make figures` stop in a second with exit
status 2 instead of failing hours later inside a stage. This module imports no stage and no
torch; the choices below are the libraries' own (tests/test_validate.py keeps them equal).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from .config import BF16_SETTINGS, PROFILES, Config, ConfigError

# The valid names of every choice field (each equals a constant of the module that reads it).
METHODS = ("synclr", "simclr", "supce", "clip")  # train.objectives.METHODS
COMPONENTS = ("ema", "ibot", "multicrop")  # train.objectives.COMPONENTS
WEB_METHODS = ("simclr", "clip")  # train.objectives.WEB_METHODS
DATA_SOURCES = ("synthetic", "proxy", "web")  # train.data.SOURCES
PROXY_OPEN = ("colour", "background")  # images.proxy.OPEN_ATTRIBUTES
PROJ_NORMS = ("batch", "layer")  # models.heads.NORMS
ATTENTION = ("eager", "sdpa")  # models.vit.ATTENTION
STRATEGIES = ("template", "c", "c_bg_random", "c_bg", "c_rel", "mix")  # captions.strategies.STRATEGIES
BASE_STRATEGIES = STRATEGIES[:-1]  # captions.strategies.BASE_STRATEGIES
STUDY_ROWS = STRATEGIES + ("alt-text",)  # study.strategies: a strategy or the mini-web's alt-text
DEMONSTRATIONS = ("auto", "mini", "real")  # "auto" + captions.demonstrations.POOLS
FEATURES = ("cls", "mean_patch", "cls+mean_patch")  # evaluate.suites._select
BETA_SCHEDULES = ("linear", "scaled_linear", "squaredcos_cap_v2")  # what DDPM and DPM-Solver++ both accept
PREDICTION_TYPES = ("epsilon", "v_prediction")  # images.pretrain's training targets
MIN_IMAGE_SIZE = 16  # world.render.MIN_SIZE


def validate(cfg: Config, *, paths: bool = False, cwd: str | Path | None = None) -> Config:
    """Raise ConfigError on the first bad value of `cfg` (and, with `paths`, missing local
    file or model directory); return `cfg`. Relative paths that the library opens from the
    working directory are looked up under `cwd` (default: the current directory)."""
    if cfg.profile not in PROFILES:
        raise ConfigError(f"profile={cfg.profile!r}: expected one of {', '.join(PROFILES)}")
    _run(cfg)
    _world(cfg)
    _captions(cfg)
    _images(cfg)
    _judge(cfg)
    _train(cfg)
    _eval(cfg)
    _study(cfg)
    if paths:
        _paths(cfg, Path.cwd() if cwd is None else Path(cwd))
    return cfg


# --------------------------------------------------------------------------------------
# One-line errors
# --------------------------------------------------------------------------------------
def _fail(key: str, value, expected: str):
    raise ConfigError(f"{key}={_show(value)}: expected {expected}")


def _show(value) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) if value else "()"
    if isinstance(value, dict):
        return json.dumps(value)
    return repr(value) if isinstance(value, str) else str(value)


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x) -> bool:
    return (_is_int(x) or isinstance(x, float)) and math.isfinite(x)


def _int(key, value, low: int = 1):
    if not _is_int(value) or value < low:
        _fail(key, value, f"an integer >= {low}")


def _num(key, value, low: float = 0.0, *, strict: bool = False, high: float | None = None,
         high_open: bool = False):
    ok = _is_num(value) and (value > low if strict else value >= low)
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = f"> {low:g}" if strict else f">= {low:g}"
        hi = "" if high is None else f" and {'<' if high_open else '<='} {high:g}"
        _fail(key, value, f"a number {lo}{hi}")


def _prob(key, value):
    if not _is_num(value) or not 0 <= value <= 1:
        _fail(key, value, "a probability in [0, 1]")


def _choice(key, value, choices):
    if value not in choices:
        _fail(key, value, f"one of {', '.join(choices)}")


def parse_names(key, text, choices, empty: str) -> tuple[str, ...]:
    """'a,b' or 'a+b' -> ('a', 'b'); one error naming the unknown ones and the valid choices."""
    parts = tuple(p.strip() for p in str(text).replace("+", ",").split(",") if p.strip())
    bad = [p for p in parts if p not in choices]
    if bad:
        raise ConfigError(f"unknown {key} {', '.join(map(repr, bad))}; valid: {', '.join(choices)} "
                          f"(comma-separated; {empty})")
    return parts


def _ints(key, value, low: int = 1, *, empty_ok: bool = False):
    if not isinstance(value, tuple) or (not value and not empty_ok) or \
            not all(_is_int(v) and v >= low for v in value):
        _fail(key, value, f"a {'' if empty_ok else 'non-empty '}comma-separated list of integers >= {low}")


def _nums(key, value, low: float = 0.0, *, strict: bool = True):
    ok = isinstance(value, tuple) and value and all(_is_num(v) and (v > low if strict else v >= low)
                                                     for v in value)
    if not ok:
        _fail(key, value, f"a non-empty comma-separated list of numbers {'>' if strict else '>='} {low:g}")


def _range(key, value, low: float, high: float, *, strict_low: bool = True):
    ok = isinstance(value, tuple) and len(value) == 2 and all(_is_num(v) for v in value) and \
        (value[0] > low if strict_low else value[0] >= low) and value[0] <= value[1] <= high
    if not ok:
        top = "" if high == math.inf else f" <= {high:g}"
        _fail(key, value, f"two numbers lo,hi with {low:g} {'<' if strict_low else '<='} lo <= hi{top}")


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------
def _run(cfg):
    r = cfg.run
    _int("run.seed", r.seed, 0)
    if not isinstance(r.device, str) or not (r.device == "cpu" or r.device == "cuda"
                                              or (r.device.startswith("cuda:") and r.device[5:].isdigit())):
        _fail("run.device", r.device, "cpu, cuda or cuda:<index>")
    _int("run.threads", r.threads, 0)
    _choice("run.bf16", r.bf16, BF16_SETTINGS)
    _int("run.checkpoint_every", r.checkpoint_every)


def _world(cfg):
    w = cfg.world
    _int("world.image_size", w.image_size, MIN_IMAGE_SIZE)
    _int("world.n_web", w.n_web)
    _int("world.web_seed", w.web_seed, 0)
    _int("world.eval_seed", w.eval_seed, 0)
    if w.web_seed + w.n_web > w.eval_seed:  # held-out renders must not repeat a mini-web scene
        _fail("world.eval_seed", w.eval_seed, f">= world.web_seed + world.n_web = {w.web_seed + w.n_web} "
                                              f"(evaluation seeds disjoint from the mini-web's)")
    _int("world.suite_train_per_class", w.suite_train_per_class)
    _int("world.suite_val_per_class", w.suite_val_per_class, 0)
    _int("world.suite_test_per_class", w.suite_test_per_class)
    _int("world.segmentation_images", w.segmentation_images)
    _int("world.real_max_per_split", w.real_max_per_split)
    _prob("world.web_prior", w.web_prior)
    _int("world.render_workers", w.render_workers)


def _captions(cfg):
    c = cfg.captions
    for key in ("g1", "concepts", "backgrounds"):
        if not isinstance(getattr(c, key), str) or not getattr(c, key).strip():
            _fail(f"captions.{key}", getattr(c, key), "a name or a local path")
    _choice("captions.demonstrations", c.demonstrations, DEMONSTRATIONS)
    _choice("captions.strategy", c.strategy, STRATEGIES)
    mix = c.mix
    if not isinstance(mix, dict) or not mix or any(k not in BASE_STRATEGIES for k in mix) or \
            not all(_is_num(v) and v >= 0 for v in mix.values()) or sum(mix.values()) <= 0:
        _fail("captions.mix", mix, f"a JSON object {{strategy: probability}} over {', '.join(BASE_STRATEGIES)} "
                                   f"with probabilities >= 0 and a positive sum")
    _int("captions.n_captions", c.n_captions)
    _int("captions.n_demonstrations", c.n_demonstrations, 0)
    _num("captions.temperature", c.temperature)
    _num("captions.top_p", c.top_p, 0, strict=True, high=1)
    for key in ("max_new_tokens", "batch_size", "chunk_size", "g1_hidden", "g1_layers", "g1_heads",
                "g1_vocab", "g1_seq_len", "g1_steps", "g1_batch", "demo_max_new_tokens"):
        _int(f"captions.{key}", getattr(c, key))
    if c.g1_hidden % c.g1_heads:
        _fail("captions.g1_hidden", c.g1_hidden, f"a multiple of captions.g1_heads={c.g1_heads}")
    _num("captions.g1_lr", c.g1_lr, strict=True)
    _int("captions.demo_captions", c.demo_captions, 0)


def _images(cfg):
    im = cfg.images
    if not isinstance(im.g2, str) or not im.g2.strip():
        _fail("images.g2", im.g2, "'mini-train' or a local diffusers directory")
    for key in ("images_per_caption", "steps", "batch_size", "num_workers", "shard_size", "vae_steps",
                "vae_batch", "unet_layers_per_block", "unet_heads", "unet_steps", "unet_batch"):
        _int(f"images.{key}", getattr(im, key))
    _num("images.cfg_scale", im.cfg_scale)
    _ints("images.vae_channels", im.vae_channels)
    _ints("images.unet_channels", im.unet_channels)
    levels = im.unet_attention_levels
    if not isinstance(levels, tuple) or not all(_is_int(v) and 0 <= v < len(im.unet_channels) for v in levels):
        _fail("images.unet_attention_levels", levels,
              f"UNet levels 0..{len(im.unet_channels) - 1} (one per entry of images.unet_channels), comma-separated")
    for key in ("vae_lr", "unet_lr"):
        _num(f"images.{key}", getattr(im, key), strict=True)
    _num("images.vae_latent_noise", im.vae_latent_noise)
    _num("images.unet_snr_gamma", im.unet_snr_gamma)
    _prob("images.caption_dropout", im.caption_dropout)
    _prob("images.recaption_fraction", im.recaption_fraction)
    _choice("images.beta_schedule", im.beta_schedule, BETA_SCHEDULES)
    _choice("images.prediction_type", im.prediction_type, PREDICTION_TYPES)


def _judge(cfg):
    j = cfg.judge
    if not isinstance(j.model, str) or not j.model.strip():
        _fail("judge.model", j.model, "'mini-train' or a judge directory")
    for key in ("width", "steps", "batch"):
        _int(f"judge.{key}", getattr(j, key))
    _num("judge.lr", j.lr, strict=True)


def _study(cfg):
    s = cfg.study
    for key in ("ablation_steps", "compare_seeds", "cfg_captions", "strategy_captions"):
        _int(f"study.{key}", getattr(s, key))
    _nums("study.cfg_scales", s.cfg_scales, strict=False)
    if not isinstance(s.strategies, tuple) or not s.strategies or any(r not in STUDY_ROWS for r in s.strategies):
        _fail("study.strategies", s.strategies, f"a non-empty comma-separated list from {', '.join(STUDY_ROWS)}")
    if not isinstance(s.compare_suites, str):
        _fail("study.compare_suites", s.compare_suites, "a string")
    if s.compare_suites.strip():
        from .world.suites import SUITES  # light: numpy only

        parse_names("study.compare_suites", s.compare_suites, tuple(SUITES), "empty = objects + fine-grained")


def _train(cfg):
    t = cfg.train
    _choice("train.method", t.method, METHODS)
    parse_names("train.components", t.components, COMPONENTS, "empty = StableRep")
    _choice("train.data", t.data, DATA_SOURCES)
    if t.data == "web" and t.method not in WEB_METHODS and not t.data_dir:
        _fail("train.method", t.method, f"one of {', '.join(WEB_METHODS)} with train.data=web "
                                        f"(mini-web images have one alt-text each)")
    _int("train.proxy_captions", t.proxy_captions)
    parse_names("train.proxy_open", t.proxy_open, PROXY_OPEN, "empty = the caption pins both")
    for key in ("image_size", "patch_size", "stem_norm_groups", "width", "depth", "heads", "proj_hidden",
                "proj_dim", "ibot_hidden", "ibot_bottleneck", "ibot_prototypes", "captions_per_batch",
                "images_per_caption", "captions_per_group", "local_size", "steps", "log_every"):
        _int(f"train.{key}", getattr(t, key))
    for key in ("image_size", "local_size"):
        if getattr(t, key) % t.patch_size:
            _fail(f"train.{key}", getattr(t, key), f"a multiple of train.patch_size={t.patch_size}")
    if t.width % t.heads:
        _fail("train.width", t.width, f"a multiple of train.heads={t.heads}")
    _ints("train.stem_channels", t.stem_channels, empty_ok=True)
    if t.stem_channels:
        halvings = math.log2(t.patch_size)
        if halvings != int(halvings) or len(t.stem_channels) < halvings:
            _fail("train.stem_channels", t.stem_channels,
                  f"at least log2(train.patch_size={t.patch_size}) entries (a power-of-2 patch size), "
                  f"or () for the plain ViT")
        bad = [c for c in t.stem_channels if c % t.stem_norm_groups]
        if bad:
            _fail("train.stem_channels", t.stem_channels,
                  f"widths divisible by train.stem_norm_groups={t.stem_norm_groups}")
    _choice("train.attention", t.attention, ATTENTION)
    _num("train.drop_path", t.drop_path, high=1, high_open=True)
    _choice("train.proj_norm", t.proj_norm, PROJ_NORMS)
    if t.method == "synclr" and t.images_per_caption < 2:
        _fail("train.images_per_caption", t.images_per_caption,
              "at least 2 images per caption for the multi-positive loss of train.method=synclr")
    if t.data in ("synthetic", "proxy") and not t.data_dir:  # the data the images or proxy stage will write
        if t.images_per_caption > cfg.images.images_per_caption:
            _fail("train.images_per_caption", t.images_per_caption,
                  f"at most images.images_per_caption={cfg.images.images_per_caption} (the images drawn per caption)")
        n_captions, source = ((cfg.captions.n_captions, "captions.n_captions") if t.data == "synthetic"
                              else (t.proxy_captions, "train.proxy_captions"))
        if t.captions_per_batch > n_captions:
            _fail("train.captions_per_batch", t.captions_per_batch, f"at most {source}={n_captions}")
    _range("train.global_scale", t.global_scale, 0, 1)
    _range("train.local_scale", t.local_scale, 0, 1)
    _int("train.n_local", t.n_local, 0)
    for key in ("jitter_prob", "grayscale_prob", "solarize_prob", "downsample_prob", "ibot_mask_prob",
                "ibot_mask_ratio", "ema_start"):
        _prob(f"train.{key}", getattr(t, key))
    if not isinstance(t.jitter, tuple) or len(t.jitter) != 4 or not all(_is_num(v) and v >= 0 for v in t.jitter):
        _fail("train.jitter", t.jitter, "4 numbers >= 0: brightness, contrast, saturation, hue")
    _range("train.blur_sigma", t.blur_sigma, 0, math.inf, strict_low=False)
    for key in ("temperature", "student_temp", "teacher_temp", "teacher_temp_final", "lr"):
        _num(f"train.{key}", getattr(t, key), strict=True)
    for key in ("ibot_weight", "min_lr", "weight_decay", "weight_decay_end", "grad_clip"):
        _num(f"train.{key}", getattr(t, key))
    _int("train.teacher_temp_warmup", t.teacher_temp_warmup, 0)
    _int("train.warmup", t.warmup, 0)
    _int("train.seed", t.seed, -1)
    for key in ("group_by", "data_dir"):
        if not isinstance(getattr(t, key), str):
            _fail(f"train.{key}", getattr(t, key), "a string")


def _eval(cfg):
    e = cfg.eval
    _choice("eval.feature", e.feature, FEATURES)
    for key in ("feature_batch", "probe_c_values", "probe_max_iter", "linear_epochs", "linear_batch",
                "dense_epochs"):
        _int(f"eval.{key}", getattr(e, key))
    _int("eval.probe_threads", e.probe_threads, 0)
    _num("eval.probe_c_min", e.probe_c_min, strict=True)
    _num("eval.probe_c_max", e.probe_c_max, strict=True)
    if e.probe_c_max < e.probe_c_min:
        _fail("eval.probe_c_max", e.probe_c_max, f">= eval.probe_c_min={e.probe_c_min:g}")
    _nums("eval.linear_lrs", e.linear_lrs)
    _ints("eval.knn_ks", e.knn_ks)
    _num("eval.knn_temperature", e.knn_temperature, strict=True)


# --------------------------------------------------------------------------------------
# Paths: what a stage would open, checked before any stage runs
# --------------------------------------------------------------------------------------
def _paths(cfg, cwd: Path):
    from .config import TRAIN_HERE
    from .paths import local_dir

    c, g1, g2, data_dir = cfg.captions, cfg.captions.g1, cfg.images.g2, cfg.train.data_dir
    judge = cfg.judge.model
    if g1 not in (TRAIN_HERE, "smollm2"):
        _need_dir(cfg, "captions.g1", g1, local_dir(g1, cwd), "config.json",
                  f"'{TRAIN_HERE}', 'smollm2' or a local Hugging Face causal-LM directory (save_pretrained)",
                  f"--set captions.g1=/path/to/model, `make generators` or --set captions.g1={TRAIN_HERE}")
    if g2 != TRAIN_HERE:
        _need_dir(cfg, "images.g2", g2, local_dir(g2, cwd), "model_index.json",
                  f"'{TRAIN_HERE}' or a local diffusers Stable Diffusion directory",
                  f"--set images.g2=/path/to/stable-diffusion-v1-5, `make generators` or --set images.g2={TRAIN_HERE}")
    if judge != TRAIN_HERE:
        _need_dir(cfg, "judge.model", judge, local_dir(judge, cwd) / "judge", "config.json",
                  f"'{TRAIN_HERE}' or a judge directory written by `make generators`",
                  f"`make generators` or --set judge.model={TRAIN_HERE}")
    if c.concepts != "world" and not _under(cwd, c.concepts).is_file():
        raise ConfigError(f"captions.concepts={c.concepts!r}: no such file {_under(cwd, c.concepts)}; expected "
                          f"'world' or a text file of class names, one per line (--set captions.concepts=world)")
    if c.backgrounds != "world" and not _under(cwd, c.backgrounds).is_file():
        raise ConfigError(f"captions.backgrounds={c.backgrounds!r}: no such file {_under(cwd, c.backgrounds)}; "
                          f"expected 'world' or a JSON file {{concept: [places]}} (--set captions.backgrounds=world)")
    if data_dir:
        _need_dir(cfg, "train.data_dir", data_dir, _under(cwd, data_dir), "index.json",
                  "a finished synthetic-image directory (an `images` artifact)",
                  "--set train.data_dir= to train on the images stage")


def _need_dir(cfg, key: str, value: str, path: Path, marker: str, expected: str, fix: str) -> None:
    """One line when `path` is not a directory holding `marker`, with the override that fixes it."""
    if (path / marker).is_file():
        return
    what = "is not a directory" if not path.is_dir() else f"holds no {marker}"
    # the gpu and paper profiles name model dirs that each user provides
    placeholder = f" (the {cfg.profile} profile's placeholder)" if PROFILES[cfg.profile].get(key) == value else ""
    raise ConfigError(f"{key}={value!r}{placeholder}: {path} {what}; expected {expected}: fix with {fix}")


def _under(base: Path, path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else base / p

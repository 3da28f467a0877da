"""validate(cfg): the whole resolved config, values and paths, checked before any stage runs."""
import json

import pytest

from synclr_lib import validate as v
from synclr_lib.config import PROFILES, ConfigError, resolve
from synclr_lib.validate import validate


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_profile_is_valid(profile):
    validate(resolve(profile))


@pytest.mark.parametrize("profile", ["smoke", "mini"])
def test_cpu_profiles_need_no_local_path(profile):
    validate(resolve(profile), paths=True)


@pytest.mark.parametrize("override, message", [
    ("train.steps=-3", "train.steps=-3: expected an integer >= 1"),
    ("train.warmup=-1", "train.warmup=-1: expected an integer >= 0"),
    ("train.captions_per_batch=0", "train.captions_per_batch=0: expected an integer >= 1"),
    ("train.jitter_prob=1.5", "train.jitter_prob=1.5: expected a probability in [0, 1]"),
    ("train.ema_start=-0.1", "train.ema_start=-0.1: expected a probability in [0, 1]"),
    ("train.drop_path=1", "train.drop_path=1.0: expected a number >= 0 and < 1"),
    ("train.lr=0", "train.lr=0.0: expected a number > 0"),
    ("train.temperature=-1", "train.temperature=-1.0: expected a number > 0"),
    ("train.method=byol", "train.method='byol': expected one of synclr, simclr, supce, clip"),
    ("train.components=ema,dino", "unknown train.components 'dino'; valid: ema, ibot, multicrop"),
    ("train.proxy_open=size", "unknown train.proxy_open 'size'; valid: colour, background"),
    ("train.data=imagenet", "train.data='imagenet': expected one of synthetic, proxy, web"),
    ("train.data=web", "train.method='synclr': expected one of simclr, clip with train.data=web"),
    ("train.proj_norm=group", "train.proj_norm='group': expected one of batch, layer"),
    ("train.attention=flash", "train.attention='flash': expected one of eager, sdpa"),
    ("train.images_per_caption=1", "at least 2 images per caption"),
    ("train.images_per_caption=5", "train.images_per_caption=5: expected at most images.images_per_caption=4"),
    ("train.captions_per_batch=100", "train.captions_per_batch=100: expected at most captions.n_captions=64"),
    ("train.global_scale=0.5,0.2", "train.global_scale=0.5,0.2: expected two numbers lo,hi with 0 < lo <= hi <= 1"),
    ("train.local_scale=0.1", "train.local_scale=0.1: expected two numbers"),
    ("train.blur_sigma=2,1", "train.blur_sigma=2,1: expected two numbers lo,hi with 0 <= lo <= hi"),
    ("train.jitter=0.4,0.4", "train.jitter=0.4,0.4: expected 4 numbers >= 0"),
    ("train.patch_size=5", "train.image_size=32: expected a multiple of train.patch_size=5"),
    ("train.heads=3", "train.width=32: expected a multiple of train.heads=3"),
    ("train.stem_norm_groups=3", "train.stem_channels=8,16,16,32: expected widths divisible by train.stem_norm_groups=3"),
    ("train.stem_channels=16", "train.stem_channels=16: expected at least log2(train.patch_size=8) entries"),
    ("train.stem_channels=a,b", "train.stem_channels=a,b: expected a comma-separated list of integers >= 1"),
    ("study.compare_suites=objects,nope", "unknown study.compare_suites 'nope'; valid: objects,"),
    ("train.seed=-2", "train.seed=-2: expected an integer >= -1"),
    ("run.seed=-1", "run.seed=-1: expected an integer >= 0"),
    ("run.device=gpu", "run.device='gpu': expected cpu, cuda or cuda:<index>"),
    ("run.threads=-1", "run.threads=-1: expected an integer >= 0"),
    ("world.image_size=8", "world.image_size=8: expected an integer >= 16"),
    ("world.n_web=0", "world.n_web=0: expected an integer >= 1"),
    ("world.web_prior=2", "world.web_prior=2.0: expected a probability in [0, 1]"),
    ("world.eval_seed=100", "world.eval_seed=100: expected >= world.web_seed + world.n_web = 512"),
    ("captions.strategy=bogus", "captions.strategy='bogus': expected one of template, c, c_bg_random, c_bg, c_rel, mix"),
    ('captions.mix={"c": -1}', 'captions.mix={"c": -1}: expected a JSON object {strategy: probability}'),
    ('captions.mix={"dog": 1}', 'captions.mix={"dog": 1}: expected a JSON object'),
    ("captions.demonstrations=some", "captions.demonstrations='some': expected one of auto, mini, real"),
    ("captions.top_p=0", "captions.top_p=0.0: expected a number > 0 and <= 1"),
    ("captions.n_captions=0", "captions.n_captions=0: expected an integer >= 1"),
    ("captions.g1_heads=3", "captions.g1_hidden=32: expected a multiple of captions.g1_heads=3"),
    ("images.images_per_caption=0", "images.images_per_caption=0: expected an integer >= 1"),
    ("images.cfg_scale=-1", "images.cfg_scale=-1.0: expected a number >= 0"),
    ("study.cfg_scales=", "study.cfg_scales=(): expected a non-empty comma-separated list of numbers >= 0"),
    ("study.cfg_scales=1,-2", "study.cfg_scales=1,-2: expected a non-empty"),
    ("images.unet_attention_levels=0,5", "images.unet_attention_levels=0,5: expected UNet levels 0..1"),
    ("images.vae_channels=", "images.vae_channels=(): expected a non-empty comma-separated list"),
    ("images.caption_dropout=1.5", "images.caption_dropout=1.5: expected a probability in [0, 1]"),
    ("images.recaption_fraction=-0.5", "images.recaption_fraction=-0.5: expected a probability in [0, 1]"),
    ("images.beta_schedule=cosine", "images.beta_schedule='cosine': expected one of linear, scaled_linear"),
    ("images.prediction_type=x0", "images.prediction_type='x0': expected one of epsilon, v_prediction"),
    ("study.strategies=", "study.strategies=(): expected a non-empty comma-separated list"),
    ("study.strategies=template,nonsense", "study.strategies=template,nonsense: expected"),
    ("study.strategy_captions=0", "study.strategy_captions=0: expected an integer >= 1"),
    ("images.unet_snr_gamma=-1", "images.unet_snr_gamma=-1.0: expected a number >= 0"),
    ("eval.feature=pooler", "eval.feature='pooler': expected one of cls, mean_patch, cls+mean_patch"),
    ("eval.knn_ks=", "eval.knn_ks=(): expected a non-empty comma-separated list of integers >= 1"),
    ("eval.linear_lrs=0.1,0", "eval.linear_lrs=0.1,0: expected a non-empty comma-separated list of numbers > 0"),
    ("eval.probe_c_max=1e-9", "eval.probe_c_max=1e-09: expected >= eval.probe_c_min=1e-06"),
    ("eval.probe_threads=-1", "eval.probe_threads=-1: expected an integer >= 0"),
])
def test_a_bad_value_is_one_line_naming_field_value_and_expectation(override, message):
    cfg = resolve("smoke", [override])  # resolve parses types only: ranges are validate's
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_the_choices_are_the_libraries_own():
    """validate.py imports no stage module (a bad config must fail in a second), so it keeps
    copies of their names; these must not drift."""
    from synclr_lib.captions import demonstrations, strategies
    from synclr_lib.images import proxy
    from synclr_lib.models import heads, vit
    from synclr_lib.train import data, objectives
    from synclr_lib.world.render import MIN_SIZE

    assert v.METHODS == objectives.METHODS and v.COMPONENTS == objectives.COMPONENTS
    assert v.WEB_METHODS == objectives.WEB_METHODS and v.DATA_SOURCES == data.SOURCES
    assert v.PROXY_OPEN == proxy.OPEN_ATTRIBUTES and v.PROJ_NORMS == heads.NORMS and v.ATTENTION == vit.ATTENTION
    assert v.STRATEGIES == strategies.STRATEGIES and v.BASE_STRATEGIES == strategies.BASE_STRATEGIES
    assert v.DEMONSTRATIONS == ("auto", *demonstrations.POOLS) and v.MIN_IMAGE_SIZE == MIN_SIZE


def test_the_features_are_the_probes_own():
    from types import SimpleNamespace

    import numpy as np

    from synclr_lib.evaluate.suites import _select

    feats = SimpleNamespace(cls=np.zeros((2, 3)), mean_patch=np.ones((2, 3)))
    assert [_select(feats, f).shape[1] for f in v.FEATURES] == [3, 3, 6]


def test_the_schedules_and_targets_build_a_scheduler():
    from synclr_lib.images.pipeline import sampling_scheduler, train_scheduler

    for beta in v.BETA_SCHEDULES:
        for target in v.PREDICTION_TYPES:
            cfg = resolve("smoke", [f"images.beta_schedule={beta}", f"images.prediction_type={target}"])
            sampling_scheduler(train_scheduler(cfg.images))


# ---------------------------------------------------------------- paths
def test_paths_are_checked_only_when_asked():
    cfg = resolve("smoke", ["images.g2=/nonexistent", "captions.g1=/nonexistent"])
    validate(cfg)  # `python -m synclr_lib config` still prints it
    with pytest.raises(ConfigError, match=r"^captions.g1='/nonexistent': /nonexistent is not a directory"):
        validate(cfg, paths=True)


@pytest.mark.parametrize("override, message", [
    ("captions.g1=/nonexistent", "captions.g1='/nonexistent': /nonexistent is not a directory; expected 'mini-train', "
                                 "'smollm2' or a local Hugging Face causal-LM directory"),
    ("images.g2=/nonexistent", "images.g2='/nonexistent': /nonexistent is not a directory; expected 'mini-train' or a "
                               "local diffusers Stable Diffusion directory: fix with --set images.g2="),
    ("captions.concepts=/nonexistent.txt", "captions.concepts='/nonexistent.txt': no such file"),
    ("captions.backgrounds=/nonexistent.json", "captions.backgrounds='/nonexistent.json': no such file"),
    ("train.data_dir=/nonexistent", "train.data_dir='/nonexistent': /nonexistent is not a directory"),
    ("judge.model=/nonexistent", "judge.model='/nonexistent': /nonexistent/judge is not a directory; expected "
                                  "'mini-train' or a judge directory written by `make generators`"),
])
def test_a_missing_path_names_the_override_that_fixes_it(override, message):
    with pytest.raises(ConfigError) as err:
        validate(resolve("smoke", [override]), paths=True)
    assert message in str(err.value) and "--set " in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("profile", ["gpu", "paper"])
def test_gpu_and_paper_placeholders_say_how_to_set_the_models(profile):
    with pytest.raises(ConfigError, match=rf"captions.g1=.* \(the {profile} profile's placeholder\).*--set captions.g1="):
        validate(resolve(profile), paths=True)
    with pytest.raises(ConfigError, match=rf"images.g2=.* \(the {profile} profile's placeholder\).*--set images.g2="):
        validate(resolve(profile, ["captions.g1=smollm2"]), paths=True)


def test_model_dirs_must_hold_their_config(tmp_path):
    g1, g2 = tmp_path / "llm", tmp_path / "sd"
    g1.mkdir()
    g2.mkdir()
    cfg = resolve("gpu", [f"captions.g1={g1}", f"images.g2={g2}"])
    with pytest.raises(ConfigError, match=r"^captions.g1='[^']*/llm': \S*/llm holds no config.json"):
        validate(cfg, paths=True)
    (g1 / "config.json").write_text("{}")
    with pytest.raises(ConfigError, match="sd holds no model_index.json"):
        validate(cfg, paths=True)
    (g2 / "model_index.json").write_text("{}")
    assert validate(cfg, paths=True) is cfg


def test_relative_paths_are_looked_up_where_the_library_opens_them(tmp_path, monkeypatch):
    (tmp_path / "llm").mkdir()
    (tmp_path / "llm" / "config.json").write_text("{}")
    (tmp_path / "classes.txt").write_text("dog\ncat\n")
    (tmp_path / "bg.json").write_text(json.dumps({"dog": ["park"]}))
    (tmp_path / "imgs").mkdir()
    (tmp_path / "imgs" / "index.json").write_text("{}")
    cfg = resolve("smoke", ["captions.g1=llm", "captions.concepts=classes.txt", "captions.backgrounds=bg.json",
                            "train.data_dir=imgs"])
    validate(cfg, paths=True, cwd=tmp_path)
    monkeypatch.chdir(tmp_path)
    validate(cfg, paths=True)
    with pytest.raises(ConfigError, match="captions.g1='llm'"):
        validate(cfg, paths=True, cwd=tmp_path / "elsewhere")

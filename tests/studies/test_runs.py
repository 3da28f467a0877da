"""The named training runs: seed repeats vary the training seed only, never the data's."""
import synclr_lib.train.stage  # noqa: F401  (registers the train stage)
from synclr_lib.config import resolve, train_seed
from synclr_lib.stages import artifact_path
from synclr_lib.studies.catalog import study_runs
from synclr_lib.studies.cfg_scale import cfg_scale_runs, table3_scales
from synclr_lib.studies.comparisons import seed_runs
from synclr_lib.studies.strategies import caption_strategy_runs
from synclr_lib.train.runs import variant


def test_seed_repeats_keep_g1_g2_and_the_images():
    cfg = resolve("smoke", ["study.compare_seeds=3"])
    runs = seed_runs(cfg, "SynCLR")
    assert list(runs) == ["SynCLR (seed 0)", "SynCLR (seed 1)", "SynCLR (seed 2)"]
    variants = [variant(cfg, o) for o in runs.values()]
    assert [v.run.seed for v in variants] == [0, 0, 0]
    assert [train_seed(v) for v in variants] == [0, 1, 2]
    assert len({artifact_path("images", v) for v in variants}) == 1  # the same synthetic data
    assert len({artifact_path("train", v) for v in variants}) == 3


def test_training_seed_defaults_to_the_run_seed_and_keys_alike():
    cfg = resolve("smoke")
    assert cfg.train.seed == -1 and train_seed(cfg) == cfg.run.seed
    same = variant(cfg, [f"train.seed={cfg.run.seed}"])
    assert artifact_path("train", same) == artifact_path("train", cfg)  # one result, one cache entry
    assert train_seed(resolve("smoke", ["run.seed=4"])) == 4


def test_cfg_scale_runs_train_on_each_scale_directory(tmp_path):
    cfg = resolve("smoke")
    runs = cfg_scale_runs(cfg, {2.0: tmp_path / "cfg-2", 3.0: tmp_path / "cfg-3"})
    assert list(runs) == ["CFG 2", "CFG 3"]
    assert f"train.data_dir={tmp_path / 'cfg-2'}" in runs["CFG 2"]
    assert f"train.steps={cfg.study.ablation_steps}" in runs["CFG 3"]


def test_caption_strategy_runs_train_synclr_on_each_strategy_directory(tmp_path):
    cfg = resolve("smoke")
    runs = caption_strategy_runs(cfg, {"alt-text": tmp_path / "alt-text", "mix": tmp_path / "mix"})
    assert list(runs) == ["alt-text", "mix"]
    assert f"train.data_dir={tmp_path / 'mix'}" in runs["mix"]
    assert runs["mix"] == cfg_scale_runs(cfg, {2.0: tmp_path / "mix"})["CFG 2"]  # the same SynCLR recipe


def test_study_runs_name_the_study_directories_without_drawing_them():
    cfg = resolve("smoke")
    assert table3_scales(cfg) == [1.0, 2.5, 8.0]  # smoke draws none of the paper's scales: all of its own
    assert table3_scales(resolve("mini")) == [2.0, 3.0, 4.0]
    runs = study_runs(cfg, build=False)
    assert list(runs) == ["CFG 1", "CFG 2.5", "CFG 8"] + [f"Table 2: {s}" for s in cfg.study.strategies]
    assert f"train.data_dir={artifact_path('cfg_study', cfg) / 'cfg-2.5'}" in runs["CFG 2.5"]
    assert f"train.data_dir={artifact_path('strategy_study', cfg) / 'mix'}" in runs["Table 2: mix"]

"""Cache keys never hold where the artifacts folder or a user's directory lies."""
import shutil

import synclr_lib.train.stage  # noqa: F401  (registers the train stage)
from synclr_lib import stages
from synclr_lib.config import resolve
from synclr_lib.studies.catalog import study_runs
from synclr_lib.train.runs import variant

from .conftest import write_tiny_shards

TINY = ["train.steps=2", "run.checkpoint_every=1", "train.captions_per_batch=4", "run.threads=1"]


def test_study_run_keys_do_not_depend_on_the_artifacts_folder(tmp_path, monkeypatch):
    keys = []
    for name in ("here", "moved"):
        root = tmp_path / name
        monkeypatch.setenv("SYNCLR_ARTIFACTS", str(root))
        cfg = resolve("smoke")
        runs = study_runs(cfg, build=False)
        assert any(str(root) in " ".join(o) for o in runs.values())  # they do train on paths there
        keys.append({row: stages.artifact_path("train", variant(cfg, o)).relative_to(root)
                     for row, o in runs.items()})
    assert keys[0] == keys[1]


def test_a_moved_artifacts_folder_reuses_its_training_runs(tmp_path, monkeypatch, capsys):
    def build(cfg, out, inputs):
        write_tiny_shards(out)

    stages.registry()
    monkeypatch.setitem(stages._REGISTRY, "t_images", stages.Stage("t_images", lambda cfg: {}, build))
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    images = stages.run_stage("t_images", resolve("smoke"))
    trained = stages.run_stage("train", resolve("smoke", TINY + [f"train.data_dir={images}"]))
    shutil.move(tmp_path / "artifacts", tmp_path / "elsewhere")
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "elsewhere"))
    images = stages.run_stage("t_images", resolve("smoke"))
    capsys.readouterr()
    again = stages.run_stage("train", resolve("smoke", TINY + [f"train.data_dir={images}"]))
    assert "train: reusing" in capsys.readouterr().out
    assert again == tmp_path / "elsewhere" / trained.relative_to(tmp_path / "artifacts")


def _input_keys(*overrides):
    """The requires part of the train and captions keys under these overrides."""
    cfg = resolve("smoke", ["captions.strategy=c", *overrides])  # a strategy that asks g1
    return stages.full_payload("train", cfg)["requires"], stages.full_payload("captions", cfg)["requires"]


def test_user_directories_are_keyed_by_content(tmp_path):
    data = write_tiny_shards(tmp_path / "mine" / "data")
    model = tmp_path / "mine" / "llm"
    model.mkdir()
    (model / "config.json").write_text('{"hidden_size": 8}')
    (model / "model.safetensors").write_bytes(b"w" * 1000)
    keys = _input_keys(f"train.data_dir={data}", f"captions.g1={model}")
    assert "content" in keys[0]["data_dir"] and "content" in keys[1]["g1"]
    shutil.move(tmp_path / "mine", tmp_path / "theirs")
    moved = [f"train.data_dir={tmp_path / 'theirs' / 'data'}", f"captions.g1={tmp_path / 'theirs' / 'llm'}"]
    assert _input_keys(*moved) == keys
    (tmp_path / "theirs" / "llm" / "model.safetensors").write_bytes(b"v" * 1000)
    assert _input_keys(*moved)[1] != keys[1]

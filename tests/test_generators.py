"""The shipped generators load and generate without this project: g1 with transformers' Auto
classes, g2 with diffusers' StableDiffusionPipeline and the packaged MiniLM, each exactly as its
model card's snippet says (the snippets are executed here)."""
import json
import re

import pytest

from synclr_lib.config import ConfigError, resolve
from synclr_lib.generators import G2_LEFT_OUT, main, ship


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    root = tmp_path_factory.getbasetemp()  # the folders conftest's per-test fixture uses, set before it runs
    with pytest.MonkeyPatch.context() as mp:
        for var, sub in (("SYNCLR_ARTIFACTS", "artifacts"), ("SYNCLR_REPORTS", "reports"),
                         ("SYNCLR_MACHINE_CACHE", "machine")):
            mp.setenv(var, str(root / sub))
        return ship(resolve("smoke", ["run.threads=1", "images.steps=2"]),
                    tmp_path_factory.mktemp("generators") / "smoke")


def _snippet(card) -> str:
    return re.search(r"```python\n(.*?)```", card.read_text(), re.S).group(1)


def test_g1_loads_and_writes_with_transformers_as_its_card_says(shipped):
    card = shipped / "g1" / "README.md"
    assert "Validation loss" in card.read_text() and "commit `" in card.read_text()
    scope = {}
    exec(_snippet(card), scope)  # noqa: S102  (the card's own code)
    assert type(scope["model"]).__name__ == "LlamaForCausalLM"


def test_g2_loads_and_draws_with_diffusers_as_its_card_says(shipped):
    assert not any((shipped / "g2" / name).exists() for name in G2_LEFT_OUT)  # MiniLM ships in its package
    card = shipped / "g2" / "README.md"
    text = card.read_text()
    number = r"(\d\.\d{3}|nan)"  # smoke captions may name no object the judge can check
    assert re.search(rf"object {number}, colour {number}, background {number}", text)
    scope = {}
    exec(_snippet(card).replace("a red star on sand", "a red star"), scope)  # noqa: S102
    assert scope["image"].size == (32, 32)
    facts = json.loads((shipped / "generators.json").read_text())
    assert facts["size_mb"]["g2"] < 5 and set(facts["fidelity_at_default_cfg"]) >= {"object", "colour", "background", "all"}


def test_the_judge_ships_beside_them(shipped):
    from synclr_lib.images.judge import Judge

    assert Judge.from_pretrained(shipped / "judge" / "judge") is not None
    assert "held-out" in (shipped / "judge" / "README.md").read_text()


def test_only_mini_generators_are_trained(capsys):
    assert main(["--profile", "smoke", "--set", "images.g2=/nonexistent"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(ConfigError, match="trains the mini generators"):
        ship(resolve("smoke", ["captions.g1=smollm2"]))


def test_the_pipeline_starts_from_the_shipped_generators(shipped):
    """captions.g1 / images.g2 pointed at the shipped folders draw the image set from them (g2
    without its text folder gets the packaged MiniLM), and the cache keys hold the folders'
    content (cache.path_key), not where they lie."""
    from synclr_lib.images.shards import load_synthetic_images
    from synclr_lib.stages import artifact_path, run_stage

    cfg = resolve("smoke", ["run.threads=1", "images.steps=2", f"captions.g1={shipped / 'g1'}",
                            f"images.g2={shipped / 'g2'}", f"judge.model={shipped / 'judge'}",
                            "captions.n_captions=8"])
    images = load_synthetic_images(run_stage("images", cfg))
    assert images.images.shape[0] == 8 * cfg.images.images_per_caption
    assert str(shipped) not in json.dumps(json.loads((artifact_path("images", cfg) / "meta.json").read_text())["config"])


def test_notebooks_read_the_shipped_training_records(shipped):
    """Notebooks 02 and 03 plot g1's and g2's pretraining and print the judge's accuracy from
    the shipped folders, as they do from the stages at mini-train, with the same numbers."""
    from synclr_lib.captions.mini_g1 import g1_metrics
    from synclr_lib.images.judge import judge_summary, load_judge
    from synclr_lib.images.pretrain import g2_training_record

    trained = resolve("smoke", ["run.threads=1", "images.steps=2"])
    loaded = resolve("smoke", ["run.threads=1", "images.steps=2", f"captions.g1={shipped / 'g1'}",
                               f"images.g2={shipped / 'g2'}", f"judge.model={shipped / 'judge'}"])
    assert g1_metrics(loaded) == g1_metrics(trained)
    here, there = g2_training_record(trained), g2_training_record(loaded)
    assert there["summary"] == here["summary"] and there["unet"].equals(here["unet"]) and there["vae"].equals(here["vae"])
    assert here["fidelity"] is None and set(there["fidelity"]) >= {"object", "colour", "background", "all", "cfg_scale"}
    assert judge_summary(loaded) == judge_summary(trained) and load_judge(loaded) is not None
    assert g2_training_record(resolve("smoke", ["run.threads=1", "images.g2=/elsewhere/sd"])) is None

"""The stage registry: a build gets what it reads from its declared requires, never by itself."""
import inspect

import pytest

from synclr_lib import stages
from synclr_lib.config import resolve


@pytest.fixture
def registry(monkeypatch, tmp_path):
    """Registers test stages; returns (add, log): add(name, build, requires, payload)."""
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    stages.registry()
    log = []

    def add(name, build, requires=(), payload=lambda cfg: {}):
        def logged(cfg, out, inputs):
            log.append(name)
            return build(cfg, out, inputs)
        monkeypatch.setitem(stages._REGISTRY, name, stages.Stage(name, payload, logged, requires))
    return add, log


def test_a_build_gets_its_inputs_built_first_and_only_on_a_miss(registry):
    add, log = registry
    add("t_model", lambda cfg, out, inputs: (out / "model").mkdir() or (out / "model" / "w").write_text("1"))
    seen = {}
    add("t_use", lambda cfg, out, inputs: seen.update(inputs),
        requires=lambda cfg: {"model": stages.Upstream("t_model", cfg, "model")})
    cfg = resolve("smoke")
    stages.run_stage("t_use", cfg)
    assert log == ["t_model", "t_use"]
    assert seen["model"] == stages.artifact_path("t_model", cfg) / "model"  # `part` of the artifact
    stages.run_stage("t_use", cfg)
    assert log == ["t_model", "t_use"]  # a cached result reads nothing


def test_a_build_that_calls_run_stage_is_refused(registry):
    add, _ = registry
    add("t_up", lambda cfg, out, inputs: None)
    add("t_sneaky", lambda cfg, out, inputs: stages.run_stage("t_up", cfg))
    with pytest.raises(stages.HiddenInputError, match="'t_sneaky' called run_stage\\('t_up'\\)"):
        stages.run_stage("t_sneaky", resolve("smoke"))
    stages.run_stage("t_up", resolve("smoke"))  # outside a build it still works


def test_a_folder_input_is_handed_over_as_is_and_keyed_by_content(registry, tmp_path):
    add, _ = registry
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "weights.bin").write_bytes(b"a" * 100)
    seen = {}
    add("t_sample", lambda cfg, out, inputs: seen.update(inputs), requires=lambda cfg: {"g2": shipped})
    cfg = resolve("smoke")
    first = stages.run_stage("t_sample", cfg)
    assert seen == {"g2": shipped}
    (shipped / "weights.bin").write_bytes(b"b" * 100)
    assert stages.artifact_path("t_sample", cfg) != first  # new weights, new key


def test_requires_follow_the_config():
    """What a stage reads depends on the config: a template caption set asks no g1; a shipped
    g2 or judge is a folder, a trained one is its stage's artifact."""
    stages.registry()
    shipped = resolve("mini")
    assert stages.inputs_of("captions", resolve("smoke", ["captions.strategy=template"])) == {}
    g1 = stages.inputs_of("captions", resolve("smoke", ["captions.strategy=c"]))["g1"]
    assert (g1.stage, g1.part) == ("g1", "model")
    trained = stages.inputs_of("cfg_study", resolve("smoke"))
    assert (trained["g2"].stage, trained["g2"].part, trained["judge"].stage) == ("g2", "pipeline", "judge")
    from_folders = stages.inputs_of("cfg_study", shipped)
    assert from_folders["g2"].name == "g2" and from_folders["judge"].name == "judge"
    assert stages.inputs_of("train", resolve("smoke", ["train.data=web"]))["world"].stage == "world"


def test_every_registered_build_takes_its_inputs():
    for name, st in stages.registry().items():
        assert list(inspect.signature(st.build).parameters)[2] == "inputs", name

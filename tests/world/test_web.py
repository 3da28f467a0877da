"""The mini-web stage: sizes, alt-text that names its scene, re-rendering, seed ranges."""
import numpy as np
import pytest

from synclr_lib.config import resolve
from synclr_lib.world import OBJECTS, SceneSpec, WorldError, alt_text, load_mini_web, mentions, render, sample_scene
from synclr_lib.world import web as web_module
from synclr_lib.world.alttext import ALT_TEXT_BACKGROUND_P, ALT_TEXT_COLOUR_P


@pytest.fixture(scope="module")
def smoke_web():
    return load_mini_web(resolve("smoke"))


def test_smoke_web_has_the_configured_size(smoke_web):
    cfg = resolve("smoke")
    n, size = cfg.world.n_web, cfg.world.image_size
    assert smoke_web.images.shape == (n, size, size, 3) and smoke_web.images.dtype == np.uint8
    assert len(smoke_web.texts) == len(smoke_web.specs) == n
    assert len(set(smoke_web.texts)) > 0.9 * n  # varied phrasing
    assert len({s["object"] for s in smoke_web.specs}) == len(OBJECTS)


def test_stored_images_are_the_renders_of_their_specs(smoke_web):
    for i in (0, 17, 311):
        image, _ = render(smoke_web.spec(i), smoke_web.images.shape[1])
        assert image.tobytes() == smoke_web.images[i].tobytes()


def test_alt_text_mentions_only_what_is_in_the_scene_and_always_the_objects():
    for seed in range(400):
        spec = sample_scene(seed)
        found = mentions(alt_text(spec))
        assert set(found["objects"]) == set(spec.concepts())
        assert set(found["colours"]) <= {spec.colour, spec.other_colour}
        assert set(found["backgrounds"]) <= {spec.background}
        assert found["relations"] == ([spec.relation] if spec.relation else [])
        assert set(found["counts"]) <= {spec.count}


def test_alt_text_names_colour_and_background_at_the_configured_rates():
    specs = [sample_scene(s, layout="single") for s in range(2000)]
    said = [mentions(alt_text(s)) for s in specs]
    colour_rate = np.mean([s.colour in m["colours"] for s, m in zip(specs, said)])
    background_rate = np.mean([s.background in m["backgrounds"] for s, m in zip(specs, said)])
    assert colour_rate == pytest.approx(ALT_TEXT_COLOUR_P, abs=0.04)
    assert background_rate == pytest.approx(ALT_TEXT_BACKGROUND_P, abs=0.04)


def test_prior_shapes_the_web_backgrounds():
    specs = [sample_scene(s, prior=1.0) for s in range(300)]
    from synclr_lib.world import plausible_backgrounds
    assert all(s.background in plausible_backgrounds(s.object) for s in specs)


def test_pool_and_serial_rendering_agree(monkeypatch):
    monkeypatch.setattr(web_module, "CHUNK", 16)
    specs = [sample_scene(s) for s in range(48)]
    serial = web_module.render_many(specs, 32, workers=1)
    pooled = web_module.render_many(specs, 32, workers=2)
    assert serial.tobytes() == pooled.tobytes()


def test_overlapping_seed_ranges_are_refused():
    cfg = resolve("smoke", ["world.web_seed=100", "world.eval_seed=300"])
    with pytest.raises(WorldError, match="overlap"):
        web_module.web_specs(cfg)


def test_spec_round_trip():
    spec = SceneSpec("dress", "navy", "wood", extras=(("oval", "lime"),), seed=3)
    assert SceneSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(WorldError, match="unknown SceneSpec fields"):
        SceneSpec.from_dict({**spec.to_dict(), "colour_name": "red"})

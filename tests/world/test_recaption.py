from synclr_lib.world import SceneSpec, mentions, sample_scene
from synclr_lib.world.recaption import recaption


def test_recaption_names_every_part_of_the_scene_canonically():
    for seed in range(300):
        spec = sample_scene(seed)
        found = mentions(recaption(spec))
        assert found["objects"][0] == spec.object and found["colours"][0] == spec.colour
        assert found["backgrounds"] == [spec.background] and found["sizes"] == [spec.size]
        assert found["relations"] == ([spec.relation] if spec.relation else [])
        if spec.other and spec.other != spec.object:
            assert found["objects"] == [spec.object, spec.other]
        if spec.count > 1:
            assert found["counts"] == [spec.count]


def test_recaption_wording():
    assert recaption(SceneSpec("sneaker", "red", "wood", size="small")) == "a small red sneaker on wood"
    assert recaption(SceneSpec("star", "orange", "sand", size="large", count=3)) == "three large orange stars on sand"
    assert recaption(SceneSpec("bag", "lime", "grass", relation="next to", other="heart", other_colour="navy")) == \
        "a medium lime bag next to a navy heart on grass"
    assert recaption(SceneSpec(None, background="stripes")) == "stripes texture"
    assert recaption(SceneSpec("oval", "orange", "wood", size="")) == "an orange oval on wood"

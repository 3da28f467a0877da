import dataclasses

import pytest

from synclr_lib.config import PROFILES, SECTIONS, Config, ConfigError, parse_overrides, resolve


def test_mini_is_the_defaults():
    assert resolve("mini") == Config(profile="mini")


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_profile_resolves_with_typed_values(profile):
    cfg = resolve(profile)
    for section in SECTIONS:
        obj = getattr(cfg, section)
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            expected = f.type if isinstance(f.type, type) else eval(f.type)
            assert isinstance(value, expected), (profile, section, f.name, value)


def test_overrides_are_parsed_by_type():
    cfg = resolve("smoke", ["train.steps=7", "train.lr=0.5", "run.bf16=false",
                            "images.unet_channels=32,64", 'captions.mix={"c": 1.0}', "captions.g1=/x/y"])
    assert cfg.train.steps == 7 and cfg.train.lr == 0.5 and cfg.run.bf16 == "false"
    assert cfg.images.unet_channels == (32, 64)
    assert cfg.captions.mix == {"c": 1.0} and cfg.captions.g1 == "/x/y"


def test_override_forms():
    assert parse_overrides("a.b=1 c.d=2") == {"a.b": "1", "c.d": "2"}
    assert parse_overrides({"a.b": 3}) == {"a.b": 3}
    assert parse_overrides(None) == {}


@pytest.mark.parametrize("profile, overrides, message", [
    ("bogus", [], "valid profiles: smoke, mini, gpu, paper"),
    ("mini", ["train.nope=1"], "valid keys in [train]"),
    ("mini", ["nope.steps=1"], "sections are run, world"),
    ("mini", ["train.steps=ten"], "train.steps expects int"),
    ("mini", ["run.bf16=maybe"], "run.bf16 expects auto, true, false"),
    ("mini", ["train.steps"], "must look like section.field=value"),
])
def test_bad_input_names_the_valid_choices(profile, overrides, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        resolve(profile, overrides)

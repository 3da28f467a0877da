"""The caption-strategy study (Table 2 analogue): one image directory per caption strategy."""
import numpy as np
import pytest

from synclr_lib.captions import load_captions, with_strategy
from synclr_lib.captions.sets import normalise
from synclr_lib.captions.strategies import StrategyError
from synclr_lib.config import resolve
from synclr_lib.images.shards import load_synthetic_images
from synclr_lib.images.strategy_study import (ALT_TEXT, alt_text_rows, strategy_study_dirs,
                                              strategy_study_table)
from synclr_lib.stages import artifact_path
from synclr_lib.world import load_mini_web

# Two strategies that need no g1: the study's code path without the language model.
STUDY = ["study.strategies=alt-text,template", "study.strategy_captions=3",
         "images.shard_size=8"]


def test_alt_text_rows_are_the_first_distinct_web_captions():
    cfg = resolve("smoke")
    rows = alt_text_rows(load_mini_web(cfg), 20)
    web = load_mini_web(cfg)
    assert [r["id"] for r in rows] == list(range(20))
    assert len({normalise(r["caption"]) for r in rows}) == 20
    assert rows[0]["caption"] == web.texts[0] and rows[0]["concept"] == web.specs[0]["object"]
    assert all(r["strategy"] == ALT_TEXT for r in rows)


def test_each_strategy_gets_its_first_captions_drawn_with_the_images_settings():
    cfg = resolve("smoke", STUDY)
    dirs = strategy_study_dirs(cfg)
    assert list(dirs) == ["alt-text", "template"]
    template = load_captions(with_strategy(cfg, "template"))[:3]
    ds = load_synthetic_images(dirs["template"])
    assert [r["caption"] for r in ds.captions] == [r["caption"] for r in template]
    assert ds.images.shape[0] == 3 * cfg.images.images_per_caption
    alt = load_synthetic_images(dirs["alt-text"])
    assert [r["caption"] for r in alt.captions] == [r["caption"] for r in alt_text_rows(load_mini_web(cfg), 3)]
    # image j of caption i has the same seed whatever the strategy: only the captions differ
    assert alt.index["generation"] == ds.index["generation"]
    scores = strategy_study_table(cfg)
    assert scores["strategy"].tolist() == ["alt-text", "template"]
    assert scores["captions"].tolist() == [3, 3]
    assert np.all((scores["fidelity_object"] >= 0) & (scores["fidelity_object"] <= 1))


def test_the_study_is_keyed_by_each_caption_set():
    cfg = resolve("smoke", STUDY)
    other = resolve("smoke", STUDY + ["captions.n_captions=32"])  # the template set changes
    assert artifact_path("strategy_study", cfg) != artifact_path("strategy_study", other)


def test_bad_strategies_fail_before_any_image():
    with pytest.raises(StrategyError, match="nonsense"):
        artifact_path("strategy_study", resolve("smoke", ["study.strategies=template,nonsense"]))
    with pytest.raises(ValueError, match="study.strategies is empty"):
        artifact_path("strategy_study", resolve("smoke", ["study.strategies=", "study.strategy_captions=2"]))
    with pytest.raises(ValueError, match="study.strategy_captions must be >= 1"):
        artifact_path("strategy_study", resolve("smoke", STUDY[:1] + ["study.strategy_captions=0"]))

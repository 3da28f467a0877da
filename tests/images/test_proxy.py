"""The world proxy: K renders per scene spec; what a caption leaves open is redrawn per render."""
import json

import numpy as np
import pytest

from synclr_lib.config import ConfigError, resolve
from synclr_lib.images.proxy import parse_open, proxy_rows, render_variations, write_world_proxy
from synclr_lib.world import SceneSpec


def test_parse_open():
    assert parse_open("colour, background") == ("colour", "background")
    assert parse_open("") == ()
    with pytest.raises(ConfigError, match="valid: colour, background"):
        parse_open("colour,shape")


def test_open_attributes_are_redrawn_per_render_and_pinned_ones_kept():
    rows = proxy_rows(40)
    pinned = [render_variations(r["spec"], 1000 + 10 * i, 4) for i, r in enumerate(rows)]
    opened = [render_variations(r["spec"], 1000 + 10 * i, 4, ("colour", "background")) for i, r in enumerate(rows)]
    for row, specs in zip(rows, pinned):
        assert {s.colour for s in specs} == {row["colour"]} and {s.background for s in specs} == {row["background"]}
    # objects, layout and the per-render jitter stay; colour and background vary within a caption
    for row, a, b in zip(rows, pinned, opened):
        assert [s.object for s in b] == [row["concept"]] * 4
        assert [(s.seed, s.rotation, s.scale, s.relation) for s in a] == [(s.seed, s.rotation, s.scale, s.relation)
                                                                         for s in b]
    assert np.mean([len({s.colour for s in specs}) > 1 for specs in opened]) > 0.9
    assert np.mean([len({s.background for s in specs}) > 1 for specs in opened]) > 0.8
    only_colour = render_variations(rows[0]["spec"], 7, 4, ("colour",))
    assert {s.background for s in only_colour} == {rows[0]["background"]}


def test_written_proxy_records_what_is_open(tmp_path):
    root = write_world_proxy(tmp_path / "proxy", 6, 2, 32, open_attributes=("colour",), progress=False)
    index = json.loads((root / "index.json").read_text())
    assert index["open"] == ["colour"]
    rows = [json.loads(line) for line in (root / "captions.jsonl").read_text().splitlines()]
    assert all(r["open"] == ["colour"] for r in rows)


def test_proxy_open_is_in_the_proxy_key_and_checked_before_training():
    from synclr_lib.images.proxy import _payload
    from synclr_lib.train.objectives import check_train_config

    assert _payload(resolve("mini"))["open"] == ["colour", "background"]
    assert "open" not in _payload(resolve("mini", ["train.proxy_open="]))
    with pytest.raises(ConfigError, match="proxy_open"):
        check_train_config(resolve("mini", ["train.proxy_open=size"]))
    assert isinstance(SceneSpec.from_dict(proxy_rows(1)[0]["spec"]), SceneSpec)

"""Caption sets: the cached stage, its rows, de-duplication, statistics, resuming, bad input."""
import json

import pytest

from synclr_lib.captions import sets
from synclr_lib.captions.generation import ModelNotFoundError
from synclr_lib.captions.sets import (build_caption_set, caption_set_path, caption_set_stats,
                                      load_captions, normalise)
from synclr_lib.captions.strategies import StrategyError
from synclr_lib.stages import full_payload, run_stage
from synclr_lib.world import OBJECTS

from .conftest import tiny_cfg

FIELDS = {"id", "caption", "concept", "strategy", "template", "background", "relation",
          "second_object", "seed", "demonstrations", "new_tokens"}


def test_mix_caption_set_with_the_mini_g1(capsys):
    cfg = tiny_cfg("captions.n_captions=48", "captions.chunk_size=32", "captions.batch_size=16",
                   "captions.max_new_tokens=8")
    rows = load_captions(cfg)
    assert len(rows) == 48 and set(rows[0]) == FIELDS
    assert [r["id"] for r in rows] == list(range(48))
    assert len({normalise(r["caption"]) for r in rows}) == 48 and all(r["caption"] for r in rows)
    assert {r["strategy"] for r in rows} <= {"c", "c_bg", "c_rel"}
    assert all(r["new_tokens"] <= 8 and len(r["demonstrations"]) == 3 for r in rows)
    assert all(r["concept"] in OBJECTS for r in rows)
    stats = caption_set_stats(cfg)
    for key in ("distinct_1", "distinct_2", "vocabulary_size", "concept_coverage", "mean_words",
                "embedding_diversity", "mention_rate"):
        assert key in stats
    assert caption_set_path(cfg).name == "captions.jsonl"
    load_captions(cfg)
    assert "captions: reusing" in capsys.readouterr().out
    assert "g1" in full_payload("captions", cfg)["requires"]  # g1 is an input of an LM strategy


def test_template_set_needs_no_lm_and_covers_every_concept():
    cfg = tiny_cfg("captions.strategy=template", "captions.n_captions=80")
    rows = load_captions(cfg)
    assert len(rows) == 80 and {r["strategy"] for r in rows} == {"template"}
    assert {r["concept"] for r in rows} == set(OBJECTS)
    assert "g1" not in full_payload("captions", cfg)["requires"]  # a template set reads no g1


def test_bad_input_gives_one_clear_error_each(tmp_path):
    with pytest.raises(StrategyError, match="unknown caption strategy"):
        run_stage("captions", tiny_cfg("captions.strategy=nonsense"))
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        run_stage("captions", tiny_cfg(f"captions.g1={tmp_path / 'missing'}"))
    empty = tmp_path / "classes.txt"
    empty.write_text("\n")
    with pytest.raises(StrategyError, match="empty"):
        run_stage("captions", tiny_cfg(f"captions.concepts={empty}", "captions.strategy=template"))


def test_a_killed_caption_run_keeps_its_finished_chunks(tmp_path, monkeypatch):
    cfg = tiny_cfg("captions.strategy=template", "captions.n_captions=60", "captions.chunk_size=20")
    calls = []
    real = sets.chunk_rows

    def dies_on_chunk_2(cfg, k, *a, **kw):
        calls.append(k)
        if k == 2 and calls.count(2) == 1:
            raise KeyboardInterrupt
        return real(cfg, k, *a, **kw)

    monkeypatch.setattr(sets, "chunk_rows", dies_on_chunk_2)
    with pytest.raises(KeyboardInterrupt):
        build_caption_set(cfg, tmp_path, progress=False)
    build_caption_set(cfg, tmp_path, progress=False)
    assert calls[:4] == [0, 1, 2, 2] and calls.count(0) == calls.count(1) == 1  # 3+: top-up chunks
    whole = tmp_path / "again"
    whole.mkdir()
    monkeypatch.setattr(sets, "chunk_rows", real)
    build_caption_set(cfg, whole, progress=False)
    assert (tmp_path / "captions.jsonl").read_text() == (whole / "captions.jsonl").read_text()
    assert json.loads((whole / "stats.json").read_text())["n_captions"] == 60

"""Every stage with sub-folders resumes after a kill to the bytes of an uninterrupted build:
the caption set (chunk files), the CFG study (one image directory per scale) and the
caption-strategy study (one per strategy). The images and train stages have their own."""
import json
import shutil

import pytest

from synclr_lib.captions import sets
from synclr_lib.config import resolve
from synclr_lib.images import generate
from synclr_lib.stages import run_stage

SKIP = {"meta.json", "DONE"}  # they record when and how long: the only files allowed to differ
TIMINGS = {"stats.json": ("generation_seconds",)}  # wall-time fields inside otherwise identical files


def _files(root):
    return {p.relative_to(root).as_posix(): _without_timings(p) for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in SKIP}


def _without_timings(path):
    if path.name not in TIMINGS:
        return path.read_bytes()
    data = json.loads(path.read_text())
    return {k: v for k, v in data.items() if k not in TIMINGS[path.name]}


CASES = {
    "captions": (["captions.chunk_size=16"], sets, "chunk_rows", 3),
    "cfg_study": (["images.shard_size=8"], generate, "write_shard", 6),  # 4 shards per scale: dies in the 2nd scale
    "strategy_study": (["study.strategies=alt-text,template", "study.strategy_captions=3",
                        "images.shard_size=8"], generate, "write_shard", 3),  # dies in the 2nd strategy
}


@pytest.mark.parametrize("stage", list(CASES))
def test_a_killed_stage_resumes_to_the_same_bytes(stage, monkeypatch, tmp_path):
    overrides, module, function, die_at = CASES[stage]
    cfg = resolve("smoke", ["run.threads=1", *overrides])
    final = run_stage(stage, cfg)
    reference = _files(final)
    shutil.move(str(final), str(tmp_path / "uninterrupted"))
    calls = {"n": 0}
    real = getattr(module, function)

    def dies(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == die_at:
            raise KeyboardInterrupt  # what a kill leaves: the work dir with the finished parts
        return real(*args, **kwargs)

    monkeypatch.setattr(module, function, dies)
    with pytest.raises(KeyboardInterrupt):
        run_stage(stage, cfg)
    assert not final.exists()
    monkeypatch.setattr(module, function, real)
    resumed = run_stage(stage, cfg)
    assert resumed == final and _files(resumed) == reference

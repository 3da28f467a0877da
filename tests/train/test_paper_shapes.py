"""The paper's ViT-B/16 through the real training code: one SynCLR step at the `paper`
profile's settings, only the batch shrunk (slow: a full-size ViT-B on CPU)."""
import math

import pytest

from synclr_lib.config import resolve
from synclr_lib.train import load_encoder, train
from synclr_lib.train.data import from_synthetic

from .conftest import write_tiny_shards

# only the batch and the device differ from the paper profile (2 captions x 4 images)
SMALL_BATCH = ["run.device=cpu", "run.bf16=false", "train.steps=1", "train.captions_per_batch=2"]


@pytest.mark.slow
def test_one_paper_profile_step_of_vit_b16(tmp_path):
    cfg = resolve("paper", SMALL_BATCH)
    t = cfg.train
    assert (t.image_size, t.images_per_caption, t.method) == (224, 4, "synclr")
    assert set(t.components.split(",")) == {"ema", "ibot", "multicrop"}
    data = from_synthetic(write_tiny_shards(tmp_path / "data", n_captions=4, per_caption=4, size=224,
                                            captions_per_shard=4))
    summary = train(cfg, data, tmp_path / "out", progress=False)
    assert summary["steps"] == 1 and math.isfinite(summary["final"]["loss"])
    enc = load_encoder(tmp_path / "out")
    c = enc.config
    assert (c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.patch_size, c.image_size) == (
        12, 768, 12, 16, 224)


def _torchrun_train(sets, artifacts, **popen):
    import os
    import subprocess
    import sys

    env = {**os.environ, "SYNCLR_ARTIFACTS": str(artifacts), "OMP_NUM_THREADS": "1"}
    args = [a for s in sets for a in ("--set", s)]
    return subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                             "-m", "synclr_lib", "train", "--profile", "paper", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, **popen)


def _group(pid: int) -> int | None:
    import os

    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _descendants(pid: int) -> list[int]:
    """Child processes of `pid`, recursively (from /proc: Linux)."""
    from pathlib import Path

    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


@pytest.mark.slow
def test_torchrun_paper_profile_resumes_after_a_kill_to_the_same_weights(tmp_path):
    """2 CPU processes (gloo), ViT-B/16 at the `paper` profile's settings, 4 steps: torchrun and
    its workers killed (SIGKILL) after the first checkpoint, then the same command again, ends
    with the weights of an uninterrupted run."""
    import os
    import signal
    import time

    import torch
    from safetensors.torch import load_file

    data = write_tiny_shards(tmp_path / "data", n_captions=4, per_caption=4, size=224, captions_per_shard=4)
    sets = ["run.device=cpu", "run.bf16=false", "run.threads=1", "train.steps=4", "run.checkpoint_every=2",
            "train.captions_per_batch=2", f"train.data_dir={data}",
            # the profile's g1/g2 are placeholders for local checkouts, which the CLI checks before
            # any stage runs; training from train.data_dir reads neither
            "captions.g1=mini-train", "images.g2=mini-train"]

    straight = _torchrun_train(sets, tmp_path / "straight")
    out, _ = straight.communicate(timeout=900)
    assert straight.returncode == 0, out[-3000:]

    killed = _torchrun_train(sets, tmp_path / "killed", start_new_session=True)
    train_dir = tmp_path / "killed" / "train"
    deadline = time.monotonic() + 900
    while not list(train_dir.glob(".partial-*/checkpoint.pt")):
        assert killed.poll() is None, "the run ended before its first checkpoint"
        assert time.monotonic() < deadline, "no checkpoint in time"
        time.sleep(0.2)
    # torchrun starts each worker in a session of its own, so killing the launcher's process
    # group alone leaves the workers running to the end: kill every group, as a lost node would
    groups = ({_group(p) for p in _descendants(killed.pid)} - {None}) | {killed.pid}
    assert len(groups) >= 3, groups  # the launcher's and one per worker
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
    killed.communicate(timeout=60)
    for group in groups:  # the orphaned workers are reaped by init: wait until they are gone
        while True:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, f"process group {group} survived SIGKILL"
            time.sleep(0.1)
    (work,) = train_dir.glob(".partial-*")
    assert not (train_dir / work.name.removeprefix(".partial-")).exists()
    assert torch.load(work / "checkpoint.pt", weights_only=False)["step"] < 4

    resumed = _torchrun_train(sets, tmp_path / "killed")
    out, _ = resumed.communicate(timeout=900)
    assert resumed.returncode == 0, out[-3000:]

    (a,) = (tmp_path / "straight" / "train").iterdir()
    (b,) = (p for p in train_dir.iterdir() if not p.name.startswith("."))
    assert a.name == b.name  # the same cache key: the data dir is fingerprinted by content
    assert (b / "DONE").exists() and not work.exists()
    w1 = load_file(a / "encoder" / "model.safetensors")
    w2 = load_file(b / "encoder" / "model.safetensors")
    assert w1.keys() == w2.keys()
    for key in w1:
        assert torch.equal(w1[key], w2[key]), key

"""Test-suite fixtures: every test writes artifacts and reports into temporary directories."""
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", "4294967296")
os.environ.setdefault("MALLOC_TRIM_THRESHOLD_", "68719476736")


@pytest.fixture(autouse=True)
def isolated_outputs(tmp_path_factory, monkeypatch):
    """Point artifacts/, reports/ and the machine cache at a per-session temporary directory."""
    root = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(root / "artifacts"))
    monkeypatch.setenv("SYNCLR_REPORTS", str(root / "reports"))
    monkeypatch.setenv("SYNCLR_MACHINE_CACHE", str(root / "machine"))  # run.bf16=auto's measurement
    monkeypatch.delenv("FORCE", raising=False)
    from synclr_lib import cache

    monkeypatch.setattr(cache, "_announced", set())  # the artifacts are shared: each test hears its reuses
    yield


@pytest.fixture
def paired_scores():
    """A factory of long score tables (one row per (cfg_scale, caption_id)): caption c at scale
    s = base_c + shift_s + noise, the same captions at every scale (tests of paired changes)."""
    import numpy as np
    import pandas as pd

    def make(per_scale_shift, n=200, noise=0.5, seed=0, column="x"):
        rng = np.random.default_rng(seed)
        base = rng.normal(size=n)
        return pd.DataFrame([{"cfg_scale": s, "caption_id": c, column: base[c] + shift + noise * rng.normal()}
                             for s, shift in per_scale_shift.items() for c in range(n)])
    return make

"""Test-suite fixtures: every test writes artifacts and reports into temporary directories."""
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", "4294967296")
os.environ.setdefault("MALLOC_TRIM_THRESHOLD_", "68719476736")


@pytest.fixture(autouse=True)
def isolated_outputs(tmp_path_factory, monkeypatch):
    """Point artifacts/ and reports/ at a per-session temporary directory."""
    root = tmp_path_factory.getbasetemp()
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(root / "artifacts"))
    monkeypatch.setenv("SYNCLR_REPORTS", str(root / "reports"))
    monkeypatch.delenv("FORCE", raising=False)
    yield

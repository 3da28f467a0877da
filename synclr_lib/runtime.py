"""Runtime hygiene: seeding, threads, fresh generators and an environment report.

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import contextlib
import os
import platform
import random
import subprocess
from importlib import metadata

import numpy as np

from .paths import REPO_ROOT

# Packages whose versions are written beside every artifact.
TRACKED_PACKAGES = ("torch", "numpy", "diffusers", "transformers", "tokenizers", "kornia",
                    "scikit-learn", "scikit-image", "papermill", "jupytext")


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch's global generators (prefer `generator()` in new code)."""
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def generator(seed: int):
    """A fresh CPU torch.Generator: draws depend only on `seed`, never on earlier calls."""
    import torch

    return torch.Generator(device="cpu").manual_seed(int(seed))


def rng(seed: int) -> np.random.Generator:
    """A fresh numpy Generator for `seed`."""
    return np.random.default_rng(seed)


def set_threads(threads: int = 0) -> int:
    """torch intra-op threads = cores (or `threads` when > 0); returns the count used."""
    import torch

    n = threads if threads > 0 else (os.cpu_count() or 1)
    torch.set_num_threads(n)
    return n


@contextlib.contextmanager
def single_thread():
    """Run the block on one torch thread: float32 convolutions then give the same bits
    whatever torch.get_num_threads() was (1e-6 differences otherwise flip rounded pixels)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process exit when `parent_pid` dies, even by SIGKILL.

    A killed notebook kernel or CLI run otherwise leaves its spawned workers drawing images
    on cores nobody is watching. Linux only (prctl PR_SET_PDEATHSIG); a no-op elsewhere."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def git_commit() -> str:
    """The repository's HEAD commit (with '+dirty' when the tree has changes), or 'unknown'."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO_ROOT, capture_output=True, text=True).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def package_versions(names=TRACKED_PACKAGES) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def environment_report() -> dict[str, object]:
    """Versions, cores, threads and malloc settings: printed by 00_overview."""
    import torch

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "cuda_available": torch.cuda.is_available(),
        "MALLOC_MMAP_THRESHOLD_": os.environ.get("MALLOC_MMAP_THRESHOLD_", "unset"),
        "MALLOC_TRIM_THRESHOLD_": os.environ.get("MALLOC_TRIM_THRESHOLD_", "unset"),
        "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "unset"),
        "git_commit": git_commit(),
        **{f"pkg:{k}": v for k, v in package_versions().items()},
    }

"""Runtime hygiene: seeding, threads, fresh generators, an environment report, and what
`run.bf16` (auto | true | false) resolves to on this machine (`bf16_enabled(cfg)`).

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from .atomic import atomic_write
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


def idle_cores(sample_s: float = 0.25) -> int:
    """Cores that other processes leave idle, measured over `sample_s` (at least 1)."""
    import psutil

    cores = os.cpu_count() or 1
    busy = psutil.cpu_percent(interval=sample_s) / 100 * cores
    return max(1, cores - int(round(busy)))


def set_threads(threads: int = 0) -> int:
    """torch intra-op threads = `threads` when > 0, else the cores idle right now: an OpenMP team
    larger than the free cores waits at every barrier for a descheduled thread (a 2-thread step
    beside one busy core ran 4-10x slower, one thread not at all: benchmarks/results/bench_wait_policy.md).
    Returns the count used."""
    import torch

    n = threads if threads > 0 else idle_cores()
    cores = os.cpu_count() or 1
    if threads <= 0 and n < cores:
        print(f"[threads] {cores - n} of {cores} cores are busy with other processes: using {n} torch "
              f"thread(s); set run.threads to choose", file=sys.stderr)
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


@contextlib.contextmanager
def quiet_model_io():
    """Hide transformers' and diffusers' own bars ("Loading weights", "Writing model shards",
    "Loading pipeline components") for the block: a local load takes well under a second, and
    such a bar opened inside one of ours leaves cursor-movement codes in notebook output."""
    from transformers.utils import logging as transformers_logging

    modules = [transformers_logging]
    if "diffusers" in sys.modules:  # a block that loads diffusers models imports it first
        from diffusers.utils import logging as diffusers_logging

        modules.append(diffusers_logging)
    modules = [m for m in modules if m.is_progress_bar_enabled()]
    for m in modules:
        m.disable_progress_bar()
    try:
        yield
    finally:
        for m in modules:
            m.enable_progress_bar()


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


def gather_with_grad(x):
    """x from every torchrun rank, concatenated along dim 0 in rank order and differentiable
    (the backward sums each rank's gradient); x itself in a single process. Below models/ and
    train/, which both need it (the projection head's BatchNorm, the loss's candidates)."""
    import torch
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
        return x
    import warnings

    import torch.distributed.nn.functional as dist_fn

    with warnings.catch_warnings():  # deprecated, but its successor needs reduce_scatter (not in gloo)
        warnings.simplefilter("ignore", FutureWarning)
        return torch.cat(dist_fn.all_gather(x.contiguous()), 0)


# --------------------------------------------------------------------------------------
# bf16 autocast: `run.bf16` = auto | true | false, resolved once per process to a bool
# --------------------------------------------------------------------------------------
BF16_MAX_TIME_RATIO = 0.9  # auto turns bf16 on only when its probe time is below this share of fp32's
BF16_PROBE_BUDGET_S = 2.0  # the probe starts no new repetition after this many seconds
BF16_PROBE_REPEATS = 5  # timed repetitions of each precision (the median is kept)
MACHINE_CACHE_ENV = "SYNCLR_MACHINE_CACHE"  # folder of per-machine measurements (default ~/.cache/synclr_lib)

_BF16_DECISIONS: dict[tuple, "Bf16Decision"] = {}  # (setting, device) -> the decision: one per process, printed once


@dataclasses.dataclass(frozen=True)
class Bf16Decision:
    setting: str  # "auto" | "true" | "false", as configured
    enabled: bool  # what the call sites use
    reason: str  # one clause: why

    def line(self) -> str:
        return f"bf16 autocast: {'on' if self.enabled else 'off'} ({self.reason})"

    def as_meta(self) -> dict:
        return dataclasses.asdict(self)


def machine_cache_dir() -> Path:
    """Where per-machine measurements live: $SYNCLR_MACHINE_CACHE, else ~/.cache/synclr_lib
    (outside the repository: they describe the machine, not the project)."""
    if os.environ.get(MACHINE_CACHE_ENV):
        return Path(os.environ[MACHINE_CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "synclr_lib"


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux), else what platform reports."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine_key() -> dict[str, object]:
    """What a CPU timing depends on: the CPU, the ISA torch dispatches to, torch, threads."""
    import torch

    return {"cpu": cpu_model(), "capability": torch.backends.cpu.get_cpu_capability(),
            "torch": torch.__version__, "threads": torch.get_num_threads()}


def time_fp32_and_bf16(budget_s: float = BF16_PROBE_BUDGET_S,
                       repeats: int = BF16_PROBE_REPEATS) -> tuple[float, float]:
    """Median seconds of one forward+backward of a small conv block + MLP on the CPU, in fp32
    and under bf16 autocast (interleaved after one warm-up each; no new repetition past budget_s)."""
    import torch
    from torch import nn

    class Probe(nn.Module):  # a conv stem feeding an MLP on its tokens: both kinds of kernel
        def __init__(self):
            super().__init__()
            self.conv = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.GELU(),
                                      nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.GELU())
            self.mlp = nn.Sequential(nn.Linear(64, 256), nn.GELU(), nn.Linear(256, 64))

        def forward(self, x):
            return self.mlp(self.conv(x).flatten(2).transpose(1, 2))

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = Probe()
        images = torch.randn(8, 3, 32, 32)

    def step(bf16: bool) -> float:
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(images).float().square().mean()
        loss.backward()
        model.zero_grad(set_to_none=True)
        return time.perf_counter() - start

    deadline = time.perf_counter() + budget_s
    step(False), step(True)  # warm-up: kernel selection and allocations
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeats):
        for bf16 in (False, True):
            times[bf16].append(step(bf16))
        if time.perf_counter() > deadline:
            break
    return statistics.median(times[False]), statistics.median(times[True])


def measured_cpu_bf16() -> dict:
    """The probe's timings on this machine: read from the machine cache, or measured once and
    stored there (a file lock makes concurrent processes, e.g. torchrun ranks, measure once)."""
    key = machine_key()
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
    path = machine_cache_dir() / f"bf16-{digest}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        _lock(lock)
        if path.is_file():
            try:
                record = json.loads(path.read_text())
                if record.get("key") == key:
                    return {**record, "path": str(path), "cached": True}
            except (OSError, json.JSONDecodeError):
                pass  # a damaged file: measure again
        fp32_s, bf16_s = time_fp32_and_bf16()
        record = {"key": key, "fp32_s": fp32_s, "bf16_s": bf16_s,
                  "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(record, indent=2)))
    return {**record, "path": str(path), "cached": False}


def _lock(file) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: concurrent first runs may each measure
        return
    fcntl.flock(file, fcntl.LOCK_EX)  # released when the file is closed


def _run_section(cfg_or_run):
    return getattr(cfg_or_run, "run", cfg_or_run)


def bf16_decision(cfg_or_run) -> Bf16Decision:
    """Resolve `run.bf16` (a Config or its run section) for `run.device`, once per process (so
    cache keys and the run agree even if threads change later); the first call prints one line.
    auto: on cuda, torch.cuda.is_bf16_supported(); on the CPU, on only when a probe runs in
    under BF16_MAX_TIME_RATIO of fp32's time (measured once per machine, measured_cpu_bf16)."""
    from .config import parse_bf16_setting

    run = _run_section(cfg_or_run)
    memo = (parse_bf16_setting(run.bf16), str(run.device).split(":")[0])
    if memo not in _BF16_DECISIONS:
        decision = _decide_bf16(*memo)
        print(decision.line(), file=sys.stderr, flush=True)  # a notice, not output: stdout stays the caller's
        _BF16_DECISIONS[memo] = decision
    return _BF16_DECISIONS[memo]


def bf16_enabled(cfg_or_run) -> bool:
    """Whether bf16 autocast is on for this config (see bf16_decision)."""
    return bf16_decision(cfg_or_run).enabled


def _decide_bf16(setting: str, device: str) -> Bf16Decision:
    if setting != "auto":
        return Bf16Decision(setting, setting == "true", f"run.bf16={setting}")
    if device == "cuda":
        import torch

        supported = torch.cuda.is_available() and torch.cuda.is_bf16_supported(including_emulation=False)
        return Bf16Decision(setting, supported, f"auto: torch.cuda.is_bf16_supported() is {supported}")
    if device != "cpu":
        return Bf16Decision(setting, False, f"auto: no bf16 rule for device {device!r}")
    m = measured_cpu_bf16()
    threads = m["key"]["threads"]
    enabled = m["bf16_s"] < BF16_MAX_TIME_RATIO * m["fp32_s"]
    faster, slower, ratio = (("bf16", "fp32", m["fp32_s"] / m["bf16_s"]) if m["bf16_s"] < m["fp32_s"]
                             else ("fp32", "bf16", m["bf16_s"] / m["fp32_s"]))
    how = "cached" if m["cached"] else "measured"
    return Bf16Decision(setting, enabled,
                        f"auto: {faster} {ratio:.1f}x faster than {slower} on this CPU, "
                        f"{m['key']['capability'].lower()}, {threads} thread{'s' if threads != 1 else ''}; "
                        f"{how} in {m['path']}")

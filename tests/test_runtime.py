"""Runtime helpers: a worker started with die_with_parent does not outlive a killed parent."""
import os
import signal
import subprocess
import sys
import time

import pytest

PARENT = r"""
import multiprocessing as mp, os, sys, time
from synclr_lib.runtime import die_with_parent

def child(parent_pid):
    die_with_parent(parent_pid)
    time.sleep(60)

if __name__ == "__main__":
    p = mp.get_context("spawn").Process(target=child, args=(os.getpid(),), daemon=True)
    p.start()
    print(p.pid, flush=True)
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_worker_exits_when_its_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child_pid = int(parent.stdout.readline())
    time.sleep(1.0)  # the child has called prctl by now (it imports little)
    assert _alive(child_pid)
    os.kill(parent.pid, signal.SIGKILL)  # no cleanup handler can run
    parent.wait()
    deadline = time.time() + 20
    while _alive(child_pid) and time.time() < deadline:
        time.sleep(0.2)
    assert not _alive(child_pid)


# --------------------------------------------------------------------------------------
# run.bf16 = auto | true | false
# --------------------------------------------------------------------------------------
from pathlib import Path  # noqa: E402

from synclr_lib import runtime  # noqa: E402
from synclr_lib.config import ConfigError, resolve  # noqa: E402


@pytest.fixture
def probe(monkeypatch, tmp_path):
    """A fresh process memo and machine cache; `probe.times = (fp32_s, bf16_s)` sets what the
    (never really run) timing function returns and `probe.calls` counts its runs."""
    class Probe:
        times = (1.0, 1.0)
        calls = 0

        def __call__(self, *args, **kwargs):
            self.calls += 1
            return self.times

    fake = Probe()
    monkeypatch.setenv(runtime.MACHINE_CACHE_ENV, str(tmp_path / "machine"))
    monkeypatch.setattr(runtime, "_BF16_DECISIONS", {})
    monkeypatch.setattr(runtime, "time_fp32_and_bf16", fake)
    return fake


@pytest.mark.parametrize("times, enabled, faster", [
    ((0.10, 0.50), False, "fp32 5.0x faster than bf16"),  # AVX2-like: bf16 emulated, slower
    ((0.10, 0.05), True, "bf16 2.0x faster than fp32"),  # native bf16
    ((0.10, 0.095), False, "bf16 1.1x faster than fp32"),  # faster, but not by the margin
])
def test_auto_picks_the_faster_precision_on_the_cpu(probe, times, enabled, faster, capsys):
    probe.times = times
    cfg = resolve("mini")
    assert cfg.run.bf16 == "auto"
    assert runtime.bf16_enabled(cfg) is enabled
    decision = runtime.bf16_decision(cfg.run)  # the run section works too; memoised
    assert decision.setting == "auto" and faster in decision.reason and probe.calls == 1
    printed = capsys.readouterr().err.splitlines()
    assert printed == [f"bf16 autocast: {'on' if enabled else 'off'} ({decision.reason})"]


def test_the_measurement_is_cached_per_machine(probe):
    probe.times = (0.10, 0.50)
    first = runtime.bf16_decision(resolve("mini"))
    runtime._BF16_DECISIONS.clear()  # a new process
    again = runtime.bf16_decision(resolve("smoke"))
    assert probe.calls == 1 and first.enabled == again.enabled is False
    assert "measured in" in first.reason and "cached in" in again.reason
    files = list(Path(runtime.machine_cache_dir()).glob("bf16-*.json"))
    assert len(files) == 1 and runtime.machine_key()["capability"].lower() in again.reason


@pytest.mark.parametrize("value, enabled", [("true", True), ("false", False), ("1", True), ("no", False),
                                            (True, True), (False, False), ("On", True)])
def test_true_and_false_force_it_without_measuring(probe, value, enabled):
    cfg = resolve("mini", {"run.bf16": value})
    assert cfg.run.bf16 == ("true" if enabled else "false")
    assert runtime.bf16_enabled(cfg) is enabled and probe.calls == 0


def test_auto_on_cuda_asks_torch_and_never_measures(probe, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    decision = runtime.bf16_decision(resolve("gpu"))
    assert decision.enabled is False and "is_bf16_supported" in decision.reason and probe.calls == 0


@pytest.mark.parametrize("value", ["maybe", "2", "", 0.5])
def test_a_bad_bf16_value_is_a_config_error(value):
    with pytest.raises(ConfigError, match=r"run\.bf16 expects auto, true, false"):
        resolve("mini", {"run.bf16": value})


def test_cache_keys_and_meta_hold_the_resolved_choice(probe, tmp_path):
    from synclr_lib.cache import cached, read_meta
    from synclr_lib.stages import run_facts

    probe.times = (0.10, 0.50)
    cfg = resolve("mini")
    path = cached("toy", {"bf16": runtime.bf16_enabled(cfg)}, lambda out: None, root=tmp_path,
                  verbose=False, run_facts=lambda: run_facts(cfg))
    meta = read_meta(path)
    assert meta["config"] == {"bf16": False}
    assert meta["bf16"]["setting"] == "auto" and meta["bf16"]["enabled"] is False
    assert "fp32 5.0x faster" in meta["bf16"]["reason"]


def test_no_call_site_reads_the_setting_as_a_bool():
    """`run.bf16` is "auto" | "true" | "false" (all truthy): code must ask bf16_enabled(cfg)."""
    import re

    root = Path(__file__).resolve().parent.parent
    offenders = [str(p.relative_to(root)) for folder in ("synclr_lib", "notebooks", "benchmarks")
                 for p in sorted((root / folder).rglob("*.py"))
                 if p != root / "synclr_lib" / "runtime.py" and re.search(r"\.run\.bf16\b", p.read_text())]
    assert offenders == []


def test_the_real_probe_times_both_precisions():
    fp32_s, bf16_s = runtime.time_fp32_and_bf16(budget_s=0.0, repeats=1)
    assert fp32_s > 0 and bf16_s > 0


def test_the_machine_cache_lives_outside_the_repository(monkeypatch):
    monkeypatch.delenv(runtime.MACHINE_CACHE_ENV, raising=False)
    assert runtime.REPO_ROOT not in runtime.machine_cache_dir().parents


def test_auto_threads_leave_busy_cores_alone(monkeypatch, capsys):
    """run.threads=0 takes the cores other processes leave idle: a 2-thread step beside one busy
    core ran 4-10x slower than alone, a 1-thread step not at all (bench_wait_policy.md)."""
    import os

    import psutil
    import torch

    from synclr_lib.runtime import set_threads

    cores = os.cpu_count() or 1
    before = torch.get_num_threads()
    try:
        monkeypatch.setattr(psutil, "cpu_percent", lambda interval=None: 100.0 / cores)  # one core busy
        assert set_threads(0) == max(1, cores - 1) == torch.get_num_threads()
        if cores > 1:
            assert "busy with other processes" in capsys.readouterr().err
        monkeypatch.setattr(psutil, "cpu_percent", lambda interval=None: 0.0)
        assert set_threads(0) == cores
        monkeypatch.setattr(psutil, "cpu_percent", lambda interval=None: 100.0)
        assert set_threads(0) == 1  # never zero
        assert set_threads(3) == 3  # an explicit count is kept whatever the load
    finally:
        torch.set_num_threads(before)

"""The notebooks' first call: config, threads and the outputs folder of the profile."""
import os

from synclr_lib import paths
from synclr_lib.session import RUNNER_PID_ENV, start


def test_start_sends_outputs_to_the_profile_folder(monkeypatch, capsys):
    monkeypatch.delenv(paths.PROFILE_ENV, raising=False)
    try:
        cfg = start("smoke", ["run.threads=1"])
        assert cfg.profile == "smoke" and paths.reports_dir() == paths.reports_root() / "smoke"
        assert "outputs:" in capsys.readouterr().out
        start("mini", ["run.threads=1"])
        assert paths.reports_dir() == paths.reports_root()  # the default profile: reports/ itself
    finally:
        paths.use_profile(None)


def test_reports_dir_follows_the_runner_environment(monkeypatch):
    monkeypatch.setenv(paths.PROFILE_ENV, "paper")
    assert paths.reports_dir() == paths.reports_root() / "paper"
    assert paths.reports_dir("mini") == paths.reports_root()


def test_a_kernel_exits_with_the_runner():
    """A kernel started by the notebook runner dies with it (a killed `make figures` leaves no
    kernel building a stage that the next run builds too)."""
    import signal
    import subprocess
    import sys
    import time

    code = ("import os, subprocess, sys, time\n"
            f"env = dict(os.environ, {RUNNER_PID_ENV}=str(os.getpid()))\n"
            "child = subprocess.Popen([sys.executable, '-c', 'from synclr_lib.session import start; "
            "start(\"smoke\", [\"run.threads=1\"], verbose=False); import time; print(\"ready\", flush=True); "
            "time.sleep(60)'], env=env, stdout=subprocess.PIPE, text=True)\n"
            "assert child.stdout.readline().strip() == 'ready'\n"
            "print(child.pid, flush=True)\n"
            "time.sleep(60)\n")
    runner = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    kernel_pid = int(runner.stdout.readline())
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.kill(kernel_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(kernel_pid, signal.SIGKILL)
    raise AssertionError("the kernel outlived its runner")


def test_start_rejects_a_bad_value_before_anything_runs():
    import pytest

    from synclr_lib.config import ConfigError

    with pytest.raises(ConfigError, match="train.steps=-3"):
        start("smoke", ["train.steps=-3"])

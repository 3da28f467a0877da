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

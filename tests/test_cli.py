import subprocess
import sys

import pytest

from synclr_lib.__main__ import main


def test_config_prints_resolved(capsys):
    assert main(["config", "--profile", "smoke", "--set", "train.steps=3"]) == 0
    assert '"steps": 3' in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["config", "--profile", "nope"], "valid profiles"),
    (["config", "--set", "train.steps=x"], "expects int"),
    (["no_such_stage", "--profile", "smoke"], "unknown stage"),
    (["notebook", "99_nothing", "--profile", "smoke"], "valid notebooks"),
])
def test_bad_input_exits_2_with_one_error(argv, message, capsys, tmp_path):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_profile_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNCLR_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    proc = subprocess.run([sys.executable, "-m", "synclr_lib", "notebooks", "--profile", "bogus"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "valid profiles" in proc.stderr
    assert not (tmp_path / "reports").exists() and not (tmp_path / "artifacts").exists()


def test_package_sets_offline_flags():
    out = subprocess.run([sys.executable, "-c", "import os, synclr_lib; print(os.environ['HF_HUB_OFFLINE'])"],
                         capture_output=True, text=True, env={"PATH": ""})
    assert out.stdout.strip() == "1"

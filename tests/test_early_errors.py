"""A bad config stops the command line and `make figures` before any stage or notebook runs,
with one line `error: ...` and exit status 2, writing nothing; a notebook that fails while
running keeps its executed copy for inspection."""
import json
import os
import re
import subprocess
import sys

import pytest

from synclr_lib import paths, stages
from synclr_lib.__main__ import main
from synclr_lib.notebook_runner import run_notebook

BAD = [
    ("train.steps=-3", "error: train.steps=-3: expected an integer >= 1"),
    ("images.g2=/nonexistent", "error: images.g2='/nonexistent': /nonexistent is not a directory; expected 'mini-train'"),
    ("captions.g1=/nonexistent", "error: captions.g1='/nonexistent': /nonexistent is not a directory; expected 'mini-train'"),
]


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    """Fresh artifacts/ and reports/ folders (not created), so a test sees whatever is written."""
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("SYNCLR_REPORTS", str(tmp_path / "reports"))
    return tmp_path


@pytest.fixture
def nothing_may_run(monkeypatch):
    def refuse(what):
        def fail(*args, **kwargs):
            raise AssertionError(f"{what} ran with a bad config")
        return fail

    import papermill

    monkeypatch.setattr(stages, "run_stage", refuse("a stage"))
    monkeypatch.setattr(papermill, "execute_notebook", refuse("a notebook"))


@pytest.mark.parametrize("override, message", BAD)
@pytest.mark.parametrize("command", ["train", "images", "notebooks"])
def test_bad_config_fails_before_anything_runs(command, override, message, outputs, nothing_may_run, capsys):
    assert main([command, "--profile", "smoke", "--set", override]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1, err
    assert not (outputs / "artifacts").exists() and not (outputs / "reports").exists()


@pytest.mark.parametrize("override, message", BAD)
def test_the_command_line_prints_one_line_and_exits_2(override, message, outputs):
    proc = subprocess.run([sys.executable, "-m", "synclr_lib", "train", "--profile", "smoke",
                           "--set", f"{override} run.threads=1"],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert proc.returncode == 2 and proc.stderr.startswith(message) and proc.stderr.count("\n") == 1, proc.stderr
    assert not (outputs / "artifacts").exists()  # no upstream stage, no .partial-<hash>


def test_config_still_prints_a_config_whose_model_dirs_are_elsewhere(capsys):
    assert main(["config", "--profile", "paper"]) == 0
    assert '"g1": "models/Llama-2-7b-hf"' in capsys.readouterr().out


@pytest.mark.parametrize("override, message", BAD[:2])
def test_make_figures_with_a_bad_set_runs_no_notebook(override, message, outputs):
    proc = subprocess.run(["make", "--no-print-directory", "-o", "setup", "-o", ".venv/.setup-done", "figures",
                           f"PY={sys.executable}", "PROFILE=smoke", f"SET={override} run.threads=1"],
                          cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=300,
                          # as a user's own `make`, also when the test-suite itself runs under `make test`
                          env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")})
    assert proc.returncode == 2, proc.stderr
    ours = [line for line in proc.stderr.splitlines() if not re.match(r"make(\[\d+\])?: ", line)]
    assert len(ours) == 1 and ours[0].startswith(message), proc.stderr
    assert "[notebook]" not in proc.stdout
    assert not (outputs / "reports").exists() and not (outputs / "artifacts").exists()


FAILING_NOTEBOOK = '''# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
profile = "mini"
overrides = []

# %%
import os
print("the cells before the error ran")

# %%
assert os.environ.get("SYNCLR_TEST_NOTEBOOK_PASSES") == "1", "this notebook fails on purpose"
'''


def test_a_failed_notebook_is_kept_for_inspection(outputs, monkeypatch, capsys):
    import papermill

    nbdir = outputs / "notebooks"
    nbdir.mkdir()
    (nbdir / "99_fails.py").write_text(FAILING_NOTEBOOK)
    monkeypatch.setattr(paths, "notebooks_dir", lambda: nbdir)
    monkeypatch.delenv("SYNCLR_TEST_NOTEBOOK_PASSES", raising=False)
    with pytest.raises(papermill.PapermillExecutionError, match="fails on purpose"):
        run_notebook("99_fails", "smoke", timeout_s=120)
    failed = paths.reports_dir("smoke") / "notebooks" / "99_fails.failed.ipynb"
    assert f"kept at {failed}" in capsys.readouterr().err
    outputs_ = [o for c in json.loads(failed.read_text())["cells"] for o in c.get("outputs", [])]
    assert any(o.get("output_type") == "error" and o.get("evalue") == "this notebook fails on purpose"
               for o in outputs_)
    assert any("the cells before the error ran" in "".join(o.get("text", "")) for o in outputs_)
    assert not (failed.parent / "99_fails.ipynb").exists()

    monkeypatch.setenv("SYNCLR_TEST_NOTEBOOK_PASSES", "1")  # the kernel inherits it
    assert run_notebook("99_fails", "smoke", timeout_s=120).is_file()
    assert not failed.exists()  # a success replaces the record of the failure


def test_a_resumable_build_that_fails_before_writing_leaves_no_partial(tmp_path, capsys):
    from synclr_lib import cache
    from synclr_lib.config import ConfigError

    def fails(out):
        (out / "ckpt").mkdir()  # folders only: nothing a rerun could resume
        raise ConfigError("train.steps must be >= 1")

    with pytest.raises(ConfigError):
        cache.cached("train", {"k": 1}, fails, root=tmp_path, resumable=True)
    assert list((tmp_path / "train").iterdir()) == []

    # an empty work folder left by a run killed before it wrote anything is built afresh
    cache.partial_path(cache.stage_path("train", {"k": 1}, tmp_path)).mkdir()
    capsys.readouterr()
    cache.cached("train", {"k": 1}, lambda out: (out / "x").write_text("x"), root=tmp_path, resumable=True)
    out = capsys.readouterr().out
    assert "building" in out and "resuming" not in out

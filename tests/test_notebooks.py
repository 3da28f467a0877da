"""Every notebook runs headlessly with papermill at the `smoke` profile (CI's pass)."""
import json

import pytest

from synclr_lib import paths
from synclr_lib.notebook_runner import notebook_names, run_notebook


@pytest.mark.parametrize("name", notebook_names())
def test_notebook_runs_at_smoke(name):
    out = run_notebook(name, "smoke")
    nb = json.loads(out.read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_overview_writes_a_figure_and_a_table():
    run_notebook("00_overview", "smoke")
    reports = paths.reports_dir("smoke")
    assert (reports / "figures" / "00_pipeline.png").stat().st_size > 0
    assert (reports / "figures" / "00_pipeline.pdf").stat().st_size > 0
    assert (reports / "tables" / "00_profiles.csv").exists() and (reports / "tables" / "00_profiles.md").exists()


def test_second_run_is_skipped(capsys):
    run_notebook("00_overview", "smoke")
    run_notebook("00_overview", "smoke")
    assert "up to date" in capsys.readouterr().out


def test_a_notebook_can_be_named_by_its_number():
    assert run_notebook("00", "smoke").name == "00_overview.ipynb"


def test_a_smoke_run_writes_only_into_its_own_folder(tmp_path, monkeypatch):
    """reports/ holds the committed mini results: a smoke run must leave it as it was."""
    monkeypatch.setenv("SYNCLR_REPORTS", str(tmp_path))
    run_notebook("00_overview", "smoke")
    assert [p.name for p in tmp_path.iterdir()] == ["smoke"]
    assert (tmp_path / "smoke" / "figures" / "00_pipeline.png").is_file()
    assert (tmp_path / "smoke" / "notebooks" / "00_overview.ipynb").is_file()


def test_profile_folders_are_ignored_by_git():
    import subprocess

    for profile in ("smoke", "gpu", "paper"):
        path = f"reports/{profile}/REPORT.md"
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=paths.REPO_ROOT).returncode == 0, path


def test_the_kernels_output_reaches_the_terminal(capfd):
    """`make figures` showed one line per notebook and nothing for minutes in between: the
    kernel's prints (and its text progress bars, on stderr) are forwarded as they come."""
    run_notebook("00_overview", "smoke", ["run.threads=1"])
    out = capfd.readouterr().out
    assert "profile: smoke" in out and "outputs:" in out  # printed inside the kernel by session.start

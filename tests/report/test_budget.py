"""The budget recorder: wall time and memory per notebook into budget.json, and the REPORT's
budget section refreshed in place."""
import json
import subprocess
import sys
import uuid

from synclr_lib.report.budget import (END, START, BudgetRecorder, budget_markdown, budget_section, later_runs,
                                      read_budget, refresh_report, tree_rss_bytes)


def _executed(reports, name):
    """What run_notebook leaves when it executes a notebook: a new stamp."""
    stamp = reports / "notebooks" / ".stamps" / f"{name}.json"
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"wall_s": 0.1, "run": uuid.uuid4().hex}))


def test_recorder_writes_per_notebook_and_total(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNCLR_REPORTS", str(tmp_path))
    with BudgetRecorder("smoke", ["train.steps=3"], ["00_a", "01_b"], reports=tmp_path, interval_s=0.05) as rec:
        with rec.notebook("00_a"):
            subprocess.run([sys.executable, "-c", "x = bytearray(50_000_000); import time; time.sleep(0.3)"], check=True)
            _executed(tmp_path, "00_a")
        assert read_budget(tmp_path)["in_progress"] is True  # written after each notebook
        with rec.notebook("01_b"):
            _executed(tmp_path, "01_b")
    b = json.loads((tmp_path / "budget.json").read_text())
    assert b["in_progress"] is False and b["profile"] == "smoke" and b["overrides"] == ["train.steps=3"]
    assert [r["notebook"] for r in b["notebooks"]] == ["00_a", "01_b"]
    assert b["notebooks"][0]["wall_s"] >= 0.3
    assert b["max_process_rss_gb"] >= 0.05  # the 50 MB child, via getrusage(RUSAGE_CHILDREN)
    assert b["peak_tree_rss_gb"] > 0
    assert b["executed"] == 2 and b["skipped"] == 0


def _run(tmp_path, names, executed, fail=None):
    try:
        with BudgetRecorder("mini", [], names, reports=tmp_path, interval_s=0.05) as rec:
            for name in names:
                with rec.notebook(name):
                    if name == fail:
                        raise RuntimeError("notebook failed")
                    if name in executed:
                        _executed(tmp_path, name)
    except RuntimeError:
        pass
    return read_budget(tmp_path)


def test_a_cached_or_failed_run_keeps_the_last_complete_measurement(tmp_path):
    assert _run(tmp_path, ["00_a", "01_b"], executed=set()) is None  # nothing built: no budget at all
    complete = _run(tmp_path, ["00_a", "01_b"], executed={"00_a", "01_b"})
    assert complete["executed"] == 2
    assert _run(tmp_path, ["00_a", "01_b"], executed=set()) == complete  # fully cached: kept
    assert _run(tmp_path, ["00_a", "01_b"], executed={"01_b"}) == complete  # partly cached: kept
    assert _run(tmp_path, ["00_a", "01_b"], executed={"00_a"}, fail="01_b") == complete  # failed: kept
    newer = _run(tmp_path, ["00_a", "01_b"], executed={"00_a", "01_b"})
    assert newer["started_epoch"] > complete["started_epoch"]  # a complete run replaces it


def test_tree_rss_counts_this_process():
    total, largest = tree_rss_bytes()
    assert total >= largest > 0


def test_markdown_and_refresh(tmp_path):
    assert "missing: budget.json" in budget_markdown(None)
    (tmp_path / "REPORT.md").write_text(f"# R\n\n{budget_section(None)}\n\n## after\n")
    (tmp_path / "budget.json").write_text(json.dumps({
        "profile": "mini", "overrides": [], "started": "2026-01-01T00:00:00", "in_progress": False, "failed": None,
        "wall_s": 1800.0, "peak_tree_rss_gb": 5.5, "max_process_rss_gb": 4.25, "executed": 9, "skipped": 0,
        "notebooks": [{"notebook": "00_overview", "wall_s": 4.0, "executed": True, "ok": True,
                       "peak_tree_rss_gb": 0.5, "max_process_rss_gb_so_far": 0.4}]}))
    assert refresh_report(tmp_path)
    text = (tmp_path / "REPORT.md").read_text()
    assert "**30.0 min**" in text and "**5.50 GB**" in text and "| 00_overview | yes |" in text
    assert text.count(START) == 1 and text.count(END) == 1 and text.endswith("## after\n")
    assert not refresh_report(tmp_path / "nowhere")


def test_notebooks_run_alone_after_the_budgeted_run_are_listed_apart(tmp_path):
    import time

    budget = {"profile": "mini", "overrides": [], "started": "x", "started_epoch": time.time() - 100, "wall_s": 50.0,
              "in_progress": False, "failed": None, "peak_tree_rss_gb": 1.0, "max_process_rss_gb": 1.0,
              "executed": 1, "skipped": 0, "notebooks": []}
    stamps = tmp_path / "notebooks" / ".stamps"
    stamps.mkdir(parents=True)

    def stamp(name, ago, profile="mini"):
        finished = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() - ago))
        (stamps / f"{name}.json").write_text(json.dumps({"profile": profile, "overrides": [], "wall_s": 12.5,
                                                         "finished": finished}))
    stamp("00_in_the_run", 70)
    stamp("05_after", 10)
    stamp("06_other_profile", 10, profile="smoke")
    later = later_runs(budget, tmp_path)
    assert [r["notebook"] for r in later] == ["05_after"]
    text = budget_markdown(budget, later)
    assert "not in the total above" in text and "| 05_after |" in text and "| 12.5 |" in text
    assert "not in the total" not in budget_markdown(budget, [])
    assert later_runs(None, tmp_path) == []

"""REPORT.md from small crafted tables: sections side by side, findings judged, missing inputs
named, and an error only when there is no input at all."""
import pandas as pd
import pytest

from synclr_lib.config import resolve
from synclr_lib.report.document import NoInputsError, build_report, built_during
from synclr_lib.studies.verdicts import NOT_MEASURED, NOT_REPRODUCED, REPRODUCED

OBJ = "objects (ImageNet analogue)"


def _write(reports, name, rows):
    (reports / "tables").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(reports / "tables" / f"{name}.csv", index=False)


@pytest.fixture
def reports(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("SYNCLR_REPORTS", str(tmp_path / "reports"))
    return tmp_path / "reports"


def _crafted(reports, synclr_fg=30.0):
    _write(reports, "04_seeds_all", {"encoder": [f"SynCLR (seed {s})" for s in range(3)],
                                     "objects": [10.0, 11.0, 10.5], "fine-grained mean": [20.0, 21.0, 20.5],
                                     "method": ["SynCLR"] * 3})
    _write(reports, "04_table5", {"encoder": ["random init", "SupCE", "SimCLR", "SynCLR"],
                                  OBJ: [2.0, 8.0, 5.0, 12.0], "fine-grained mean": [5.0, 25.0, 20.0, synclr_fg]})


def test_report_judges_findings_against_the_seed_spread(reports):
    _crafted(reports)
    r = build_report(resolve("smoke"))
    t5 = [f for f in r.findings if f.section == "Table 5"]
    assert [f.verdict for f in t5] == [REPRODUCED, REPRODUCED]  # 30 > 25 > 20 and 12 > 8 > 5, spread 1.0
    assert "SynCLR 30.0 vs SupCE 25.0 vs SimCLR 20.0" in t5[0].detail
    assert "78.5" in t5[0].paper  # the paper's number comes from paper_numbers.py
    assert "| SupCE | 8.0 | 25.0 |" in r.markdown


def test_within_spread_is_not_reproduced(reports):
    _crafted(reports, synclr_fg=25.5)  # 25.5 - 25 = 0.5 < spread 1.0
    r = build_report(resolve("smoke"))
    assert next(f for f in r.findings if f.section == "Table 5").verdict == NOT_REPRODUCED


def test_missing_inputs_are_named_not_fatal(reports):
    _crafted(reports)
    r = build_report(resolve("smoke"))
    assert "missing: tables/05_table2.csv" in r.markdown
    assert "missing: tables/07_scaling.csv" in r.markdown
    assert "missing: budget.json" in r.markdown
    assert all(f.verdict == NOT_MEASURED for f in r.findings if f.section in ("Table 2", "Figs. 6-7", "Table 10"))
    for section in ("Table 2", "Table 3", "Table 4", "Table 5", "Table 6", "Table 9", "Table 10", "Fig. 5", "Figs. 6-7"):
        assert f"## {section}" in r.markdown
    paths = r.write()
    assert (reports / "REPORT.md").read_text() == r.markdown
    assert (reports / "README_findings.md").read_text().startswith("Generated from `reports/REPORT.md`")
    assert len(paths) == 2


def test_scaling_findings(reports):
    _crafted(reports)
    _write(reports, "07_scaling", {"size": ["small (w16 d1)", "profile (w32 d2)"] * 2, "captions": [8, 8, 64, 64],
                                   "images": [32, 32, 256, 256], "objects": [5.0, 6.0, 9.0, 8.0],
                                   "fine-grained mean": [10.0, 10.0, 10.5, 14.0], "artifact": ["a", "b", "c", "d"]})
    r = build_report(resolve("smoke"))
    fs = {f.claim: f.verdict for f in r.findings if f.section == "Figs. 6-7"}
    assert fs["small (w16 d1): more captions help on objects"] == REPRODUCED  # +4 > 1
    assert fs["small (w16 d1): more captions help on fine-grained mean"] == NOT_REPRODUCED  # +0.5 < 1
    assert fs["at the most captions the larger encoder beats the smaller on fine-grained mean"] == REPRODUCED
    assert fs["at the most captions the larger encoder beats the smaller on objects"] == NOT_REPRODUCED


def test_no_inputs_at_all_raises(reports):
    with pytest.raises(NoInputsError):
        build_report(resolve("smoke"))


def test_artifacts_built_after_the_budgeted_run_do_not_count_as_built_in_it():
    import time

    start = time.mktime(time.strptime("2026-01-01T10:00:00", "%Y-%m-%dT%H:%M:%S"))
    budget = {"started_epoch": start, "wall_s": 3600.0}
    assert built_during("2026-01-01T10:30:00+0000", budget)
    assert not built_during("2026-01-01T09:59:00+0000", budget)  # cached before the run
    assert not built_during("2026-01-01T11:30:00+0000", budget)  # a notebook run alone afterwards
    assert not built_during("not a date", budget)


def test_the_paper_cost_section_reads_the_benchmark_result(tmp_path):
    from synclr_lib.report.document import PAPER_COST, section_paper_cost

    assert "missing" in section_paper_cost(tmp_path / "nowhere.md")
    (tmp_path / "paper_cost.md").write_text("# x\n\n- date: 2026-12-07\n- machine: a CPU\n- GPU: not measured\n"
                                            "- command: c\n\n| quantity | CPU |\n|---|---|\n| step | 7.8 s |\n")
    text = section_paper_cost(tmp_path / "paper_cost.md")
    assert "- machine: a CPU" in text and "| step | 7.8 s |" in text and "- command" not in text
    if PAPER_COST.is_file():  # the committed measurement renders
        assert "CPU-years" in section_paper_cost()

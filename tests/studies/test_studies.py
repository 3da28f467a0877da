"""The studies' table builders (moved out of notebook cells) and their findings: a notebook
that prints a study's findings prints exactly the REPORT's lines for the same tables."""
import pandas as pd
import pytest

from synclr_lib.config import resolve
from synclr_lib.evaluate import paper_numbers as paper
from synclr_lib.report.document import build_report
from synclr_lib.studies import cfg_scale, comparisons, components, objective, patches, scaling, strategies
from synclr_lib.studies.ablation_table import rows_with_paper
from synclr_lib.studies.verdicts import NOT_MEASURED, NOT_REPRODUCED, REPRODUCED, seed_spreads

OBJ04 = "objects (ImageNet analogue)"


def _scores(rows):
    return pd.DataFrame({"encoder": list(rows), "objects": [10.0 + i for i in range(len(rows))],
                         "fine-grained mean": [20.0 + i for i in range(len(rows))]})


def test_rows_with_paper_keeps_the_row_order_and_the_papers_two_numbers():
    table = rows_with_paper(_scores(["SynCLR", "random init", "+EMA"]), ["random init", "+EMA", "SynCLR"],
                            paper.TABLE4, {"SynCLR": "SynCLR (all)"})
    assert list(table["encoder"]) == ["random init", "+EMA", "SynCLR"]
    assert list(table.columns) == ["encoder", OBJ04, "fine-grained mean", "paper ImageNet", "paper fine-grained"]
    assert table.set_index("encoder").loc["SynCLR", "paper ImageNet"] == paper.TABLE4["SynCLR (all)"][0]
    assert table.set_index("encoder").loc["+EMA", OBJ04] == 12.0
    assert table.set_index("encoder")["paper ImageNet"].isna()["random init"]  # the paper has no such row


def test_each_ablation_table_lists_its_own_rows():
    scores = _scores(dict.fromkeys(["random init", *components.RUNS, *objective.RUNS, *comparisons.TABLE10_RUNS]))
    assert list(components.component_table(scores)["encoder"]) == ["random init", *components.RUNS]
    assert list(objective.objective_table(scores)["encoder"]) == ["random init", *objective.RUNS]
    assert list(comparisons.table10(scores)["encoder"]) == ["random init", *comparisons.TABLE10_RUNS]


def test_the_main_comparison_summarises_seeds():
    seeds = pd.DataFrame({"encoder": [f"SynCLR (seed {s})" for s in range(3)] + [f"SimCLR (seed {s})" for s in range(3)],
                          "objects": [30.0, 32.0, 31.0, 20.0, 21.0, 20.5],
                          "fine-grained mean": [40.0, 41.0, 42.0, 35.0, 35.0, 35.0],
                          "method": ["SynCLR"] * 3 + ["SimCLR"] * 3})
    main = comparisons.main_comparison(seeds, random_objects=10.0).set_index("method")
    assert main.loc["SynCLR", "objects mean"] == 31.0 and main.loc["SynCLR", "objects spread"] == 2.0
    assert main.loc["SynCLR", "objects - random init"] == 21.0 and main.loc["SimCLR", "seeds"] == 3
    t = {"04_seeds_all": seeds, "04_main_comparison": main.reset_index()}
    spreads, source = seed_spreads(t)
    assert source == "04_seeds_all" and spreads["objects"].value == 2.0
    verdicts = [f.verdict for f in comparisons.main_findings(t, spreads)]
    assert verdicts == [REPRODUCED, REPRODUCED]  # fine-grained +6 > 2, objects +10.5 > 2
    close = main.reset_index().assign(**{"fine-grained mean": [41.5, 41.0]})  # SimCLR row first: 41.5 vs 41.0
    assert comparisons.main_findings({"04_main_comparison": close}, spreads)[0].verdict == NOT_REPRODUCED


def test_table3_puts_the_papers_column_beside_each_scale():
    long = pd.DataFrame({"encoder": ["CFG 2", "CFG 3"], "suite": ["objects"] * 2, "kind": ["objects"] * 2,
                         "probe": ["linear"] * 2, "metric": ["top1"] * 2, "score": [50.0, 51.0]})
    table = cfg_scale.table3(long, [2.0, 3.0])
    assert list(table["CFG scale"]) == ["CFG 2", "CFG 3"]
    assert list(table["paper ImageNet linear"]) == [paper.TABLE3[2.0], paper.TABLE3[3.0]]


@pytest.fixture
def reports(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNCLR_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.setenv("SYNCLR_REPORTS", str(tmp_path / "reports"))
    (tmp_path / "reports" / "tables").mkdir(parents=True)
    return tmp_path / "reports"


def test_notebook_verdicts_are_the_reports(reports):
    """What notebooks 03-07 print (each study's findings on the tables they just wrote) is
    the REPORT's line for line."""
    tables = {
        "04_seeds_all": pd.DataFrame({"encoder": [f"SynCLR (seed {s})" for s in range(3)],
                                      "objects": [10.0, 11.0, 10.5], "fine-grained mean": [20.0, 21.0, 20.5],
                                      "method": ["SynCLR"] * 3}),
        "05_table2": pd.DataFrame({"strategy here": list(paper.TABLE2_STRATEGY),
                                   "objects (smoke)": [10.0, 12.0, 11.0, 14.0, 16.0][:len(paper.TABLE2_STRATEGY)],
                                   "fine-grained mean (smoke)": [20.0, 20.5, 21.0, 23.0, 22.0][:len(paper.TABLE2_STRATEGY)]}),
        "03_cfg_steps": pd.DataFrame({"measure": ["fidelity_object"] * 2 + ["diversity"] * 2,
                                      "kind": ["step", "overall"] * 2, "from": [1.0, 1.0] * 2, "to": [2.0, 2.0] * 2,
                                      "captions": [8] * 4, "change": [0.2, 0.2, -0.01, -0.01],
                                      "low": [0.1, 0.1, -0.05, -0.05], "high": [0.3, 0.3, 0.02, 0.02]}),
        "06_foreground_iou": pd.DataFrame({"concept": ["a", "b", "c"] * 3,
                                           "encoder": ["SynCLR"] * 3 + ["random init"] * 3 + ["CLIP (web)"] * 3,
                                           "foreground IoU": [50.0, 60.0, 55.0, 10.0, 12.0, 11.0, 50.0, 61.0, 54.0]}),
        "04_table4": components.component_table(_scores(["random init", *components.RUNS])),
        "04_table5": objective.objective_table(_scores(["random init", *objective.RUNS])),
        "04_table10": comparisons.table10(_scores(["random init", *comparisons.TABLE10_RUNS])),
        "05_table6": pd.DataFrame({"encoder": ["SynCLR", "StableRep", "CLIP (web)", "SynCLR B/16"],
                                   "source": ["measured (smoke)"] * 3 + ["paper"],
                                   "objects ~ ImageNet": [30.0, 20.0, 29.5, 80.0],
                                   "fine-grained mean": [40.0, 30.0, 45.0, 88.0]}),
        "07_scaling": pd.DataFrame({"size": ["small (w16 d1)", "profile (w32 d2)"] * 2, "captions": [8, 8, 64, 64],
                                    "images": [32, 32, 256, 256], "objects": [5.0, 6.0, 9.0, 8.0],
                                    "fine-grained mean": [10.0, 10.0, 10.5, 14.0], "artifact": list("abcd")}),
    }
    for name, table in tables.items():
        table.to_csv(reports / "tables" / f"{name}.csv", index=False)
    report = build_report(resolve("smoke"))
    lines = {f.line() for f in report.findings}
    spreads, _ = seed_spreads(tables)
    printed = [*strategies.findings({**tables, "02_caption_stats": None}, spreads),
               *components.findings(tables, spreads), *objective.findings(tables, spreads),
               *comparisons.table10_findings(tables, spreads), *comparisons.table6_findings(tables, spreads),
               *cfg_scale.tradeoff_findings(tables["03_cfg_steps"]),
               *patches.findings(tables), *scaling.findings(tables, spreads)]
    assert printed and all(f.line() in lines for f in printed)
    assert {f.verdict for f in printed} >= {REPRODUCED, NOT_REPRODUCED}
    assert all(f.verdict == NOT_MEASURED for f in report.findings if f.section == "Main comparison")

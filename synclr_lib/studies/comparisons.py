"""The main comparison (Tables 6, 7's ADE20k column, 9 and 10): SynCLR against SimCLR at the
full budget over `study.compare_seeds` seeds (whose spread is the noise threshold of every
accuracy finding), CLIP on the same synthetic data, and learning from data (SimCLR and CLIP
on the mini-web's renders and alt-text), every encoder probed on every suite beside the
paper's rows.

    runs = {**seed_runs(cfg, "SynCLR"), **seed_runs(cfg, "SimCLR")}
    summary = main_comparison(seed_scores, random_objects, random_fine)   # 04_main_comparison
    for f in main_findings(t, spreads): print(f.line())                   # notebook 04 and the REPORT
    table6(long, profile="mini"); table9(long, profile="mini")            # notebook 05

Introduced in notebooks/04_training.py (seeds, Table 10) and notebooks/05_evaluation.py
(Tables 6 and 9).
"""
from __future__ import annotations

import pandas as pd

from ..config import train_seed
from ..evaluate import paper_numbers as paper
from ..evaluate.suites import wide_table
from ..reporting import Missing, markdown
from .ablation_table import rows_with_paper
from .runs import SIMCLR, SIMCLR_AUGMENT, SYNCLR, at_ablation_budget
from .sections import FG, OBJ, OBJ04, findings_block, measured_block, pair_findings, paper_block, pick_column, row_values
from .verdicts import NOT_MEASURED, Finding, Spread, ordering_finding

TABLE10_RUNS = {  # CLIP on the same synthetic data, and learning from the mini-web (data)
    "CLIP": ["train.method=clip", "train.components="],
    "SynCLR": SYNCLR,
    "SimCLR (web)": ["train.method=simclr", "train.components=", "train.data=web", *SIMCLR_AUGMENT],
    "CLIP (web)": ["train.method=clip", "train.components=", "train.data=web"],
}
SEEDED = {"SynCLR": SYNCLR, "SimCLR": SIMCLR}  # the methods of the main comparison
TABLES = ("04_table10", "04_seeds_all", "04_main_comparison", "05_table6", "05_table9")


def table10_runs(cfg) -> dict[str, list[str]]:
    return at_ablation_budget(TABLE10_RUNS, cfg)


def table10(scores):
    return rows_with_paper(scores, ["random init", *TABLE10_RUNS], paper.TABLE10)


def seed_runs(cfg, method: str = "SynCLR") -> dict[str, list[str]]:
    """`method` at the full budget, one row per training seed (`train.seed`: the data, g1 and
    g2 stay those of `run.seed`)."""
    first = train_seed(cfg)
    return {f"{method} (seed {first + s})": SEEDED[method] + [f"train.seed={first + s}"]
            for s in range(cfg.study.compare_seeds)}


def seed_scores(long: pd.DataFrame) -> pd.DataFrame:
    """Per seeded encoder: objects, fine-grained mean and its method (04_seeds_all)."""
    out = wide_table(long, kinds=("objects", "fine_grained"))
    out["method"] = out["encoder"].str.split(" ").str[0]
    return out


def main_comparison(seeds_all: pd.DataFrame, random_objects: float) -> pd.DataFrame:
    """Per method: mean and spread (max - min) over seeds of objects and the fine-grained mean,
    the objects gain over random init, and the seed count (04_main_comparison)."""
    summary = seeds_all.groupby("method")[[OBJ, FG]].agg(["mean", "min", "max"])
    return pd.DataFrame({
        "objects mean": summary[(OBJ, "mean")],
        "objects spread": summary[(OBJ, "max")] - summary[(OBJ, "min")],
        "objects - random init": summary[(OBJ, "mean")] - random_objects,
        FG: summary[(FG, "mean")],
        "fine-grained spread": summary[(FG, "max")] - summary[(FG, "min")],
        "seeds": seeds_all.groupby("method").size(),
    }).reset_index()


def main_findings(t: dict, spreads: dict) -> list[Finding]:
    """SynCLR beats SimCLR at the full budget, on each accuracy (means over seeds)."""
    tab = t["04_main_comparison"]
    out = []
    ptxt = {FG: f"Table 5 fine-grained: SynCLR {paper.TABLE5['SynCLR'][1]:.1f} vs SimCLR {paper.TABLE5['SimCLR'][1]:.1f}",
            OBJ: f"Table 5 ImageNet: SynCLR {paper.TABLE5['SynCLR'][0]:.1f} vs SimCLR {paper.TABLE5['SimCLR'][0]:.1f}"}
    for metric, col in ((FG, FG), (OBJ, "objects mean")):
        claim = f"SynCLR beats SimCLR at the full budget on {metric} (mean over seeds)"
        if isinstance(tab, Missing):
            out.append(Finding("Main comparison", claim, NOT_MEASURED, str(tab), ptxt[metric]))
            continue
        vals = row_values(tab, "method", col, ["SynCLR", "SimCLR"])
        out.append(ordering_finding("Main comparison", claim, vals, ["SynCLR", "SimCLR"], spreads.get(metric),
                                    paper=ptxt[metric]))
    return out


def label(suite: str) -> str:
    """Column label: the suite and the paper dataset it stands for."""
    analogue = paper.ANALOGUE.get(suite)
    return f"{suite} ~ {analogue}" if analogue else suite


def _relabel(wide: pd.DataFrame) -> pd.DataFrame:
    return wide.rename(columns={c: label(c) for c in wide.columns if c not in ("encoder", "source", FG)})


def table6(long: pd.DataFrame, profile: str = "") -> pd.DataFrame:
    """Table 6 (+ Table 7's ADE20k column) analogue: objects, the 9 fine-grained analogues,
    their mean and the dense probe, one row per encoder; then the paper's rows with the
    numbers paper_numbers.py holds (blank where the paper has none for that column)."""
    main = long[long["probe"] != "kNN"]
    measured = wide_table(main, kinds=("objects", "fine_grained", "dense"))
    measured.insert(1, "source", f"measured ({profile})" if profile else "measured")
    columns = list(measured.columns)
    by_dataset = {v: k for k, v in paper.ANALOGUE.items()}
    rows = []
    for model, (imagenet, fine) in paper.TABLE6.items():
        row = {"encoder": model, "source": "paper", "objects": imagenet, FG: fine}
        if model == "SynCLR B/16":
            for dataset, value in paper.SYNCLR_B16_FINE_GRAINED.items():
                row[by_dataset.get(dataset, dataset)] = value
        family, arch = model.split(" ")[0], model.split(" ")[1] if " " in model else ""
        if family in paper.TABLE7 and arch.startswith(("B", "L")):
            row["segmentation"] = paper.TABLE7[family][0 if arch.startswith("B") else 1]
        rows.append(row)
    paper_rows = pd.DataFrame(rows).reindex(columns=columns)
    return _relabel(pd.concat([measured, paper_rows], ignore_index=True))


def table9(long: pd.DataFrame, profile: str = "") -> pd.DataFrame:
    """Table 9 analogue: the real packaged datasets ("unseen concepts") and their mean. The
    paper's per-dataset numbers are not in paper_numbers.py, so only measured rows appear."""
    main = long[long["probe"] != "kNN"]
    measured = wide_table(main, kinds=("real",), mean_of="real", mean_name="real mean")
    measured.insert(1, "source", f"measured ({profile})" if profile else "measured")
    return _relabel(measured)


def knn_vs_probe(long: pd.DataFrame) -> pd.DataFrame:
    """Per encoder and suite: the main probe's score beside the kNN probe's (when run)."""
    main = long[long["probe"] != "kNN"].set_index(["encoder", "suite"])
    knn = long[long["probe"] == "kNN"].set_index(["encoder", "suite"])
    out = main[["probe", "metric", "score"]].rename(columns={"score": "probe score"})
    out["kNN score"] = knn["score"].reindex(out.index)
    return out.dropna(subset=["kNN score"]).reset_index()


# ---------------------------------------------------------------------------------------
# REPORT sections
# ---------------------------------------------------------------------------------------
def section_seeds(t: dict, spreads: dict[str, Spread], source: str) -> tuple[str, list[Finding]]:
    fs = main_findings(t, spreads)
    parts = ["## Seed-to-seed spread (the noise threshold of every accuracy finding)", "",
             "The main SynCLR run repeated with `study.compare_seeds` seeds (notebook 04). A direction counts "
             "as reproduced only when its difference exceeds this spread (max - min over seeds) and the spread "
             "comes from at least 3 seeds.", ""]
    parts.append(measured_block("04_main_comparison", t["04_main_comparison"]))
    parts.append("")
    if spreads:
        parts.append(f"Spread used (from `tables/{source}.csv`): "
                     + "; ".join(f"{m}: {s.describe()}" for m, s in spreads.items()))
    else:
        parts.append("_missing: tables/04_seeds_all.csv and tables/04_main_comparison.csv: no spread, "
                     "so no accuracy finding can count as reproduced_")
    parts += ["", "Findings:", "", findings_block(fs)]
    return "\n".join(parts), fs


def table6_findings(t: dict, spreads: dict) -> list[Finding]:
    """SynCLR beats StableRep and CLIP (web), on each accuracy (05_table6's measured rows)."""
    tab = t["05_table6"]
    if isinstance(tab, Missing):
        return [Finding("Table 6", "SynCLR beats StableRep and CLIP (web) on the fine-grained mean",
                        NOT_MEASURED, str(tab))]
    obj_col = pick_column(tab, "objects")
    meas = tab[tab["source"] != "paper"]
    fs = []
    for metric, col, idx in ((FG, FG, 1), (OBJ, obj_col, 0)):
        for other, paper_other in (("StableRep", "StableRep B/16"), ("CLIP (web)", "CLIP B/16")):
            vals = row_values(meas, "encoder", col, ["SynCLR", other]) if col else {}
            ptxt = (f"SynCLR B/16 {paper.TABLE6['SynCLR B/16'][idx]:.1f} vs {paper_other} "
                    f"{paper.TABLE6[paper_other][idx]:.1f}")
            fs.append(ordering_finding("Table 6", f"SynCLR beats {other} on {metric}", vals,
                                       ["SynCLR", other], spreads.get(metric), paper=ptxt))
    return fs


def section_table6(t: dict, spreads: dict) -> tuple[str, list[Finding]]:
    tab = t["05_table6"]
    fs = table6_findings(t, spreads)
    body = ["## Table 6 (and Table 7's ADE20k column): the main comparison", "",
            "Measured rows (source `measured (...)`) and the paper's rows (source `paper`), from `tables/05_table6.csv`; "
            "CLIP (web) is CLIP trained on the mini-web's renders and alt-text (learning from data).", "",
            markdown(tab), "", "Findings:", "", findings_block(fs)]
    return "\n".join(body), fs


def section_table9(t: dict) -> tuple[str, list[Finding]]:
    p9 = pd.DataFrame({"paper dataset": list(paper.TABLE9_DATASETS)})
    body = ["## Table 9: unseen concepts", "",
            "The paper's per-dataset Table 9 numbers are not in `paper_numbers.py` (the notes list only the "
            "datasets), so no finding is judged here.", "", paper_block(p9), "",
            measured_block("05_table9", t["05_table9"])]
    return "\n".join(body), []


def table10_findings(t: dict, spreads: dict) -> list[Finding]:
    """SynCLR beats CLIP on the same synthetic data, on each accuracy."""
    return pair_findings("Table 10", t["04_table10"], "encoder", [(FG, FG, 1), (OBJ, OBJ04, 0)],
                         [("SynCLR", "CLIP")], spreads, paper.TABLE10)


def section_table10(t: dict, spreads: dict) -> tuple[str, list[Finding]]:
    tab = t["04_table10"]
    fs = table10_findings(t, spreads)
    body = ["## Table 10: SynCLR vs CLIP on the same synthetic data", "", markdown(tab), "",
            "Findings:", "", findings_block(fs)]
    return "\n".join(body), fs

"""The evaluation notebook's tables, measured rows beside the paper's (Tables 2, 6/7 and 9).

Input is the long table of `evaluate_encoders` (one row per encoder x suite x probe); output
is a wide DataFrame whose columns are the world's suites labelled with the paper dataset each
stands for ("garments ~ Aircraft"), measured rows first, then the paper's rows with the
numbers paper_numbers.py holds (blank where the paper has none for that column).

    from synclr_lib.evaluate.tables import table6, table9
    table6(long, profile="mini")

Introduced in notebooks/05_evaluation.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import paper_numbers as paper
from .suites import wide_table

FG_MEAN = "fine-grained mean"


def label(suite: str) -> str:
    """Column label: the suite and the paper dataset it stands for."""
    analogue = paper.ANALOGUE.get(suite)
    return f"{suite} ~ {analogue}" if analogue else suite


def _relabel(wide: pd.DataFrame) -> pd.DataFrame:
    return wide.rename(columns={c: label(c) for c in wide.columns if c not in ("encoder", "source", FG_MEAN)})


def table6(long: pd.DataFrame, profile: str = "") -> pd.DataFrame:
    """Table 6 (+ Table 7's ADE20k column) analogue: objects, the 9 fine-grained analogues,
    their mean and the dense probe, one row per encoder; then the paper's rows."""
    main = long[long["probe"] != "kNN"]
    measured = wide_table(main, kinds=("objects", "fine_grained", "dense"))
    measured.insert(1, "source", f"measured ({profile})" if profile else "measured")
    columns = list(measured.columns)
    by_dataset = {v: k for k, v in paper.ANALOGUE.items()}
    rows = []
    for model, (imagenet, fine) in paper.TABLE6.items():
        row = {"encoder": model, "source": "paper", "objects": imagenet, FG_MEAN: fine}
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


def table2(long_by_strategy: pd.DataFrame, profile: str = "", image_scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 2 analogue: one SynCLR encoder per caption strategy (`encoder` = strategy name as in
    paper_numbers.TABLE2_STRATEGY), objects and fine-grained mean beside the paper's SynCLR and
    StableRep columns. `image_scores` (images.strategy_study_table: strategy, fidelity_object,
    ...) adds how often the judge sees the caption's object in each strategy's images."""
    rows = []
    wide = wide_table(long_by_strategy[long_by_strategy["probe"] != "kNN"], kinds=("objects", "fine_grained"))
    wide = wide.set_index("encoder")
    fidelity = ({} if image_scores is None else
                dict(zip(image_scores["strategy"], 100 * image_scores["fidelity_object"])))
    for strategy, paper_row in paper.TABLE2_STRATEGY.items():
        row = {"captions (paper)": paper_row, "strategy here": strategy}
        measured = wide.loc[strategy] if strategy in wide.index else None
        if image_scores is not None:
            row["images: judged object fidelity"] = fidelity.get(strategy, np.nan)
        row[f"objects ({profile or 'measured'})"] = measured["objects"] if measured is not None else np.nan
        row[f"{FG_MEAN} ({profile or 'measured'})"] = measured[FG_MEAN] if measured is not None else np.nan
        for method, (imagenet, fine) in paper.TABLE2[paper_row].items():
            row[f"paper {method} ImageNet"], row[f"paper {method} fine-grained"] = imagenet, fine
        rows.append(row)
    return pd.DataFrame(rows)

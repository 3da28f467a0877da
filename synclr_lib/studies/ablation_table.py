"""The layout every training-ablation table shares (Tables 4, 5 and 10): one row per run,
its objects and fine-grained accuracy, and the paper's two numbers for that row.

    table = rows_with_paper(scores, ["random init", *RUNS], paper.TABLE4, {"SynCLR": "SynCLR (all)"})

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import pandas as pd

from .sections import FG, OBJ, OBJ04


def rows_with_paper(scores: pd.DataFrame, rows, paper_rows: dict, names: dict | None = None) -> pd.DataFrame:
    """The rows `rows` of a wide score table (evaluate.wide_table: encoder, objects,
    fine-grained mean), objects renamed to OBJ04, with the paper's ImageNet and fine-grained
    numbers of each row (`paper_rows`: {paper name: (ImageNet, fine-grained)}; `names` maps a
    row to its paper name where they differ). Rows the paper lacks get blanks."""
    names = names or {}
    out = scores.set_index("encoder").reindex(list(rows))[[OBJ, FG]].rename(columns={OBJ: OBJ04})
    out["paper ImageNet"] = [paper_rows.get(names.get(r, r), (None, None))[0] for r in out.index]
    out["paper fine-grained"] = [paper_rows.get(names.get(r, r), (None, None))[1] for r in out.index]
    return out.reset_index().rename(columns={"index": "encoder"})

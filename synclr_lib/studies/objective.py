"""Table 5: the objective, on the same synthetic images. Supervised cross-entropy on the
caption's concept (SupCE), SimCLR (one image, two augmented views) and SynCLR (the images of
one caption as positives), each at the ablation budget; the finding is the paper's order
SynCLR > SupCE > SimCLR.

    runs = objective_runs(cfg)
    table = objective_table(scores)               # notebook 04's 04_table5
    text, findings = section(t, spreads)

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from ..evaluate import paper_numbers as paper
from ..reporting import Missing, markdown
from .ablation_table import rows_with_paper
from .runs import SIMCLR, SYNCLR, at_ablation_budget
from .sections import FG, OBJ, OBJ04, findings_block, fmt_chain, row_values
from .verdicts import NOT_MEASURED, Finding, ordering_finding

RUNS = {"SupCE": ["train.method=supce", "train.components="], "SimCLR": SIMCLR, "SynCLR": SYNCLR}
PAPER_NAMES = {"SupCE": "supervised CE"}  # row -> paper_numbers.TABLE5 name
ORDER = ["SynCLR", "SupCE", "SimCLR"]  # the paper's order, best first
TABLES = ("04_table5",)


def objective_runs(cfg) -> dict[str, list[str]]:
    return at_ablation_budget(RUNS, cfg)


def objective_table(scores):
    return rows_with_paper(scores, ["random init", *RUNS], paper.TABLE5, PAPER_NAMES)


def findings(t: dict, spreads: dict) -> list[Finding]:
    tab = t["04_table5"]
    out = []
    for metric, col, idx in ((FG, FG, 1), (OBJ, OBJ04, 0)):
        vals = row_values(tab, "encoder", col, ORDER) if not isinstance(tab, Missing) else {}
        ptxt = fmt_chain((n, paper.TABLE5[PAPER_NAMES.get(n, n)][idx]) for n in ORDER)
        f = ordering_finding("Table 5", f"multi-positive SynCLR > SupCE > SimCLR on {metric}", vals, ORDER,
                             spreads.get(metric), paper=ptxt)
        if isinstance(tab, Missing):
            f = Finding("Table 5", f.claim, NOT_MEASURED, str(tab), ptxt)
        out.append(f)
    return out


def section(t: dict, spreads: dict) -> tuple[str, list[Finding]]:
    fs = findings(t, spreads)
    body = ["## Table 5: the objective, on the same synthetic images", "", markdown(t["04_table5"]), "",
            "Findings:", "", findings_block(fs)]
    return "\n".join(body), fs

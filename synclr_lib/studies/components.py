"""Table 4: what each SynCLR component adds. Five runs at the ablation budget, from the
multi-positive loss alone (StableRep) to every component (SynCLR: EMA teacher, iBOT, local
crops); the findings say whether each step up beats the row below it by more than the seed
spread.

    runs = component_runs(cfg)                    # {row: overrides}
    table = component_table(scores)               # notebook 04's 04_table4
    text, findings = section(t, spreads)

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from ..evaluate import paper_numbers as paper
from ..reporting import markdown
from .ablation_table import rows_with_paper
from .runs import SYNCLR, at_ablation_budget
from .sections import FG, OBJ, OBJ04, findings_block, pair_findings
from .verdicts import Finding

RUNS = {  # row -> overrides (at the ablation budget)
    "StableRep": ["train.method=synclr", "train.components="],
    "+EMA": ["train.method=synclr", "train.components=ema"],
    "+EMA+iBOT": ["train.method=synclr", "train.components=ema,ibot"],
    "+EMA+multi-crop": ["train.method=synclr", "train.components=ema,multicrop"],
    "SynCLR": SYNCLR,
}
PAPER_NAMES = {"SynCLR": "SynCLR (all)"}  # row -> paper_numbers.TABLE4 name
PAIRS = [("+EMA", "StableRep"), ("+EMA+iBOT", "+EMA"), ("+EMA+multi-crop", "+EMA"),
         ("SynCLR", "+EMA+iBOT"), ("SynCLR", "+EMA+multi-crop")]  # (row, the row it should beat)
TABLES = ("04_table4",)  # what its section reads


def component_runs(cfg) -> dict[str, list[str]]:
    return at_ablation_budget(RUNS, cfg)


def component_table(scores):
    """Random init and every row, measured beside the paper (notebook 04's 04_table4)."""
    return rows_with_paper(scores, ["random init", *RUNS], paper.TABLE4, PAPER_NAMES)


def findings(t: dict, spreads: dict) -> list[Finding]:
    return pair_findings("Table 4", t["04_table4"], "encoder", [(FG, FG, 1), (OBJ, OBJ04, 0)], PAIRS, spreads,
                         paper.TABLE4, PAPER_NAMES)


def section(t: dict, spreads: dict) -> tuple[str, list[Finding]]:
    fs = findings(t, spreads)
    body = ["## Table 4: what each SynCLR component adds", "",
            "Measured beside the paper (columns `paper ...` come from paper_numbers.py; comparison budget "
            "`study.ablation_steps`):", "", markdown(t["04_table4"]), "", "Findings:", "", findings_block(fs)]
    return "\n".join(body), fs

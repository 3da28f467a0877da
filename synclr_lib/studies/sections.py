"""What every study's REPORT section is made of: the measured table, the paper's, the
findings, in Markdown, and the metric names the notebooks' tables use.

    body = [heading, measured_block("04_table5", t["04_table5"]), findings_block(findings)]

Introduced in notebooks/08_report.py.
"""
from __future__ import annotations

import pandas as pd

from ..reporting import Missing, markdown, value
from .verdicts import NOT_MEASURED, Finding, ordering_finding

OBJ, FG = "objects", "fine-grained mean"  # the two accuracies every finding is about
OBJ04 = "objects (ImageNet analogue)"  # the objects column of notebook 04's tables


def fmt_chain(pairs) -> str:
    return " > ".join(f"{k} {v:.1f}" for k, v in pairs)


def row_values(table, key: str, column: str, names) -> dict:
    """{name: table[table[key] == name][column]} (None where absent)."""
    return {n: value(table, key, n, column) for n in names}


def pick_column(table, prefix: str):
    """The first column whose name starts with `prefix` (None for a Missing table)."""
    if isinstance(table, Missing):
        return None
    cols = [c for c in table.columns if c.startswith(prefix)]
    return cols[0] if cols else None


def paper_block(df: pd.DataFrame) -> str:
    return "Paper (from `synclr_lib/evaluate/paper_numbers.py`):\n\n" + markdown(df)


def measured_block(name: str, table, floatfmt: str = ".1f") -> str:
    return f"Measured (`tables/{name}.csv`):\n\n" + markdown(table, floatfmt)


def findings_block(findings: list[Finding]) -> str:
    return "\n".join(f"- {f.line()}" for f in findings) if findings else "_no finding for this section_"


def pair_findings(section_name, tab, key, rows_metric_cols, pairs, spreads, paper_rows, names=None) -> list[Finding]:
    """"a beats b on metric" for each (a, b) in pairs and each (metric, column, index of the
    paper's tuple) in rows_metric_cols, judged against spreads[metric]."""
    names = names or {}
    out = []
    for metric, col, idx in rows_metric_cols:
        for a, b in pairs:
            vals = row_values(tab, key, col, [a, b]) if not isinstance(tab, Missing) else {}
            pa, pb = paper_rows.get(names.get(a, a)), paper_rows.get(names.get(b, b))
            ptxt = (f"{names.get(a, a)} {pa[idx]:.1f} vs {names.get(b, b)} {pb[idx]:.1f}"
                    if pa and pb and pa[idx] is not None and pb[idx] is not None else "")
            f = ordering_finding(section_name, f"{a} beats {b} on {metric}", vals, [a, b], spreads.get(metric),
                                 paper=ptxt)
            if isinstance(tab, Missing):
                f = Finding(section_name, f.claim, NOT_MEASURED, str(tab), ptxt)
            out.append(f)
    return out

"""The report's inputs and its Markdown: the notebooks' CSV tables, read by name, and
DataFrames rendered as Markdown tables.

A table a skipped notebook never wrote is not an error: `read_table` returns a `Missing`
that renders as "missing: tables/<name>.csv", so the report still builds from what exists.

    t = read_table("04_table5")            # DataFrame, or Missing("tables/04_table5.csv")
    md = markdown(t)                        # a Markdown table or the "missing: ..." line

Introduced in notebooks/08_report.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths


@dataclass(frozen=True)
class Missing:
    """An input that does not exist; `file` is relative to the reports directory."""
    file: str

    def __str__(self) -> str:
        return f"missing: {self.file}"

    def __bool__(self) -> bool:
        return False


def tables_dir(reports: Path | None = None) -> Path:
    return (reports or paths.reports_dir()) / "tables"


def read_table(name: str, reports: Path | None = None):
    """reports/tables/<name>.csv as a DataFrame, or Missing when the file is absent or empty."""
    path = tables_dir(reports) / f"{name}.csv"
    if not path.is_file():
        return Missing(f"tables/{name}.csv")
    try:
        return pd.read_csv(path)
    except (pd.errors.EmptyDataError, pd.errors.ParserError):
        return Missing(f"tables/{name}.csv (unreadable)")


def fmt_value(v, floatfmt: str = ".1f") -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)):
        return format(float(v), floatfmt)
    return str(v).replace("|", "\\|").replace("\n", " ")


def markdown(table, floatfmt: str = ".1f", columns=None) -> str:
    """A DataFrame as a Markdown table (blank cells for NaN); a Missing as its one line."""
    if isinstance(table, Missing):
        return f"_{table}_"
    df = table if columns is None else table[[c for c in columns if c in table.columns]]
    if df.empty:
        return "_(empty table)_"
    head = "| " + " | ".join(fmt_value(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(fmt_value(v, floatfmt) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def figure_link(name: str, reports: Path | None = None, title: str = "") -> str:
    """A Markdown image link to reports/figures/<name>.png (relative to REPORT.md), or a missing line."""
    path = (reports or paths.reports_dir()) / "figures" / f"{name}.png"
    if not path.is_file():
        return f"_missing: figures/{name}.png_"
    return f"![{title or name}](figures/{name}.png)"


def value(table, row_key: str, row_value, column: str):
    """One cell: the row where `row_key == row_value`, column `column`; None when absent."""
    if isinstance(table, Missing) or row_key not in table or column not in table:
        return None
    rows = table[table[row_key] == row_value]
    if rows.empty:
        return None
    v = rows.iloc[0][column]
    return None if pd.isna(v) else float(v)

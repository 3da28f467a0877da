"""Figures and tables of the notebooks: PNG + PDF under reports/figures, CSV + Markdown under
reports/tables, each written atomically (a killed run never leaves half a file); and the
same tables read back by name for the studies' findings and the REPORT.

A table a skipped notebook never wrote is not an error: `read_table` returns a `Missing`
that renders as "missing: tables/<name>.csv", so the report still builds from what exists.

    save_table(df, "04_table5")            # reports/tables/04_table5.csv and .md
    t = read_table("04_table5")            # DataFrame, or Missing("tables/04_table5.csv")
    md = markdown(t)                        # a Markdown table or the "missing: ..." line

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import paths
from .atomic import atomic_write as _atomic_write


def save_figure(fig, name: str, *, dpi: int = 150) -> list[Path]:
    """Save a matplotlib figure as reports/figures/<name>.png and .pdf."""
    out = paths.reports_dir() / "figures"
    written = []
    for ext in ("png", "pdf"):
        written.append(_atomic_write(out / f"{name}.{ext}",
                                     lambda p, ext=ext: fig.savefig(p, format=ext, dpi=dpi,
                                                                    bbox_inches="tight")))
    return written


def save_table(df, name: str, *, floatfmt: str = ".1f", index: bool = False) -> list[Path]:
    """Save a pandas DataFrame as reports/tables/<name>.csv and .md."""
    out = paths.reports_dir() / "tables"
    csv = _atomic_write(out / f"{name}.csv", lambda p: df.to_csv(p, index=index))
    md = _atomic_write(out / f"{name}.md",
                       lambda p: p.write_text(df.to_markdown(index=index, floatfmt=floatfmt) + "\n"))
    return [csv, md]


def save_text(text: str, relpath: str) -> Path:
    """Write a text file (e.g. REPORT.md) under reports/."""
    return _atomic_write(paths.reports_dir() / relpath, lambda p: p.write_text(text))


# --------------------------------------------------------------------------------------
# Reading them back (the studies' findings and the REPORT: synclr_lib/studies, synclr_lib/report)
# --------------------------------------------------------------------------------------
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


def read_tables(names, reports: Path | None = None) -> dict:
    """{name: read_table(name)} for several tables."""
    return {n: read_table(n, reports) for n in names}


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

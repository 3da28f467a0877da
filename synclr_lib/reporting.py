"""Figures and tables of the notebooks: PNG + PDF under reports/figures, CSV + Markdown under
reports/tables, each written atomically (a killed run never leaves half a file).

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

from pathlib import Path

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

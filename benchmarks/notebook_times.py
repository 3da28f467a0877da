"""How long *Run All* of each notebook takes per profile: a table from the budgets that
`make figures` records (reports/budget.json for mini, reports/<profile>/budget.json for the
others), written to benchmarks/results/notebook_times.md, which every notebook links.

    .venv/bin/python benchmarks/notebook_times.py [--out benchmarks/results/notebook_times.md]

Only complete runs are recorded as budgets (every notebook executed, none failed), so each
column is one real `make figures` on the machine it names; a profile without one says so.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from synclr_lib import paths
from synclr_lib.notebook_runner import notebook_names
from synclr_lib.report.budget import read_budget

PROFILES = ("smoke", "mini", "gpu", "paper")


def table(budgets: dict[str, dict | None]) -> str:
    measured = {p: b for p, b in budgets.items() if b}
    lines = ["| notebook | " + " | ".join(f"`{p}`" for p in budgets) + " |",
             "|---|" + "---|" * len(budgets)]
    for name in notebook_names():
        cells = []
        for p, b in budgets.items():
            row = next((r for r in (b or {}).get("notebooks", []) if r["notebook"] == name), None)
            cells.append(f"{row['wall_s'] / 60:.1f} min" if row else "not measured")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **all (`make figures`)** | " + " | ".join(
        f"**{b['wall_s'] / 60:.1f} min**, {b['peak_tree_rss_gb']:.1f} GB peak" if b else "not measured"
        for b in budgets.values()) + " |")
    notes = [f"- `{p}`: `make figures PROFILE={p}` started {b['started']}"
             + (f" on {b['machine']['cpu']}, {b['machine']['cores']} cores" if b.get("machine") else
                " (machine not recorded)")
             + (f", overrides `{' '.join(b['overrides'])}`" if b.get("overrides") else "")
             + {None: "; whether stages were cached was not recorded", 0: "; from an empty artifact cache"}.get(
                 b.get("artifacts_cached_at_start"), f"; {b.get('artifacts_cached_at_start')} stage artifacts were "
                 "already cached, so this is not the cost of building everything")
             for p, b in measured.items()]
    return "\n".join(lines + [""] + notes)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=paths.REPO_ROOT / "benchmarks" / "results" / "notebook_times.md")
    args = p.parse_args(argv)
    budgets = {profile: read_budget(paths.reports_dir(profile)) for profile in PROFILES}
    text = ("# *Run All* time per notebook and profile\n\n"
            "Wall time of each notebook in the last complete `make figures` of each profile, with the state "
            "of the artifact cache it started from below (`reports/budget.json`, `reports/<profile>/budget.json`; "
            "regenerate with `benchmarks/notebook_times.py`). A notebook whose stages are already cached "
            "reruns in seconds. `mini` from an empty cache was measured only up to notebook 03, on a fresh "
            "clone: `benchmarks/results/floors.md`.\n\n" + table(budgets) + "\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

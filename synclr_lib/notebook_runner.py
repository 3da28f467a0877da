"""Execute the paired jupytext notebooks with papermill into reports/notebooks/.

`notebooks/NN_name.py` (py:percent) is the source; the paired `.ipynb` beside it is generated
(and git-ignored); papermill executes it with the `profile` and `overrides` parameters into
a temporary file that is renamed to `reports/notebooks/NN_name.ipynb` only on success.

A notebook whose source, library code, profile and overrides are unchanged since its last
successful run is skipped (the stages it calls are cached anyway); FORCE=1 reruns it.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
from pathlib import Path

from . import paths
from .cache import force_requested
from .config import ConfigError, parse_overrides, resolve


READS_OTHER_NOTEBOOKS = {"08_report"}  # rerun whenever an earlier notebook changed a table


def notebook_names() -> list[str]:
    return sorted(p.stem for p in paths.notebooks_dir().glob("[0-9][0-9]_*.py"))


def _source_digest(name: str, profile: str, overrides: list[str]) -> str:
    h = hashlib.sha256()
    h.update((paths.notebooks_dir() / f"{name}.py").read_bytes())
    for lib_file in sorted((paths.REPO_ROOT / "synclr_lib").rglob("*.py")):
        h.update(lib_file.read_bytes())
    h.update(json.dumps([profile, overrides]).encode())
    if name in READS_OTHER_NOTEBOOKS:  # its inputs are the other notebooks' tables, not stages
        for table in sorted((paths.reports_dir() / "tables").glob("*.csv")):
            h.update(table.name.encode() + table.read_bytes())
    return h.hexdigest()[:16]


def _stamp_path(name: str) -> Path:
    return paths.reports_dir() / "notebooks" / ".stamps" / f"{name}.json"


def run_notebook(name: str, profile: str = "mini", overrides=None, *, timeout_s: int | None = None) -> Path:
    """Run one notebook (name like '00_overview', or its number '00'); returns the executed
    notebook's path."""
    import jupytext
    import papermill

    overrides = [f"{k}={v}" for k, v in parse_overrides(overrides).items()]
    resolve(profile, overrides)  # bad input fails here, before anything is written
    names = notebook_names()
    by_number = {n.split("_", 1)[0]: n for n in names}
    name = by_number.get(name, name)
    if name not in names:
        raise ConfigError(f"unknown notebook {name!r}; valid notebooks: {', '.join(names)} (or their numbers)")
    out = paths.reports_dir() / "notebooks" / f"{name}.ipynb"
    stamp = _stamp_path(name)
    digest = _source_digest(name, profile, overrides)
    if out.exists() and stamp.exists() and not force_requested():
        if json.loads(stamp.read_text()).get("digest") == digest:
            print(f"[cache] {name}: up to date for profile {profile!r} (sources unchanged), skipped")
            return out
    src = paths.notebooks_dir() / f"{name}.py"
    ipynb = src.with_suffix(".ipynb")
    jupytext.write(jupytext.read(src), ipynb)  # the paired notebook JupyterLab opens
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{name}.{uuid.uuid4().hex[:6]}.tmp.ipynb")
    print(f"[notebook] {name}: executing with profile {profile!r}" + (f", overrides {overrides}" if overrides else ""))
    start = time.time()
    try:
        papermill.execute_notebook(str(ipynb), str(tmp), parameters={"profile": profile, "overrides": overrides},
                                   kernel_name="python3", cwd=str(paths.notebooks_dir()),
                                   progress_bar=False, execution_timeout=timeout_s,
                                   # nbclient waits 4 s for a finished cell's last output and papermill
                                   # fails the run after that; a loaded 2-core machine needs longer
                                   iopub_timeout=60)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    wall = time.time() - start
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"digest": digest, "profile": profile, "overrides": overrides,
                                 "wall_s": round(wall, 1), "finished": time.strftime("%Y-%m-%dT%H:%M:%S")}))
    print(f"[notebook] {name}: done in {wall:.1f} s -> {out}")
    return out


def run_all(profile: str = "mini", overrides=None, only=None) -> list[Path]:
    """Run the notebooks in name order (08_report last). A run of every notebook (`make
    figures`) records its wall time and peak memory, per notebook and in total, into
    reports/budget.json (synclr_lib/report/budget.py), which the report reads."""
    from .report.budget import BudgetRecorder

    resolve(profile, overrides)
    names = notebook_names() if not only else list(only)
    overrides = [f"{k}={v}" for k, v in parse_overrides(overrides).items()]
    out = []
    with BudgetRecorder(profile, overrides, names, write=not only) as budget:
        for n in names:
            with budget.notebook(n):
                out.append(run_notebook(n, profile, overrides))
    return out


if __name__ == "__main__":  # pragma: no cover
    run_all(*sys.argv[1:2])

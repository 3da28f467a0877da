"""Execute the paired jupytext notebooks with papermill into reports/notebooks/ (the default
profile) or reports/<profile>/notebooks/ (every other profile: synclr_lib/paths.py).

`notebooks/NN_name.py` (py:percent) is the source; the paired `.ipynb` beside it is generated
(and git-ignored); papermill executes it with the `profile` and `overrides` parameters into
a temporary file that is renamed to `reports/notebooks/NN_name.ipynb` only on success; a
failed run's executed notebook (its error included) is kept as `NN_name.failed.ipynb`. The
whole config, paths included, is validated (synclr_lib/validate.py) before any notebook runs.

A notebook whose source, library code, profile and overrides are unchanged since its last
successful run is skipped (the stages it calls are cached anyway); any FORCE reruns it
(FORCE=all or FORCE=<stage,...> also rebuild those stages: synclr_lib/cache.py). The kernels'
prints and progress bars are forwarded to this process's terminal as they come.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from . import paths
from .cache import force_requested
from .config import ConfigError, parse_overrides, resolve
from .validate import validate
from .progress import TEXT_ENV
from .session import RUNNER_PID_ENV


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
        for table in sorted((paths.reports_dir(profile) / "tables").glob("*.csv")):
            h.update(table.name.encode() + table.read_bytes())
    return h.hexdigest()[:16]


def _stamp_path(name: str, profile: str) -> Path:
    return paths.reports_dir(profile) / "notebooks" / ".stamps" / f"{name}.json"


@contextmanager
def _kernel_environment(profile: str):
    """The kernels papermill starts inherit the profile (where they write), this process's pid
    (they exit with it: synclr_lib/session.py) and text progress bars (synclr_lib/progress.py)."""
    values = {paths.PROFILE_ENV: profile, RUNNER_PID_ENV: str(os.getpid()), TEXT_ENV: "1"}
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _check(profile: str, overrides: list[str]) -> None:
    """The whole config, paths included, as a kernel would resolve it (from notebooks/)."""
    validate(resolve(profile, overrides), paths=True, cwd=paths.notebooks_dir())


def _notebook_name(name: str) -> str:
    """'00' or '00_overview' -> '00_overview'; ConfigError naming the valid ones otherwise."""
    names = notebook_names()
    name = {n.split("_", 1)[0]: n for n in names}.get(name, name)
    if name not in names:
        raise ConfigError(f"unknown notebook {name!r}; valid notebooks: {', '.join(names)} (or their numbers)")
    return name


def run_notebook(name: str, profile: str = "mini", overrides=None, *, timeout_s: int | None = None) -> Path:
    """Run one notebook (name like '00_overview', or its number '00'); returns the executed
    notebook's path."""
    import jupytext
    import papermill

    overrides = [f"{k}={v}" for k, v in parse_overrides(overrides).items()]
    _check(profile, overrides)  # bad input fails here, before anything is written
    name = _notebook_name(name)
    out = paths.reports_dir(profile) / "notebooks" / f"{name}.ipynb"
    stamp = _stamp_path(name, profile)
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
    failed = out.with_name(f"{name}.failed.ipynb")
    print(f"[notebook] {name}: executing with profile {profile!r}" + (f", overrides {overrides}" if overrides else ""))
    start = time.time()
    try:
        with _kernel_environment(profile):
            papermill.execute_notebook(str(ipynb), str(tmp), parameters={"profile": profile, "overrides": overrides},
                                       kernel_name="python3", cwd=str(paths.notebooks_dir()),
                                       progress_bar=False, execution_timeout=timeout_s,
                                       # the kernel's prints and text progress bars reach the terminal as they come
                                       stdout_file=sys.stdout, stderr_file=sys.stderr,
                                       # nbclient waits 4 s for a finished cell's last output and papermill
                                       # fails the run after that; a loaded 2-core machine needs longer
                                       iopub_timeout=60)
        os.replace(tmp, out)
    except BaseException:
        if tmp.exists():  # papermill saved the cells run so far, the error included: keep them
            os.replace(tmp, failed)
            print(f"[notebook] {name}: failed after {time.time() - start:.1f} s; the executed notebook "
                  f"is kept at {failed}", file=sys.stderr)
        raise
    finally:
        if tmp.exists():
            tmp.unlink()
    failed.unlink(missing_ok=True)  # an older failure no longer describes this notebook
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

    overrides = [f"{k}={v}" for k, v in parse_overrides(overrides).items()]
    _check(profile, overrides)  # `make figures` with a bad SET stops here, before any notebook
    names = notebook_names() if not only else [_notebook_name(n) for n in only]
    out = []
    with BudgetRecorder(profile, overrides, names, reports=paths.reports_dir(profile), write=not only) as budget:
        for n in names:
            with budget.notebook(n):
                out.append(run_notebook(n, profile, overrides))
    return out


if __name__ == "__main__":  # pragma: no cover
    run_all(*sys.argv[1:2])

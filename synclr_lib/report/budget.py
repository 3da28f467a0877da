"""The end-to-end budget: wall time and peak memory of `make figures`, in total and per
notebook, written to reports/budget.json by the notebook runner and read by the report.

    with BudgetRecorder(profile, overrides, names) as rec:      # synclr_lib/notebook_runner.py
        for name in names:
            with rec.notebook(name):
                run_notebook(name, profile, overrides)

Memory is measured two ways: a background thread sums the resident set size of this process
and all its descendants (the papermill kernel, image-generation workers) every
`interval_s` seconds ("tree" peak: what the machine had to hold at once), and
`getrusage(RUSAGE_CHILDREN).ru_maxrss` gives the largest single finished descendant
process (exact, but blind to processes still running and to sums). The file is rewritten
after every notebook (`in_progress: true` until the last), so notebooks/08_report.py, which
runs last, sees every notebook before it; when the run ends the budget section of
REPORT.md is refreshed in place (`refresh_report`) so it covers notebook 08 as well.

A budget is the cost of building everything: a run that failed or skipped a notebook as up
to date does not replace the last complete measurement (it is put back when the run ends;
with none before, a run that executed nothing leaves no budget).

Introduced in notebooks/08_report.py.
"""
from __future__ import annotations

import json
import os
import resource
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .. import paths
from ..atomic import atomic_write
from ..runtime import cpu_model

BUDGET_FILE = "budget.json"
START, END = "<!-- budget:start -->", "<!-- budget:end -->"


def budget_path(reports: Path | None = None) -> Path:
    return (reports or paths.reports_dir()) / BUDGET_FILE


def tree_rss_bytes(pid: int | None = None) -> tuple[int, int]:
    """(sum, max) resident set size in bytes over process `pid` and its descendants."""
    import psutil

    try:
        root = psutil.Process(pid or os.getpid())
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    sizes = []
    for p in procs:
        try:
            sizes.append(p.memory_info().rss)
        except psutil.Error:
            continue
    return sum(sizes), max(sizes, default=0)


def children_maxrss_bytes() -> int:
    """Largest resident set of any finished, reaped descendant (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def self_maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _Sampler(threading.Thread):
    """Samples the process tree's summed RSS; `peak` since the last `reset()`."""

    def __init__(self, interval_s: float):
        super().__init__(daemon=True)
        self.interval_s = interval_s
        self.peak = 0
        self.peak_total = 0
        self._stop = threading.Event()

    def run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self):
        total, _ = tree_rss_bytes()
        self.peak = max(self.peak, total)
        self.peak_total = max(self.peak_total, total)

    def reset(self):
        self.peak = 0

    def stop(self):
        self._stop.set()


def _gb(n_bytes: int) -> float:
    return round(n_bytes / 1e9, 3)


class BudgetRecorder:
    """Records wall time and peak memory of a sequence of notebooks into reports/budget.json."""

    def __init__(self, profile: str, overrides, names, *, reports: Path | None = None, interval_s: float = 0.5,
                 write: bool = True):
        self.profile, self.overrides, self.names = profile, list(overrides or []), list(names)
        self.path = budget_path(reports)
        self.reports = reports
        self.write_enabled = write
        self.rows: list[dict] = []
        self.sampler = _Sampler(interval_s)
        self.start = time.time()
        self.failed: str | None = None
        self.cached_at_start = 0
        self.previous: str | None = None  # budget.json before this run, put back unless this one is complete

    def __enter__(self):
        self.previous = self.path.read_text() if self.write_enabled and self.path.is_file() else None
        self.cached_at_start = len(list(paths.artifacts_dir().glob("*/*/DONE")))  # 0: from an empty cache
        self.start = time.time()
        self.sampler.start()
        self._write(in_progress=True)
        return self

    def __exit__(self, exc_type, exc, tb):
        self.sampler.sample()
        self.sampler.stop()
        self._write(in_progress=False)
        if self.write_enabled and not self.complete(exc_type is None):
            self._keep_last_complete()
        if exc_type is None and self.write_enabled:
            refresh_report(self.reports)
        return False

    def complete(self, finished: bool) -> bool:
        """Whether this run measured the whole build: finished, every planned notebook executed, none failed."""
        return finished and len(self.rows) == len(self.names) and _is_complete(self.record(in_progress=False))

    def _keep_last_complete(self):
        previous = _parse(self.previous)
        if previous is not None and _is_complete(previous):
            atomic_write(self.path, lambda p: p.write_text(self.previous))
        elif not any(r["executed"] for r in self.rows):
            self.path.unlink(missing_ok=True)  # nothing was built: nothing was measured

    @contextmanager
    def notebook(self, name: str):
        stamp = (self.reports or paths.reports_dir()) / "notebooks" / ".stamps" / f"{name}.json"
        before = stamp.read_text() if stamp.is_file() else None
        self.sampler.reset()
        self.sampler.sample()
        start = time.time()
        ok = False
        try:
            yield
            ok = True
        finally:
            self.sampler.sample()
            after = stamp.read_text() if stamp.is_file() else None
            self.rows.append({"notebook": name, "wall_s": round(time.time() - start, 1),
                              "executed": after != before, "ok": ok,
                              "peak_tree_rss_gb": _gb(self.sampler.peak),
                              "max_process_rss_gb_so_far": _gb(children_maxrss_bytes())})
            if not ok:
                self.failed = name
            self._write(in_progress=True)

    def record(self, in_progress: bool) -> dict:
        return {
            "profile": self.profile, "overrides": self.overrides,
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count()},
            "artifacts_cached_at_start": self.cached_at_start,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.start)),
            "started_epoch": self.start,
            "in_progress": in_progress, "failed": self.failed,
            "notebooks_planned": self.names,
            "wall_s": round(time.time() - self.start, 1),
            "peak_tree_rss_gb": _gb(self.sampler.peak_total),
            "max_process_rss_gb": _gb(max(children_maxrss_bytes(), self_maxrss_bytes())),
            "executed": sum(r["executed"] for r in self.rows),
            "skipped": sum(not r["executed"] for r in self.rows),
            "notebooks": self.rows,
        }

    def _write(self, in_progress: bool):
        if not self.write_enabled:
            return
        text = json.dumps(self.record(in_progress), indent=2)
        atomic_write(self.path, lambda p: p.write_text(text))


def _parse(text: str | None) -> dict | None:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _is_complete(budget: dict) -> bool:
    return (not budget.get("in_progress") and not budget.get("failed") and not budget.get("skipped")
            and budget.get("executed", 0) > 0)


def read_budget(reports: Path | None = None) -> dict | None:
    path = budget_path(reports)
    return _parse(path.read_text()) if path.is_file() else None


def parse_epoch(text: str) -> float | None:
    """Seconds since the epoch of a local "YYYY-MM-DDTHH:MM:SS" time (the stamps' `finished`,
    the artifacts' `created`; anything after the seconds is ignored), or None."""
    try:
        return time.mktime(time.strptime(str(text)[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None


def later_runs(budget: dict | None, reports: Path | None = None) -> list[dict]:
    """Notebooks of the budget's profile executed on their own after the budgeted run ended
    (their stamps, written by synclr_lib/notebook_runner.py, finished later): what the run's
    total does not include."""
    if not budget or "started_epoch" not in budget:
        return []
    end = budget["started_epoch"] + budget.get("wall_s", 0.0)
    rows = []
    for path in sorted(((reports or paths.reports_dir()) / "notebooks" / ".stamps").glob("*.json")):
        try:
            stamp = json.loads(path.read_text())
        except ValueError:
            continue
        finished = parse_epoch(stamp.get("finished", ""))
        if finished is not None and finished > end + 1 and stamp.get("profile") == budget.get("profile") \
                and stamp.get("overrides", []) == budget.get("overrides", []):
            rows.append({"notebook": path.stem, "finished": stamp["finished"],
                         "wall_s": stamp.get("wall_s", float("nan"))})
    return rows


def budget_markdown(budget: dict | None, later: list[dict] | None = None) -> str:
    """The REPORT's budget section body (between the markers); `later` = later_runs(budget)."""
    if budget is None:
        return f"_missing: {BUDGET_FILE} (written by `make figures`, i.e. `python -m synclr_lib notebooks`)_"
    lines = []
    state = "still running when this was written (notebooks after this one are not included)" \
        if budget.get("in_progress") else "finished"
    if budget.get("failed"):
        state = f"failed in {budget['failed']}"
    lines.append(f"`make figures` at profile `{budget['profile']}`"
                 + (f" with overrides `{' '.join(budget['overrides'])}`" if budget.get("overrides") else "")
                 + f", started {budget['started']}"
                 + (f" on {budget['machine']['cpu']} ({budget['machine']['cores']} cores)" if budget.get("machine") else "")
                 + f", {state}.")
    lines.append("")
    lines.append(f"- total wall time: **{budget['wall_s'] / 60:.1f} min** ({budget['wall_s']:.0f} s)")
    lines.append(f"- peak memory, whole process tree (sampled sum): **{budget['peak_tree_rss_gb']:.2f} GB**")
    lines.append(f"- peak memory, largest single process (getrusage): **{budget['max_process_rss_gb']:.2f} GB**")
    lines.append(f"- notebooks executed: {budget['executed']}, skipped as up to date: {budget['skipped']}"
                 + (" — a run with skipped notebooks is not a fresh-clone budget" if budget["skipped"] else ""))
    lines.append("")
    lines.append("| notebook | executed | wall (s) | peak tree RSS (GB) | largest process so far (GB) |")
    lines.append("|---|---|---|---|---|")
    for r in budget["notebooks"]:
        lines.append(f"| {r['notebook']} | {'yes' if r['executed'] else 'no (cached)'}{'' if r['ok'] else ', FAILED'} | "
                     f"{r['wall_s']:.1f} | {r['peak_tree_rss_gb']:.2f} | {r['max_process_rss_gb_so_far']:.2f} |")
    if later:
        lines += ["", "Executed on their own after this run (from their stamps; **not in the total above**, and "
                  "a notebook that found its stages cached costs less than one that built them):", "",
                  "| notebook | finished | wall (s) |", "|---|---|---|"]
        lines += [f"| {r['notebook']} | {r['finished']} | {r['wall_s']:.1f} |" for r in later]
    return "\n".join(lines)


def budget_section(budget: dict | None, reports: Path | None = None) -> str:
    return f"{START}\n{budget_markdown(budget, later_runs(budget, reports))}\n{END}"


def refresh_report(reports: Path | None = None, name: str = "REPORT.md") -> bool:
    """Rewrite the budget section of reports/REPORT.md from reports/budget.json (if both exist)."""
    report = (reports or paths.reports_dir()) / name
    if not report.is_file():
        return False
    text = report.read_text()
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = head + budget_section(read_budget(reports), reports) + tail
    atomic_write(report, lambda p: p.write_text(new))
    return True

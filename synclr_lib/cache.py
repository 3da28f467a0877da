"""The artifact cache: every stage writes `artifacts/<stage>/<config-hash>/` atomically.

A stage's output directory is built under a temporary name, then `meta.json` (the resolved
config, git commit, package versions, wall time) and a `DONE` marker are written, and only
then is the directory renamed into place. A killed run therefore never leaves a directory
that looks finished; a stage reruns only when its config hash changes or `FORCE=1`.

    path = cached("world", payload={"world": {...}}, build=lambda out: ...)

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Callable

from . import paths
from .runtime import git_commit, package_versions

DONE = "DONE"
META = "meta.json"


def config_hash(payload: dict) -> str:
    """Short, stable hash of a JSON-able payload (key order does not matter)."""
    text = json.dumps(payload, sort_keys=True, default=_jsonable)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _jsonable(obj):
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON-able in a config payload: {obj!r}")


def force_requested() -> bool:
    return os.environ.get("FORCE", "0").strip().lower() not in ("", "0", "false", "no")


def is_complete(path: Path) -> bool:
    return (path / DONE).is_file() and (path / META).is_file()


def stage_path(stage: str, payload: dict, root: Path | None = None) -> Path:
    return (root or paths.artifacts_dir()) / stage / config_hash({"stage": stage, **payload})


def read_meta(path: Path) -> dict:
    return json.loads((Path(path) / META).read_text())


def partial_path(final: Path) -> Path:
    """The stable work directory of a resumable stage: kept when a run is killed."""
    return final.parent / f".partial-{final.name}"


def cached(stage: str, payload: dict, build: Callable[[Path], dict | None], *,
           force: bool | None = None, root: Path | None = None, verbose: bool = True,
           resumable: bool = False, run_facts: Callable[[], dict] | None = None) -> Path:
    """Return the finished artifact directory of `stage` for `payload`, building it if needed.

    `build(work_dir)` writes the stage's files into `work_dir` and may return a dict of extra
    facts (timings, sizes) that is stored in meta.json under "info". For a `resumable` stage
    the work directory has a stable name and survives a killed or failed run, so `build` can
    skip what an earlier run already finished (it must only ever finish files atomically).
    `run_facts()`, called after `build`, adds how the run went (e.g. {"bf16": ...}) to meta.json.
    """
    final = stage_path(stage, payload, root)
    force = force_requested() if force is None else force
    if is_complete(final) and not force:
        if verbose:
            print(f"[cache] {stage}: reusing {_rel(final)} (config unchanged)")
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    if resumable:
        tmp = partial_path(final)
        if force and tmp.exists():
            shutil.rmtree(tmp)
        resuming = tmp.exists()
        tmp.mkdir(exist_ok=True)
    else:
        tmp = final.parent / f".tmp-{final.name}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        resuming = False
        tmp.mkdir()
    if verbose:
        print(f"[cache] {stage}: {'resuming' if resuming else 'building'} {_rel(final)}"
              + (" (FORCE)" if force else ""))
    start = time.time()
    try:
        info = build(tmp) or {}
        meta = {
            "stage": stage,
            "hash": final.name,
            "config": payload,
            "git_commit": git_commit(),
            "packages": package_versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "wall_s": round(time.time() - start, 3),
            "info": info,
            **(run_facts() if run_facts else {}),
        }
        (tmp / META).write_text(json.dumps(meta, indent=2, sort_keys=True, default=_jsonable))
        (tmp / DONE).write_text("")
        if final.exists():  # FORCE over an old result: swap it out, then delete it
            old = final.parent / f".old-{final.name}-{uuid.uuid4().hex[:6]}"
            final.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(final)
    except BaseException:
        if not resumable:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    if verbose:
        print(f"[cache] {stage}: done in {meta['wall_s']:.1f} s -> {_rel(final)}")
    return final


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(paths.REPO_ROOT))
    except ValueError:
        return str(path)

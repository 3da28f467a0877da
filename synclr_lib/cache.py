"""The artifact cache: every stage writes `artifacts/<stage>/<config-hash>/` atomically.

A stage's output directory is built under a temporary name, then `files.json` (every file
with its size), `meta.json` (the resolved config, git commit, package versions, wall time)
and a `DONE` marker are written, and only then is the directory renamed into place. A
killed run therefore never leaves a directory that looks finished.

    path = cached("world", payload={"world": {...}}, build=lambda out: ...)

A stage reruns when its config hash changes, when it is forced, or when its finished
directory fails verification (a recorded file missing or of another size, or the stage's
own `verify`, e.g. shard checksums): then one line says what is damaged and it is rebuilt.
`FORCE` in the environment: `all` rebuilds every stage a run uses (each once per run), a
comma-separated list of stage names rebuilds those; `1` rebuilds no stage by itself (the
command line forces only the stage it names, the notebook runner reruns notebooks).

Cache keys never hold where the artifacts folder is: a path is keyed by `path_key`.

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from . import paths
from .runtime import git_commit, package_versions

DONE = "DONE"
META = "meta.json"
FILES = "files.json"
FORCE_ALL = "all"
FORCE_RUN_ENV = "SYNCLR_FORCE_RUN"  # one id per forced run, shared with its notebook kernels
_PROCESS_RUN = uuid.uuid4().hex[:12]

# {relative file: what is wrong} of a finished artifact; deleting those files must leave a
# work directory that the stage's resumable build completes (shards are redrawn)
Verify = Callable[[Path], dict]


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


# --------------------------------------------------------------------------------------
# FORCE
# --------------------------------------------------------------------------------------
def force_setting() -> str | frozenset[str]:
    """FORCE parsed: "" (off), "1", "all", or a frozenset of stage names."""
    value = os.environ.get("FORCE", "").strip()
    low = value.lower()
    if low in ("", "0", "false", "no"):
        return ""
    if low in ("1", "true", "yes"):
        return "1"
    if low == FORCE_ALL:
        return FORCE_ALL
    return frozenset(n.strip() for n in value.split(",") if n.strip())


def force_requested() -> bool:
    """Whether FORCE is set at all (the notebook runner then reruns every notebook)."""
    return bool(force_setting())


def forces(stage: str) -> bool:
    """Whether FORCE rebuilds `stage` wherever a run uses it (FORCE=all or FORCE=<names>)."""
    setting = force_setting()
    return setting == FORCE_ALL or (isinstance(setting, frozenset) and stage in setting)


def force_run_id() -> str:
    return os.environ.get(FORCE_RUN_ENV) or _PROCESS_RUN


# --------------------------------------------------------------------------------------
# Paths in cache keys
# --------------------------------------------------------------------------------------
SAMPLE_BYTES = 64 << 10  # a file larger than 4 samples is fingerprinted by 3 of them
_fingerprints: dict[Path, tuple] = {}  # directory -> (its files' names, sizes, times; fingerprint)


def path_key(path) -> dict:
    """What a cache key holds for a path in a config (a data or model directory), so that
    moving the artifacts folder or the directory keeps the key: inside a finished artifact
    (or not yet built there) its path relative to the artifacts folder, whose hash names pin
    the content; anywhere else a content fingerprint (`dir_fingerprint`)."""
    p = Path(path).expanduser().resolve()
    root = paths.artifacts_dir().resolve()
    if p == root or root in p.parents:
        if not p.exists() or any(is_complete(d) for d in [p, *p.parents] if root in d.parents):
            return {"artifact": p.relative_to(root).as_posix()}
    if not p.exists():
        return {"missing": str(path)}
    return {"content": dir_fingerprint(p)}


def dir_fingerprint(path: Path) -> str:
    """Hash of every file's relative name, size and bytes, where a file over 256 KiB (model
    weights) contributes 3 samples of 64 KiB (start, middle, end) instead of all its bytes:
    a multi-GB model directory costs a few MB of reads. Names starting with "." are skipped
    (caches, locks); modification times are not used, so a copy keeps the fingerprint."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(path).parts))
    stats = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    if _fingerprints.get(path) is not None and _fingerprints[path][0] == stats:
        return _fingerprints[path][1]  # unchanged since hashed (every training checkpoint asks)
    h = hashlib.sha256()
    for f in files:
        size = f.stat().st_size
        h.update(f"{f.relative_to(path).as_posix() if f != path else f.name}\0{size}\0".encode())
        with open(f, "rb") as fh:
            if size <= 4 * SAMPLE_BYTES:
                h.update(fh.read())
            else:
                for offset in (0, size // 2, size - SAMPLE_BYTES):
                    fh.seek(offset)
                    h.update(fh.read(SAMPLE_BYTES))
    _fingerprints[path] = (stats, h.hexdigest()[:16])
    return _fingerprints[path][1]


# --------------------------------------------------------------------------------------
# Finished artifacts
# --------------------------------------------------------------------------------------
def is_complete(path: Path) -> bool:
    return (path / DONE).is_file() and (path / META).is_file()


def stage_path(stage: str, payload: dict, root: Path | None = None) -> Path:
    return (root or paths.artifacts_dir()) / stage / config_hash({"stage": stage, **payload})


def read_meta(path: Path) -> dict:
    return json.loads((Path(path) / META).read_text())


def _meta(path: Path) -> dict:
    try:
        return read_meta(path)
    except (OSError, ValueError):
        return {}


def partial_path(final: Path) -> Path:
    """The stable work directory of a resumable stage: kept when a run is killed."""
    return final.parent / f".partial-{final.name}"


def _file_sizes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_size for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).as_posix() not in (META, DONE, FILES)}


_announced: set[Path] = set()  # reused artifacts already named: a loop over one stage says it once
_verified: dict[Path, str] = {}  # artifact -> file signature its `verify` last passed at


def damage(path: Path, verify: Verify | None = None) -> dict[str, str]:
    """{relative file: what is wrong} of a finished artifact, {} when it is intact: every
    file recorded in files.json must exist with its size (artifacts built before files.json
    existed skip this), and the stage's `verify` must pass (run once per process while no
    file's size or modification time changes)."""
    path = Path(path)
    problems: dict[str, str] = {}
    listed = path / FILES
    if listed.is_file():
        try:
            sizes = json.loads(listed.read_text())
        except ValueError:
            sizes, problems[FILES] = {}, "unreadable"
        for rel, size in sorted(sizes.items()):
            file = path / rel
            if not file.is_file():
                problems[rel] = "missing"
            elif file.stat().st_size != size:
                problems[rel] = f"{file.stat().st_size} bytes, recorded {size}"
    if verify is None:
        return problems
    signature = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            st = p.stat()
            signature.update(f"{p.relative_to(path)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    if not problems and _verified.get(path) == signature.hexdigest():
        return problems
    for rel, why in verify(path).items():
        problems.setdefault(rel, why)
    if not problems:
        _verified[path] = signature.hexdigest()
    return problems


def _describe(problems: dict[str, str]) -> str:
    (rel, why), more = next(iter(sorted(problems.items()))), len(problems) - 1
    return f"{rel}: {why}" + (f"; and {more} more" if more else "")


def _repair_in_place(final: Path, problems: dict[str, str]) -> None:
    """Turn a damaged artifact back into its work directory without the damaged files."""
    work = partial_path(final)
    if work.exists():  # an earlier forced run's work dir: resume that one instead
        shutil.rmtree(final)
        return
    for name in (DONE, META, FILES, *problems):
        target = final / name
        if target.is_file():
            target.unlink()
    final.rename(work)


# --------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------
def cached(stage: str, payload: dict, build: Callable[[Path], dict | None], *,
           force: bool | None = None, root: Path | None = None, verbose: bool = True,
           resumable: bool = False, run_facts: Callable[[], dict] | None = None,
           verify: Verify | None = None) -> Path:
    """Return the finished artifact directory of `stage` for `payload`, building it if needed.

    `build(work_dir)` writes the stage's files into `work_dir` and may return a dict of extra
    facts (timings, sizes) that is stored in meta.json under "info". For a `resumable` stage
    the work directory has a stable name and survives a killed or failed run, so `build` can
    skip what an earlier run already finished (it must only ever finish files atomically).
    `run_facts()`, called after `build`, adds how the run went (e.g. {"bf16": ...}) to meta.json.
    `force` None follows FORCE (see `forces`); an artifact FORCE already rebuilt in this
    forced run is reused. `verify` is checked before reuse (see `damage`): a damaged
    resumable artifact with a `verify` redraws only its damaged files, any other is rebuilt.
    """
    final = stage_path(stage, payload, root)
    from_env = force is None
    if not _needs_build(final, stage, force, from_env, verify):
        if verbose and final not in _announced:
            print(f"[cache] {stage}: reusing {paths.shown(final)} (config unchanged)")
            _announced.add(final)
        return final
    _announced.discard(final)  # rebuilt or repaired: its next reuse is news again
    final.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(final, stage):  # a second writer waits, then finds the artifact finished
        return _build(stage, payload, build, final, force, from_env, verbose, resumable, run_facts, verify)


def _effective_force(final: Path, stage: str, force: bool | None, from_env: bool) -> bool:
    force = forces(stage) if from_env else force
    if force and from_env and is_complete(final) and _meta(final).get("force_run") == force_run_id():
        return False  # rebuilt earlier in this forced run
    return bool(force)


def _needs_build(final: Path, stage: str, force: bool | None, from_env: bool, verify) -> bool:
    return (not is_complete(final) or _effective_force(final, stage, force, from_env)
            or bool(damage(final, verify)))


@contextmanager
def _build_lock(final: Path, stage: str):
    """An exclusive lock per artifact (flock on `<artifacts>/.locks/<stage>-<hash>`, kept, since
    deleting a lock file races): two processes never build into the same work directory (a
    kernel a killed run left behind, a second terminal)."""
    import fcntl

    if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # torchrun's ranks build one artifact together
        yield
        return
    locks = final.parent.parent / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    with open(locks / f"{stage}-{final.name}", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            print(f"[cache] {stage}: waiting for process {handle.read().strip() or '?'}, which is building "
                  f"{paths.shown(final)}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_nested_s: list[float] = []  # per build in progress (innermost last): seconds spent in builds nested in it


def _build(stage, payload, build, final, force, from_env, verbose, resumable, run_facts, verify) -> Path:
    """The rest of `cached`, under the artifact's lock: decide again, then build."""
    force = _effective_force(final, stage, force, from_env)
    problems = damage(final, verify) if is_complete(final) and not force else {}
    if is_complete(final) and not force and not problems:
        if verbose:
            print(f"[cache] {stage}: reusing {paths.shown(final)} (finished by the process it waited for)")
        return final
    if problems:
        repair = resumable and verify is not None
        print(f"[cache] {stage}: {paths.shown(final)} is damaged ({_describe(problems)}); "
              + ("redrawing the damaged files" if repair else "rebuilding it"))
        if repair:
            _repair_in_place(final, problems)
    final.parent.mkdir(parents=True, exist_ok=True)
    if resumable:
        tmp = partial_path(final)
        if force and tmp.exists():
            shutil.rmtree(tmp)
        resuming = tmp.exists() and _holds_files(tmp)  # an empty leftover has nothing to resume
        tmp.mkdir(exist_ok=True)
    else:
        tmp = final.parent / f".tmp-{final.name}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        resuming = False
        tmp.mkdir()
    if verbose:
        print(f"[cache] {stage}: {'resuming' if resuming else 'building'} {paths.shown(final)}"
              + (" (FORCE)" if force else ""))
    start = time.time()
    _nested_s.append(0.0)  # seconds of the builds this one starts on the way (upstream stages)
    try:
        info = build(tmp) or {}
        wall = time.time() - start
        meta = {
            "stage": stage,
            "hash": final.name,
            "config": payload,
            "git_commit": git_commit(),
            "packages": package_versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "wall_s": round(wall, 3),
            "own_s": round(wall - _nested_s[-1], 3),  # without the upstream stages built inside it
            "info": info,
            **({"force_run": force_run_id()} if force and from_env else {}),
            **(run_facts() if run_facts else {}),
        }
        (tmp / FILES).write_text(json.dumps(_file_sizes(tmp), indent=1, sort_keys=True))
        (tmp / META).write_text(json.dumps(meta, indent=2, sort_keys=True, default=_jsonable))
        (tmp / DONE).write_text("")
        if final.exists():  # a forced or damaged old result: swap it out, then delete it
            old = final.parent / f".old-{final.name}-{uuid.uuid4().hex[:6]}"
            final.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        tmp.rename(final)
    except BaseException:
        if not resumable:
            shutil.rmtree(tmp, ignore_errors=True)
        else:  # a build that failed before writing anything must not leave a "resumable" folder
            _remove_if_empty(tmp)
        raise
    finally:
        _nested_s.pop()
        if _nested_s:  # this build ran inside another: its time is not the outer one's own
            _nested_s[-1] += time.time() - start
    if verbose:
        print(f"[cache] {stage}: done in {meta['wall_s']:.1f} s -> {paths.shown(final)}")
    return final


# A failed resumable build that wrote nothing leaves no work directory behind.
def _holds_files(work: Path) -> bool:
    return any(p.is_file() for p in work.rglob("*"))


def _remove_if_empty(work: Path) -> None:
    """Remove `work` if it holds only empty folders; rmdir (never rmtree) keeps any file a
    concurrent writer (an `images` part) puts there meanwhile."""
    for d in sorted((p for p in work.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True) + [work]:
        try:
            d.rmdir()
        except OSError:  # it holds a file, so it and its parents stay
            pass


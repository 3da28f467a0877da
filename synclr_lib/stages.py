"""The stage registry: one named, cached step of the pipeline per concern.

world -> g1 -> captions -> g2 -> images -> train -> eval. Each stage declares what part of
the config its result depends on (its payload) and what it reads (its requires: upstream
stages, or folders from outside the cache such as a shipped g2); the cache hash covers its
own payload and, recursively, its inputs' keys, so changing an early setting reruns
everything downstream and nothing else.

    from synclr_lib.stages import run_stage
    world_dir = run_stage("world", cfg)

A build is `build(cfg, out, inputs)`: `inputs` maps each name in its requires to a ready
directory, built first by `run_stage`. A build never calls `run_stage` itself (it raises
`HiddenInputError`), so every input a stage reads is declared and in its key.

Stage modules register themselves with `@stage(...)`; add a new module to STAGE_MODULES.
A stage may declare `verify(path)`: checks of its finished directory (e.g. shard checksums)
run before every reuse (synclr_lib.cache.damage).
Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import importlib
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Union

from .cache import FORCE_ALL, FORCE_RUN_ENV, Verify, cached, force_setting, path_key, stage_path
from .config import Config, ConfigError

# Modules that define stages (imported on first lookup, so `import synclr_lib` stays light).
STAGE_MODULES: list[str] = [
    "synclr_lib.world.web",
    "synclr_lib.world.suites",
    "synclr_lib.images.pretrain",
    "synclr_lib.images.judge",
    "synclr_lib.images.generate",
    "synclr_lib.images.cfg_study",
    "synclr_lib.images.strategy_study",
    "synclr_lib.captions.mini_g1",
    "synclr_lib.captions.sets",
    "synclr_lib.captions.smollm2",
    "synclr_lib.images.proxy",
    "synclr_lib.train.stage",
]


@dataclass(frozen=True)
class Upstream:
    """An input that is a stage's artifact: `stage` built under `cfg`; the build gets `part` of it."""
    stage: str
    cfg: Config
    part: str = ""  # a folder inside the artifact (e.g. g2's "pipeline"); "" for the whole


# An input is an upstream stage, or a folder from outside the cache (a shipped model, a user's
# data directory) that enters the key by content (cache.path_key).
Input = Union[Upstream, Path]
Requires = Union[tuple, Callable[[Config], dict]]  # stage names, or cfg -> {input name: Input}


class HiddenInputError(RuntimeError):
    """A build called run_stage: what it reads must be in its stage's requires."""


@dataclass(frozen=True)
class Stage:
    name: str
    payload: Callable[[Config], dict]  # the config values the result depends on
    build: Callable[[Config, Path, dict], dict | None]  # (cfg, out dir, {input: dir}) -> facts
    requires: Requires = ()  # what it reads: stage names, or cfg -> {input name: Input}
    resumable: bool = False  # keep the work dir of a killed run and resume into it
    doc: str = ""
    verify: Verify | None = None  # {relative file: problem} of a finished artifact


_REGISTRY: dict[str, Stage] = {}
CACHED_ELSEWHERE = ("evaluation", "caption_subset", "features")  # cached() outside the registry (FORCE names)
_loaded = False


def stage(name: str, *, payload: Callable[[Config], dict], requires: Requires = (),
          resumable: bool = False, verify: Verify | None = None):
    """Decorator registering `build(cfg, out_dir, inputs)` as the stage `name`."""
    def register(build):
        needs = requires if callable(requires) else tuple(requires)
        _REGISTRY[name] = Stage(name, payload, build, needs, resumable, (build.__doc__ or "").strip(), verify)
        return build
    return register


def registry() -> dict[str, Stage]:
    global _loaded
    if not _loaded:
        for module in STAGE_MODULES:
            importlib.import_module(module)
        _loaded = True
    return _REGISTRY


def get_stage(name: str) -> Stage:
    stages = registry()
    if name not in stages:
        raise ConfigError(f"unknown stage {name!r}; valid stages: {', '.join(stages) or '(none)'}")
    return stages[name]


def inputs_of(name: str, cfg: Config) -> dict[str, Input]:
    """{input name: Input} the stage reads under this config (its requires, resolved)."""
    requires = get_stage(name).requires
    if callable(requires):
        return requires(cfg)
    return {u: Upstream(u, cfg) for u in requires}


def input_key(source: Input) -> dict:
    """An input's part of a cache key: an upstream stage's full payload, a folder's path_key."""
    if isinstance(source, Upstream):
        return full_payload(source.stage, source.cfg)
    return path_key(source)


def full_payload(name: str, cfg: Config) -> dict:
    """The stage's own payload plus, recursively, its inputs' keys."""
    return _key_and_inputs(name, cfg)[0]


def _key_and_inputs(name: str, cfg: Config) -> tuple[dict, dict[str, Input]]:
    own = get_stage(name).payload(cfg)  # bad settings fail here (payloads check them), before any work
    sources = inputs_of(name, cfg)
    return {"own": own, "requires": {k: input_key(v) for k, v in sources.items()}}, sources


def artifact_path(name: str, cfg: Config) -> Path:
    """Where the stage's artifact lives for this config (whether or not it exists yet)."""
    return stage_path(name, full_payload(name, cfg))


def run_stage(name: str, cfg: Config, *, force: bool | None = None) -> Path:
    """Build (or reuse from the cache) the stage's artifact; returns its directory.

    force=True rebuilds this stage only (the stages it reads are reused when complete);
    None follows FORCE (synclr_lib.cache.forces). Inside a build it raises HiddenInputError."""
    if _building.get():
        raise HiddenInputError(f"stage {_building.get()!r} called run_stage({name!r}) inside its build; "
                               f"declare {name!r} in its requires and read it from `inputs`")
    st = get_stage(name)
    key, sources = _key_and_inputs(name, cfg)
    return cached(name, key, lambda out: _build(st, cfg, out, sources), force=force,
                  resumable=st.resumable, run_facts=lambda: run_facts(cfg), verify=st.verify)


_building: ContextVar[str] = ContextVar("building", default="")  # the stage whose build is running


def input_dir(source: Input) -> Path:
    """The directory an input names, its upstream stage built (or reused) first."""
    if isinstance(source, Upstream):
        return run_stage(source.stage, source.cfg) / source.part
    return Path(source)


def _build(st: Stage, cfg: Config, out: Path, sources: dict[str, Input]) -> dict | None:
    inputs = {k: input_dir(v) for k, v in sources.items()}  # upstream stages first, only on a miss
    token = _building.set(st.name)
    try:
        return st.build(cfg, out, inputs)
    finally:
        _building.reset(token)


def apply_force(command: str, force: bool = False, force_all: bool = False) -> bool:
    """The command line's --force / --force-all and FORCE: sets FORCE for what runs next
    (notebook kernels included) and returns whether the stage `command` itself is rebuilt.

    --force (or FORCE=1) rebuilds the named stage only, or reruns the notebooks;
    --force-all (or FORCE=all) rebuilds every stage used as well; FORCE=<stage,...>
    rebuilds those stages wherever they are used. Unknown stage names raise ConfigError."""
    import os
    import uuid

    if force_all:
        os.environ["FORCE"] = FORCE_ALL
    elif force and command in ("notebook", "notebooks"):
        os.environ["FORCE"] = "1"
    setting = force_setting()
    if isinstance(setting, frozenset):
        known = [*registry(), *CACHED_ELSEWHERE]
        unknown = sorted(setting - set(known))
        if unknown:
            raise ConfigError(f"FORCE names unknown stage(s) {', '.join(unknown)}; use 1, all or "
                              f"stage names: {', '.join(known)}")
    if setting and not os.environ.get(FORCE_RUN_ENV):  # one forced run for this process and
        os.environ[FORCE_RUN_ENV] = uuid.uuid4().hex[:12]  # its notebook kernels: each stage once
    return command not in ("notebook", "notebooks") and (force or setting == "1")


def run_facts(cfg: Config) -> dict:
    """What meta.json records beside the config: the bf16 choice (setting, result, reason)."""
    from .runtime import bf16_decision

    return {"bf16": bf16_decision(cfg).as_meta()}

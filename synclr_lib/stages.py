"""The stage registry: one named, cached step of the pipeline per concern.

world -> g1 -> captions -> g2 -> images -> train -> eval. Each stage declares what part of
the config its result depends on (its payload) and which stages it reads; the cache hash
covers its own payload and, recursively, its upstream stages' payloads, so changing an
early setting reruns everything downstream and nothing else.

    from synclr_lib.stages import run_stage
    world_dir = run_stage("world", cfg)

Stage modules register themselves with `@stage(...)`; add a new module to STAGE_MODULES.
Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .cache import cached, stage_path
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
    "synclr_lib.data.proxy",
    "synclr_lib.train.stage",
]


@dataclass(frozen=True)
class Stage:
    name: str
    payload: Callable[[Config], dict]  # the config values the result depends on
    build: Callable[[Config, Path], dict | None]  # writes the artifact into a directory
    requires: tuple[str, ...] = ()  # upstream stages whose artifacts it reads
    resumable: bool = False  # keep the work dir of a killed run and resume into it
    doc: str = ""


_REGISTRY: dict[str, Stage] = {}
_loaded = False


def stage(name: str, *, payload: Callable[[Config], dict], requires: tuple[str, ...] = (),
          resumable: bool = False):
    """Decorator registering `build(cfg, out_dir)` as the stage `name`."""
    def register(build):
        _REGISTRY[name] = Stage(name, payload, build, tuple(requires), resumable,
                                (build.__doc__ or "").strip())
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


def full_payload(name: str, cfg: Config) -> dict:
    """The stage's own payload plus, recursively, its upstream stages' payloads."""
    st = get_stage(name)
    return {"own": st.payload(cfg), "requires": {u: full_payload(u, cfg) for u in st.requires}}


def artifact_path(name: str, cfg: Config) -> Path:
    """Where the stage's artifact lives for this config (whether or not it exists yet)."""
    return stage_path(name, full_payload(name, cfg))


def run_stage(name: str, cfg: Config, *, force: bool | None = None) -> Path:
    """Build (or reuse from the cache) the stage's artifact; returns its directory."""
    st = get_stage(name)
    return cached(name, full_payload(name, cfg), lambda out: st.build(cfg, out), force=force,
                  resumable=st.resumable, run_facts=lambda: run_facts(cfg))


def run_facts(cfg: Config) -> dict:
    """What meta.json records beside the config: the bf16 choice (setting, result, reason)."""
    from .runtime import bf16_decision

    return {"bf16": bf16_decision(cfg).as_meta()}

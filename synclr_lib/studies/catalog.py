"""Every training run the studies name, in one listing: the comparison rows of Tables 4, 5
and 10 (trained once where two tables share a row), the shortcut lesson, the main
comparison's seeds and the runs on the CFG and strategy studies' images. The REPORT's cost
section prices them; notebooks 04-06 train and probe them.

    runs = comparison_runs(cfg)            # {row: overrides}, Tables 4, 5 and 10
    every = every_run(cfg, build=False)    # all of them, naming study directories without drawing

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

from ..train.runs import variant
from .cfg_scale import cfg_runs
from .comparisons import seed_runs, table10_runs
from .components import component_runs
from .objective import objective_runs
from .shortcut import shortcut_runs
from .strategies import strategy_runs


def comparison_runs(cfg) -> dict[str, list[str]]:
    """Every comparison row (Tables 4, 5, 10) at the ablation budget: {row name: overrides}.
    A row two tables share (SynCLR) appears once: one run, one cache entry."""
    return {**component_runs(cfg), **objective_runs(cfg), **table10_runs(cfg)}


def study_runs(cfg, *, build: bool = True) -> dict[str, list[str]]:
    """The runs on the studies' image directories: Table 3 ("CFG s") and Table 2 ("Table 2:
    strategy"). build=False names the directories without drawing them (for cost listings)."""
    return {**cfg_runs(cfg, build=build), **{f"Table 2: {s}": o for s, o in strategy_runs(cfg, build=build).items()}}


def every_run(cfg, *, build: bool = False) -> dict[str, list[str]]:
    """{name: overrides} of every named run (the scaling runs are listed by notebook 07)."""
    return {**comparison_runs(cfg), **seed_runs(cfg, "SynCLR"), **seed_runs(cfg, "SimCLR"),
            **shortcut_runs(cfg), **study_runs(cfg, build=build)}


def every_run_config(cfg) -> dict:
    """{name: the run's config} of every_run, without drawing any study image (cost listings)."""
    return {name: variant(cfg, overrides) for name, overrides in every_run(cfg, build=False).items()}

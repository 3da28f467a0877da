"""The first code cell of every notebook: one call that resolves the config, sets the torch
threads and sends figures and tables to the profile's folder (reports/ for mini,
reports/<profile>/ otherwise).

    cfg = start(profile, overrides)

Run headless by the notebook runner, the kernel also exits with the runner, so a killed
`make figures` leaves no kernel building a stage that the next run builds too.
Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import os

from . import paths
from .config import Config, resolve
from .runtime import die_with_parent, set_threads
from .validate import validate

RUNNER_PID_ENV = "SYNCLR_RUNNER_PID"  # set by notebook_runner for the kernels it starts


def start(profile: str, overrides=None, *, verbose: bool = True) -> Config:
    """Resolve and check the config (values and paths: synclr_lib/validate.py), set threads, choose the outputs folder; returns the config."""
    cfg = validate(resolve(profile, overrides), paths=True)  # one clear error before any stage runs
    paths.use_profile(cfg.profile)
    threads = set_threads(cfg.run.threads)
    runner = os.environ.get(RUNNER_PID_ENV)
    if runner and runner.isdigit() and int(runner) == os.getppid():
        die_with_parent(int(runner))
    if verbose:
        print(f"profile: {cfg.profile}   torch threads: {threads}   outputs: {paths.shown(paths.reports_dir())}")
    return cfg


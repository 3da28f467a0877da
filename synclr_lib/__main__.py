"""Command line: run any stage or notebook outside JupyterLab.

    python -m synclr_lib list                                  # stages and notebooks
    python -m synclr_lib config --profile smoke --set train.steps=5
    python -m synclr_lib <stage> --profile mini [--set key=value ...] [--force | --force-all]
    python -m synclr_lib notebook 00_overview --profile smoke
    python -m synclr_lib notebooks --profile mini               # all, in order (make figures)
    torchrun --nproc_per_node 2 -m synclr_lib train --profile smoke

Bad input (unknown profile, stage, notebook or override key; a wrongly typed or out-of-range
value; for commands that run stages, a missing model directory or file: synclr_lib/validate.py)
prints one error line naming what is expected and exits with status 2, before any stage runs.
"""
from __future__ import annotations

import argparse
import json
import sys

from .config import ConfigError, resolve
from .validate import validate


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m synclr_lib", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", help="list | config | notebook | notebooks | <stage name>")
    p.add_argument("names", nargs="*", help="notebook names for `notebook`")
    p.add_argument("--profile", default="mini", help="smoke | mini | gpu | paper (default mini)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field, e.g. --set train.steps=100 (repeatable; "
                        "a value may hold several space-separated KEY=VALUE pairs)")
    p.add_argument("--force", action="store_true",
                   help="rebuild the named stage even if cached; the stages it reads are reused "
                        "when complete (same as FORCE=1); with notebook(s): rerun the notebooks")
    p.add_argument("--force-all", action="store_true",
                   help="rebuild the named stage and every stage it reads, or with notebook(s) every "
                        "stage they use, each once (same as FORCE=all; FORCE=<stage,...> rebuilds those)")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    overrides = [kv for item in args.overrides for kv in item.split()]
    try:
        cfg = validate(resolve(args.profile, overrides))  # bad values fail here, before any stage runs
        if args.command == "config":
            print(json.dumps(cfg.to_dict(), indent=2, default=list))
            return 0
        if args.command == "list":
            from .notebook_runner import notebook_names
            from .stages import registry
            print("stages:   " + " ".join(registry()))
            print("notebooks: " + " ".join(notebook_names()))
            return 0
        from .stages import apply_force
        force_named = apply_force(args.command, args.force, args.force_all)
        if args.command in ("notebook", "notebooks"):
            from .notebook_runner import run_all, run_notebook
            if args.command == "notebooks":
                run_all(args.profile, overrides, only=args.names or None)
            else:
                if not args.names:
                    raise ConfigError("`notebook` needs a notebook name, e.g. 00_overview")
                for name in args.names:
                    run_notebook(name, args.profile, overrides)
            return 0
        from .runtime import set_threads
        from .stages import get_stage, run_stage
        get_stage(args.command)
        validate(cfg, paths=True)  # a missing model dir or file fails here, not inside the stage
        set_threads(cfg.run.threads)
        print(run_stage(args.command, cfg, force=True if force_named else None))
        return 0
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

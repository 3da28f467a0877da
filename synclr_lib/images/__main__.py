"""Run one part of the `images` stage: `--shard k --num-shards N` draws shards s with s % N == k.

    python -m synclr_lib.images --profile mini --shard 0 --num-shards 2 &
    python -m synclr_lib.images --profile mini --shard 1 --num-shards 2 &
    wait; python -m synclr_lib images --profile mini      # finds every shard, writes the index

Parts share the stage's stable work directory (artifacts/images/.partial-<hash>); a killed
part resumes where it stopped when started again. Bad input prints one error line, exit 2.
"""
from __future__ import annotations

import argparse
import sys

from ..config import ConfigError, resolve


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m synclr_lib.images", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", default="mini", help="smoke | mini | gpu | paper (default mini)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field, e.g. --set images.cfg_scale=2 (repeatable)")
    p.add_argument("--shard", type=int, default=0, help="which part to draw, 0 <= k < N")
    p.add_argument("--num-shards", type=int, default=1, help="number of parts N")
    args = p.parse_args(argv)
    try:
        import synclr_lib  # noqa: F401  (offline HF)
        from ..cache import is_complete
        from ..runtime import set_threads
        from ..stages import artifact_path, run_stage
        from ..validate import validate
        from .generate import G2Error, generate_shard_part, missing_shards

        cfg = validate(resolve(args.profile, [kv for item in args.overrides for kv in item.split()]), paths=True)
        if args.num_shards < 1 or not 0 <= args.shard < args.num_shards:
            raise G2Error(f"need 0 <= --shard < --num-shards, got --shard {args.shard} --num-shards {args.num_shards}")
        if is_complete(artifact_path("images", cfg)):
            print(f"images: already complete at {artifact_path('images', cfg)}")
            return 0
        set_threads(cfg.run.threads)
        done = generate_shard_part(cfg, args.shard, args.num_shards)
        print(f"images part {args.shard}/{args.num_shards}: drew shards {done}")
        from ..captions import load_captions
        from .generate import images_work_dir, settings_from_config

        left = missing_shards(images_work_dir(cfg), len(load_captions(cfg)),
                              settings_from_config(cfg).captions_per_shard)
        if not left:
            print(run_stage("images", cfg))
        else:
            print(f"images: {len(left)} shards left for the other parts")
        return 0
    except (ConfigError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

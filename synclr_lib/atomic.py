"""One way to finish a file: write it under a temporary name, then rename it into place.

A killed process therefore never leaves a half-written file under its final name (figures,
tables, shards, checkpoints, curves all go through here).

    atomic_write(path, lambda tmp: np.save(tmp, array))

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp_path)`, then atomically rename tmp_path to `path`; returns `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path

"""`make lab` runs `jupytext --sync` on the committed notebooks: it must leave every .py
byte-identical (issue 26: a sync stripped each header), on a fresh clone and once paired."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sync(notebooks: list[Path]) -> None:
    subprocess.run([sys.executable, "-m", "jupytext", "--sync", *map(str, notebooks)], check=True,
                   capture_output=True, text=True)


def test_sync_leaves_committed_notebooks_byte_identical(tmp_path):
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "jupytext.toml", tmp_path / "notebooks" / "jupytext.toml")
    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    assert sources
    copies = [Path(shutil.copy(src, tmp_path / "notebooks" / src.name)) for src in sources]
    _sync(copies)  # a fresh clone: no .ipynb yet
    changed = [c.name for c, src in zip(copies, sources) if c.read_bytes() != src.read_bytes()]
    assert not changed, f"jupytext --sync rewrote {changed}"
    later = time.time() + 5
    for c in copies:  # the .ipynb newer than its .py, as after a save in Lab
        os.utime(c.with_suffix(".ipynb"), (later, later))
    _sync(copies)
    changed = [c.name for c, src in zip(copies, sources) if c.read_bytes() != src.read_bytes()]
    assert not changed, f"jupytext --sync from the paired .ipynb rewrote {changed}"

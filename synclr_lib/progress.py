"""Progress bars for every long loop of the library: tqdm's widget bar in JupyterLab, its
text bar when the notebook runner executes a notebook headless (`$SYNCLR_TEXT_PROGRESS`),
because the runner forwards the kernel's stderr to the terminal and a widget has no text.

    from ..progress import tqdm

Introduced in notebooks/00_overview.py.
"""
from __future__ import annotations

import os

TEXT_ENV = "SYNCLR_TEXT_PROGRESS"  # "1": plain text bars on stderr


def tqdm(*args, **kwargs):
    """tqdm.auto's bar, or the plain text bar under the notebook runner."""
    if os.environ.get(TEXT_ENV) == "1":
        from tqdm.std import tqdm as bar

        kwargs.setdefault("ncols", 100)  # a forwarded bar cannot ask the terminal its width
    else:
        from tqdm.auto import tqdm as bar
    return bar(*args, **kwargs)

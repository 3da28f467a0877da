"""The mini g1: own BPE tokenizer, tiny Llama, in-context pretraining corpus, save/reload offline."""
import json
import os

import pytest
import torch

from synclr_lib.captions import mini_g1
from synclr_lib.captions.generation import load_causal_lm
from synclr_lib.captions.mini_g1 import (build_corpus, icl_documents, pretrain, train_tokenizer,
                                         web_demonstrations)
from synclr_lib.captions.prompts import DEMO_GAP, INSTRUCTIONS

from .conftest import tiny_cfg


def test_tokenizer_round_trips_text_and_keeps_newlines_alone(tiny_web):
    texts, _ = tiny_web
    tok = train_tokenizer(texts, 300)
    assert len(tok) == 300
    text = "Generate an image:\n\ndress => a red dress\n\nstar =>"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert tok.decode(ids) == text
    assert tok.convert_ids_to_tokens(tok("a\n\nb")["input_ids"]).count("Ċ") == 2
    assert tok.eos_token == "<eos>" and tok.pad_token == "<pad>"


def test_in_context_documents_look_like_the_papers_prompt(tiny_web):
    demos = web_demonstrations(*tiny_web)
    assert all(len(v) >= 4 for v in demos.values())
    for d in demos["c_bg"]:
        assert d.background and d.background.lower() in d.line().lower().split(" => ")[0]
    docs = icl_documents(demos, 30, seed=0)
    for doc in docs:
        blocks = doc.split(DEMO_GAP)
        assert blocks[0] in INSTRUCTIONS.values() and len(blocks) == 5
        assert all(" => " in b for b in blocks[1:])
    train, val = build_corpus(*tiny_web, seed=0)
    assert len(train) > 10 * len(val) > 0
    assert not set(val) & set(train[:len(train) // 2])  # held-out items' alt-text is not trained on


def test_mini_g1_round_trips_save_pretrained_from_pretrained_offline(tiny_web, tmp_path):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    metrics = pretrain(tiny_cfg(), *tiny_web, tmp_path, progress=False)
    assert metrics["val_loss"] > 0 and metrics["steps"] == 4
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= set(os.listdir(tmp_path / "model"))
    model, tok = load_causal_lm(tmp_path / "model")
    assert type(model).__name__ == "LlamaForCausalLM" and tok.padding_side == "left"
    ids = tok(["dress => a red dress"], return_tensors="pt")["input_ids"]
    again, _ = load_causal_lm(tmp_path / "model")
    with torch.no_grad():
        assert torch.equal(model(ids).logits, again(ids).logits)
    assert json.loads((tmp_path / "metrics.json").read_text())["val_loss"] == metrics["val_loss"]


def test_a_killed_pretraining_resumes_to_the_same_model(tiny_web, tmp_path, monkeypatch):
    cfg = tiny_cfg("captions.g1_steps=6")
    monkeypatch.setattr(mini_g1, "CHECKPOINT_EVERY", 2)
    pretrain(cfg, *tiny_web, tmp_path / "whole", progress=False)

    real_lr = mini_g1.lr_at

    def killed_at_step_5(step, *a):
        if step == 4:
            raise KeyboardInterrupt
        return real_lr(step, *a)

    monkeypatch.setattr(mini_g1, "lr_at", killed_at_step_5)
    with pytest.raises(KeyboardInterrupt):
        pretrain(cfg, *tiny_web, tmp_path / "resumed", progress=False)
    assert (tmp_path / "resumed" / "checkpoint.pt").is_file()
    monkeypatch.setattr(mini_g1, "lr_at", real_lr)
    metrics = pretrain(cfg, *tiny_web, tmp_path / "resumed", progress=False)
    assert metrics["resumed_from_step"] == 4
    a, _ = load_causal_lm(tmp_path / "whole" / "model")
    b, _ = load_causal_lm(tmp_path / "resumed" / "model")
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(p, q), name

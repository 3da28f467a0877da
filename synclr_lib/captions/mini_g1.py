"""The mini g1: a tiny Llama-architecture LM with its own BPE tokenizer, pretrained on the mini-web.

The paper's g1 is Llama-2 7B, a base model pretrained on web text and prompted with 3
demonstrations. At `mini` nothing can be downloaded, so we pretrain our own on the mini-web
(the world's stand-in for the internet, stage `mini_web`), on two kinds of documents:

* every alt-text line on its own (noisy web captions: synonyms, prefixes, shop suffixes);
* *in-context documents* built from it, shaped like the paper's prompt: the instruction
  line of a template, then 4 lines `key => alt-text` whose keys (object; object,
  background; object, relation) come from the scenes' specs. Only alt-texts that mention
  their key (world's `mentions()`) are used, as a web page of examples lists matching
  items. This is where the model learns to continue `key =>` with a caption of the key.

Run it (cached stage `g1`, resumable: a killed run continues from its last checkpoint):

    python -m synclr_lib g1 --profile mini --set captions.g1=mini-train   # 1,200 steps of 32 x 128 tokens, 1.2 M parameters
    model, tok = load_mini_g1(cfg)                  # from_pretrained on the saved directory

Cost: ~30 GFLOP per step (6 x 1.2 M parameters x 4,096 tokens). Measured 1.2-1.5 s/step
on one thread of a 2-core machine shared with ~10 busy processes (28 min); two threads were
3-4x *slower* there (oversubscribed). On an idle machine expect roughly 0.4 s/step per
thread (a 64-sequence step measured 0.86 s at load 3), i.e. several minutes.

Introduced in notebooks/02_captions.py.
"""
from __future__ import annotations

import contextlib
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
from ..progress import tqdm

from ..atomic import atomic_write
from ..config import TRAIN_HERE, Config
from ..runtime import bf16_enabled, set_threads
from ..stages import run_stage, stage
from .prompts import DEMO_GAP, INSTRUCTIONS, TEMPLATES, Demonstration

WEB_STAGE = "world"  # the world's stage holding the mini-web (synclr_lib.world.web)
PAD, EOS = "<pad>", "<eos>"
ICL_LINES = 4  # lines per in-context document: 3 demonstrations + the 4th "answer"
# Template shares of the in-context documents. Backgrounds need the most: the mini-web's
# prior makes an object's background half-predictable without reading the key, so copying
# the key's background is learned last (measured: 9.8 % background mentions after 600 steps
# with equal shares, while concepts and relations were copied > 90 %).
ICL_TEMPLATE_WEIGHTS = {"c": 0.2, "c_bg": 0.5, "c_rel": 0.3}
VAL_FRACTION = 0.05  # mini-web items held out (their alt-text and in-context documents)
CHECKPOINT_EVERY = 100  # optimisation steps between atomic checkpoints of a running stage


# ---------------------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------------------
def train_tokenizer(texts, vocab_size: int):
    """A byte-level BPE trained with `tokenizers`, wrapped as a PreTrainedTokenizerFast.

    Newlines are split off before BPE so "\\n" is always its own token: generation can stop
    on it, and the first-line rule never cuts a token in half.
    """
    import synclr_lib  # noqa: F401
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split("\n", behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[PAD, EOS],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tk.train_from_iterator(list(texts), trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, eos_token=EOS, pad_token=PAD,
                                  padding_side="left", clean_up_tokenization_spaces=False)
    return tok


# ---------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------
G1_TRAIN_ATTENTION = "eager"  # transformers attention kernel of the g1 being pretrained


def g1_config(cfg: Config, vocab_size: int, eos_token_id: int | None = None, pad_token_id: int | None = None,
              attention: str = G1_TRAIN_ATTENTION):
    """The LlamaConfig of the mini g1, sized by cfg.captions (benchmarks/bench_attention.py
    builds it with either attention kernel)."""
    from transformers import LlamaConfig

    c = cfg.captions
    if c.g1_hidden % c.g1_heads:
        raise ValueError(f"captions.g1_hidden={c.g1_hidden} must be divisible by g1_heads={c.g1_heads}")
    return LlamaConfig(
        vocab_size=vocab_size, hidden_size=c.g1_hidden, intermediate_size=4 * c.g1_hidden,
        num_hidden_layers=c.g1_layers, num_attention_heads=c.g1_heads,
        num_key_value_heads=c.g1_heads, max_position_embeddings=max(512, 2 * c.g1_seq_len),
        tie_word_embeddings=True, bos_token_id=eos_token_id, eos_token_id=eos_token_id,
        pad_token_id=pad_token_id,
        # eager attention while pretraining: on CPU its backward beats torch's sdpa (1.43-1.48x
        # per step at mini, bench_attention.py); not saved, so the reloaded g1 generates with sdpa
        attn_implementation=attention)


def build_model(cfg: Config, tok, seed: int = 0):
    """A randomly initialised LlamaForCausalLM sized by cfg.captions (seeded)."""
    from transformers import LlamaForCausalLM

    config = g1_config(cfg, len(tok), tok.eos_token_id, tok.pad_token_id)
    torch.manual_seed(seed)
    return LlamaForCausalLM(config)


# ---------------------------------------------------------------------------------------
# Pretraining corpus
# ---------------------------------------------------------------------------------------
def web_demonstrations(texts, specs) -> dict[str, list[Demonstration]]:
    """Mini-web items as demonstrations of each template, keeping those whose alt-text
    mentions the key (object; object + background; object + relation)."""
    from ..world import mentions

    out = {t: [] for t in TEMPLATES}
    for text, spec in zip(texts, specs):
        obj = spec.get("object")
        if obj is None:
            continue
        m = mentions(text)
        if obj not in m["objects"]:
            continue
        out["c"].append(Demonstration(obj, text))
        if spec["background"] in m["backgrounds"]:
            out["c_bg"].append(Demonstration(obj, text, background=spec["background"]))
        if spec.get("relation") and spec["relation"] in m["relations"]:
            out["c_rel"].append(Demonstration(obj, text, relation=spec["relation"]))
    return out


def icl_documents(demos: dict[str, list[Demonstration]], n_docs: int, seed: int) -> list[str]:
    """`n_docs` in-context documents: a template's instruction line + 4 `key => caption` lines.

    Templates are drawn with ICL_TEMPLATE_WEIGHTS among those with enough items.
    """
    rng = np.random.default_rng([seed, 11])
    usable = [t for t in TEMPLATES if len(demos[t]) >= ICL_LINES]
    if not usable:
        raise ValueError("too few mini-web alt-texts mention their concept to build in-context documents")
    weights = np.array([ICL_TEMPLATE_WEIGHTS[t] for t in usable])
    docs = []
    for t in rng.choice(usable, size=n_docs, p=weights / weights.sum()):
        pick = rng.choice(len(demos[t]), size=ICL_LINES, replace=False)
        docs.append(DEMO_GAP.join([INSTRUCTIONS[t]] + [demos[t][i].line() for i in pick]))
    return docs


def pack_documents(tok, docs: list[str], seq_len: int, seed: int) -> torch.Tensor:
    """Shuffle documents and pack whole ones (each ending in EOS) into rows of seq_len tokens.

    Rows are right-padded with PAD (the loss ignores it); a longer document is truncated.
    """
    rng = np.random.default_rng([seed, 12])
    order = rng.permutation(len(docs))
    ids = tok([docs[i] for i in order], add_special_tokens=False)["input_ids"]
    rows, row = [], []
    for d in ids:
        d = (d + [tok.eos_token_id])[:seq_len]
        if len(row) + len(d) > seq_len:
            rows.append(row)
            row = []
        row = row + d
    if row:
        rows.append(row)
    out = torch.full((len(rows), seq_len), tok.pad_token_id, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, :len(r)] = torch.tensor(r)
    return out


def build_corpus(texts, specs, seed: int):
    """(train docs, val docs): alt-texts + in-context documents, split by mini-web item."""
    n = len(texts)
    rng = np.random.default_rng([seed, 10])
    is_val = np.zeros(n, bool)
    is_val[rng.choice(n, size=max(1, int(round(VAL_FRACTION * n))), replace=False)] = True
    split = {}
    for name, mask in (("train", ~is_val), ("val", is_val)):
        t = [texts[i] for i in np.flatnonzero(mask)]
        s = [specs[i] for i in np.flatnonzero(mask)]
        # one in-context document per alt-text: as many prompt-shaped as plain documents
        split[name] = t + icl_documents(web_demonstrations(t, s), len(t), seed + (name == "val"))
    return split["train"], split["val"]


# ---------------------------------------------------------------------------------------
# Pretraining
# ---------------------------------------------------------------------------------------
def lm_loss(model, rows: torch.Tensor, pad_id: int) -> torch.Tensor:
    """Mean next-token cross-entropy over non-pad tokens."""
    labels = rows.masked_fill(rows == pad_id, -100)
    attention = (rows != pad_id).long()
    return model(input_ids=rows, attention_mask=attention, labels=labels).loss


@torch.no_grad()
def evaluate_loss(model, rows: torch.Tensor, pad_id: int, batch: int = 64, bf16: bool = False) -> float:
    """Token-weighted mean validation loss."""
    model.eval()
    total, count = 0.0, 0
    ctx = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    for i in range(0, len(rows), batch):
        r = rows[i:i + batch]
        n = int((r[:, 1:] != pad_id).sum())
        with ctx:
            total += float(lm_loss(model, r, pad_id)) * n
        count += n
    model.train()
    return total / max(count, 1)


def lr_at(step: int, steps: int, peak: float, warmup: int) -> float:
    """Linear warm-up then cosine decay to 10 % of the peak."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def _save_atomic(obj, path: Path) -> None:
    atomic_write(path, lambda tmp: torch.save(obj, tmp))


def pretrain(cfg: Config, texts, specs, out_dir: Path, *, progress: bool = True) -> dict:
    """Train tokenizer + model on the mini-web; save_pretrained into out_dir/'model'.

    Resumable: a checkpoint in out_dir is picked up by the next call with the same out_dir.
    """
    c = cfg.captions
    out_dir = Path(out_dir)
    seed = cfg.run.seed
    train_docs, val_docs = build_corpus(texts, specs, seed)
    tok_dir = out_dir / "tokenizer"
    if (tok_dir / "tokenizer.json").is_file():
        from transformers import PreTrainedTokenizerFast
        tok = PreTrainedTokenizerFast.from_pretrained(tok_dir)
    else:
        tok = train_tokenizer(train_docs, c.g1_vocab)
        tok.save_pretrained(tok_dir)
    train_rows = pack_documents(tok, train_docs, c.g1_seq_len, seed)
    val_rows = pack_documents(tok, val_docs, c.g1_seq_len, seed + 1)

    model = build_model(cfg, tok, seed)
    opt = torch.optim.AdamW(model.parameters(), lr=c.g1_lr, betas=(0.9, 0.95), weight_decay=0.1)
    ckpt = out_dir / "checkpoint.pt"
    start, log = 0, []
    if ckpt.is_file():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        start, log = state["step"], state["log"]
    warmup = max(1, c.g1_steps // 20)
    bf16 = bf16_enabled(cfg)
    ctx = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if bf16 else contextlib.nullcontext
    pad = tok.pad_token_id
    model.train()
    t0 = time.time()
    bar = tqdm(range(start, c.g1_steps), desc="g1 pretraining", initial=start, total=c.g1_steps,
               disable=not progress)
    for step in bar:
        rng = np.random.default_rng([seed, 13, step])  # batch depends on the step only: resumable
        rows = train_rows[torch.from_numpy(rng.choice(len(train_rows), size=c.g1_batch))]
        for group in opt.param_groups:
            group["lr"] = lr_at(step, c.g1_steps, c.g1_lr, warmup)
        with ctx():
            loss = lm_loss(model, rows, pad)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        log.append({"step": step + 1, "loss": float(loss.detach())})
        bar.set_postfix(loss=f"{log[-1]['loss']:.3f}")
        if (step + 1) % CHECKPOINT_EVERY == 0 and step + 1 < c.g1_steps:
            _save_atomic({"model": model.state_dict(), "optimizer": opt.state_dict(),
                          "step": step + 1, "log": log}, ckpt)
    train_s = time.time() - t0
    val_loss = evaluate_loss(model, val_rows, pad, bf16=bf16)
    model_dir = out_dir / "model"
    model.save_pretrained(model_dir)
    tok.save_pretrained(model_dir)
    with open(out_dir / "train_log.csv", "w") as f:
        f.write("step,loss\n" + "".join(f"{r['step']},{r['loss']:.5f}\n" for r in log))
    tail = [r["loss"] for r in log[-max(1, len(log) // 20):]]
    metrics = {
        "val_loss": round(val_loss, 4), "val_perplexity": round(math.exp(val_loss), 3),
        "train_loss_end": round(float(np.mean(tail)), 4) if tail else None,
        "steps": c.g1_steps, "tokens_seen": int(c.g1_steps * c.g1_batch * c.g1_seq_len),
        "train_rows": len(train_rows), "val_rows": len(val_rows),
        "train_documents": len(train_docs), "val_documents": len(val_docs),
        "parameters": sum(p.numel() for p in model.parameters()), "vocab_size": len(tok),
        "train_seconds_this_run": round(train_s, 1), "threads": torch.get_num_threads(),
        "resumed_from_step": start,
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    if ckpt.is_file():
        ckpt.unlink()
    return metrics


def _g1_payload(cfg: Config) -> dict:
    c = cfg.captions
    return {"hidden": c.g1_hidden, "layers": c.g1_layers, "heads": c.g1_heads, "vocab": c.g1_vocab,
            "steps": c.g1_steps, "batch": c.g1_batch, "lr": c.g1_lr, "seq_len": c.g1_seq_len,
            "bf16": bf16_enabled(cfg), "seed": cfg.run.seed, "attention": G1_TRAIN_ATTENTION}


@stage("g1", payload=_g1_payload, requires=(WEB_STAGE,), resumable=True)
def build_g1(cfg: Config, out_dir: Path, inputs: dict) -> dict:
    """Pretrain the mini g1 (tiny Llama + own BPE) on the mini-web; save_pretrained to model/."""
    from ..world import read_mini_web

    set_threads(cfg.run.threads)
    web = read_mini_web(inputs[WEB_STAGE])
    return pretrain(cfg, web.texts, web.specs, out_dir)


def mini_g1_dir(cfg: Config) -> Path:
    """The saved model directory of the mini g1 (pretrains it on first use)."""
    return run_stage("g1", cfg) / "model"


def load_mini_g1(cfg: Config):
    """(model, tokenizer) of the mini g1, loaded from disk with from_pretrained (offline)."""
    from .generation import load_causal_lm

    return load_causal_lm(mini_g1_dir(cfg))


TRAINING_RECORD = ("metrics.json", "train_log.csv")  # what a shipped g1 keeps of its pretraining (training/)


def g1_training_record(cfg: Config) -> Path | None:
    """The folder holding the mini g1's metrics.json and train_log.csv: the `g1` stage's at
    captions.g1=mini-train, a shipped g1's `training/` (synclr_lib/generators.py); None for
    any other g1 (SmolLM2, Llama-2), which was not pretrained by this project."""
    from ..paths import local_dir

    if cfg.captions.g1 == TRAIN_HERE:
        return run_stage("g1", cfg)
    if cfg.captions.g1 == "smollm2":
        return None
    record = local_dir(cfg.captions.g1) / "training"
    return record if (record / "metrics.json").is_file() else None


def g1_metrics(cfg: Config) -> dict:
    """Validation loss, perplexity, parameters ... of the mini g1 pretraining (see g1_training_record)."""
    record = g1_training_record(cfg)
    if record is None:
        raise ValueError(f"captions.g1={cfg.captions.g1!r} was not pretrained by this project: no training record")
    return json.loads((record / "metrics.json").read_text())

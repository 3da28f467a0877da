"""The paper's generators' architectures through the same stage code, on CPU (slow): an SD-1.5-
shaped pipeline (random weights, built by benchmarks/bench_paper_cost.py) saved to a directory
and read through `images.g2=<dir>`; a Llama-architecture causal LM with Llama-2's tokenizer
layout (random weights, small width) read through `captions.g1=<dir>`."""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from synclr_lib.config import resolve
from synclr_lib.validate import validate

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.slow
def test_sd15_shaped_g2_draws_through_images_stage(tmp_path, threads):
    """2 images for 1 caption at 64 px in 2 denoising steps (the UNet's default latent size set
    to 8, i.e. 64 px drawn, not 512 px drawn and shrunk; the architecture is SD-1.5's)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from bench_paper_cost import sd15_pipeline
    finally:
        sys.path.remove(str(BENCHMARKS))
    g2 = tmp_path / "sd15"
    tok = tmp_path / "tok"
    tok.mkdir()
    pipe, counts = sd15_pipeline(tok)
    assert 850e6 < counts["unet"] < 870e6 and 120e6 < counts["text"] < 125e6, counts  # SD-1.5: 860M, 123M
    pipe.unet.register_to_config(sample_size=8)
    pipe.save_pretrained(g2)  # ~4 GB in fp32, removed at the end (pytest keeps its last temp dirs)
    del pipe
    try:
        _draw_two_images(g2)
    finally:
        shutil.rmtree(g2, ignore_errors=True)


def _draw_two_images(g2: Path) -> None:
    from synclr_lib.images.generate import load_images
    from synclr_lib.stages import run_stage

    assert (g2 / "model_index.json").is_file() and (g2 / "tokenizer").is_dir()
    unet = json.loads((g2 / "unet" / "config.json").read_text())
    assert unet["block_out_channels"] == [320, 640, 1280, 1280] and unet["sample_size"] == 8  # 64 px drawn

    cfg = resolve("smoke", [f"images.g2={g2}", "images.steps=2", "images.images_per_caption=2",
                            "world.image_size=64", "captions.n_captions=1", "captions.strategy=template",
                            "run.threads=2", "run.bf16=false",
                            # train.* is checked against the data it would read (1 caption x 2 images)
                            "train.captions_per_batch=1", "train.images_per_caption=2"])
    validate(cfg, paths=True)
    out = run_stage("images", cfg)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["info"]["images"] == 2 and meta["info"]["captions"] == 1, meta["info"]
    data = load_images(cfg)
    assert data.images.shape == (2, 64, 64, 3) and data.images.dtype == np.uint8
    assert list(data.caption_ids) == [0, 0] and list(data.image_index) == [0, 1]
    assert len(data.captions) == 1 and data.images_per_caption == 2
    assert not np.array_equal(data.images[0], data.images[1])  # two seeds, two images


def llama2_layout_tokenizer(texts, vocab_size=400):
    """A BPE over `texts` laid out as Llama-2's: <unk> 0, <s> 1, </s> 2, "▁" for spaces, and
    <s> put before every text (Llama-2's 32000-token SentencePiece model is not here)."""
    from tokenizers import Tokenizer, decoders, models, normalizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE(unk_token="<unk>"))
    tk.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tk.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    tk.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"],
                                                       show_progress=False))
    tk.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                      special_tokens=[("<s>", 1)])
    return PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                   clean_up_tokenization_spaces=False)


@pytest.mark.slow
def test_llama_architecture_g1_writes_captions_with_the_papers_prompt(tmp_path, threads):
    from transformers import LlamaConfig, LlamaForCausalLM

    from synclr_lib.captions import load_captions
    from synclr_lib.captions.demonstrations import pool_for
    from synclr_lib.captions.prompts import INSTRUCTIONS
    from synclr_lib.captions.sets import demonstration_pool_name
    from synclr_lib.stages import run_stage

    base = resolve("smoke", [])
    pool = pool_for(demonstration_pool_name(base))
    texts = list(INSTRUCTIONS.values()) + [d.line() for demos in pool.values() for d in demos]
    tok = llama2_layout_tokenizer(texts + ["\n\n".join(texts)])  # newlines: the prompt's separators
    assert [tok.convert_ids_to_tokens(i) for i in range(3)] == ["<unk>", "<s>", "</s>"]
    assert tok("a dog").input_ids[0] == 1 and tok.decode(tok("a dog on grass").input_ids,
                                                         skip_special_tokens=True) == "a dog on grass"
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(
        vocab_size=len(tok), hidden_size=64, intermediate_size=172, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=4, max_position_embeddings=4096, rms_norm_eps=1e-5, bos_token_id=1, eos_token_id=2,
        pad_token_id=None, tie_word_embeddings=False))  # Llama-2-7b: 4096 wide, 32 layers, 11008 MLP
    g1 = tmp_path / "llama"
    model.save_pretrained(g1)
    tok.save_pretrained(g1)

    cfg = resolve("smoke", [f"captions.g1={g1}", "captions.n_captions=3", "captions.chunk_size=4",
                            "captions.batch_size=4", "captions.max_new_tokens=8", "run.threads=2", "run.bf16=false",
                            "train.captions_per_batch=2"])  # train.* is checked against the 3 captions
    validate(cfg, paths=True)
    out = run_stage("captions", cfg)
    rows = load_captions(cfg)
    assert len(rows) == 3 and all(isinstance(r["caption"], str) and r["caption"].strip() for r in rows)
    stats = json.loads((out / "stats.json").read_text())
    assert stats["g1"] == str(g1)
    chunk = [json.loads(line) for f in sorted((out / "chunks").glob("*.jsonl")) for line in f.read_text().splitlines()]
    assert all(r["demonstrations"] and r["template"] in INSTRUCTIONS for r in chunk if r["caption"] is not None)

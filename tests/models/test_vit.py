"""The HF ViT encoder: AutoModel round trip, mask token, local crops, stochastic depth, and
the conv-stem variant (the default at smoke and mini) against the stock ViT."""
import subprocess
import sys
import textwrap

import pytest
import torch

import synclr_lib  # noqa: F401  (offline flags first)
from synclr_lib.config import ConfigError, resolve
from synclr_lib.models import add_stochastic_depth, build_encoder, load_encoder, save_encoder


@pytest.fixture
def tiny():
    return resolve("smoke", ["train.width=16", "train.depth=2", "train.heads=2"]).train


def test_saved_encoder_loads_with_automodel_alone(tiny, tmp_path, caplog):
    from transformers import AutoModel

    model = build_encoder(tiny, seed=3)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        before = model(x).last_hidden_state
    save_encoder(model, tmp_path / "enc")
    loaded = AutoModel.from_pretrained(tmp_path / "enc").eval()
    with torch.no_grad():
        after = loaded(x).last_hidden_state
    assert after.shape == (2, 1 + (32 // tiny.patch_size) ** 2, tiny.width)
    assert torch.allclose(before, after, atol=1e-6)
    assert "newly initialized" not in caplog.text and "not used" not in caplog.text
    assert torch.equal(load_encoder(tmp_path / "enc")(x).last_hidden_state, after)


def test_build_is_deterministic_and_leaves_global_rng_alone(tiny):
    torch.manual_seed(0)
    a = torch.rand(1)
    torch.manual_seed(0)
    m1, m2 = build_encoder(tiny, seed=5), build_encoder(tiny, seed=5)
    assert torch.rand(1) == a
    assert all(torch.equal(p, q) for p, q in zip(m1.parameters(), m2.parameters()))


@pytest.fixture
def stock(tiny):
    """The stock ViT (linear patchify), the paper's encoder."""
    return resolve("smoke", ["train.width=16", "train.depth=2", "train.heads=2", "train.stem_channels=()",
                             "train.patch_size=4"]).train


def test_stem_choice_builds_the_right_class(tiny, stock):
    from transformers import ViTModel

    from synclr_lib.models.conv_stem_vit import ConvStem, ConvStemViTModel

    assert type(build_encoder(stock)) is ViTModel
    conv = build_encoder(tiny)
    assert isinstance(conv, ConvStemViTModel)
    assert isinstance(conv.embeddings.patch_embeddings.projection, ConvStem)
    strides = [m.stride for m in conv.embeddings.patch_embeddings.projection if isinstance(m, torch.nn.Conv2d)]
    # smoke trunk (8, 16, 16, 32) at patch 8: one stride-1 layer, three halvings, then the 1x1 projection
    assert strides == [(1, 1), (2, 2), (2, 2), (2, 2), (1, 1)]


def test_conv_stem_loads_outside_synclr_lib_with_remote_code(tiny, tmp_path):
    model = build_encoder(tiny, seed=1).eval()
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    save_encoder(model, tmp_path / "enc")
    assert (tmp_path / "enc" / "conv_stem_vit.py").is_file()
    torch.save(x, tmp_path / "x.pt")
    with torch.no_grad():
        torch.save(model(x).last_hidden_state, tmp_path / "want.pt")
    script = textwrap.dedent(f"""
        import sys, torch
        from transformers import AutoModel
        m = AutoModel.from_pretrained({str(tmp_path / "enc")!r}, trust_remote_code=True).eval()
        assert "synclr_lib" not in sys.modules
        with torch.no_grad():
            got = m(torch.load({str(tmp_path / "x.pt")!r})).last_hidden_state
        assert torch.allclose(got, torch.load({str(tmp_path / "want.pt")!r}), atol=1e-6)
        print("ok", type(m).__name__)
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ok ConvStemViTModel" in done.stdout


def test_bad_stem_channels_are_config_errors():
    t = resolve("smoke", ["train.stem_channels=16,32"]).train  # patch 8 needs three halvings
    with pytest.raises(ConfigError, match="stem_channels"):
        build_encoder(t)


def test_conv_stem_masked_token_is_the_mask_token(tiny):
    model = build_encoder(tiny).eval()
    with torch.no_grad():
        model.embeddings.mask_token.fill_(0.5)
        mask = torch.zeros(2, 16, dtype=torch.bool)
        mask[:, 5] = True
        emb = model.embeddings(torch.rand(2, 3, 32, 32), bool_masked_pos=mask)
    want = 0.5 + model.embeddings.position_embeddings[0, 1 + 5]
    assert torch.allclose(emb[:, 1 + 5], want.expand(2, -1), atol=1e-6)


def test_mask_token_replaces_masked_patches(stock):
    model = build_encoder(stock).eval()
    with torch.no_grad():
        model.embeddings.mask_token.fill_(0.5)
    x1 = torch.rand(1, 3, 32, 32)
    x2 = x1.clone()
    x2[..., :4, :4] = -1.0  # change patch 0 only
    mask = torch.zeros(1, 64, dtype=torch.bool)
    mask[0, 0] = True
    with torch.no_grad():
        out1 = model(x1, bool_masked_pos=mask).last_hidden_state
        out2 = model(x2, bool_masked_pos=mask).last_hidden_state
        plain = model(x2).last_hidden_state
    assert torch.allclose(out1, out2, atol=1e-6)  # the masked patch's pixels are invisible
    assert not torch.allclose(out2, plain)


def test_local_crops_interpolate_positions(tiny):
    model = build_encoder(tiny).eval()
    out = model(torch.rand(3, 3, 16, 16), interpolate_pos_encoding=True).last_hidden_state
    assert out.shape == (3, 1 + (16 // tiny.patch_size) ** 2, tiny.width)


def test_bad_sizes_are_config_errors():
    t = resolve("smoke", ["train.patch_size=5"]).train
    with pytest.raises(ConfigError, match="multiples"):
        build_encoder(t)


def test_stochastic_depth_drops_whole_blocks_only_in_training(tiny):
    model = build_encoder(tiny)
    x = torch.rand(64, 3, 32, 32)
    model.eval()
    with torch.no_grad():
        ref = model(x).last_hidden_state
    sd = add_stochastic_depth(model, 0.99)
    with torch.no_grad():
        assert torch.equal(model(x).last_hidden_state, ref)  # eval: hooks inactive
        model.train()
        sd.prepare(1)
        a = model(x).last_hidden_state
        sd.prepare(1)
        b = model(x).last_hidden_state
        sd.prepare(1, n_total=64, rows=torch.arange(32, 64))  # the second half of the same batch
        half = model(x[32:]).last_hidden_state
    assert torch.equal(a, b)  # reproducible with the same seed
    assert torch.allclose(half, a[32:], atol=1e-5)  # a slice drops what the whole batch drops
    # rate rises linearly with depth: block 0 never drops, the last block (0.99) almost always
    assert sd.rates == [0.0, 0.99]
    sd.remove()
    assert add_stochastic_depth(model, 0.0) is None


@pytest.mark.parametrize("stem", [True, False])
def test_attention_kernels_compute_the_same_encoder(tiny, stem):
    """train.attention picks the kernel only: eager (fast CPU backward) and sdpa agree."""
    from dataclasses import replace

    t = tiny if stem else replace(tiny, stem_channels=())
    eager, sdpa = (build_encoder(replace(t, attention=a), seed=1) for a in ("eager", "sdpa"))
    assert eager.config._attn_implementation == "eager" and sdpa.config._attn_implementation == "sdpa"
    x = torch.rand(3, 3, 32, 32, requires_grad=True) * 2 - 1
    outs = []
    for model in (eager, sdpa):
        y = model(x).last_hidden_state
        grad, = torch.autograd.grad(y.square().mean(), next(model.parameters()))
        outs.append((y.detach(), grad))
    torch.testing.assert_close(outs[0][0], outs[1][0], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(outs[0][1], outs[1][1], atol=1e-5, rtol=1e-4)


def test_unknown_attention_is_a_config_error(tiny):
    from dataclasses import replace

    with pytest.raises(ConfigError, match="train.attention"):
        build_encoder(replace(tiny, attention="flash"))


def test_trunk_layers_before_the_halvings_keep_full_resolution():
    """stem_channels longer than log2(patch): the leading layers are stride 1 (a CNN trunk)."""
    t = resolve("smoke", ["train.patch_size=4", "train.stem_channels=8,8,16", "train.stem_norm_groups=4"]).train
    stem = build_encoder(t).embeddings.patch_embeddings.projection
    convs = [m for m in stem if isinstance(m, torch.nn.Conv2d)]
    assert [c.stride for c in convs] == [(1, 1), (2, 2), (2, 2), (1, 1)]
    assert all(m.num_groups == 4 for m in stem if isinstance(m, torch.nn.GroupNorm))
    with pytest.raises(ConfigError, match="divisible"):
        build_encoder(resolve("smoke", ["train.stem_norm_groups=3"]).train)

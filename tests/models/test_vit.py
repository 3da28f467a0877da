"""The HF ViT encoder: AutoModel round trip, mask token, local crops, stochastic depth."""
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


def test_mask_token_replaces_masked_patches(tiny):
    model = build_encoder(tiny).eval()
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
    assert out.shape == (3, 1 + 16, tiny.width)


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

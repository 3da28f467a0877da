"""Tiny seeded g2 components built from the smoke config (diffusers-tests style)."""
import pytest
import torch

from synclr_lib.config import resolve


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One torch thread: these models are tiny, and the test machine is shared."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_images_cfg():
    return resolve("smoke").images


@pytest.fixture(scope="session")
def tiny_pipe(tiny_images_cfg):
    """An untrained mini pipeline; its UNet weights are scaled up so images depend visibly
    on the caption and the noise (a fresh UNet's output layer is zero-initialised)."""
    from synclr_lib.images.pipeline import build_mini_pipeline

    torch.manual_seed(0)
    pipe = build_mini_pipeline(tiny_images_cfg)
    with torch.no_grad():
        for p in pipe.unet.conv_out.parameters():
            p.normal_(0, 0.5)
    return pipe


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_pipe, tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny_g2") / "pipeline"
    tiny_pipe.save_pretrained(path)
    return path

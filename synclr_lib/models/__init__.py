"""Models of the representation-learning stage (notebooks/04_training.py): the HF ViT
encoder and the projection / DINO heads."""
from .heads import DINOHead, ProjectionHead
from .vit import add_stochastic_depth, build_encoder, load_encoder, save_encoder, vit_config

__all__ = ["build_encoder", "load_encoder", "save_encoder", "vit_config", "add_stochastic_depth",
           "ProjectionHead", "DINOHead"]

"""Image synthesis (g2): the diffusion pipeline, its mini pretraining, sharded generation.

Introduced in notebooks/03_images_cfg.py.
"""

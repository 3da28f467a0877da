"""Representation learning (paper Sec. 3.3; notebooks/04_training.py): SynCLR with switchable
components (Table 4), the baselines (Tables 5, 10), torchrun, checkpoints, the "train" stage.

    from synclr_lib.train import load_encoder, load_curves
    path = run_stage("train", cfg)
"""
from ..models import load_encoder
from .data import TrainData, TrainDataError, load_train_data
from .loop import train
from .objectives import COMPONENTS, METHODS, parse_components
from .stage import load_curves

__all__ = ["train", "load_train_data", "load_encoder", "load_curves", "TrainData", "TrainDataError",
           "METHODS", "COMPONENTS", "parse_components"]

"""Per-step schedules of SynCLR training (paper Sec. 3.3, DINOv2 recipe): linear warm-up then
cosine learning rate, cosine weight decay 0.04 -> 0.2, cosine EMA momentum 0.994 -> 1, and
the iBOT teacher temperature's linear warm-up 0.04 -> 0.07.

Introduced in notebooks/04_training.py.
"""
from __future__ import annotations

import math


def cosine(step: int, total: int, start: float, end: float) -> float:
    """start at step 0, end at step `total` (and after), half a cosine between."""
    frac = min(max(step / max(total, 1), 0.0), 1.0)
    return end + (start - end) * 0.5 * (1 + math.cos(math.pi * frac))


def learning_rate(step: int, t) -> float:
    """Linear warm-up to t.lr over t.warmup steps, then cosine to t.min_lr at t.steps."""
    if step < t.warmup:
        return t.lr * (step + 1) / t.warmup
    return cosine(step - t.warmup, max(t.steps - t.warmup, 1), t.lr, t.min_lr)


def weight_decay(step: int, t) -> float:
    return cosine(step, t.steps, t.weight_decay, t.weight_decay_end)


def ema_momentum(step: int, t) -> float:
    return cosine(step, t.steps, t.ema_start, 1.0)


def teacher_temperature(step: int, t) -> float:
    if step >= t.teacher_temp_warmup:
        return t.teacher_temp_final
    return t.teacher_temp + (t.teacher_temp_final - t.teacher_temp) * step / max(t.teacher_temp_warmup, 1)


def schedule_table(t, every: int = 1):
    """All schedules as a DataFrame (for plots)."""
    import pandas as pd

    steps = list(range(0, t.steps, every))
    return pd.DataFrame({"step": steps, "lr": [learning_rate(s, t) for s in steps],
                         "weight_decay": [weight_decay(s, t) for s in steps],
                         "ema_momentum": [ema_momentum(s, t) for s in steps],
                         "teacher_temp": [teacher_temperature(s, t) for s in steps]})

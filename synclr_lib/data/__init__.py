"""Data concerns shared by training and evaluation: pixel conventions, augmentations, batches."""

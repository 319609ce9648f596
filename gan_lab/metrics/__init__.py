"""Evaluation metrics: torch-fidelity image metrics with cached real features, and
offline mode-collapse metrics (2D mixtures, MNIST classifier, Stacked MNIST)."""

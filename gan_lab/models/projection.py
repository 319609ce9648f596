"""The projection discriminator's class term (Miyato & Koyama, 2018, cGAN-PD).

Hand-written (no library has it). D(x, y) = ψ(φ(x)) + <embed(y), φ(x)>: an
unconditional head ψ on the features φ(x) plus the inner product of φ(x) with
a learned embedding of the class.
"""

from __future__ import annotations

from torch import Tensor, nn

from gan_lab.errors import IncompatibleConfigError


def class_embedding(num_classes: int | None, features: int) -> nn.Embedding | None:
    """The class embedding of a projection head (None for unconditional models)."""
    if num_classes is None:
        return None
    embedding = nn.Embedding(int(num_classes), int(features))
    nn.init.xavier_uniform_(embedding.weight)
    return embedding


def projection(embedding: nn.Embedding | None, features: Tensor, labels: Tensor | None) -> Tensor | float:
    """<embed(y), φ(x)> per sample (shape [N]); 0 for unconditional models."""
    if embedding is None:
        return 0.0
    if labels is None:
        raise IncompatibleConfigError("this discriminator is conditional: call it with class labels")
    return (embedding(labels) * features).sum(dim=1)


def check_num_classes(num_classes: int | None) -> int | None:
    if num_classes is None:
        return None
    if int(num_classes) < 1:
        raise IncompatibleConfigError(f"a conditional model needs num_classes >= 1, got {num_classes}")
    return int(num_classes)

"""Running a class-conditional generator on a *mixture* of two classes' embeddings.

gan_lab's conditional generators take the class through the gain and bias embeddings of their
conditional BatchNorms (:class:`gan_lab.models.conditional_batchnorm.ConditionalBatchNorm`). To move
smoothly from class ``a`` to class ``b`` with ``z`` fixed, each of those embeddings is replaced,
for one call, by a per-sample table whose row ``i`` is ``(1 - t_i) E[a_i] + t_i E[b_i]``, and the
generator is called with labels ``0..N-1`` to read those rows. Interpolating the embeddings, not the
label index: a label between 3 and 4 means nothing. Hand-written (no library does this).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor, nn

from gan_lab.errors import GanLabError
from gan_lab.models.conditional_batchnorm import ConditionalBatchNorm


def conditional_norms(net: nn.Module) -> list[ConditionalBatchNorm]:
    return [m for m in net.modules() if isinstance(m, ConditionalBatchNorm)]


def mixed_rows(embedding: nn.Embedding, a: Tensor, b: Tensor, t: Tensor) -> nn.Embedding:
    """An embedding whose row ``i`` is ``(1 - t_i) E[a_i] + t_i E[b_i]`` (``E`` read through any
    parametrization, e.g. spectral norm)."""
    weight = embedding.weight.detach()
    return nn.Embedding.from_pretrained(torch.lerp(weight[a], weight[b], t.to(weight).unsqueeze(1)), freeze=True)


@contextmanager
def mixed_classes(net: nn.Module, a: Tensor, b: Tensor, t: Tensor) -> Iterator[Tensor]:
    """Within the block, ``net(z, labels)`` with the yielded ``labels`` (``0..N-1``) generates sample
    ``i`` from the mixture ``(1 - t_i)`` class ``a_i`` + ``t_i`` class ``b_i``. ``a``, ``b``: int ``[N]``;
    ``t``: float ``[N]``. The original embeddings are restored afterwards, even on errors."""
    norms = conditional_norms(net)
    if not norms:
        raise GanLabError(
            "this generator has no class embeddings (it is not class-conditional): class interpolation needs a "
            "model trained with model.conditional=true"
        )
    saved = [(norm.gain, norm.bias) for norm in norms]
    try:
        for norm in norms:
            norm.gain = mixed_rows(norm.gain, a, b, t)
            norm.bias = mixed_rows(norm.bias, a, b, t)
        yield torch.arange(len(a), device=a.device)
    finally:
        for norm, (gain, bias) in zip(norms, saved):
            norm.gain, norm.bias = gain, bias

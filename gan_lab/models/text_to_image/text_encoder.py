"""Caption token ids -> one sentence embedding per caption.

The default is small and trained with the GAN (G and D each own one, as each owns its
class embedding in cGAN-PD): word embeddings, then a GRU's last hidden state
(``kind="gru"``) or their mean (``kind="mean"``). GAN-CLS used a frozen, separately
pretrained char-CNN-RNN instead; ``pretrained_path`` loads such a frozen encoder.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from gan_lab.errors import DatasetNotFoundError, IncompatibleConfigError

KINDS = ("gru", "mean")


class TextEncoder(nn.Module):
    """Args: buckets (token ids, padding id 0 included); embed_dim; hidden_dim (the GRU's, = output_dim);
    kind: ``gru`` or ``mean`` (mean of the word embeddings, output_dim = embed_dim)."""

    def __init__(self, buckets: int, embed_dim: int = 64, hidden_dim: int = 128, kind: str = "gru") -> None:
        super().__init__()
        if kind not in KINDS:
            raise IncompatibleConfigError(f"model.text_encoder.kind must be one of {KINDS}, got {kind!r}")
        self.kind = kind
        self.embedding = nn.Embedding(int(buckets), int(embed_dim), padding_idx=0)
        self.gru = nn.GRU(int(embed_dim), int(hidden_dim), batch_first=True) if kind == "gru" else None
        self.output_dim = int(hidden_dim) if kind == "gru" else int(embed_dim)

    def forward(self, tokens: Tensor) -> Tensor:
        """int64 ``[N, L]`` (0 = padding, after the words) -> ``[N, output_dim]``."""
        lengths = (tokens != 0).sum(dim=1).clamp(min=1)  # an empty caption reads one padding token
        embedded = self.embedding(tokens)
        if self.gru is None:
            return embedded.sum(dim=1) / lengths.unsqueeze(1).to(embedded.dtype)
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, hidden = self.gru(packed)
        return hidden[-1]


class FrozenTextEncoder(nn.Module):
    """A pretrained encoder (TorchScript, or a state dict of :class:`TextEncoder`) that never trains.

    It is kept out of the module tree on purpose: spectral normalisation, optimizers and
    checkpoints do not see it (its weights come from its file, which must therefore still
    exist when a checkpoint is loaded); ``.to(device)`` still moves it.
    """

    def __init__(self, encoder: nn.Module, path: str) -> None:
        super().__init__()
        encoder.eval()
        for parameter in encoder.parameters():  # (ScriptModules have no requires_grad_)
            parameter.requires_grad_(False)
        self._frozen = [encoder]
        self.path = path
        with torch.no_grad():
            probe = encoder(torch.ones(1, 4, dtype=torch.long))
        if probe.dim() != 2:
            raise IncompatibleConfigError(
                f"the text encoder in {path} must map token ids [N, L] to embeddings [N, D]; it gave shape "
                f"{list(probe.shape)}"
            )
        self.output_dim = int(probe.shape[1])

    def _apply(self, fn: Any, recurse: bool = True) -> FrozenTextEncoder:
        super()._apply(fn, recurse)
        self._frozen[0]._apply(fn)
        return self

    def forward(self, tokens: Tensor) -> Tensor:
        with torch.no_grad():
            return self._frozen[0](tokens)


def build_text_encoder(
    buckets: int,
    embed_dim: int = 64,
    hidden_dim: int = 128,
    kind: str = "gru",
    pretrained_path: str | None = None,
) -> nn.Module:
    """A trainable :class:`TextEncoder`, or, with ``pretrained_path``, a :class:`FrozenTextEncoder` loaded
    from a TorchScript file or from a state dict of a TextEncoder with the sizes given here."""
    if pretrained_path is None:
        return TextEncoder(buckets, embed_dim, hidden_dim, kind)
    path = Path(str(pretrained_path)).expanduser()
    if not path.is_file():
        raise DatasetNotFoundError(
            f"text encoder file {path.resolve()} not found (model.text_encoder.pretrained_path={pretrained_path}); "
            "give a TorchScript file or a TextEncoder state dict, or null for a trainable encoder"
        )
    try:
        with warnings.catch_warnings():  # TorchScript is deprecated in torch, still the portable frozen format
            warnings.simplefilter("ignore", FutureWarning)
            encoder: nn.Module = torch.jit.load(str(path), map_location="cpu")
    except (RuntimeError, ValueError):
        encoder = TextEncoder(buckets, embed_dim, hidden_dim, kind)
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            encoder.load_state_dict(state.get("state_dict", state) if isinstance(state, dict) else state)
        except Exception as err:  # noqa: BLE001  (not a torch file, other sizes: many exception types)
            raise IncompatibleConfigError(
                f"{path} is neither a TorchScript text encoder nor a state dict of TextEncoder(buckets={buckets}, "
                f"embed_dim={embed_dim}, hidden_dim={hidden_dim}, kind={kind!r}): {type(err).__name__}: "
                f"{str(err)[:200]}"
            ) from None
    return FrozenTextEncoder(encoder, str(path))

"""Captions -> fixed-length token ids, with no vocabulary file: the hashing trick
(Weinberger et al., 2009, "Feature Hashing for Large Scale Multitask Learning").

Each lower-cased word (a run of letters and digits) maps to ``1 + crc32(word) mod
(buckets - 1)``; id 0 pads. The ids depend only on the word and ``buckets``, so a
checkpoint tokenizes any prompt at sampling time exactly as its training data was
tokenized, with nothing stored but the two settings (in the run config). Words
never seen in training land on untrained embedding rows (or collide with a trained
one): say so to users rather than hide it. Hand-written: torchtext is retired and
its vocabularies need building and storing.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import torch
from torch import Tensor

from gan_lab.errors import IncompatibleConfigError

WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """The lower-cased words of ``text`` (punctuation and spacing dropped)."""
    return WORD.findall(str(text).lower())


class HashedWordTokenizer:
    """``tokenizer("a bold seven")`` -> int64 ``[max_words]``: word ids in order, then 0s (truncated
    at ``max_words``). ``buckets`` is the number of ids, padding included (the embedding size)."""

    def __init__(self, buckets: int = 1024, max_words: int = 16) -> None:
        if int(buckets) < 2 or int(max_words) < 1:
            raise IncompatibleConfigError(
                f"tokenizer needs buckets >= 2 and max_words >= 1, got buckets={buckets}, max_words={max_words}"
            )
        self.buckets, self.max_words = int(buckets), int(max_words)

    def word_id(self, word: str) -> int:
        return 1 + zlib.crc32(word.encode("utf-8")) % (self.buckets - 1)

    def __call__(self, text: str) -> Tensor:
        ids = [self.word_id(w) for w in words(text)][: self.max_words]
        out = torch.zeros(self.max_words, dtype=torch.long)
        out[: len(ids)] = torch.tensor(ids, dtype=torch.long)
        return out

    def batch(self, texts: Sequence[str]) -> Tensor:
        """int64 ``[len(texts), max_words]``."""
        return torch.stack([self(t) for t in texts]) if len(texts) else torch.zeros(0, self.max_words, dtype=torch.long)

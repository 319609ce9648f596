"""gan_lab.text.tokenizer: hashed word ids."""

import pytest
import torch

from gan_lab.errors import GanLabError
from gan_lab.text import HashedWordTokenizer, words


def test_words_ignore_case_and_punctuation():
    assert words("A bold, SEVEN!") == ["a", "bold", "seven"]


def test_ids_are_stable_padded_and_truncated():
    tok = HashedWordTokenizer(buckets=64, max_words=4)
    ids = tok("a bold seven")
    assert ids.dtype == torch.long and ids.shape == (4,)
    assert ids[3] == 0 and (ids[:3] > 0).all() and (ids < 64).all()
    assert torch.equal(ids, HashedWordTokenizer(buckets=64, max_words=4)("A  Bold seven."))  # same words, same ids
    assert tok.word_id("seven") == ids[2]
    assert torch.equal(tok("one two three four five")[:4], tok("one two three four"))
    assert torch.equal(tok(""), torch.zeros(4, dtype=torch.long))
    assert tok.batch(["a", "b c"]).shape == (2, 4)
    # crc32 is fixed: a checkpoint tokenizes a prompt in any later process as in training
    assert tok.word_id("seven") == 1 + __import__("zlib").crc32(b"seven") % 63


def test_bad_settings_are_refused():
    with pytest.raises(GanLabError):
        HashedWordTokenizer(buckets=1)
    with pytest.raises(GanLabError):
        HashedWordTokenizer(max_words=0)

"""Text handling that needs no download: the hashed word tokenizer of the text -> image family."""

from gan_lab.text.tokenizer import HashedWordTokenizer, words

__all__ = ["HashedWordTokenizer", "words"]

"""gan_lab.datasets.captions.captioned_folder: captions from captions.jsonl and .txt files."""

import json

import pytest
import torch
from PIL import Image

from gan_lab.datasets.captions import CaptionedImageFolder
from gan_lab.datasets.resumable_sampler import SampleIndex
from gan_lab.errors import GanLabError
from gan_lab.text import HashedWordTokenizer

TOK = {"buckets": 256, "max_words": 6}


def _image(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (value, value, value)).save(path)


def _folder(tmp_path):
    _image(tmp_path / "a.png", 10)
    _image(tmp_path / "sub" / "b.png", 200)
    lines = [
        {"file": "a.png", "text": "a dark square"},
        {"file": "sub/b.png", "text": "a light square"},
        {"file": "a.png", "text": "a black box"},
    ]
    (tmp_path / "captions.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    (tmp_path / "sub" / "b.txt").write_text("a white box\n\n")
    return tmp_path


def test_jsonl_and_txt_captions_are_read(tmp_path):
    data = CaptionedImageFolder(str(_folder(tmp_path)), 8, 1, tokenizer=TOK)
    assert len(data) == 2
    assert data.caption_texts(0) == ["a dark square", "a black box"]
    assert data.caption_texts(1) == ["a light square", "a white box"]
    item = data[SampleIndex(0, 123)]
    assert set(item) == {"real", "caption", "label"} and item["real"].shape == (1, 8, 8)
    tok = HashedWordTokenizer(**TOK)
    assert any(torch.equal(item["caption"], tok(t)) for t in data.caption_texts(0))


def test_the_caption_drawn_depends_only_on_the_item_seed(tmp_path):
    data = CaptionedImageFolder(str(_folder(tmp_path)), 8, 1, tokenizer=TOK)
    draws = [data[SampleIndex(0, seed)]["caption"] for seed in range(20)]
    assert all(torch.equal(d, data[SampleIndex(0, seed)]["caption"]) for seed, d in enumerate(draws))
    assert len({tuple(d.tolist()) for d in draws}) == 2  # both captions of the image get drawn


def test_txt_files_alone_are_enough(tmp_path):
    _image(tmp_path / "x.png", 50)
    (tmp_path / "x.txt").write_text("only caption")
    data = CaptionedImageFolder(str(tmp_path), 8, 1, tokenizer=TOK)
    assert data.caption_texts(0) == ["only caption"]


def test_missing_captions_and_empty_folders_name_the_folder(tmp_path):
    _image(tmp_path / "x.png", 50)
    _image(tmp_path / "y.png", 60)
    (tmp_path / "x.txt").write_text("a caption")
    with pytest.raises(GanLabError, match=f"1 of 2 images under {tmp_path}.*no caption"):
        CaptionedImageFolder(str(tmp_path), 8, 1, tokenizer=TOK)
    assert len(CaptionedImageFolder(str(tmp_path), 8, 1, tokenizer=TOK, skip_uncaptioned=True)) == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(GanLabError, match=str(empty)):
        CaptionedImageFolder(str(empty), 8, 1, tokenizer=TOK)
    (tmp_path / "x.txt").unlink()
    with pytest.raises(GanLabError, match=str(tmp_path)):
        CaptionedImageFolder(str(tmp_path), 8, 1, tokenizer=TOK, skip_uncaptioned=True)


def test_a_broken_jsonl_line_is_reported_with_its_number(tmp_path):
    _image(tmp_path / "x.png", 50)
    (tmp_path / "captions.jsonl").write_text('{"file": "x.png", "text": "ok"}\n{"file": "x.png"}\n')
    with pytest.raises(GanLabError, match="line 2"):
        CaptionedImageFolder(str(tmp_path), 8, 1, tokenizer=TOK)
